"""A visible "AI-generated" label: small white text on a dark, rounded, semi-transparent box."""

from __future__ import annotations

import cv2
import numpy as np

FONT = cv2.FONT_HERSHEY_SIMPLEX


def add_label(
    frame: np.ndarray, text: str = "AI-generated", *, corner: str = "bottom-right"
) -> np.ndarray:
    """Return a copy of ``frame`` with ``text`` in a corner.

    frame: (H, W, 3) uint8 RGB. The text is ~3% of the frame's smaller side high (at least
    9 pixels), on a box of 60% opacity, with a margin of ~2% from the edges.
    corner: "bottom-right", "bottom-left", "top-right" or "top-left".
    """
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 frame, got {frame.shape} {frame.dtype}")
    if corner not in ("bottom-right", "bottom-left", "top-right", "top-left"):
        raise ValueError(f"unknown corner {corner!r}")
    out = frame.copy()
    text = text.strip()
    if not text:
        return out
    h, w = frame.shape[:2]
    side = min(h, w)
    height = max(9, round(0.03 * side))
    scale = cv2.getFontScaleFromHeight(FONT, height, 1)
    thick = max(1, round(height / 12))
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    pad = max(3, height // 3)
    margin = max(4, round(0.02 * side))
    bw, bh = min(w, tw + 2 * pad), min(h, th + base + 2 * pad)
    x0 = margin if corner.endswith("left") else max(0, w - margin - bw)
    y0 = margin if corner.startswith("top") else max(0, h - margin - bh)
    roi = out[y0 : y0 + bh, x0 : x0 + bw]
    box = np.zeros((bh, bw), np.uint8)
    r = min(pad, bh // 2, bw // 2)
    cv2.rectangle(box, (r, 0), (bw - 1 - r, bh - 1), 255, -1)
    cv2.rectangle(box, (0, r), (bw - 1, bh - 1 - r), 255, -1)
    for cx, cy in ((r, r), (bw - 1 - r, r), (r, bh - 1 - r), (bw - 1 - r, bh - 1 - r)):
        cv2.circle(box, (cx, cy), r, 255, -1, cv2.LINE_AA)
    alpha = (box.astype(np.float32) * (0.6 / 255.0))[..., None]
    shaded = roi.astype(np.float32) * (1.0 - alpha) + 16.0 * alpha
    text_layer = np.zeros((bh, bw), np.uint8)
    cv2.putText(text_layer, text, (pad, pad + th), FONT, scale, 255, thick, cv2.LINE_AA)
    ink = (text_layer.astype(np.float32) / 255.0)[..., None]
    roi[:] = np.clip(shaded * (1.0 - ink) + 245.0 * ink + 0.5, 0, 255).astype(np.uint8)
    return out
