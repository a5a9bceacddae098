"""Rigid head pose: rotation about a pivot in the neck, translation and scale, image space."""

from __future__ import annotations

import numpy as np


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """(3, 3) rotation for angles in degrees, image axes (x right, y down, z away).

    + yaw brings the nose (which is nearer, smaller z) to image right, + pitch brings it
    down (chin down), + roll turns the head clockwise on screen.
    """
    a, b, c = np.radians([yaw, pitch, roll])
    ry = np.array([[np.cos(a), 0.0, -np.sin(a)], [0.0, 1.0, 0.0], [np.sin(a), 0.0, np.cos(a)]])
    rx = np.array([[1.0, 0.0, 0.0], [0.0, np.cos(b), -np.sin(b)], [0.0, np.sin(b), np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0.0], [np.sin(c), np.cos(c), 0.0], [0.0, 0.0, 1.0]])
    return rz @ ry @ rx


def head_transform(
    points: np.ndarray,
    weight: np.ndarray,
    pivot: np.ndarray,
    pose: np.ndarray,
    face_height: float,
) -> np.ndarray:
    """Move (N, 3) image points by the pose, each by its weight in [0, 1].

    pose: (6,) yaw, pitch, roll (degrees), tx, ty (face heights), scale (fraction).
    Returns (N, 3) float32.
    """
    yaw, pitch, roll, tx, ty, scale = (float(v) for v in pose)
    if yaw == pitch == roll == tx == ty == scale == 0.0:
        return points.astype(np.float32, copy=True)
    r = rotation(yaw, pitch, roll) * (1.0 + scale)
    moved = (points - pivot) @ r.T + pivot
    moved[:, 0] += tx * face_height
    moved[:, 1] += ty * face_height
    return (points + weight[:, None] * (moved - points)).astype(np.float32)
