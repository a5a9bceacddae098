"""Finding the tile period of a rescaled copy from the spectrum of its frames.

The mark repeats every ``p`` pixels, so its energy sits only on the lattice of frequencies
(ky * H / p, kx * W / p) for the tile's band bins (ky, kx); the picture's energy is spread
out. After each bin of the (whitened) power spectrum is divided by the mean of its
neighbourhood, the picture gives ~1 everywhere and the mark lifts the lattice: the mean over
the ~350 lattice points, as a function of p, peaks at the true period. A geometric sweep of p
(0.15 % steps) is refined to 0.01 %, then each axis on its own (a change of aspect ratio).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter

from .folding import MIN_TILES
from .patterns import TILE, band_mask

MIN_PERIOD = 26.0
"""Shortest tile period (pixels) looked for: a ~2.5x shrink of a 512-pixel frame."""
MIN_Z = 6.0
"""A period is reported when its lattice score stands this many robust standard deviations
above the sweep's median."""
_STEP = 1.0015


def _lattice() -> tuple[np.ndarray, np.ndarray]:
    """(L,) float64 ky and kx of the band bins with kx > 0 (the other half mirrors them)."""
    k = np.fft.fftfreq(TILE) * TILE
    ky, kx = np.meshgrid(k, k, indexing="ij")
    keep = band_mask() & (kx > 0)
    return ky[keep], kx[keep]


_KY, _KX = _lattice()


def _scores(norm: np.ndarray, shape: tuple[int, int], py: np.ndarray, px: np.ndarray) -> np.ndarray:
    """Mean normalised power on the lattice of each (py[i], px[i]) period."""
    h, w = shape
    fy = _KY[None, :] * (h / py[:, None])
    fx = _KX[None, :] * (w / px[:, None])
    inside = (np.abs(fy) < h / 2 - 1) & (fx < w / 2 - 1)
    iy = np.rint(fy).astype(np.int64) % h
    ix = np.minimum(np.rint(fx).astype(np.int64), norm.shape[1] - 1)
    values = np.where(inside, norm[iy, ix], 0.0)
    return values.sum(axis=1) / np.maximum(inside.sum(axis=1), 1)


def estimate_period(power: np.ndarray, shape: tuple[int, int]) -> tuple[float, float] | None:
    """The tile period (y, x) in pixels of a mark in these frames, or None if none shows.

    power: (H, W // 2 + 1) summed ``folding.power_spectrum`` of (H, W) frames.
    """
    h, w = shape
    top = min(h, w) / MIN_TILES
    if top <= MIN_PERIOD:
        return None
    local = uniform_filter(power.astype(np.float64), 7, mode=("wrap", "nearest"))
    norm = power / np.maximum(local, 1e-12)
    sweep = MIN_PERIOD * _STEP ** np.arange(int(np.log(top / MIN_PERIOD) / np.log(_STEP)) + 1)
    scores = _scores(norm, shape, sweep, sweep)
    median = np.median(scores)
    spread = np.median(np.abs(scores - median)) * 1.4826 + 1e-12
    best = int(np.argmax(scores))
    if (scores[best] - median) / spread < MIN_Z:
        return None
    fine = sweep[best] * np.linspace(0.997, 1.003, 61)
    p = float(fine[np.argmax(_scores(norm, shape, fine, fine))])
    axis = p * np.linspace(0.99, 1.01, 101)
    fixed = np.full_like(axis, p)
    py = float(axis[np.argmax(_scores(norm, shape, axis, fixed))])
    px = float(axis[np.argmax(_scores(norm, shape, fixed, axis))])
    return py, px
