"""Blinks with human statistics.

~20 per minute while talking and ~14 in silence, start-to-start gaps of at least 0.75 s
(gamma-distributed beyond, capped so the eyes never stare for long), durations 120-300
ms with a fast close (1/3) and a slower opening (2/3), occasional double blinks, and a
preference for the start of a pause. Every blink shuts the eye fully on one frame.
"""

from __future__ import annotations

import math

import numpy as np

MIN_GAP = 0.75  # s between blink starts (double blinks excepted)
MEAN_GAP_SPEAKING = 3.5  # s, ~17 / min before pause-onset blinks and doubles
MEAN_GAP_SILENT = 4.2  # s, ~14 / min
GAP_SHAPE = 4.0  # gamma shape of the gap beyond MIN_GAP: fairly regular, never bunched
DOUBLE_P = 0.08
PAUSE_P = 0.5  # chance that a pause onset pulls the next blink into it


def _smoothstep(x: float) -> float:
    return x * x * (3.0 - 2.0 * x)


class BlinkModel:
    def __init__(self, fps: float, rng: np.random.Generator) -> None:
        self.fps = fps
        self.dt = 1.0 / fps
        self._rng = rng
        self._next = float(rng.uniform(0.3, 2.5))  # s, start of the next blink
        self._last = -10.0  # s, start of the last blink
        self._peak = -1_000  # output frame of the current blink's full closure
        self._dur = 0.2
        self._asym = 0.0

    def _draw_gap(self, speaking: bool, dur: float) -> float:
        rng = self._rng
        if rng.uniform() < DOUBLE_P:
            return dur + float(rng.uniform(0.12, 0.25))
        mean = MEAN_GAP_SPEAKING if speaking else MEAN_GAP_SILENT
        gap = MIN_GAP + float(rng.gamma(GAP_SHAPE, (mean - MIN_GAP) / GAP_SHAPE))
        return min(gap, 1.8 * mean)  # no eerie staring spells

    def step(self, t: int, speaking: bool, pause_onset: bool) -> tuple[float, float]:
        """(blink_l, blink_r) of output frame ``t``; 1 = shut."""
        now = t * self.dt
        rng = self._rng
        pull = pause_onset and now - self._last > 1.0 and self._next - now > 0.5
        if pull and rng.uniform() < PAUSE_P:
            self._next = now + float(rng.uniform(0.05, 0.3))
        if now >= self._next:
            dur = float(np.clip(rng.lognormal(math.log(0.17), 0.22), 0.1, 0.23))
            self._dur = dur
            self._peak = t + max(1, math.ceil(0.25 * dur * self.fps))
            self._asym = float(rng.uniform(0.0, 0.05))
            self._last = now
            self._next = now + self._draw_gap(speaking, dur)
        x = (t - self._peak) * self.dt
        # Fast close, a short hold shut (real lids stay closed ~50-80 ms), slower open.
        close, hold = 0.25 * self._dur, 0.2 * self._dur
        open_ = self._dur - close - hold
        if -close < x <= 0.0:
            v = _smoothstep(1.0 + x / close)
        elif 0.0 < x <= hold:
            v = 1.0
        elif hold < x < hold + open_:
            v = 1.0 - _smoothstep((x - hold) / open_)
        else:
            v = 0.0
        return v, v * (1.0 - self._asym)
