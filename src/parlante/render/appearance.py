"""Colours, grain and softness sampled from the portrait, for what the renderer paints.

Painted parts (mouth cavity, teeth, tongue, sclera under a raised lid) must look like they
were in the picture: same white balance, same film grain or brush texture, same blur.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from parlante.render import topology as tp


@dataclass(frozen=True)
class Palette:
    lip: np.ndarray
    """(3,) float32 RGB 0..255, median lip colour."""
    skin: np.ndarray
    """(3,) cheek colour."""
    sclera: np.ndarray
    """(3,) white of the eyes (carries the picture's white balance and exposure)."""
    teeth: np.ndarray
    """(3,) teeth: the portrait's own if it shows them, else derived from the sclera."""
    grain: float
    """Standard deviation, grey levels, of the fine detail on the cheeks."""
    blur: float
    """Gaussian sigma, pixels, matching the picture's softness (upscaled crops are soft)."""
    lash: np.ndarray
    """(3,) darkest colour along the upper lid margins (lashes)."""


def _poly_mask(shape: tuple[int, int], pts: np.ndarray) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(pts * 4).astype(np.int32)], 1, cv2.LINE_8, shift=2)
    return m.astype(bool)


def _lum(rgb: np.ndarray) -> float:
    return max(float(rgb @ np.array([0.3, 0.59, 0.11], np.float32)), 1.0)


def _robust_mean(pixels: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    if len(pixels) < 4:
        return fallback.astype(np.float32)
    return np.median(pixels, axis=0).astype(np.float32)


def sample_palette(
    image: np.ndarray, points: np.ndarray, crop_side: float, shows_teeth: bool
) -> Palette:
    """Palette of an (S, S, 3) uint8 portrait with (>=478, 2) landmark pixels.

    crop_side: side, in source pixels, of the square the portrait was cut from.
    shows_teeth: the portrait's mouth is open: sample its teeth.
    """
    size = image.shape[0]
    shape = image.shape[:2]
    img = image.reshape(-1, 3).astype(np.float32)
    unit = float(np.linalg.norm(points[tp.EYE_OUTER_R] - points[tp.EYE_OUTER_L]))
    outer = np.concatenate(
        [points[list(tp.LIP_OUTER_UPPER)], points[list(tp.LIP_OUTER_LOWER[::-1])]]
    )
    inner = np.concatenate(
        [points[list(tp.LIP_INNER_UPPER)], points[list(tp.LIP_INNER_LOWER[::-1])]]
    )
    lips = _poly_mask(shape, outer) & ~_poly_mask(shape, inner)
    lip = _robust_mean(img[lips.ravel()], np.array([170.0, 90.0, 90.0]))
    # Cheek colour: the lit side (one side of a face is often in shadow).
    cheek = np.zeros(shape, bool)
    skin = np.array([200.0, 160.0, 140.0], np.float32)
    for side in ((50, 101, 205), (280, 330, 425)):
        disc = np.zeros(shape, np.uint8)
        for i in side:
            c = np.round(points[i] * 4).astype(np.int32)
            cv2.circle(disc, (int(c[0]), int(c[1])), max(int(0.05 * unit * 4), 4), 1, -1, shift=2)
        m = disc.astype(bool)
        cheek |= m
        colour = _robust_mean(img[m.ravel()], skin)
        if _lum(colour) > _lum(skin) or side[0] == 50:
            skin = colour
    sclera_px = []
    for up, lo, iris in (
        (tp.EYE_L_UPPER, tp.EYE_L_LOWER, tp.IRIS_L),
        (tp.EYE_R_UPPER, tp.EYE_R_LOWER, tp.IRIS_R),
    ):
        opening = _poly_mask(shape, np.concatenate([points[list(up)], points[list(lo[::-1])]]))
        centre = points[iris[0]]
        radius = float(np.mean(np.linalg.norm(points[list(iris[1:])] - centre, axis=1)))
        disc = np.zeros(shape, np.uint8)
        c4 = np.round(centre * 4).astype(np.int32)
        cv2.circle(disc, (int(c4[0]), int(c4[1])), int(radius * 1.15 * 4) + 4, 1, -1, shift=2)
        sclera_px.append(img[(opening & ~disc.astype(bool)).ravel()])
    px = np.concatenate(sclera_px)
    if len(px) >= 8:
        lum = px @ np.array([0.3, 0.59, 0.11], np.float32)
        sclera = px[lum >= np.percentile(lum, 60)].mean(axis=0).astype(np.float32)
    else:
        sclera = np.clip(skin * 1.25, 0, 255).astype(np.float32)
    # Whites in pictures are rarely brighter than the skin by much; keep it believable.
    sclera = np.clip(sclera, skin * 0.75, np.maximum(skin * 1.35, 60.0)).astype(np.float32)
    # Teeth: the whites' hue (the light's colour) warmed by the mouth's own reddish light,
    # at least a little brighter than the skin.
    chroma = 0.75 * sclera / _lum(sclera) + 0.25 * lip / _lum(lip)
    level = max(_lum(sclera) * 0.95, _lum(skin) * 1.1)
    teeth = chroma * level
    teeth = (teeth * min(1.0, 248.0 / float(teeth.max()))).astype(np.float32)
    if shows_teeth:
        gap = _poly_mask(shape, inner).ravel()
        tpx = img[gap]
        if len(tpx) >= 8:
            lum = tpx @ np.array([0.3, 0.59, 0.11], np.float32)
            bright = tpx[lum >= np.percentile(lum, 75)]
            if float(bright.mean()) > float(lip.mean()):
                teeth = bright.mean(axis=0).astype(np.float32)
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    detail = grey - cv2.GaussianBlur(grey, (0, 0), 1.5)
    vals = detail[cheek]
    grain = float(1.4826 * np.median(np.abs(vals - np.median(vals)))) if len(vals) > 8 else 2.0
    upscale = size / max(crop_side, 1.0)
    blur = 0.45 * max(1.0, upscale)
    lash_px = []
    for up in (tp.EYE_L_UPPER, tp.EYE_R_UPPER):
        for i in up[2:-2]:
            x, y = np.clip(np.round(points[i] - 0.5).astype(int), 1, size - 2)
            lash_px.append(image[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3))
    lp = np.concatenate(lash_px).astype(np.float32)
    lum = lp @ np.array([0.3, 0.59, 0.11], np.float32)
    lash = lp[lum <= np.percentile(lum, 25)].mean(axis=0).astype(np.float32)
    lash = np.minimum(lash, skin * 0.45).astype(np.float32)
    return Palette(lip, skin, sclera, teeth, float(np.clip(grain, 0.5, 12.0)), float(blur), lash)
