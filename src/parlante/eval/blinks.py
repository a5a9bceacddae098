"""Eye openness and blinks from the eyelid points.

The eye aspect ratio (lid gap over eye width) differs between faces and with gaze, so it is
divided by a running open-eye baseline (an upper percentile over a few seconds): a blink is a
dip relative to the same eye a moment before, whatever its absolute size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import percentile_filter

from parlante.eval.points import LEFT_EYE, RIGHT_EYE

BASELINE_SECONDS = 3.0
BASELINE_PERCENTILE = 80
DIP = 0.7
"""A blink starts when openness falls below this fraction of the baseline ..."""
CLOSED = 0.5
"""... and must reach this fraction at its deepest."""
MIN_FRAMES = 2
MAX_SECONDS = 0.5
"""Longer dips are closed or downcast eyes, not blinks."""


@dataclass(frozen=True)
class Blink:
    start: int
    """First frame below DIP."""
    frames: int
    """Frames below DIP."""
    depth: float
    """Lowest openness relative to baseline (0 = shut)."""


def eye_aspect_ratio(landmarks: np.ndarray) -> np.ndarray:
    """(N,) mean over both eyes of lid gap / eye width, from (N, 478, 3) landmarks; NaN if none."""
    ratios = []
    for corner_a, corner_b, pairs in (RIGHT_EYE, LEFT_EYE):
        width = np.linalg.norm(landmarks[:, corner_a, :2] - landmarks[:, corner_b, :2], axis=-1)
        gaps = [
            np.linalg.norm(landmarks[:, up, :2] - landmarks[:, low, :2], axis=-1)
            for up, low in pairs
        ]
        ratios.append(np.mean(gaps, axis=0) / width)
    return np.mean(ratios, axis=0)


def relative_openness(ear: np.ndarray, fps: float) -> np.ndarray:
    """(N,) eye aspect ratio over its running open-eye baseline (1 = as open as usual)."""
    ok = np.isfinite(ear)
    out = np.full(ear.shape, np.nan)
    if not ok.any():
        return out
    # Fill gaps with the nearest measured value so the filter sees a continuous signal.
    idx = np.flatnonzero(ok)
    filled = ear[idx[np.clip(np.searchsorted(idx, np.arange(len(ear))), 0, len(idx) - 1)]]
    size = max(3, int(round(BASELINE_SECONDS * max(fps, 1.0))))
    baseline = percentile_filter(
        filled, BASELINE_PERCENTILE, size=min(size, len(filled) * 2 + 1), mode="nearest"
    )
    out[ok] = ear[ok] / np.maximum(baseline[ok], 1e-6)
    return out


def find_blinks(openness: np.ndarray, fps: float) -> list[Blink]:
    """Blinks in a relative-openness signal: runs below DIP lasting MIN_FRAMES frames to
    MAX_SECONDS, reaching below CLOSED. Runs touching a frame without a face are ignored."""
    blinks = []
    below = openness < DIP
    max_frames = max(MIN_FRAMES, int(MAX_SECONDS * fps))
    i = 0
    n = len(openness)
    while i < n:
        if not below[i]:
            i += 1
            continue
        j = i
        while j < n and below[j]:
            j += 1
        touches_gap = (i > 0 and np.isnan(openness[i - 1])) or (j < n and np.isnan(openness[j]))
        depth = float(np.min(openness[i:j]))
        if MIN_FRAMES <= j - i <= max_frames and depth < CLOSED and not touches_gap:
            blinks.append(Blink(i, j - i, depth))
        i = j
    return blinks
