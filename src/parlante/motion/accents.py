"""Pitch-accent detection: peaks of cue prominence, found a few frames after they occur.

A frame is an accent when its prominence is the local maximum within ``PEAK_WINDOW`` s
on both sides, above ``THRESHOLD``, and at least ``MIN_GAP`` s after the previous accent.
The gesture (nod, turn, lean, brow) is drawn at detection and scheduled to start
``HEAD_LEAD`` s before the accent so the movement peaks on the stressed syllable.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from parlante.motion.head import Accent

PEAK_WINDOW = 0.08  # s
THRESHOLD = 0.5
MIN_GAP = 0.6  # s
HEAD_LEAD = 0.1  # s
NOD_DEG = (2.5, 4.5)  # nod amplitude range at full strength, + chin down
NOD_SECONDS = (0.2, 0.35)
TURN_DEG = (2.0, 5.0)  # yaw turn range at full strength


class AccentDetector:
    def __init__(self, fps: float, rng: np.random.Generator) -> None:
        self.dt = 1.0 / fps
        self.delay = max(1, round(PEAK_WINDOW * fps))  # frames after the peak it is found
        self.lead = round(HEAD_LEAD * fps)
        self._rng = rng
        self._last = -1_000_000
        self._min_gap = round(MIN_GAP * fps)

    def detect(
        self, n: int, prominence_at: Callable[[int], float], first_out: int
    ) -> Accent | None:
        """Called once input frame ``n`` is known; tests frame ``n - delay``.

        prominence_at(i): prominence of input frame i. first_out: the next output frame
        not yet emitted (the earliest the gesture may start).
        """
        c = n - self.delay
        if c < 0:
            return None
        p = prominence_at(c)
        if p <= THRESHOLD or c - self._last < self._min_gap:
            return None
        for j in range(c - self.delay, c):
            if prominence_at(j) >= p:
                return None
        for j in range(c + 1, n + 1):
            if prominence_at(j) > p:
                return None
        self._last = c
        rng = self._rng
        s = min(1.0, 0.4 + 0.6 * p)
        nod = s * float(rng.uniform(*NOD_DEG)) * (1.0 if rng.uniform() < 0.75 else -0.6)
        yaw = 0.0
        if rng.uniform() < 0.6:
            yaw = s * float(rng.uniform(*TURN_DEG)) * (1.0 if rng.uniform() < 0.5 else -1.0)
        brow = s * float(rng.uniform(0.1, 0.3)) if rng.uniform() < 0.4 + 0.4 * s else 0.0
        return Accent(
            fire=max(first_out, c - self.lead),
            strength=s,
            nod=nod,
            nod_dur=float(rng.uniform(*NOD_SECONDS)),
            yaw=yaw,
            roll=s * float(rng.uniform(-0.7, 0.7)),
            lean=0.012 * s * float(rng.uniform(0.5, 1.2)),
            brow=brow,
            brow_dur=float(rng.uniform(0.2, 0.4)),
        )
