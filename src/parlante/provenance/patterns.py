"""Keyed watermark patterns: band-limited pseudo-random tiles derived from a secret key.

Every pattern is a (64, 64) float32 tile with a flat magnitude spectrum over a ring of spatial
frequencies (2-16 cycles per tile, i.e. periods 32 to 4 pixels) and key-derived phases. Low
enough to survive H.264 and a 2x downscale, high enough to hide in texture. Bins that coding
artefacts (4/8/16-pixel block grids) or row/column noise would hit are left empty, so a
compressed unmarked video cannot correlate with the pattern through its block grid.

Phases come from SHAKE-256 (not from a NumPy generator, whose streams may change between
versions): a mark made today must stay detectable by any later release.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

TILE = 64
"""Tile period in pixels at the embedding's base scale (512x512 frames)."""
BAND = (2.0, 16.0)
"""Ring of spatial frequencies used, in cycles per tile (radius of the DFT bin)."""
N_DATA = 5
"""Data patterns: each carries one 11-bit symbol as a cyclic shift (10 bits) and a sign."""
SHIFT_STEP = 2
"""Data shifts lie on a grid of this many pixels so that a sub-pixel misregistration
(rescaled copies) cannot flip a symbol."""
SHIFT_GRID = TILE // SHIFT_STEP
"""Shifts per axis: 32 x 32 = 1024 positions, 10 bits."""
SYMBOL_BITS = 11

BASE_SIZE = 512
"""Frames up to ~1.5x this use the 64-pixel tile; larger ones draw it 2x, 3x, ... larger, so
that a downscale back to ~512 keeps the mark in its frequency band."""

PARLANTE_KEY = b"parlante/watermark/v1"
"""Default (public) key: anyone holding it can detect the mark. A private key makes the mark
undetectable, and hard to forge or remove, for whoever lacks it."""


def tile_scale(height: int, width: int) -> int:
    """How many times larger than TILE the pattern is drawn on a frame of this size."""
    return max(1, round(min(height, width) / BASE_SIZE))


def band_mask(size: int = TILE) -> np.ndarray:
    """(size, size) bool: the DFT bins a pattern uses, in ``np.fft.fft2`` layout.

    ``size`` > TILE gives the same frequencies for a tile drawn larger (period ``size``).
    """
    k = np.fft.fftfreq(size) * size
    ky, kx = np.meshgrid(k, k, indexing="ij")
    radius = np.hypot(kx, ky)
    mask = (radius >= BAND[0]) & (radius <= BAND[1])
    mask &= ~((kx % 4 == 0) & (ky % 4 == 0))  # 16-, 8- and 4-pixel block grids
    mask &= (kx != 0) & (ky != 0)  # row and column artefacts
    return mask


def _key_phases(key: bytes, label: str, count: int) -> np.ndarray:
    """(count,) float64 phases in [0, 2 pi) from SHAKE-256(key, label)."""
    digest = hashlib.shake_256(len(key).to_bytes(4, "little") + key + label.encode()).digest(
        2 * count
    )
    return np.frombuffer(digest, "<u2").astype(np.float64) * (2 * np.pi / 65536)


@lru_cache(maxsize=16)
def _pattern_spectrum(key: bytes, index: int) -> np.ndarray:
    """(TILE, TILE // 2 + 1) complex128 half spectrum (``rfft2`` layout) of pattern ``index``.

    Magnitude 1 on the band, key-derived phase; ``irfft2`` makes it Hermitian, so every
    used bin and its mirror carry the same information (columns 0 and TILE/2 are unused).
    """
    half = band_mask()[:, : TILE // 2 + 1]
    phases = _key_phases(key, f"pattern/{index}", int(half.sum()))
    spectrum = np.zeros(half.shape, np.complex128)
    spectrum[half] = np.exp(1j * phases)
    return spectrum


def pattern(key: bytes, index: int, size: int = TILE) -> np.ndarray:
    """(size, size) float64 tile of pattern ``index`` (0 = reference, 1.. = data), unit RMS.

    ``size`` = TILE * u draws the same band-limited pattern u times larger.
    """
    half = _pattern_spectrum(key, index)
    big = np.zeros((size, size // 2 + 1), np.complex128)
    rows = np.fft.fftfreq(TILE, 1 / TILE).astype(int)
    big[rows % size, : TILE // 2 + 1] = half
    tile = np.fft.irfft2(big, s=(size, size))
    return tile / tile.std()


def pattern_spectra(key: bytes) -> np.ndarray:
    """(1 + N_DATA, TILE, TILE) complex128: ``fft2`` of each unit-RMS pattern tile."""
    return np.stack([np.fft.fft2(pattern(key, i)) for i in range(1 + N_DATA)])


def symbol_shift(symbol: int) -> tuple[int, int, int]:
    """11-bit symbol -> (dy, dx, sign): a grid shift in pixels and a +-1 sign."""
    sign = -1 if symbol & 1 else 1
    cell = symbol >> 1
    return (cell // SHIFT_GRID) * SHIFT_STEP, (cell % SHIFT_GRID) * SHIFT_STEP, sign


def message_tile(key: bytes, symbols: tuple[int, ...], size: int = TILE) -> np.ndarray:
    """(size, size) float32 unit-RMS tile: reference + each data pattern shifted by its symbol.

    Soft-clipped at 2.5 sigma, so that a flat area (where the tile is drawn faintest) shows no
    isolated brighter dots.
    """
    if len(symbols) != N_DATA:
        raise ValueError(f"need {N_DATA} symbols, got {len(symbols)}")
    u = size // TILE
    tile = pattern(key, 0, size).copy()
    for i, symbol in enumerate(symbols, start=1):
        dy, dx, sign = symbol_shift(symbol)
        tile += sign * np.roll(pattern(key, i, size), (dy * u, dx * u), axis=(0, 1))
    tile /= tile.std()
    tile = 2.5 * np.tanh(tile / 2.5)
    return (tile / tile.std()).astype(np.float32)
