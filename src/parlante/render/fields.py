"""Small geometric helpers for the expression model (face coordinates, units of D)."""

from __future__ import annotations

import numpy as np


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def curve_y(points: np.ndarray, x: np.ndarray) -> np.ndarray:
    """y of the polyline (K, >=2) (sorted by x here) at x, held flat beyond its ends."""
    order = np.argsort(points[:, 0], kind="stable")
    return np.interp(x, points[order, 0], points[order, 1]).astype(np.float32)


def window(x: np.ndarray, lo: float, hi: float, soft: float) -> np.ndarray:
    """1 inside [lo, hi], smoothly 0 at ``soft`` outside."""
    return (smoothstep(lo - soft, lo, x) * (1.0 - smoothstep(hi, hi + soft, x))).astype(np.float32)


def gauss(q: np.ndarray, centre: np.ndarray, sx: float, sy: float) -> np.ndarray:
    """(N,) anisotropic Gaussian of the (N, >=2) points about ``centre`` (2,)."""
    dx = (q[:, 0] - centre[0]) / sx
    dy = (q[:, 1] - centre[1]) / sy
    return np.exp(-0.5 * (dx * dx + dy * dy)).astype(np.float32)


def polygon_inside(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """(N,) bool: even-odd test of (N, 2) points against a closed (K, 2) polygon."""
    x, y = points[:, 0][:, None], points[:, 1][:, None]
    x0, y0 = polygon[:, 0][None, :], polygon[:, 1][None, :]
    x1, y1 = np.roll(polygon[:, 0], -1)[None, :], np.roll(polygon[:, 1], -1)[None, :]
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return (np.sum(crosses & (x < xc), axis=1) % 2).astype(bool)


def rotate_x(q: np.ndarray, angle: np.ndarray, pivot_y: float, pivot_z: float) -> np.ndarray:
    """Rotate (N, 3) points about the face x axis through (y, z) = pivot, by (N,) radians;
    + opens the jaw (chin down and back)."""
    c, s = np.cos(angle), np.sin(angle)
    y = q[:, 1] - pivot_y
    z = q[:, 2] - pivot_z
    out = q.copy()
    out[:, 1] = pivot_y + c * y - s * z
    out[:, 2] = pivot_z + s * y + c * z
    return out
