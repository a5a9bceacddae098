"""The hand-made motion generator: one causal core with a fixed look-ahead.

Input frames are turned into cues as they arrive; output frame ``t`` is finalised once
input frame ``t + lookahead_frames`` is known. Every internal state (filters, random
generators, schedules) advances exactly once per input or output frame in the same
order however the input is chunked, so a whole clip (``generate_motion``: the stream fed
everything, then flushed) and any chunking of it give identical motion.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from parlante.audio.track import AudioTrack
from parlante.motion.accents import AccentDetector
from parlante.motion.blinks import BlinkModel
from parlante.motion.channels import CHANNELS, INDEX, RANGES
from parlante.motion.codes import Motion
from parlante.motion.controls import Controls
from parlante.motion.cues import SILENT, Cues, CueTracker
from parlante.motion.expression import BrowAccents, ControlGlide
from parlante.motion.filters import Smooth2, gain
from parlante.motion.gaze import GazeModel
from parlante.motion.head import Accent, HeadModel
from parlante.motion.mouth import MouthModel
from parlante.motion.visemes import PhoneTimeline

LOOKAHEAD_S = 0.2  # s of future audio each output frame may use
GAZE_COMPENSATION = 0.6  # eyes counter-rotate this share of the head rotation
_SPEECH_HANGOVER = 0.3  # s: gaps shorter than this do not count as pauses
_KEEP = 64  # input frames of history kept behind the output frame

_LO = np.array([RANGES[c][0] for c in CHANNELS], dtype=np.float32)
_LO[INDEX["jaw_open"]] = 0.0  # from a closed mouth; Renderer.from_closed_mouth makes it relative
_HI = np.array([RANGES[c][1] for c in CHANNELS], dtype=np.float32)
_FEATURES = ("loudness", "voicing", "pitch", "f1", "f2", "centroid", "flatness")


class MotionGenerator(Protocol):
    """What any motion generator (this hand-made one, or a learned one) provides."""

    @property
    def lookahead_frames(self) -> int: ...

    def push(self, features: AudioTrack) -> Motion: ...

    def flush(self) -> Motion: ...

    def set_controls(self, controls: Controls) -> None: ...


def _seed_sequence(seed: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed % (1 << 64))


class MotionStream:
    """Streaming AudioTrack features -> Motion, ``lookahead_frames`` behind the input.

    ``push`` takes an AudioTrack holding only the newly available frames (phone times,
    if any, in seconds from the stream start) and returns the motion frames that became
    final; ``flush`` ends the stream and returns the rest, so the total equals the
    number of input frames. ``set_controls`` glides emotion, gaze and motion scale to
    the new values over ~0.3 s; the seed is fixed when the stream is created.

    lookahead_s: None reads as far ahead as the generator wants (``LOOKAHEAD_S``, 0.2 s:
    offline quality); a smaller value (e.g. 0.08 for live avatars) lowers the latency,
    and the mouth then anticipates the sound only as far as that window.
    """

    def __init__(self, controls: Controls, fps: float, *, lookahead_s: float | None = None) -> None:
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be positive, got {fps}")
        self.fps = float(fps)
        self.dt = 1.0 / self.fps
        seeds = _seed_sequence(controls.seed).spawn(5)
        rng = [np.random.default_rng(s) for s in seeds]
        self._tracker = CueTracker(self.fps)
        self._accents = AccentDetector(self.fps, rng[0])
        self._head = HeadModel(self.fps, rng[1])
        self._mouth = MouthModel(self.fps, rng[2])
        self._blinks = BlinkModel(self.fps, rng[3])
        self._gaze = GazeModel(self.fps, rng[4])
        self._glide = ControlGlide(controls, self.fps)
        self._brows = BrowAccents(self.fps)
        self._phones = PhoneTimeline()
        self._lookahead = max(
            2,
            math.ceil(LOOKAHEAD_S * self.fps),
            self._mouth.max_ahead_frames,
            self._accents.delay + self._accents.lead,
        )
        if lookahead_s is not None:
            if not lookahead_s > 0:
                raise ValueError(f"lookahead must be positive, got {lookahead_s} s")
            self._lookahead = min(self._lookahead, max(1, math.ceil(lookahead_s * self.fps - 1e-9)))
            self._mouth.limit_ahead(self._lookahead)
        self._cues: list[Cues] = []
        self._base = 0  # input frame index of self._cues[0]
        self._n_in = 0  # input frames received (including flush padding)
        self._n_real = 0  # input frames received from the caller
        self._n_out = 0
        self._pending: list[Accent] = []
        self._last_active = -1  # the stream starts as if a pause had just begun
        self._hangover = max(1, round(_SPEECH_HANGOVER * self.fps))
        self._speaking = Smooth2()
        self._a_speaking = gain(self.dt, 0.2)
        self._finished = False

    @property
    def lookahead_frames(self) -> int:
        """Output lags input by this many frames (latency = lookahead_frames / fps)."""
        return self._lookahead

    @property
    def controls(self) -> Controls:
        return self._glide.controls

    def set_controls(self, controls: Controls) -> None:
        """New knobs from the next output frame on, glided (seed changes are ignored)."""
        self._glide.set(controls)

    def push(self, features: AudioTrack) -> Motion:
        if self._finished:
            raise RuntimeError("MotionStream.push after flush")
        if abs(features.fps - self.fps) > 1e-6 * self.fps:
            raise ValueError(f"features at {features.fps} fps pushed to a {self.fps} fps stream")
        n = len(features)
        cols = []
        for name in _FEATURES:
            a = np.asarray(getattr(features, name), dtype=np.float64)
            if a.shape != (n,):
                raise ValueError(f"AudioTrack.{name} has shape {a.shape}, expected ({n},)")
            cols.append(np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=-80.0).tolist())
        if features.phones:
            self._phones.extend(features.phones)
        rows = []
        for i in range(n):
            self._ingest(*(c[i] for c in cols))
            self._n_real += 1
            rows.extend(self._drain(self._n_in - self._lookahead))
        return self._motion(rows)

    def flush(self) -> Motion:
        """End of input: pad with silence, return every remaining frame."""
        if self._finished:
            return Motion.zeros(0, self.fps)
        rows = []
        for _ in range(self._lookahead):
            self._ingest(-80.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            rows.extend(self._drain(min(self._n_real, self._n_in - self._lookahead)))
        rows.extend(self._drain(self._n_real))
        self._finished = True
        return self._motion(rows)

    # -- input side ---------------------------------------------------------------------

    def _ingest(
        self,
        loud: float,
        voicing: float,
        pitch: float,
        f1: float,
        f2: float,
        cen: float,
        flat: float,
    ) -> None:
        n = self._n_in
        self._cues.append(self._tracker.update(loud, voicing, pitch, f1, f2, cen, flat))
        self._n_in += 1
        accent = self._accents.detect(n, self._prominence, self._n_out)
        if accent is not None:
            self._pending.append(accent)
            self._pending.sort(key=lambda a: a.fire)

    def _cue(self, i: int) -> Cues:
        j = i - self._base
        if j < 0 or i >= self._n_in:
            return SILENT
        return self._cues[j]

    def _prominence(self, i: int) -> float:
        return self._cue(i).prominence

    # -- output side --------------------------------------------------------------------

    def _drain(self, until: int) -> list[np.ndarray]:
        rows = []
        while self._n_out < until:
            rows.append(self._emit(self._n_out))
            self._n_out += 1
        excess = self._n_out - _KEEP - self._base
        if excess > 256:
            del self._cues[:excess]
            self._base += excess
        return rows

    def _motion(self, rows: list[np.ndarray]) -> Motion:
        if not rows:
            return Motion.zeros(0, self.fps)
        return Motion(np.clip(np.stack(rows), _LO, _HI), self.fps)

    def _emit(self, t: int) -> np.ndarray:
        cue = self._cue
        L = self._lookahead
        state = self._glide.step()
        style = state.style

        # Speech activity around t: the look-ahead tells whether a gap is a real pause.
        if cue(t).active:
            self._last_active = t
        speech_soon = any(cue(t + j).active for j in range(1, L + 1))
        recent = t - self._last_active <= self._hangover
        pause_s = 0.0 if cue(t).active else (t - self._last_active) * self.dt
        pause_onset = cue(t - 1).active and not cue(t).active and not speech_soon
        speaking = self._speaking.step(1.0 if (recent or speech_soon) else 0.0, self._a_speaking)

        while self._pending and self._pending[0].fire <= t:
            a = self._pending.pop(0)
            self._head.accent(t, a)
            self._brows.accent(t, a.brow, a.brow_dur)

        out = np.zeros(len(CHANNELS))
        # Head: always stepped (random streams advance alike), then scaled.
        pose = self._head.step(t, speaking, cue(t).energy, style.tempo, style.pitch_bias)
        k = state.motion_scale * style.head_gain
        if state.motion_scale > 0.0:
            out[INDEX["yaw"]] = k * pose.yaw
            out[INDEX["pitch"]] = k * pose.pitch
            out[INDEX["roll"]] = k * pose.roll
            out[INDEX["tx"]] = k * pose.tx
            out[INDEX["ty"]] = k * pose.ty
            out[INDEX["scale"]] = k * pose.scale

        m = self._mouth.step(t, cue, self._phones)
        press = m.lip_press + style.press * max(0.0, 1.0 - m.jaw_open / 0.25)
        out[INDEX["jaw_open"]] = m.jaw_open + style.jaw_rest * (1.0 - min(1.0, press))
        out[INDEX["lip_round"]] = m.lip_round
        out[INDEX["lip_spread"]] = m.lip_spread
        out[INDEX["lip_press"]] = press
        out[INDEX["lip_tuck"]] = m.lip_tuck
        out[INDEX["upper_lip_raise"]] = m.upper_lip_raise

        bl, br = self._blinks.step(t, speaking > 0.5, pause_onset)
        out[INDEX["blink_l"]] = bl
        out[INDEX["blink_r"]] = br

        liveliness = min(1.0, state.motion_scale)
        out[INDEX["brow_raise"]] = self._brows.step(t) * (0.4 + 0.6 * liveliness)

        dx, dy = self._gaze.step(t, pause_s, speech_soon)
        gx, gy = state.gaze
        out[INDEX["gaze_x"]] = gx + dx - GAZE_COMPENSATION * out[INDEX["yaw"]]
        out[INDEX["gaze_y"]] = gy + dy + style.gaze_down - GAZE_COMPENSATION * out[INDEX["pitch"]]

        out += state.offsets
        return out


def generate_motion(track: AudioTrack, controls: Controls) -> Motion:
    """Motion for a whole track: T = len(track) frames at track.fps.

    Exactly the stream fed everything at once, so offline and live output agree.
    """
    stream = MotionStream(controls, track.fps)
    head = stream.push(track)
    tail = stream.flush()
    return Motion(np.concatenate([head.values, tail.values]), track.fps)
