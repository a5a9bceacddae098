"""Mouth: jaw, lip shape and closure from acoustics (any language), sharpened by visemes.

Calibrated on real speakers (see shared RENDERING-NOTES): speech openings are small, so
ordinary syllables sit at jaw_open 0.15-0.45 and only loud open vowels reach ~0.6.
Targets are read ahead of the output frame by a coarticulation lead plus the smoothing
delay, so the lips start moving 40-80 ms before the sound.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from parlante.motion.cues import Cues
from parlante.motion.filters import Smooth2, delay_frames, gain
from parlante.motion.visemes import PhoneTimeline

# Coarticulation lead (s): lips anticipate the sound; rounding anticipates the most.
LEAD = 0.02  # jaw: real mouths open only just before the voice (measured offsets ~-17 ms)
PRESS_LEAD = 0.04  # lips close for a stop ahead of its silence
ROUND_LEAD = 0.08
# Smoothing time constants (s) per articulator: closures are fast, shapes slower.
TAU_JAW = 0.04
TAU_SHAPE = 0.06
TAU_PRESS = 0.012
TAU_TUCK = 0.02
# Jaw target below which the mouth counts as closed for the hold detector.
_OPEN = 0.12
# Steady openings longer than this (s) get modulated: no frozen open mouth.
HOLD_START = 0.35
HOLD_DEPTH = 0.45
# Phones decide this much of the shape where they cover the frame.
PHONE_SHAPE_WEIGHT = 0.8
PHONE_JAW_WEIGHT = 0.7


@dataclass(slots=True)
class MouthShape:
    """Smoothed mouth codes of one frame, each 0..1."""

    jaw_open: float
    lip_round: float
    lip_spread: float
    lip_press: float
    lip_tuck: float
    upper_lip_raise: float


class MouthModel:
    """Output-side mouth: reads look-ahead cues, adds visemes, smooths. One per stream."""

    def __init__(self, fps: float, rng: np.random.Generator) -> None:
        self.fps = fps
        self.dt = 1.0 / fps
        self._rng = rng
        self._a_jaw = gain(self.dt, TAU_JAW)
        self._a_shape = gain(self.dt, TAU_SHAPE)
        self._a_press = gain(self.dt, TAU_PRESS)
        self._a_tuck = gain(self.dt, TAU_TUCK)
        # Fractional frames to read ahead per articulator: lead + smoothing group delay.
        self.ahead_jaw = LEAD * fps + delay_frames(self._a_jaw)
        self.ahead_shape = ROUND_LEAD * fps + delay_frames(self._a_shape)
        self.ahead_press = PRESS_LEAD * fps + delay_frames(self._a_press)
        self.ahead_tuck = PRESS_LEAD * fps + delay_frames(self._a_tuck)
        self._jaw = Smooth2()
        self._round = Smooth2()
        self._spread = Smooth2()
        self._press = Smooth2()
        self._tuck = Smooth2()
        self._hold = 0.0
        self._hold_ref = 0.0
        self._hold_phase = 0.0
        self._hold_freq = 1.8

    def limit_ahead(self, frames: int) -> None:
        """Read at most ``frames`` frames ahead (low-latency streams): anticipation and
        smoothing compensation shrink to what that window can know."""
        cap = frames - 1e-3
        self.ahead_jaw = min(self.ahead_jaw, cap)
        self.ahead_shape = min(self.ahead_shape, cap)
        self.ahead_press = min(self.ahead_press, cap)
        self.ahead_tuck = min(self.ahead_tuck, cap)

    @property
    def max_ahead_frames(self) -> int:
        """Whole frames of cues beyond the output frame that ``step`` reads."""
        most = max(self.ahead_jaw, self.ahead_shape, self.ahead_press, self.ahead_tuck)
        return math.floor(most) + 1

    def step(self, t: int, cue_at: Callable[[int], Cues], phones: PhoneTimeline) -> MouthShape:
        """Mouth of output frame ``t``; ``cue_at(i)`` gives the cues of input frame ``i``."""
        jaw_c, energy = _interp2(cue_at, t + self.ahead_jaw, "jaw", "energy")
        round_c, spread_c = _interp2(cue_at, t + self.ahead_shape, "round", "spread")
        press_c = _interp1(cue_at, t + self.ahead_press, "press")
        tuck = 0.0

        if phones:
            now = t * self.dt
            hw = 0.5 * self.dt
            mj = phones.mix(now + self.ahead_jaw * self.dt, hw)
            ms = phones.mix(now + self.ahead_shape * self.dt, hw)
            mp = phones.mix(now + self.ahead_press * self.dt, hw)
            mt = phones.mix(now + self.ahead_tuck * self.dt, hw)
            cj = mj.coverage * PHONE_JAW_WEIGHT
            jaw_c = (1.0 - cj) * jaw_c + cj * 0.46 * energy**1.6 * mj.jaw
            cs = ms.coverage * PHONE_SHAPE_WEIGHT
            round_c = (1.0 - cs) * round_c + cs * ms.round * min(1.0, 2.0 * energy + 0.3)
            spread_c = (1.0 - cs) * spread_c + cs * ms.spread * min(1.0, 2.0 * energy + 0.3)
            press_c = max(press_c, mp.coverage * mp.press)
            tuck = mt.coverage * mt.tuck

        jaw_c = self._modulate_hold(jaw_c)
        press = self._press.step(press_c, self._a_press)
        jaw = self._jaw.step(jaw_c, self._a_jaw)
        lip_round = self._round.step(round_c, self._a_shape)
        spread = self._spread.step(spread_c, self._a_shape)
        lip_tuck = self._tuck.step(tuck, self._a_tuck)
        raise_ = 0.25 * lip_tuck + 0.15 * spread
        return MouthShape(jaw, lip_round, spread, press, lip_tuck, raise_)

    def _modulate_hold(self, jaw: float) -> float:
        """A steady open jaw (a held vowel, a sung note) slowly closes part way and reopens
        at 1.4-2.2 Hz after ``HOLD_START`` s, as real mouths never freeze open."""
        if jaw < _OPEN:
            self._hold = 0.0
            return jaw
        if self._hold == 0.0 or abs(jaw - self._hold_ref) > 0.25 * self._hold_ref + 0.03:
            self._hold = self.dt
            self._hold_ref = jaw
            self._hold_phase = 0.0
            self._hold_freq = float(self._rng.uniform(1.4, 2.2))
            return jaw
        self._hold += self.dt
        if self._hold <= HOLD_START:
            return jaw
        depth = HOLD_DEPTH * min(1.0, (self._hold - HOLD_START) / 0.25)
        self._hold_phase += 2.0 * math.pi * self._hold_freq * self.dt
        return jaw * (1.0 - depth * (0.5 - 0.5 * math.cos(self._hold_phase)))


def _interp1(cue_at: Callable[[int], Cues], x: float, name: str) -> float:
    i = math.floor(x)
    f = x - i
    a = getattr(cue_at(i), name)
    return a + f * (getattr(cue_at(i + 1), name) - a) if f > 0.0 else a


def _interp2(cue_at: Callable[[int], Cues], x: float, n1: str, n2: str) -> tuple[float, float]:
    i = math.floor(x)
    f = x - i
    c0 = cue_at(i)
    a, b = getattr(c0, n1), getattr(c0, n2)
    if f <= 0.0:
        return a, b
    c1 = cue_at(i + 1)
    return a + f * (getattr(c1, n1) - a), b + f * (getattr(c1, n2) - b)
