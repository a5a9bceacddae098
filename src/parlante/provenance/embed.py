"""Embedding: add the keyed message tile to every frame's luma, scaled by local texture.

Per frame, two passes over the pixels (numba, one core): the luma standard deviation of each
8x8 block (the texture that hides the mark), then one fused pass that interpolates that mask,
multiplies the tiled pattern and adds it to R, G and B alike (a pure luma change, so 4:2:0
chroma subsampling loses nothing). The tiled pattern is computed once per payload and size.

The pattern is static from frame to frame: a video shows it like a fixed, faint film grain,
which is less visible than a changing one and lets evidence add up over frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numba
import numpy as np

from . import payload as payload_codec
from .patterns import PARLANTE_KEY, TILE, message_tile, tile_scale


@dataclass(frozen=True)
class Strength:
    """Amplitude of the mark, in 8-bit levels of luma (RMS of the change per 8x8 block).

    The amplitude grows with the block's luma std ``s`` (texture hides the mark):
    ``min(texture, flat + slope * s)``, eroded over 3x3 blocks so that a flat area beside an
    edge stays faint.
    flat: on perfectly flat areas (the tile peaks at 2.5 x RMS: 0.5 -> changes of 1 level).
    slope: extra amplitude per level of block std (0.3: a change well below the texture;
        0.5 already shows as grain on skin at 2x zoom).
    texture: the cap, reached at s = 15 levels (hair, foliage, fabric).
    max_rms: cap on the frame's overall RMS change: 2.25 levels keeps PSNR >= 41 dB.
    """

    flat: float = 0.5
    slope: float = 0.3
    texture: float = 5.0
    max_rms: float = 2.25


@numba.njit(cache=True, nogil=True)
def _block_std(frame: np.ndarray, block: int) -> np.ndarray:
    """(H, W, 3) uint8 -> (ceil(H/block), ceil(W/block)) float32 std of luma per block.

    Every other pixel in each direction: the texture estimate needs no more, and it halves
    the cost of the mark.
    """
    h, w = frame.shape[0], frame.shape[1]
    gh, gw = (h + block - 1) // block, (w + block - 1) // block
    out = np.empty((gh, gw), np.float32)
    for gy in range(gh):
        y1 = min(h, (gy + 1) * block)
        for gx in range(gw):
            x1 = min(w, (gx + 1) * block)
            s1 = 0
            s2 = 0
            n = 0
            for y in range(gy * block, y1, 2):
                for x in range(gx * block, x1, 2):
                    v = (77 * np.int32(frame[y, x, 0]) + 150 * np.int32(frame[y, x, 1])
                         + 29 * np.int32(frame[y, x, 2])) >> 8  # fmt: skip
                    s1 += v
                    s2 += v * v
                    n += 1
            mean = s1 / n
            out[gy, gx] = np.sqrt(max(s2 / n - mean * mean, 0.0))
    return out


@numba.njit(cache=True, nogil=True)
def _add_masked(
    frame: np.ndarray,
    out: np.ndarray,
    pattern: np.ndarray,
    amp: np.ndarray,
    y0: np.ndarray,
    fy: np.ndarray,
    x0: np.ndarray,
    fx: np.ndarray,
) -> None:
    """out = clip(round(frame + bilinear(amp) * pattern)) on R, G and B alike.

    frame, out: (H, W, 3) uint8, C-contiguous (``out`` may be ``frame``); pattern: (H, W)
    float32; amp: (gh, gw) float32 per-block amplitude; y0/fy, x0/fx: (H,)/(W,) bilinear cell
    and weight of each row/column. Each row's delta is rounded into a 3x-repeated int16
    buffer first so that the add-and-saturate loop runs over contiguous bytes (vectorised).
    """
    h, w = pattern.shape
    gh, gw = amp.shape
    row = np.empty(w * 3, np.int16)
    arow = np.empty(gw, np.float32)
    for y in range(h):
        a = y0[y]
        b = min(a + 1, gh - 1)
        t = fy[y]
        for g in range(gw):
            arow[g] = amp[a, g] + (amp[b, g] - amp[a, g]) * t
        p = pattern[y]
        for x in range(w):
            c = x0[x]
            d = min(c + 1, gw - 1)
            m = arow[c] + (arow[d] - arow[c]) * fx[x]
            k = np.int16(m * p[x] + np.float32(256.5)) - np.int16(256)
            row[3 * x] = k
            row[3 * x + 1] = k
            row[3 * x + 2] = k
        src = frame[y].reshape(w * 3)
        dst = out[y].reshape(w * 3)
        for i in range(w * 3):
            v = np.int16(src[i]) + row[i]
            dst[i] = np.uint8(min(max(v, np.int16(0)), np.int16(255)))


def _grid_coords(n: int, block: int) -> tuple[np.ndarray, np.ndarray]:
    """(n,) int32 bilinear source cell and (n,) float32 weight for each of ``n`` pixels,
    given cells of ``block`` pixels whose values sit at the cell centres."""
    g = np.clip((np.arange(n, dtype=np.float64) + 0.5) / block - 0.5, 0.0, None)
    i0 = np.minimum(np.floor(g).astype(np.int32), (n + block - 1) // block - 1)
    return i0, (g - i0).astype(np.float32)


@dataclass
class Watermark:
    """Embeds the keyed invisible mark carrying a 32-bit payload (e.g. a video id).

    key: the watermark key (the default is public: anyone can detect the mark).
    size: side of the (square) frames to come, to prepare for them now; any frame size
        works regardless.
    strength: amplitude settings.

    Cheap per call (~1.5 ms per 512x512 frame, one core): the tiled pattern is cached per
    payload and frame size; per frame, the texture mask is measured and one fused pass adds
    it. Frames of one stream should share a size.
    """

    key: bytes = PARLANTE_KEY
    size: int | None = None
    strength: Strength = field(default_factory=Strength)
    _cache: dict[tuple[int, int, int], np.ndarray] = field(
        default_factory=dict, repr=False, compare=False
    )
    _coords: dict[tuple[int, int], tuple[np.ndarray, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.size is not None:
            self._grid(self.size, self.size)

    def pattern(self, payload: int, height: int, width: int) -> np.ndarray:
        """(height, width) float32 unit-RMS tiled pattern carrying ``payload``."""
        key = (payload, height, width)
        cached = self._cache.get(key)
        if cached is None:
            scale = tile_scale(height, width)
            tile = message_tile(self.key, payload_codec.encode(payload), TILE * scale)
            reps = (-(-height // tile.shape[0]), -(-width // tile.shape[1]))
            cached = np.ascontiguousarray(np.tile(tile, reps)[:height, :width])
            self._cache = {key: cached}  # one stream at a time: keep only the latest
        return cached

    def _grid(self, height: int, width: int) -> tuple[np.ndarray, ...]:
        coords = self._coords.get((height, width))
        if coords is None:
            block = 8 * tile_scale(height, width)
            coords = (*_grid_coords(height, block), *_grid_coords(width, block))
            self._coords = {(height, width): coords}
        return coords

    def amplitude(self, frame: np.ndarray) -> np.ndarray:
        """(gh, gw) float32 RMS amplitude in levels per 8x8 block of this frame (the mask);
        scaled down if the frame's RMS change would exceed ``strength.max_rms``."""
        s = self.strength
        h, w = frame.shape[:2]
        std = _block_std(frame, 8 * tile_scale(h, w))
        amp = np.minimum(s.flat + s.slope * std, s.texture)
        amp = cv2.erode(amp, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_REPLICATE)
        rms = float(np.sqrt(np.mean(amp * amp)))
        if rms > s.max_rms:
            amp *= s.max_rms / rms
        return amp

    def embed(
        self, frame: np.ndarray, payload: int, *, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Mark one frame.

        frame: (H, W, 3) uint8 RGB (or BGR: the change is the same on all channels).
        payload: 32-bit unsigned int carried by the mark (e.g. the video id).
        out: where to write, may be ``frame`` itself to mark in place; default a new array.
        Returns the marked (H, W, 3) uint8 frame.
        """
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f"expected an (H, W, 3) uint8 frame, got {frame.shape} {frame.dtype}")
        h, w = frame.shape[:2]
        pattern = self.pattern(payload, h, w)
        if out is None:
            out = np.empty_like(frame)
        elif out.shape != frame.shape or out.dtype != np.uint8 or not out.flags.c_contiguous:
            raise ValueError("out must be a C-contiguous uint8 array shaped like frame")
        frame = np.ascontiguousarray(frame)
        _add_masked(frame, out, pattern, self.amplitude(frame), *self._grid(h, w))
        return out
