"""Detection over a sequence of frames (a file or a live stream): evidence and its p-value.

For each candidate tile period (as embedded at this frame size, as embedded at twice or half
the size then rescaled 2x, and whatever the first frames' spectrum shows: scale.py), each
frame is folded into a (64, 64) block (folding.py) and read (correlate.py). Blocks are read
summed over all frames (the mark is static while the content moves: evidence adds up) and,
for the few strongest, one frame at a time (after an H.264 re-encode, a frame whose content
moved can carry the mark dragged along with it: readable alone but not in the sum).

False positives: the reference z-score has an N(0, 1) null at each shift, so the p-value is
the one-sided tail times the number of tests (4096 shifts x candidate periods x frame sets
read; Bonferroni, conservative since neighbouring shifts are correlated), times
``tries * 2**-23`` when a payload passes the mark byte and CRC-15 at the ``tries``-th most
likely reading. A mark is reported below P_VALUE_THRESHOLD = 1e-6: by construction at most
one unmarked file in a million is flagged. Without a readable payload this needs z >= ~6.5
for a still and ~7 for a clip; with one, z >= ~4.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .correlate import BlockReading, read_block, reference_z
from .folding import MIN_TILES, folded, luma, power_spectrum
from .patterns import PARLANTE_KEY, TILE, band_mask, pattern_spectra, tile_scale
from .scale import estimate_period

P_VALUE_THRESHOLD = 1e-6
"""Report a mark when an unmarked input would score this high with lower probability."""
ESTIMATE_FRAMES = 8
"""Frames whose spectrum is searched for a rescaled tile period (scale.py)."""
SINGLE_FRAMES = 64
"""Per-frame blocks kept (the latest) for reading frames one at a time."""
SINGLE_READS = 3
"""Single frames read in full (those with the strongest reference peak)."""
PAYLOAD_CHANCE = 2.0**-23
"""Chance that random symbols pass the mark byte and the CRC."""


@dataclass
class WatermarkReport:
    """What the detector concluded from the frames it saw.

    found: the mark is present (p_value < P_VALUE_THRESHOLD).
    confidence: z-score of the reference pattern's correlation peak (an unmarked input gives
        N(0, 1) at each shift, ~3.5-4.5 at the best of all shifts; marked frames 5-12).
    p_value: chance that an unmarked input scores at least this well (all shifts, periods
        and frame sets considered; times ~2**-23 when a valid payload was read).
    payload: the 32-bit payload (video id) when read with a valid mark byte and CRC.
    frames_used: frames that went into the decision.
    period: (y, x) tile period in input pixels of the best reading (64.0 = not rescaled),
        None when no frame was seen.
    """

    found: bool
    confidence: float
    p_value: float
    payload: int | None
    frames_used: int
    period: tuple[float, float] | None = None


@dataclass
class _Candidate:
    period: tuple[float, float]
    total: np.ndarray = field(default_factory=lambda: np.zeros((TILE, TILE), np.float32))
    frames: deque[np.ndarray] = field(default_factory=lambda: deque(maxlen=SINGLE_FRAMES))

    def add(self, block: np.ndarray) -> None:
        self.total += block
        self.frames.append(block)


def _p_value(reading: BlockReading, n_sets: int) -> float:
    tail = 0.5 * math.erfc(reading.z / math.sqrt(2.0))
    p = min(1.0, TILE * TILE * n_sets * tail)
    return p * reading.tries * PAYLOAD_CHANCE if reading.payload is not None else p


def base_periods(height: int, width: int) -> list[tuple[float, float]]:
    """Tile periods (y, x) to try on a frame of this size: as embedded at this size, and as
    embedded at twice or half this size then rescaled 2x (larger frames use larger tiles)."""
    out: list[tuple[float, float]] = []
    for period in (
        TILE * tile_scale(height, width),
        TILE / 2 * tile_scale(2 * height, 2 * width),
        TILE * 2 * tile_scale(height // 2, width // 2),
    ):
        if (period, period) not in out:
            out.append((float(period), float(period)))
    return out


class WatermarkDetector:
    """Accumulates evidence frame by frame; ``report`` may be called at any time.

    key: the watermark key used at embedding.
    max_frames: ignore frames after this many (None: use all).
    periods: tile periods (y, x) in input pixels to try instead of the default
        (:func:`base_periods` and one the first frames' spectrum may show).
    """

    def __init__(
        self,
        key: bytes = PARLANTE_KEY,
        *,
        max_frames: int | None = None,
        periods: Iterable[tuple[float, float]] | None = None,
    ) -> None:
        self.max_frames = max_frames
        self.frames_used = 0
        self._spectra = pattern_spectra(key)
        self._mask = band_mask()
        self._fixed = None if periods is None else [(float(a), float(b)) for a, b in periods]
        self._candidates: list[_Candidate] | None = None
        self._pending: list[np.ndarray] = []
        self._power: np.ndarray | None = None
        self._shape: tuple[int, int] | None = None

    def add(self, frame: np.ndarray) -> None:
        """Take one frame: (H, W, 3) RGB, (H, W) grey or (H, W, 4) RGBA, uint8 levels.

        All frames of one detector must have the same size.
        """
        if self.max_frames is not None and self.frames_used >= self.max_frames:
            return
        y = luma(frame)
        if self._shape is None:
            self._shape = (int(y.shape[0]), int(y.shape[1]))
        elif y.shape != self._shape:
            raise ValueError(f"frame size {y.shape} differs from the first frame's {self._shape}")
        self.frames_used += 1
        if self._candidates is not None:
            self._fold(y)
            return
        self._pending.append(y)
        if self._fixed is None:
            power = power_spectrum(y)
            self._power = power if self._power is None else self._power + power
        if len(self._pending) >= ESTIMATE_FRAMES:
            self._start()

    def _start(self) -> None:
        """Fix the candidate periods, then fold the frames held back while choosing them."""
        assert self._shape is not None
        h, w = self._shape
        if self._fixed is not None:
            periods = self._fixed
        else:
            periods = base_periods(h, w)
            found = estimate_period(self._power, (h, w)) if self._power is not None else None
            if found is not None:
                periods.append(found)
        limit = min(h, w) / MIN_TILES
        chosen: list[tuple[float, float]] = []
        for p in periods:
            same = any(abs(p[0] / q[0] - 1) < 3e-3 and abs(p[1] / q[1] - 1) < 3e-3 for q in chosen)
            if max(p) <= limit and not same:
                chosen.append(p)
        self._candidates = [_Candidate(p) for p in chosen]
        for y in self._pending:
            self._fold(y)
        self._pending = []
        self._power = None

    def _fold(self, y: np.ndarray) -> None:
        assert self._candidates is not None
        for cand in self._candidates:
            cand.add(folded(y, cand.period))

    def report(self) -> WatermarkReport:
        """The decision on all frames added so far (more may follow)."""
        if self._candidates is None and self._pending:
            self._start()
        if not self._candidates:
            return WatermarkReport(False, 0.0, 1.0, None, self.frames_used, None)
        n_frames = len(self._candidates[0].frames)
        singles = n_frames if n_frames > 1 else 0
        n_sets = len(self._candidates) * (1 + singles)
        best: tuple[float, float, BlockReading, tuple[float, float]] | None = None
        for cand in self._candidates:
            blocks = [cand.total]
            if singles:
                ranked = sorted(
                    cand.frames,
                    key=lambda b: reference_z(b, self._spectra, self._mask),
                    reverse=True,
                )
                blocks += ranked[:SINGLE_READS]
            for block in blocks:
                reading = read_block(block, self._spectra, self._mask)
                p = _p_value(reading, n_sets)
                if best is None or (p, -reading.z) < (best[0], best[1]):
                    best = (p, -reading.z, reading, cand.period)
        assert best is not None
        p, _, reading, period = best
        return WatermarkReport(
            found=p < P_VALUE_THRESHOLD,
            confidence=reading.z,
            p_value=p,
            payload=reading.payload if p < P_VALUE_THRESHOLD else None,
            frames_used=self.frames_used,
            period=period,
        )


def detect_watermark(
    frames: Iterable[np.ndarray], key: bytes = PARLANTE_KEY, *, max_frames: int | None = None
) -> WatermarkReport:
    """Look for the mark in frames of one size (a clip, or a single still in a list).

    frames: (H, W, 3) uint8 RGB (grey and RGBA accepted), any size, possibly rescaled,
        cropped or re-encoded.
    max_frames: stop after this many frames (None: all).
    """
    detector = WatermarkDetector(key, max_frames=max_frames)
    for frame in frames:
        if max_frames is not None and detector.frames_used >= max_frames:
            break
        detector.add(frame)
    return detector.report()
