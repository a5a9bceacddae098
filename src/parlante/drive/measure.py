"""Facial measurements of one frame, taken in the neutral head's frame.

The landmarks are first un-posed (``pose.unpose``) and expressed in the neutral's face
coordinates (``parlante.render.frame.FaceFrame``: x towards the image-right eye, y down,
unit D = the neutral's outer-eye-corner distance), so that a turn or a nod does not read
as an expression. Every measure is a length in D; codes come from their changes relative
to the neutral frame (``encode``).
"""

from __future__ import annotations

import numpy as np

MEASURES: tuple[str, ...] = (
    "gap", "width", "corner", "thick",
    "open_l", "open_r", "upper_l", "upper_r", "lower_l", "lower_r",
    "iris_x_l", "iris_y_l", "iris_x_r", "iris_y_r", "iris_radius",
    "brow_out_l", "brow_out_r", "brow_in_l", "brow_in_r", "brow_sep",
)  # fmt: skip
"""Names of the measures, in column order. Sides are image sides (``_l`` = image left)."""

M: dict[str, int] = {name: i for i, name in enumerate(MEASURES)}

_LIP_PAIRS = np.array([(82, 87), (13, 14), (312, 317)])
"""Facing inner-lip points (upper, lower) at the centre and either side of it."""
EYE_UPPER = (np.array([160, 159, 158]), np.array([385, 386, 387]))
EYE_LOWER = (np.array([144, 145, 153]), np.array([380, 374, 373]))
"""Central points of the upper / lower lid margins, facing each other (image-left eye first)."""
_EYE_CORNERS = ((33, 133), (362, 263))
_IRIS = (468, 473)
_BROW_OUT = (np.array([46, 53, 70, 63]), np.array([276, 283, 300, 293]))
_BROW_IN = (np.array([55, 65, 107, 66]), np.array([285, 295, 336, 296]))


def measure(q: np.ndarray) -> np.ndarray:
    """(..., 478, 3) face-coordinate points -> (..., len(MEASURES)) measures in D."""
    x, y = q[..., 0].astype(np.float64), q[..., 1].astype(np.float64)
    out = np.empty(q.shape[:-2] + (len(MEASURES),), np.float64)
    out[..., M["gap"]] = (y[..., _LIP_PAIRS[:, 1]] - y[..., _LIP_PAIRS[:, 0]]).mean(axis=-1)
    out[..., M["width"]] = x[..., 291] - x[..., 61]
    out[..., M["corner"]] = 0.5 * (y[..., 61] + y[..., 291]) - 0.5 * (y[..., 13] + y[..., 14])
    out[..., M["thick"]] = (y[..., 13] - y[..., 0]) + (y[..., 17] - y[..., 14])
    radii = []
    for k, side in enumerate("lr"):
        up = y[..., EYE_UPPER[k]].mean(axis=-1)
        lo = y[..., EYE_LOWER[k]].mean(axis=-1)
        out[..., M[f"open_{side}"]] = lo - up
        out[..., M[f"upper_{side}"]] = up
        out[..., M[f"lower_{side}"]] = lo
        a, b = _EYE_CORNERS[k]
        c = _IRIS[k]
        out[..., M[f"iris_x_{side}"]] = x[..., c] - 0.5 * (x[..., a] + x[..., b])
        out[..., M[f"iris_y_{side}"]] = y[..., c] - 0.5 * (y[..., a] + y[..., b])
        rim = np.hypot(
            x[..., c + 1 : c + 5] - x[..., c, None], y[..., c + 1 : c + 5] - y[..., c, None]
        )
        radii.append(rim.mean(axis=-1))
        out[..., M[f"brow_out_{side}"]] = y[..., _BROW_OUT[k]].mean(axis=-1)
        out[..., M[f"brow_in_{side}"]] = y[..., _BROW_IN[k]].mean(axis=-1)
    out[..., M["iris_radius"]] = 0.5 * (radii[0] + radii[1])
    inner_r = x[..., _BROW_IN[1][[0, 2]]].mean(axis=-1)
    inner_l = x[..., _BROW_IN[0][[0, 2]]].mean(axis=-1)
    out[..., M["brow_sep"]] = inner_r - inner_l
    return out
