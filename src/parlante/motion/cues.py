"""Per-frame cues derived from acoustic features as they arrive (the causal side).

Everything here is speaker- and level-relative: loudness is measured against a running
estimate of the speaker's own voiced level, formants against running speaker means, so
the same voice recorded quietly or loudly, low or high, drives the face alike.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

# Absolute floor: frames quieter than this (dBFS) are silence whatever the speech level.
SILENCE_DB = -62.0
# Loudness below the speech level (dB) at which the jaw is fully closed, in a clean
# recording; background noise within this range raises the closing point to just above
# the noise floor, but never closer than MIN_RANGE_DB to the speech level.
ENERGY_RANGE_DB = 25.0
MIN_RANGE_DB = 15.0
FLOOR_WINDOW = 3.0  # s over which the noise floor is the minimum unvoiced loudness
# Prior speech level (dBFS of a stressed vowel) until the voice has been heard.
LEVEL_PRIOR = -20.0
# Priors for the running speaker means (Hz); adult average of open and close vowels.
F0_PRIOR = 150.0
F1_PRIOR = 550.0
F2_PRIOR = 1550.0


@dataclass(slots=True)
class Cues:
    """What the face needs to know about one frame, computed when the frame arrives.

    rel: loudness relative to the running speech level, dB (0 = a typical stressed vowel).
    energy: 0..1.2, articulation effort: 0 at the closing point (``ENERGY_RANGE_DB``
        below the speech level, or just above the noise floor), 1 at the speech level.
    voiced: 0..1 voicing probability (0 below the silence floor).
    fric: 0..1 strength of an unvoiced, noise-like sound (fricative).
    jaw, spread, round, press: acoustic mouth-shape targets 0..1 before smoothing.
    prominence: 0..1.3 how accented the frame is (loud, high-pitched, voiced).
    """

    rel: float = -80.0
    energy: float = 0.0
    voiced: float = 0.0
    fric: float = 0.0
    jaw: float = 0.0
    spread: float = 0.0
    round: float = 0.0
    press: float = 0.0
    prominence: float = 0.0

    @property
    def active(self) -> bool:
        """Speech (voiced or fricative) is audible in this frame."""
        return self.energy > 0.12 or self.fric > 0.3


SILENT = Cues()


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


class CueTracker:
    """Turns raw feature rows into ``Cues`` one frame at a time, updating running speaker
    statistics (voiced-level quantile, noise floor, F0/F1/F2 means) from the frames seen
    so far."""

    LEVEL_QUANTILE = 0.75

    def __init__(self, fps: float) -> None:
        self.dt = 1.0 / fps
        self.level: float | None = None  # dBFS, ~75th percentile of voiced loudness
        self._n_voiced = 0
        self._f0 = math.log(F0_PRIOR)
        self._f1 = F1_PRIOR
        self._f2 = F2_PRIOR
        self._since_voiced = 10.0  # seconds since the last voiced frame
        self._rel_hist: list[float] = [-80.0] * 4  # recent rel values, for onsets
        self._f1_hist: list[float] = [0.0, 0.0]  # previous two frames, for a median of 3
        self._f2_hist: list[float] = [0.0, 0.0]
        self._ema = 1.0 - math.exp(-self.dt / 3.0)  # speaker means adapt over ~3 s
        self._n = 0
        self._floor_win: deque[tuple[int, float]] = deque()  # increasing, for a sliding min
        self._floor_len = max(1, round(FLOOR_WINDOW * fps))

    def update(
        self,
        loudness: float,
        voicing: float,
        pitch: float,
        f1: float,
        f2: float,
        centroid: float,
        flatness: float,
    ) -> Cues:
        if not math.isfinite(loudness):
            loudness = -80.0
        voicing = _clip(voicing) if math.isfinite(voicing) else 0.0
        audible = loudness > SILENCE_DB
        voiced = voicing if audible else 0.0
        is_voiced = voiced >= 0.5

        # Formant trackers jump between formants now and then: a causal median of three
        # frames removes single-frame outliers (at one frame of delay).
        f1 = self._median3(self._f1_hist, f1 if (is_voiced and math.isfinite(f1)) else 0.0)
        f2 = self._median3(self._f2_hist, f2 if (is_voiced and math.isfinite(f2)) else 0.0)

        if is_voiced:
            self._update_level(loudness)
            if math.isfinite(pitch) and 50.0 < pitch < 1000.0:
                self._f0 += self._ema * (math.log(pitch) - self._f0)
            if math.isfinite(f1) and 150.0 < f1 < 1400.0:
                self._f1 = _clip(self._f1 + self._ema * (f1 - self._f1), 420.0, 750.0)
            if math.isfinite(f2) and 500.0 < f2 < 3500.0:
                self._f2 = _clip(self._f2 + self._ema * (f2 - self._f2), 1200.0, 2000.0)
            self._since_voiced = 0.0
        else:
            self._since_voiced += self.dt

        floor = self._update_floor(loudness, counts=not is_voiced)
        level = self.level if self.level is not None else LEVEL_PRIOR
        rel = loudness - level if audible else -80.0
        closed_at = max(level - ENERGY_RANGE_DB, min(floor + 3.0, level - MIN_RANGE_DB))
        above = loudness - closed_at
        energy = _clip(above / (level - closed_at), 0.0, 1.2) if audible else 0.0
        noisy = (math.isfinite(flatness) and flatness > 0.25) or (
            math.isfinite(centroid) and centroid > 3000.0
        )
        fric = _clip((above + 6.0) / 12.0) if (audible and voicing < 0.4 and noisy) else 0.0

        # Jaw: effort (loudness re. speech level) times vowel openness (F1 re. speaker mean).
        f1_ok = is_voiced and math.isfinite(f1) and f1 > 150.0
        f1_ratio = f1 / self._f1 if f1_ok else 1.0
        openness = _clip(0.8 + 1.0 * (f1_ratio - 1.0), 0.35, 1.3) if f1_ok else 0.8
        jaw = 0.46 * energy**1.6 * openness * (1.0 if is_voiced else 0.4)
        spread = rounded = 0.0
        if is_voiced and math.isfinite(f2) and f2 > 500.0:
            r2 = f2 / self._f2
            presence = min(1.0, 1.5 * energy)
            spread = 0.6 * _clip((r2 - 1.08) / 0.4) * presence
            f1_open = _clip((f1_ratio - 0.8) / 0.7) if f1_ok else 0.3
            rounded = 0.7 * _clip((0.88 - r2) / 0.3) * (1.0 - 0.6 * f1_open) * presence
        if fric > 0.0:
            jaw = max(min(jaw, 0.12), 0.08 * fric)
            spread = max(spread, 0.15 * fric)

        # Lips close in a loudness dip shortly after voiced speech: stop closures, nasals,
        # short pauses and phrase ends. Fricatives are dips too but keep the lips apart.
        context = math.exp(-max(0.0, self._since_voiced - 0.1) / 0.3)
        press = context * _clip(1.0 - energy / 0.36) * (1.0 - fric)

        # Prominence: louder than the usual stressed level, pitch above the speaker's
        # mean (pitch accents); a small onset term places the peak at the rise.
        rise = rel - min(self._rel_hist)
        self._rel_hist.pop(0)
        self._rel_hist.append(rel)
        prominence = 0.0
        if is_voiced:
            loud = _clip((rel + 2.0) / 8.0)
            onset = _clip(rise / 15.0)
            high = 0.0
            if math.isfinite(pitch) and pitch > 50.0:
                semitones = 12.0 / math.log(2.0) * (math.log(pitch) - self._f0)
                high = _clip((semitones - 0.5) / 3.0)
            prominence = voiced * (0.6 * loud + 0.1 * onset + 0.6 * high) * min(1.0, energy * 2)

        return Cues(rel, energy, voiced, fric, jaw, spread, rounded, press, prominence)

    def _update_floor(self, loudness: float, counts: bool) -> float:
        """Noise floor: the minimum loudness of the unvoiced frames of the last
        ``FLOOR_WINDOW`` s (monotonic deque); -80 when there were none, as in a held note."""
        win = self._floor_win
        if counts:
            while win and win[-1][1] >= loudness:
                win.pop()
            win.append((self._n, loudness))
        while win and win[0][0] <= self._n - self._floor_len:
            win.popleft()
        self._n += 1
        return win[0][1] if win else -80.0

    @staticmethod
    def _median3(hist: list[float], x: float) -> float:
        """Median of the last two values and ``x`` (0 = unknown; unknowns are skipped
        unless ``x`` itself is unknown). Updates ``hist``."""
        a, b = hist
        hist[0], hist[1] = b, x
        if x <= 0.0:
            return 0.0
        known = [v for v in (a, b) if v > 0.0]
        if len(known) < 2:
            return x
        return sorted((a, b, x))[1]

    def _update_level(self, loudness: float) -> None:
        """Quantile tracker: steps up by eta*q above, down by eta*(1-q) below, so it
        settles where a fraction q of voiced frames is quieter. Faster while young."""
        if self.level is None:  # not below a typical level: a first quiet hum is no voice
            self.level = max(loudness - 3.0, LEVEL_PRIOR)
        eta = 0.3 + 3.0 * math.exp(-self._n_voiced / 40.0)
        q = self.LEVEL_QUANTILE
        self.level += eta * q if loudness > self.level else -eta * (1.0 - q)
        self._n_voiced += 1
