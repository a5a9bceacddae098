"""Head pose: slow 1/f drift, prosody-driven nods and turns, breathing, and the small
translations a turning, nodding, leaning head makes.

Amplitudes at motion_scale 1 follow real speakers (yaw std ~2-4 deg, mean rotation
change ~0.2-0.4 deg per frame at 25 fps); the caller multiplies by the motion scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from parlante.motion.filters import PinkDrift, Smooth2, gain

TAU_HEAD = 0.09  # s, smoothing of the rotations (x emotion tempo factor)
TAU_GESTURE = 0.06  # s, extra smoothing of accent nods and turns
YAW_LIMIT = 12.0  # deg, soft limit of the unscaled yaw
PITCH_LIMIT = 8.0
ROLL_LIMIT = 6.0
# Drift: three time scales (s) with their standard deviations (deg) make a 1/f-like wander.
DRIFT_TAUS = (0.5, 2.5, 8.0)
YAW_SIGMAS = (1.4, 1.4, 1.8)
PITCH_SIGMAS = (1.1, 1.0, 1.4)
ROLL_SIGMAS = (0.3, 0.4, 0.5)
# Syllable rhythm: the head bobs slightly with the voice's energy (deg at full energy);
# the yaw part follows a slowly changing random direction.
RHYTHM_PITCH = 1.3
RHYTHM_YAW = 0.8
TAU_RHYTHM = 0.08


@dataclass(frozen=True, slots=True)
class Accent:
    """A pitch accent's head/brow gesture, drawn when the accent is detected.

    fire: output frame at which the gesture starts. nod: deg (+ chin down), held for
    nod_dur s; yaw, roll: deg added to the slowly returning turn offset; lean: scale
    fraction; brow: brow_raise amplitude held for brow_dur s.
    """

    fire: int
    strength: float
    nod: float
    nod_dur: float
    yaw: float
    roll: float
    lean: float
    brow: float
    brow_dur: float


@dataclass(slots=True)
class HeadPose:
    """Unscaled head channels: degrees and face-height fractions."""

    yaw: float
    pitch: float
    roll: float
    tx: float
    ty: float
    scale: float


class HeadModel:
    def __init__(self, fps: float, rng: np.random.Generator) -> None:
        self.dt = dt = 1.0 / fps
        # The head starts in the portrait's pose and wanders off from there.
        self._yaw_drift = PinkDrift(DRIFT_TAUS, YAW_SIGMAS, dt, rng, at_rest=True)
        self._pitch_drift = PinkDrift(DRIFT_TAUS, PITCH_SIGMAS, dt, rng, at_rest=True)
        self._roll_drift = PinkDrift(DRIFT_TAUS, ROLL_SIGMAS, dt, rng, at_rest=True)
        self._tx_drift = PinkDrift((1.0, 6.0), (0.002, 0.004), dt, rng, at_rest=True)
        self._scale_drift = PinkDrift((2.0, 8.0), (0.002, 0.003), dt, rng, at_rest=True)
        self._yaw = Smooth2()
        self._pitch = Smooth2()
        self._roll = Smooth2()
        self._lean = Smooth2()
        self._gesture_yaw = Smooth2()  # accent gestures get their own smoothing: no jerks
        self._gesture_pitch = Smooth2()
        self._a_gesture = gain(dt, TAU_GESTURE)
        self._tau_head = TAU_HEAD
        self._nod = 0.0
        self._nod_until = -1
        self._yaw_offset = 0.0
        self._roll_offset = 0.0
        self._lean_target = 0.0
        self._yaw_leak = math.exp(-dt / 2.5)
        self._roll_leak = math.exp(-dt / 3.0)
        self._lean_leak = math.exp(-dt / 1.2)
        self._a_lean = gain(dt, 0.15)
        self._rhythm = Smooth2()
        self._a_rhythm = gain(dt, TAU_RHYTHM)
        self._rhythm_dir = PinkDrift((3.0,), (1.0,), dt, rng)
        self._breath_phase = float(rng.uniform(0.0, 2.0 * math.pi))
        self._breath_freq = float(rng.uniform(0.22, 0.28))

    def accent(self, t: int, a: Accent) -> None:
        """Start an accent's gesture at output frame ``t``."""
        self._nod = a.nod
        self._nod_until = t + max(1, round(a.nod_dur / self.dt))
        yaw = a.yaw
        if abs(self._yaw_offset + yaw) > 5.0:  # turn back rather than further away
            yaw = -yaw
        self._yaw_offset += yaw
        self._roll_offset += a.roll
        self._lean_target += a.lean

    def step(
        self, t: int, speaking: float, energy: float, tempo: float, pitch_bias: float
    ) -> HeadPose:
        """Pose of output frame ``t``.

        speaking: 0..1 smoothed speech activity (pauses settle the head).
        energy: 0..1.2 vocal effort at this frame (syllable rhythm).
        tempo: time-constant factor (>1 slower, <1 sharper). pitch_bias: deg, + down.
        """
        settle = (0.35 + 0.65 * speaking, 0.5 + 0.5 * speaking, 0.8 + 0.2 * speaking)
        nod = self._nod if t < self._nod_until else 0.0
        rhythm = self._rhythm.step(energy, self._a_rhythm)
        yaw_in = (
            self._yaw_drift.step(settle)
            + self._gesture_yaw.step(self._yaw_offset, self._a_gesture)
            + RHYTHM_YAW * rhythm * self._rhythm_dir.step()
        )
        pitch_in = (
            self._pitch_drift.step(settle)
            + self._gesture_pitch.step(nod, self._a_gesture)
            + RHYTHM_PITCH * rhythm
        )
        roll_in = self._roll_drift.step(settle) + self._roll_offset
        self._yaw_offset *= self._yaw_leak
        self._roll_offset *= self._roll_leak
        self._lean_target *= self._lean_leak

        silence = 1.0 - speaking
        self._breath_phase += 2.0 * math.pi * self._breath_freq * self.dt
        breath = math.sin(self._breath_phase) * silence

        a = gain(self.dt, self._tau_head * tempo)
        yaw = self._yaw.step(YAW_LIMIT * math.tanh(yaw_in / YAW_LIMIT), a)
        pitch = self._pitch.step(PITCH_LIMIT * math.tanh(pitch_in / PITCH_LIMIT), a)
        pitch += pitch_bias - 0.3 * breath
        roll_in += 0.15 * yaw
        roll = self._roll.step(ROLL_LIMIT * math.tanh(roll_in / ROLL_LIMIT), a)
        lean = self._lean.step(self._lean_target, self._a_lean)
        tx = 0.0035 * yaw + self._tx_drift.step()
        ty = 0.0025 * pitch + 0.004 * breath
        scale = lean + self._scale_drift.step()
        return HeadPose(yaw, pitch, roll, tx, ty, scale)
