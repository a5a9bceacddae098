"""Visemes: mouth shapes of English (ARPAbet) phones, looked up on an aligned transcript.

Phones decide the *shape* (closure, rounding, spreading, tuck, how open a vowel is);
acoustics keep deciding the *energy*. Stress digits (``AA1``) are ignored.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from parlante.audio.track import PhoneSegment


@dataclass(frozen=True, slots=True)
class Viseme:
    """Target mouth shape of a phone. ``jaw`` multiplies the acoustic effort (1 = mid vowel)."""

    jaw: float = 0.5
    round: float = 0.0
    spread: float = 0.0
    press: float = 0.0
    tuck: float = 0.0


_CLOSED = Viseme(jaw=0.0, press=1.0)
_SILENCE = Viseme(jaw=0.0)

VISEMES: dict[str, Viseme] = {
    "P": _CLOSED, "B": _CLOSED, "M": _CLOSED,
    "F": Viseme(jaw=0.15, tuck=0.85), "V": Viseme(jaw=0.15, tuck=0.85),
    "W": Viseme(jaw=0.2, round=0.9), "UW": Viseme(jaw=0.45, round=0.85),
    "OW": Viseme(jaw=0.7, round=0.7), "UH": Viseme(jaw=0.55, round=0.5),
    "AO": Viseme(jaw=1.0, round=0.5), "OY": Viseme(jaw=0.8, round=0.5),
    "IY": Viseme(jaw=0.35, spread=0.75), "IH": Viseme(jaw=0.5, spread=0.5),
    "EY": Viseme(jaw=0.6, spread=0.6), "EH": Viseme(jaw=0.8, spread=0.35),
    "Y": Viseme(jaw=0.3, spread=0.5),
    "AA": Viseme(jaw=1.25), "AE": Viseme(jaw=1.15, spread=0.3), "AH": Viseme(jaw=1.0),
    "AW": Viseme(jaw=1.15, round=0.3), "AY": Viseme(jaw=1.2, spread=0.1),
    "ER": Viseme(jaw=0.55, round=0.35), "R": Viseme(jaw=0.4, round=0.4),
    "SH": Viseme(jaw=0.25, round=0.45), "ZH": Viseme(jaw=0.25, round=0.45),
    "CH": Viseme(jaw=0.25, round=0.45), "JH": Viseme(jaw=0.25, round=0.45),
    "S": Viseme(jaw=0.15, spread=0.3), "Z": Viseme(jaw=0.15, spread=0.3),
    "TH": Viseme(jaw=0.25), "DH": Viseme(jaw=0.25),
    "T": Viseme(jaw=0.3), "D": Viseme(jaw=0.3), "N": Viseme(jaw=0.3), "L": Viseme(jaw=0.35),
    "K": Viseme(jaw=0.4), "G": Viseme(jaw=0.4), "NG": Viseme(jaw=0.4), "HH": Viseme(jaw=0.6),
    "SIL": _SILENCE, "SP": _SILENCE, "SPN": _SILENCE, "": _SILENCE,
}  # fmt: skip


def base_phone(label: str) -> str:
    """``"aa1"`` -> ``"AA"``: upper case, stress digits dropped."""
    return label.strip().upper().rstrip("012")


@dataclass(frozen=True, slots=True)
class VisemeMix:
    """Shape over a short window: ``coverage`` 0..1 is how much of it known phones cover;
    the other fields are coverage-weighted means, except ``press`` (max: any bilabial
    touching the window closes the lips)."""

    coverage: float
    jaw: float
    round: float
    spread: float
    press: float
    tuck: float


NO_MIX = VisemeMix(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


class PhoneTimeline:
    """Aligned phones (absolute seconds), appended as they arrive, queried by time."""

    def __init__(self) -> None:
        self._starts: list[float] = []
        self._segments: list[tuple[float, float, Viseme]] = []

    def __bool__(self) -> bool:
        return bool(self._segments)

    def extend(self, phones: list[PhoneSegment]) -> None:
        for p in phones:
            vis = VISEMES.get(base_phone(p.phone))
            if vis is None or not p.end > p.start:
                continue  # unknown label or empty segment: leave it to the acoustics
            i = bisect.bisect_right(self._starts, p.start)
            self._starts.insert(i, float(p.start))
            self._segments.insert(i, (float(p.start), float(p.end), vis))

    def mix(self, time: float, half_window: float) -> VisemeMix:
        """Shape of the phones overlapping ``[time - half_window, time + half_window]``."""
        if not self._segments:
            return NO_MIX
        lo, hi = time - half_window, time + half_window
        i = max(0, bisect.bisect_right(self._starts, hi) - 1)
        total = jaw = rnd = spr = tuck = press = 0.0
        # Walk back over segments that start before the window end and may overlap it.
        while i >= 0:
            start, end, v = self._segments[i]
            if end <= lo and start < lo - 0.5:
                break
            overlap = min(end, hi) - max(start, lo)
            if overlap > 0.0:
                total += overlap
                jaw += overlap * v.jaw
                rnd += overlap * v.round
                spr += overlap * v.spread
                tuck += overlap * v.tuck
                press = max(press, v.press)
            i -= 1
        if total <= 0.0:
            return NO_MIX
        width = hi - lo
        return VisemeMix(
            min(1.0, total / width), jaw / total, rnd / total, spr / total, press, tuck / total
        )
