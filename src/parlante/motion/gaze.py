"""Gaze offsets around the target: micro-saccades and thinking look-aways.

Saccades jump 0.5-2 deg every 0.5-3 s in ~30-50 ms and hold; the fixation wanders
within ~2 deg of the target. In a long pause the eyes may look away a few degrees and
come back, returning before speech resumes (the look-ahead sees it coming). Head-motion
compensation is applied by the caller.
"""

from __future__ import annotations

import math

import numpy as np

from parlante.motion.filters import Smooth2, gain

TAU_SACCADE = 0.008  # s: a 1-2 deg saccade completes in ~40 ms
TAU_LOOKAWAY = 0.02  # s: larger jumps take a little longer
FIXATION_RADIUS = 2.0  # deg
LOOKAWAY_P = 0.35  # chance per long pause
LONG_PAUSE = 0.7  # s of silence before a look-away is considered


class GazeModel:
    def __init__(self, fps: float, rng: np.random.Generator) -> None:
        self.dt = 1.0 / fps
        self._rng = rng
        self._fix = [0.0, 0.0]  # current fixation offset, deg
        self._next = float(rng.uniform(0.3, 1.5))  # s, next saccade
        self._away = [0.0, 0.0]
        self._away_until = -1.0
        self._pause_decided = False
        self._sx, self._sy = Smooth2(), Smooth2()
        self._ax, self._ay = Smooth2(), Smooth2()
        self._a_sacc = gain(self.dt, TAU_SACCADE)
        self._a_away = gain(self.dt, TAU_LOOKAWAY)

    def _saccade(self) -> None:
        rng = self._rng
        amp = float(rng.uniform(0.5, 2.0))
        ang = float(rng.uniform(0.0, 2.0 * math.pi))
        x, y = self._fix
        nx, ny = x + amp * math.cos(ang), y + 0.6 * amp * math.sin(ang)
        if math.hypot(nx, ny) > FIXATION_RADIUS:  # head back towards the target
            back = math.atan2(-y, -x) + float(rng.uniform(-0.8, 0.8))
            nx, ny = x + amp * math.cos(back), y + 0.6 * amp * math.sin(back)
        self._fix = [nx, ny]
        self._next += float(np.clip(rng.lognormal(math.log(1.2), 0.5), 0.5, 3.0))

    def step(self, t: int, pause_s: float, speech_soon: bool) -> tuple[float, float]:
        """(dx, dy) gaze offset in degrees of output frame ``t``.

        pause_s: seconds of silence up to this frame. speech_soon: speech within the
        look-ahead.
        """
        now = t * self.dt
        rng = self._rng
        if pause_s == 0.0:
            self._pause_decided = False
        if pause_s >= LONG_PAUSE and not speech_soon and not self._pause_decided:
            self._pause_decided = True
            if rng.uniform() < LOOKAWAY_P:
                amp = float(rng.uniform(3.0, 6.0))
                side = 1.0 if rng.uniform() < 0.5 else -1.0
                up = float(rng.uniform(0.0, 0.8))
                self._away = [side * amp * math.cos(up), -amp * math.sin(up)]
                self._away_until = now + float(rng.uniform(0.5, 1.5))
        if self._away_until >= 0.0 and (now >= self._away_until or speech_soon):
            self._away = [0.0, 0.0]
            self._away_until = -1.0
            self._next = max(self._next, now + 0.3)
        if now >= self._next:
            self._saccade()
        dx = self._sx.step(self._fix[0], self._a_sacc) + self._ax.step(self._away[0], self._a_away)
        dy = self._sy.step(self._fix[1], self._a_sacc) + self._ay.step(self._away[1], self._a_away)
        return dx, dy
