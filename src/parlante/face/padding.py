"""Filling the part of the framed square that lies outside the picture.

A close crop framed as head and shoulders reaches past the picture's edges. The band is
filled by stretching the picture's edge outwards and blurring it more the farther it goes
(a defocused continuation: no black bars, no mirrored features). Above the picture, and
beside it down to the chin, the fill also fades towards the background colour along that
edge (hair cut by the top edge should not stream up to the frame); below the chin it does
not, since the shoulders and body continue. Grain like the picture's is added so the band
is not plastic-smooth.
"""

from __future__ import annotations

import cv2
import numpy as np

BLUR_PER_PIXEL = 0.8
"""Blur radius of the stretched edge per pixel of distance from the picture."""
FADE_LENGTH = 0.08
"""Distance, as a fraction of the side, over which the fill fades ~63% to background."""


def fill_band(
    image: np.ndarray,
    inside: tuple[int, int, int, int],
    *,
    person: np.ndarray | None = None,
    chin_y: float | None = None,
) -> np.ndarray:
    """Fill the edge-replicated band of ``image`` outside ``inside`` (x0, y0, x1, y1).

    image: (S, S, 3) uint8 RGB, replicated outside ``inside`` (as ``cut_square`` makes it).
    person: (S, S) float32 person probability, used to find the background colour along
        each edge (else the edge's median colour is used).
    chin_y: height of the chin in pixels: side bands fade to background only above it.
    Returns a new (S, S, 3) uint8 image; pixels inside ``inside`` are unchanged.
    """
    side = image.shape[0]
    x0, y0, x1, y1 = inside
    if (x0, y0, x1, y1) == (0, 0, side, side):
        return image.copy()
    u = np.arange(side, dtype=np.float32)
    left, right = np.maximum(x0 - u, 0.0), np.maximum(u - (x1 - 1), 0.0)
    top, bottom = np.maximum(y0 - u, 0.0), np.maximum(u - (y1 - 1), 0.0)
    dist_full = np.hypot((left + right)[None, :], (top + bottom)[:, None])
    band = dist_full > 0
    rows, cols = np.nonzero(band)  # work on the band's pixels only
    dist = dist_full[band]
    out = _defocus(image, band, BLUR_PER_PIXEL * dist)

    # Background colour along the top, left and right edges, spread over the band.
    weight = None if person is None else 1.0 - np.clip(person, 0.0, 1.0)
    chin = side if chin_y is None else float(chin_y)
    # Side bands: full fade above the chin, none from a tenth of the side below it.
    sides_on = np.clip(1.0 - (u[rows] - chin) / (0.1 * side), 0.0, 1.0)
    pulls = (
        (top[rows], _edge_colours(image, weight, "top", inside)[cols]),
        (left[cols] * sides_on, _edge_colours(image, weight, "left", inside)[rows]),
        (right[cols] * sides_on, _edge_colours(image, weight, "right", inside)[rows]),
    )
    total = sum(strength for strength, _ in pulls)
    if total.any():
        far = sum(strength[:, None] * colours for strength, colours in pulls)
        far /= np.maximum(total, 1e-6)[:, None]
        alpha = (1.0 - np.exp(-total / (FADE_LENGTH * side)))[:, None]
        out = out * (1.0 - alpha) + far * alpha

    grain = _grain_level(image[y0:y1, x0:x1])
    if grain > 0.5:  # luminance grain, fading in as the fill gets blurrier
        noise = np.random.default_rng(0).normal(0.0, grain, dist.shape).astype(np.float32)
        out += (noise * (1.0 - np.exp(-dist / 6.0)))[:, None]
    filled = image.copy()
    filled[band] = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    return filled


def _edge_colours(
    image: np.ndarray,
    weight: np.ndarray | None,
    edge: str,
    inside: tuple[int, int, int, int],
) -> np.ndarray:
    """(S, 3) float32 background colour along one edge of the real picture, smoothed.

    Person pixels on the edge (weight ~0) take the colour of the nearest background along
    it; an edge that is all person falls back to its plain median colour.
    """
    side = image.shape[0]
    x0, y0, x1, y1 = inside
    if edge == "top":
        strip, w, span = image[y0, :], None if weight is None else weight[y0, :], (x0, x1)
    elif edge == "left":
        strip, w, span = image[:, x0], None if weight is None else weight[:, x0], (y0, y1)
    else:
        strip, w, span = image[:, x1 - 1], None if weight is None else weight[:, x1 - 1], (y0, y1)
    colours = strip.astype(np.float32)
    w = np.ones(side, np.float32) if w is None else w.astype(np.float32).copy()
    w[: span[0]] = 0.0  # replicated pixels carry no information of their own
    w[span[1] :] = 0.0
    if w.sum() < 3.0:  # no background on this edge: its median colour
        real = colours[span[0] : span[1]]
        return np.broadcast_to(np.median(real, axis=0), (side, 3)).astype(np.float32)
    sigma = side / 8
    num = cv2.GaussianBlur(
        (colours * w[:, None])[None], (0, 0), sigma, borderType=cv2.BORDER_REPLICATE
    )[0]
    den = cv2.GaussianBlur(
        w[None, :, None].repeat(3, axis=2), (0, 0), sigma, borderType=cv2.BORDER_REPLICATE
    )[0]
    smooth = num / np.maximum(den, 1e-6)
    # Far from any background pixel the ratio is noise-prone: pull it to the weighted mean.
    mean = (colours * w[:, None]).sum(axis=0) / w.sum()
    trust = np.clip(den[:, :1] / 0.05, 0.0, 1.0)
    return smooth * trust + mean * (1.0 - trust)


def _defocus(image: np.ndarray, band: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """(N, 3) float32: the N ``band`` pixels of ``image`` blurred by per-pixel ``radius``."""
    radii = [0.0]
    r = 2.0
    while r < radius.max() * 1.5 and r < image.shape[0]:
        radii.append(r)
        r *= 2.0
    level = np.interp(radius, radii, np.arange(len(radii), dtype=np.float32))
    flat = np.flatnonzero(band)
    out = np.zeros((len(radius), 3), np.float32)
    for i, r in enumerate(radii):
        near = np.flatnonzero(np.abs(level - i) < 1.0)  # pixels that use this layer
        if len(near) == 0:
            continue
        layer = image if r == 0 else _smooth(image, r)
        pixels = layer.reshape(-1, 3)[flat[near]].astype(np.float32)
        out[near] += pixels * (1.0 - np.abs(level[near] - i))[:, None]
    return out


def _grain_level(image: np.ndarray) -> float:
    """Robust standard deviation of fine texture (grain, canvas, sensor noise), in levels."""
    grey = image.astype(np.float32).mean(axis=2)
    fine = grey - cv2.GaussianBlur(grey, (0, 0), 1.0)
    return float(1.4826 * np.median(np.abs(fine - np.median(fine))))


def _smooth(image: np.ndarray, radius: float) -> np.ndarray:
    """Approximate Gaussian blur of standard deviation ``radius``; cost independent of it."""
    factor = max(1, int(radius // 4))
    small = image
    if factor > 1:
        size = (max(1, image.shape[1] // factor), max(1, image.shape[0] // factor))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(
        small.astype(np.float32), (0, 0), radius / factor, borderType=cv2.BORDER_REPLICATE
    )
    if factor > 1:
        small = cv2.resize(small, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
    return small
