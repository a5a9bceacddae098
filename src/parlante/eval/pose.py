"""Head rotation per frame from the 3D face-mesh points.

The rotation between frames comes from a rigid (Kabsch) fit of skull-fixed points to the
first detected frame's: changes are precise to a fraction of a degree. The first frame's own
orientation comes from the face's axes (eye corners, forehead-chin line), so absolute angles
are approximate (a few degrees of constant bias per face) while spreads and speeds are not.

Camera coordinates: x right, y down, z away from the camera. Angles in degrees:
yaw > 0 turns the face toward the image's left, pitch > 0 tilts it down, roll > 0 turns it
clockwise in the image.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from parlante.eval.points import CHIN, FOREHEAD_TOP, LEFT_EYE_OUTER, RIGHT_EYE_OUTER, RIGID
from parlante.eval.signals import moving_average

SMOOTH_FRAMES = 5
"""Pose is smoothed over this many frames before differencing, so landmark jitter does not
count as motion (as in the real-speaker figures of delta-P)."""


def _face_axes(points: np.ndarray) -> np.ndarray:
    """(3, 3) rotation whose columns are the face's x (eye to eye), y (down), z (into screen)."""
    x = points[LEFT_EYE_OUTER] - points[RIGHT_EYE_OUTER]
    x /= np.linalg.norm(x)
    y = points[CHIN] - points[FOREHEAD_TOP]
    y -= (y @ x) * x
    y /= np.linalg.norm(y)
    return np.stack([x, y, np.cross(x, y)], axis=1)


def _kabsch(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """(3, 3) rotation R minimising |R @ source_i - target_i| over centred (K, 3) point sets."""
    a = source - source.mean(axis=0)
    b = target - target.mean(axis=0)
    u, _, vt = np.linalg.svd(b.T @ a)
    d = np.sign(np.linalg.det(u @ vt))
    return u @ np.diag([1.0, 1.0, d]) @ vt


def head_angles(landmarks: np.ndarray) -> np.ndarray:
    """(N, 3) yaw, pitch, roll in degrees from (N, 478, 3) pixel landmarks; NaN without a face."""
    angles = np.full((len(landmarks), 3), np.nan)
    found = np.flatnonzero(~np.isnan(landmarks[:, 0, 0]))
    if found.size == 0:
        return angles
    rigid = landmarks[:, RIGID].astype(np.float64)
    reference = rigid[found[0]]
    start = _face_axes(landmarks[found[0]].astype(np.float64))
    for i in found:
        rotation = _kabsch(reference, rigid[i]) @ start
        angles[i] = Rotation.from_matrix(rotation).as_euler("YXZ", degrees=True)
    return angles


def smoothed_angles(angles: np.ndarray) -> np.ndarray:
    """(N, 3) angles averaged over SMOOTH_FRAMES within runs of detected frames."""
    return moving_average(angles, SMOOTH_FRAMES)


def angular_speed(angles: np.ndarray) -> np.ndarray:
    """(N,) rotation angle in degrees from frame i-1 to frame i (NaN at 0 and across gaps).

    The geodesic angle of the relative rotation, so it does not depend on the Euler order.
    """
    speed = np.full(len(angles), np.nan)
    ok = np.all(np.isfinite(angles), axis=1)
    pairs = np.flatnonzero(ok[1:] & ok[:-1]) + 1
    if pairs.size:
        now = Rotation.from_euler("YXZ", angles[pairs], degrees=True)
        before = Rotation.from_euler("YXZ", angles[pairs - 1], degrees=True)
        speed[pairs] = np.degrees((before.inv() * now).magnitude())
    return speed
