"""What shows inside an open mouth, as light by height: teeth read bright, tongue mid, the
cavity dark. Comparing a rendered mouth opening with a real one band by band tells whether
the renderer shows teeth and tongue where real speakers do (upper teeth at the top, lower
teeth at the bottom), which a single mean would hide.
"""

from __future__ import annotations

import cv2
import numpy as np

from parlante.eval.signals import mouth_opening
from parlante.render import topology as tp

UPPER_INNER = tp.LIP_INNER_UPPER
"""Face-mesh points of the upper lip's inner line, mouth corner to mouth corner."""
LOWER_INNER = tp.LIP_INNER_LOWER
OUTER = tp.LIP_OUTER_UPPER + tp.LIP_OUTER_LOWER[::-1][1:-1]
"""The lips' outer contour, all the way round."""
MIN_GAP = 0.05
"""Inner-lip gap, in inter-ocular distances, below which a mouth counts as closed."""
BRIGHT = 1.0
"""A pixel brighter than the lips' mean counts as teeth-bright."""


def opening_profile(image: np.ndarray, landmarks: np.ndarray, bands: int = 6) -> np.ndarray | None:
    """(2, bands) light of the mouth opening from the upper lip (band 0) to the lower lip.

    image: (H, W, 3) uint8 RGB; landmarks: (>=468, 2+) face-mesh points in its pixels.
    Row 0: mean grey level of each band over the lips' mean grey level; row 1: the fraction of
    the band brighter than the lips (teeth). Band k holds the pixels whose height between the
    two inner lip lines, at their column, is in [k / bands, (k + 1) / bands). None when the
    mouth is closed (gap < ``MIN_GAP`` inter-ocular distances) or the opening has < 40 pixels.
    """
    xy = np.asarray(landmarks, np.float64)[:, :2]
    if not mouth_opening(np.asarray(landmarks)[None])[0] >= MIN_GAP:
        return None
    h, w = image.shape[:2]
    inner_poly = list(UPPER_INNER) + list(LOWER_INNER[::-1][1:-1])
    inner = np.zeros((h, w), np.uint8)
    outer = np.zeros((h, w), np.uint8)
    cv2.fillPoly(inner, [np.round(xy[inner_poly]).astype(np.int32)], 1)
    cv2.fillPoly(outer, [np.round(xy[list(OUTER)]).astype(np.int32)], 1)
    lips = (outer > 0) & ~(cv2.dilate(inner, np.ones((5, 5), np.uint8)) > 0)
    ys, xs = np.nonzero(inner)
    if len(ys) < 40 or not lips.any():
        return None
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64)
    lip_level = max(float(grey[lips].mean()), 1.0)
    up, lo = xy[list(UPPER_INNER)], xy[list(LOWER_INNER)]
    y_up = np.interp(xs + 0.5, up[:, 0], up[:, 1])
    y_lo = np.interp(xs + 0.5, lo[:, 0], lo[:, 1])
    height = np.clip((ys + 0.5 - y_up) / np.maximum(y_lo - y_up, 1.0), 0.0, 0.999)
    band = (height * bands).astype(int)
    level = grey[ys, xs] / lip_level
    out = np.full((2, bands), np.nan)
    for k in range(bands):
        sel = band == k
        if sel.any():
            out[0, k] = level[sel].mean()
            out[1, k] = (level[sel] > BRIGHT).mean()
    return out


__all__ = ["opening_profile", "MIN_GAP"]
