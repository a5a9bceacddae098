"""The key side of detection: correlate a folded (64, 64) block with the keyed patterns.

The block's spectrum is flattened (each band bin divided by the RMS magnitude of its 5x5
neighbourhood) and circularly cross-correlated with the reference pattern: the peak gives the
tile's shift (the crop offset) and its height a z-score. Because the pattern's phases are
key-random and independent of the picture, the correlation at any one shift of an unmarked
block is a sum of hundreds of independent zero-mean terms whose variance is known exactly from
the block's own spectrum: a z-score with an N(0, 1) null, no calibration needed. Each data
pattern's peak, read on the 2-pixel grid relative to the reference peak, gives a symbol.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter

from . import payload as payload_codec
from .patterns import N_DATA, SHIFT_STEP, TILE

CANDIDATES = 32
"""Peaks per data pattern considered when reading the symbols."""
MAX_TRIES = 512
"""Readings checked (best total score first): at most 512 * 2**-23 = 6e-5 chance that a
misread payload passes the checks."""


@dataclass(frozen=True)
class BlockReading:
    """What one folded block says.

    z: reference peak height in standard deviations of the unmarked-case correlation.
    offset: (y, x) sub-pixel shift of the tile in the block, in pixels.
    payload: the 32-bit payload if a reading passes the mark and CRC checks, else None.
    tries: readings checked up to the one accepted (1: the best peak of every symbol);
        random symbols would pass with probability ``tries * 2**-23``.
    """

    z: float
    offset: tuple[float, float]
    payload: int | None
    tries: int = 0


def whiten_spectrum(spectrum: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """(T, T) complex: each band bin divided by the RMS magnitude of its 5x5 neighbourhood.

    Flattens the picture's spectrum (which falls steeply with frequency) while keeping each
    bin's own magnitude, so that patterns sharing a bin do not cap one another as they would
    in a phase-only correlation. Zero outside the band; None if the block is empty.
    """
    power = np.abs(spectrum) ** 2
    local = np.fft.ifftshift(uniform_filter(np.fft.fftshift(power), 5, mode="wrap"))
    if not np.all(local[mask] > 0):
        return None
    return np.where(mask, spectrum / np.sqrt(np.where(local > 0, local, 1.0)), 0.0)


def _parabola(a: float, b: float, c: float) -> float:
    """Sub-sample offset of the vertex of the parabola through (-1, a), (0, b), (1, c)."""
    denom = a - 2 * b + c
    return float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5)) if denom < 0 else 0.0


def reference_z(block: np.ndarray, spectra: np.ndarray, mask: np.ndarray) -> float:
    """Peak z of the reference correlation only (cheap ranking of single frames)."""
    white = whiten_spectrum(np.fft.fft2(block.astype(np.float64)), mask)
    if white is None:
        return 0.0
    ref = spectra[0]
    scale = math.sqrt(float(np.sum(np.abs(white * ref) ** 2))) / TILE**2
    return float(np.fft.ifft2(white * np.conj(ref)).real.max() / scale)


def read_block(block: np.ndarray, spectra: np.ndarray, mask: np.ndarray) -> BlockReading:
    """Correlate a (TILE, TILE) folded block with the reference and data patterns.

    spectra: (1 + N_DATA, TILE, TILE) ``fft2`` of the key's pattern tiles; mask: band bins.
    """
    white = whiten_spectrum(np.fft.fft2(block.astype(np.float64)), mask)
    if white is None:
        return BlockReading(0.0, (0.0, 0.0), None)
    ref = spectra[0]
    # random pattern phases, fixed block: Var(corr) = sum |W|^2 |S|^2 / T^4 at every shift
    scale = math.sqrt(float(np.sum(np.abs(white * ref) ** 2))) / TILE**2
    corr = np.fft.ifft2(white * np.conj(ref)).real / scale
    oy, ox = np.unravel_index(int(np.argmax(corr)), corr.shape)
    z = float(corr[oy, ox])
    sub_y = oy + _parabola(corr[(oy - 1) % TILE, ox], z, corr[(oy + 1) % TILE, ox])
    sub_x = ox + _parabola(corr[oy, (ox - 1) % TILE], z, corr[oy, (ox + 1) % TILE])
    # shift the data correlations so that index (dy, dx) is the reference peak + (dy, dx)
    k = np.fft.fftfreq(TILE) * TILE
    ramp = np.exp(2j * np.pi * (k[:, None] * sub_y + k[None, :] * sub_x) / TILE)
    values = []
    for j in range(1, N_DATA + 1):
        data = np.fft.ifft2(white * np.conj(spectra[j]) * ramp).real / scale
        values.append(data[::SHIFT_STEP, ::SHIFT_STEP].ravel())
    payload, tries = decode_symbols(np.stack(values))
    return BlockReading(z, (sub_y, sub_x), payload, tries)


def decode_symbols(values: np.ndarray) -> tuple[int | None, int]:
    """List decoding: the most likely reading that passes the payload checks.

    values: (N_DATA, cells) z-scores of each data pattern at each grid shift from the
    reference peak; a symbol is (cell << 1) | (value < 0). Readings are enumerated best
    first by total |z| (the likelihood order when all patterns are equally strong) over the
    CANDIDATES strongest cells of each pattern; the first of at most MAX_TRIES that passes
    the mark and CRC checks is returned with its rank (1-based; 0 if none passed).
    """
    top = np.argsort(-np.abs(values), axis=1)[:, :CANDIDATES]
    picked = np.take_along_axis(values, top, axis=1)
    symbols = (top << 1) | (picked < 0)
    scores = np.abs(picked)
    start = (0,) * N_DATA
    heap = [(-float(scores[:, 0].sum()), start)]
    seen = {start}
    readings = []
    while heap and len(readings) < MAX_TRIES:
        neg, index = heapq.heappop(heap)
        readings.append(index)
        for i in range(N_DATA):
            if index[i] + 1 < CANDIDATES:
                nxt = index[:i] + (index[i] + 1,) + index[i + 1 :]
                if nxt not in seen:
                    seen.add(nxt)
                    drop = scores[i, index[i]] - scores[i, index[i] + 1]
                    heapq.heappush(heap, (neg + float(drop), nxt))
    rows = np.arange(N_DATA)
    candidates = np.stack([symbols[rows, np.array(r)] for r in readings])
    ok = np.flatnonzero(payload_codec.valid(candidates))
    if ok.size == 0:
        return None, 0
    first = int(ok[0])
    return payload_codec.decode(tuple(int(v) for v in candidates[first])), first + 1
