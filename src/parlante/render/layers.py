"""The portrait split into a foreground (person, with alpha) over a still background plate.

``image = alpha * fg + (1 - alpha) * plate`` must hold exactly (to rounding), so that drawing
the foreground unmoved gives the portrait back, and moving it uncovers the plate. The rig's
plate is only a guess behind soft mask edges (hair), where it can be brighter or darker than
the picture allows; there the renderer's own plate is nudged into the range that keeps
``fg`` within 0..255. ``fg`` is spread outwards where alpha is ~0 so that interpolating it
next to the silhouette does not pull in black.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Layers:
    source: np.ndarray
    """(S, S, 4) uint8: foreground RGB (not premultiplied) and alpha (person mask * 255)."""
    plate: np.ndarray
    """(S, S, 3) uint8: background the foreground is drawn over."""


def split_layers(image: np.ndarray, mask: np.ndarray, background: np.ndarray) -> Layers:
    """Foreground + plate of an (S, S, 3) uint8 image, (S, S) float mask, (S, S, 3) plate."""
    size = image.shape[0]
    alpha8 = np.round(np.clip(mask, 0.0, 1.0) * 255.0).astype(np.uint8)
    plate8 = np.ascontiguousarray(background, dtype=np.uint8).copy()
    fg = image.copy()
    soft = (alpha8 > 0) & (alpha8 < 255)
    if soft.any():
        a = alpha8[soft].astype(np.float32)[:, None] / 255.0
        img = image[soft].astype(np.float32)
        # Keep fg = (img - (1 - a) plate) / a inside [0, 255]: clamp the plate where needed.
        hi = img / (1.0 - a)
        lo = (img - 255.0 * a) / (1.0 - a)
        plate = np.clip(np.round(np.clip(background[soft].astype(np.float32), lo, hi)), 0, 255)
        plate8[soft] = plate.astype(np.uint8)
        fg[soft] = np.clip(np.round((img - (1.0 - a) * plate) / a), 0, 255).astype(np.uint8)
    empty = alpha8 == 0
    # Where there is no person the picture is the background: use it, so that background
    # pixels redrawn unmoved come out exactly as they were.
    np.copyto(plate8, image, where=empty[..., None])
    if empty.any():
        # Pad fg outwards from where alpha > 0: normalised convolution at a quarter size.
        valid = (~empty).astype(np.float32)
        small = max(size // 4, 8)
        num = cv2.resize(
            fg.astype(np.float32) * valid[..., None], (small, small), interpolation=cv2.INTER_AREA
        )
        den = cv2.resize(valid, (small, small), interpolation=cv2.INTER_AREA)
        fill = np.empty_like(num)
        fill[:] = num.sum(axis=(0, 1)) / max(float(den.sum()), 1e-6) if den.any() else 128.0
        for sigma in (8.0, 2.0):
            n = cv2.GaussianBlur(num, (0, 0), sigma)
            d = cv2.GaussianBlur(den, (0, 0), sigma)[..., None]
            fill = np.where(d > 1e-3, n / np.maximum(d, 1e-6), fill)
        fill8 = cv2.resize(np.clip(fill + 0.5, 0, 255).astype(np.uint8), (size, size))
        np.copyto(fg, fill8, where=empty[..., None])
    source = np.concatenate([fg, alpha8[..., None]], axis=2)
    return Layers(np.ascontiguousarray(source), plate8)
