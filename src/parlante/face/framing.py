"""Choosing and cutting the head-and-shoulders square of a portrait.

The square is sized so that the face (hairline to chin, MediaPipe points 10 and 152) fills
``FACE_FRACTION`` of its height at head_distance 1.0, with the head a little above centre, as
in VASA-1's samples. It may shift or tighten a little to stay inside the picture; what still
lies outside is filled by ``padding.fill_band``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FACE_FRACTION = 0.45
"""Hairline-to-chin length as a fraction of the square's side, at head_distance 1.0."""
FACE_CENTRE_Y = 0.47
"""Height of the hairline-chin midpoint, as a fraction of the side from the top."""
HEAD_DISTANCE_RANGE = (0.6, 2.0)
"""Accepted head_distance: 0.6 is a close-up (face 75% of the height), 2.0 a half-body shot."""
FOREHEAD, CHIN = 10, 152
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip
"""Indices of the face-oval contour, in order around the face."""


@dataclass(frozen=True)
class Square:
    """An axis-aligned square in picture pixels; integers so that cutting it is exact."""

    x0: int
    y0: int
    side: int


def face_length(landmarks: np.ndarray) -> float:
    """Hairline-to-chin length in pixels, (478, 3) landmarks -> float.

    Measured in 3D (z is on the x scale) so that a raised or lowered chin does not shrink
    it, but never trusted beyond 1.25x the 2D length (MediaPipe's depth is rough).
    """
    top, chin = landmarks[FOREHEAD].astype(np.float64), landmarks[CHIN].astype(np.float64)
    flat = float(np.hypot(*(chin[:2] - top[:2])))
    deep = float(np.linalg.norm(chin - top))
    return min(deep, 1.25 * flat)


def face_fraction(landmarks: np.ndarray, side: float) -> float:
    """Vertical hairline-to-chin extent as a fraction of a square's side (what a viewer sees)."""
    return float(landmarks[CHIN, 1] - landmarks[FOREHEAD, 1]) / side


def frame_square(
    landmarks: np.ndarray,
    head_distance: float = 1.0,
    image_size: tuple[int, int] | None = None,
) -> Square:
    """The head-and-shoulders square for a face, from its (478, 3) landmarks in pixels.

    With ``image_size`` (width, height), the square may move by up to ``MAX_SHIFT`` of its
    side and shrink by up to ``1 - MIN_ZOOM`` where that avoids filling in made-up picture,
    above all above the head (a band there turns hair into streaks).
    """
    lo, hi = HEAD_DISTANCE_RANGE
    if not lo <= head_distance <= hi:
        raise ValueError(f"head_distance must be in [{lo}, {hi}], got {head_distance}")
    side = face_length(landmarks) * head_distance / FACE_FRACTION
    oval = landmarks[list(FACE_OVAL), :2].astype(np.float64)
    centre_x = 0.5 * (oval[:, 0].min() + oval[:, 0].max())
    centre_y = 0.5 * (landmarks[FOREHEAD, 1] + landmarks[CHIN, 1])
    x0 = centre_x - side / 2
    y0 = centre_y - FACE_CENTRE_Y * side
    if image_size is not None:
        x0, y0, side = _fit(x0, y0, side, (centre_x, centre_y), image_size)
    return Square(round(x0), round(y0), max(1, round(side)))


MAX_SHIFT = 0.06
"""Largest move of the square, as a fraction of its side, made to avoid padding."""
MIN_ZOOM = 0.92
"""Smallest side, relative to the ideal, accepted to avoid padding (face <= ~49%)."""
# Cost per pixel of band thickness to fill, by edge, and per pixel of departure from the
# ideal framing: a band above the head is the worst, one below it (body) is the mildest.
_PAD_COST = {"top": 3.0, "left": 1.0, "right": 1.0, "bottom": 0.4}
_MOVE_COST = {"x": 0.7, "y": 1.0, "zoom": 1.0}


def _fit(
    x0: float,
    y0: float,
    side: float,
    centre: tuple[float, float],
    image_size: tuple[int, int],
) -> tuple[float, float, float]:
    """The (x0, y0, side) near the ideal one with the least weighted padding + departure."""
    width, height = image_size
    best = (np.inf, x0, y0, side)
    for zoom in np.linspace(MIN_ZOOM, 1.0, 5):
        s = side * zoom
        zx = centre[0] - (centre[0] - x0) * zoom
        zy = centre[1] - (centre[1] - y0) * zoom
        for fx in np.linspace(-MAX_SHIFT, MAX_SHIFT, 9):
            for fy in np.linspace(-MAX_SHIFT, MAX_SHIFT, 9):
                cx0, cy0 = zx + fx * s, zy + fy * s
                pad = (
                    _PAD_COST["top"] * max(0.0, -cy0)
                    + _PAD_COST["left"] * max(0.0, -cx0)
                    + _PAD_COST["right"] * max(0.0, cx0 + s - width)
                    + _PAD_COST["bottom"] * max(0.0, cy0 + s - height)
                )
                move = (
                    _MOVE_COST["x"] * abs(fx) * s
                    + _MOVE_COST["y"] * abs(fy) * s
                    + _MOVE_COST["zoom"] * (side - s)
                )
                if pad + move < best[0] - 1e-9:
                    best = (pad + move, cx0, cy0, s)
    return best[1], best[2], best[3]


def cut_square(
    image: np.ndarray, square: Square, out_side: int
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Resample ``square`` of ``image`` to (out_side, out_side, 3), edges replicated outside.

    Returns the square and the rectangle (x0, y0, x1, y1) of its pixels that show the real
    picture (the rest is padding: see ``padding.fill_band`` for a better fill). Output pixel
    (u, v) shows picture point (x0 + (u + 0.5) * side / out_side - 0.5, ...) to within half
    an output pixel. Downscaling uses area averaging, upscaling bicubic.
    """
    height, width = image.shape[:2]
    x0, y0, side = square.x0, square.y0, square.side
    vx0, vy0 = max(0, x0), max(0, y0)
    vx1, vy1 = min(width, x0 + side), min(height, y0 + side)
    if vx1 <= vx0 or vy1 <= vy0:
        raise ValueError(f"square {square} does not overlap the {width}x{height} image")
    scale = out_side / side
    px0, py0 = round((vx0 - x0) * scale), round((vy0 - y0) * scale)
    px1 = max(px0 + 1, min(out_side, round((vx1 - x0) * scale)))
    py1 = max(py0 + 1, min(out_side, round((vy1 - y0) * scale)))
    part = image[vy0:vy1, vx0:vx1]
    if (px1 - px0, py1 - py0) != (part.shape[1], part.shape[0]):
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        part = cv2.resize(part, (px1 - px0, py1 - py0), interpolation=interp)
    inside = (px0, py0, px1, py1)
    if inside == (0, 0, out_side, out_side):
        return np.ascontiguousarray(part), inside
    padded = cv2.copyMakeBorder(
        part, py0, out_side - py1, px0, out_side - px1, cv2.BORDER_REPLICATE
    )
    return padded, inside
