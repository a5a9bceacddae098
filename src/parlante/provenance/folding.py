"""The image side of detection: luma, whitening, rescaling to the tile's scale, folding.

A frame of any size is brought to the embedding's scale for a candidate tile period, high-
passed and locally normalised, then summed modulo the 64-pixel tile: the tiled mark adds up
coherently across the frame's tiles, the picture does not. Cropping only shifts the tile.
A rescaled copy changes the period (scale.py finds it).
"""

from __future__ import annotations

import math

import cv2
import numba
import numpy as np

from .patterns import TILE

MIN_TILES = 2.0
"""A candidate period must fit this many times into the frame's smaller side."""


def luma(frame: np.ndarray) -> np.ndarray:
    """(H, W) float32 luma in 8-bit levels from (H, W), (H, W, 3) RGB or (H, W, 4) RGBA."""
    if frame.ndim == 2:
        return frame.astype(np.float32)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise ValueError(f"expected an (H, W), (H, W, 3) or (H, W, 4) frame, got {frame.shape}")
    rgb = frame[..., :3]
    if rgb.dtype != np.uint8:
        rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY).astype(np.float32)


def whiten(y: np.ndarray, cell: int = 8) -> np.ndarray:
    """(H, W) float32 high-pass residual weighted by 1 / (local RMS + 3)^1.5.

    The low-pass is a ``cell`` x ``cell`` area average interpolated back (8 at the embedding
    scale: like a Gaussian blur of sigma ~4, several times cheaper). The weight is close to a
    matched filter: the mark is no stronger than a few levels in busy areas while the
    picture's own residual grows, so busy areas count less and strong edges do not dominate.
    """
    h, w = y.shape
    small_size = (max(1, w // cell), max(1, h // cell))
    small = cv2.resize(y, small_size, interpolation=cv2.INTER_AREA)
    r = y - cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    energy = cv2.resize(r * r, small_size, interpolation=cv2.INTER_AREA)
    t = np.sqrt(cv2.GaussianBlur(energy, (0, 0), 1.0)) + 3.0
    weight = cv2.resize(1.0 / (t * np.sqrt(t)), (w, h), interpolation=cv2.INTER_LINEAR)
    return r * weight


def _rescale(y: np.ndarray, sy: float, sx: float) -> np.ndarray:
    """Resample (H, W) by exactly (sy, sx), close to 1 (pixel centres kept aligned)."""
    h, w = y.shape
    size = (max(1, math.ceil(w * sx)), max(1, math.ceil(h * sy)))
    matrix = np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5]], np.float32)
    return cv2.warpAffine(y, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


@numba.njit(cache=True, nogil=True)
def _fold_into(residual: np.ndarray, block: np.ndarray) -> None:
    py, px = block.shape
    h, w = residual.shape
    for y in range(h):
        row = block[y % py]
        src = residual[y]
        for x in range(w):
            row[x % px] += src[x]


def fold(residual: np.ndarray, period: tuple[int, int] = (TILE, TILE)) -> np.ndarray:
    """(H, W) float32 -> (py, px) float32 sum of ``residual[y, x]`` at (y % py, x % px)."""
    block = np.zeros(period, np.float32)
    _fold_into(np.ascontiguousarray(residual, dtype=np.float32), block)
    return block


def resample_block(block: np.ndarray) -> np.ndarray:
    """(py, px) folded block -> (TILE, TILE): the same tile, band-limited resampling (the DFT
    bins below both Nyquist limits are kept; the mark's band lies there when p >= 32)."""
    py, px = block.shape
    if (py, px) == (TILE, TILE):
        return block
    spectrum = np.fft.fft2(block.astype(np.float64))
    out = np.zeros((TILE, TILE), np.complex128)
    ny, nx = min(py, TILE) // 2, min(px, TILE) // 2
    rows = np.r_[0:ny, -ny + 1 : 0]  # symmetric, Nyquist row/column dropped
    cols = np.r_[0:nx, -nx + 1 : 0]
    out[np.ix_(rows % TILE, cols % TILE)] = spectrum[np.ix_(rows % py, cols % px)]
    return np.fft.ifft2(out).real.astype(np.float32)


def folded(y: np.ndarray, period: tuple[float, float]) -> np.ndarray:
    """(TILE, TILE) float32: luma ``y`` whitened and folded for a tile period (y, x) in pixels.

    Work stays near the frame's own resolution whatever the period: a period of 2 or more
    tiles first shrinks the frame by that whole factor (area average), a non-integer period
    is then resampled by a factor close to 1 to the nearest integer one, the frame is folded
    at that integer period and the small block is resampled to TILE x TILE.
    """
    py, px = period
    f = max(1, int(min(py, px) // TILE))
    if f > 1:
        h, w = y.shape
        y = y[: h - h % f, : w - w % f]
        y = cv2.resize(y, (w // f, h // f), interpolation=cv2.INTER_AREA)
        py, px = py / f, px / f
    iy, ix = max(2, round(py)), max(2, round(px))
    if abs(py - iy) > 1e-6 or abs(px - ix) > 1e-6:
        y = _rescale(y, iy / py, ix / px)
    cell = max(2, round(8 * min(iy, ix) / TILE))
    return resample_block(fold(whiten(y, cell), (iy, ix)))


def power_spectrum(y: np.ndarray) -> np.ndarray:
    """(H, W // 2 + 1) float32 |rfft2|^2 of whitened luma (summed over frames, it is what
    ``scale.estimate_period`` searches)."""
    f = np.fft.rfft2(whiten(y))
    return (f.real**2 + f.imag**2).astype(np.float32)
