"""The face's own coordinate frame, and the smoothed depth the head rotates with.

Face coordinates: origin midway between the outer eye corners, x towards the image-right
eye, y towards the chin, z away from the camera; unit = the outer-eye-corner distance D.
Expression shapes are written in these units so that they fit any face size, roll or pose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parlante.render.topology import CHIN, EYE_OUTER_L, EYE_OUTER_R, FOREHEAD_TOP, N_FACE

DEPTH_FLATTEN = 1.0
"""Relief kept from MediaPipe's (smoothed) depth. At 0.7 a turned head moved the nose tip
71% as far as real turns move it (relative to the eyes; 42 self-reenactment clips), so the
pose fit inflated the angles to compensate and the mouth and eyes landed off (mouth LMD 0.018
-> 0.017, eye 0.0127 -> 0.0124, mean identity 0.273 -> 0.271 at 1.0). 1.2 was no better
(mouth 0.0171) and starts to cut the far cheek at 28 degrees of yaw."""
DEPTH_SMOOTHING = 4
"""Neighbour-averaging passes over the mesh: MediaPipe's z is noisy from point to point."""


@dataclass(frozen=True)
class FaceFrame:
    origin: np.ndarray
    """(3,) image pixels (x, y, depth) of the face-coordinate origin."""
    axes: np.ndarray
    """(3, 3) columns: the face's x, y, z unit axes in image space."""
    unit: float
    """D: outer-eye-corner distance, pixels."""

    @classmethod
    def of(cls, points: np.ndarray) -> FaceFrame:
        """Frame of (>=468, 3) landmark positions (depth already smoothed)."""
        p = points.astype(np.float64)
        x = p[EYE_OUTER_R] - p[EYE_OUTER_L]
        unit = float(np.linalg.norm(x))
        x /= unit
        y = p[CHIN] - p[FOREHEAD_TOP]
        y -= x * float(x @ y)
        y /= float(np.linalg.norm(y))
        z = np.cross(x, y)
        origin = 0.5 * (p[EYE_OUTER_L] + p[EYE_OUTER_R])
        return cls(origin, np.stack([x, y, z], axis=1), unit)

    def to_face(self, points: np.ndarray) -> np.ndarray:
        """(N, 3) image -> face coordinates."""
        return ((points - self.origin) @ self.axes / self.unit).astype(np.float32)

    def to_image(self, q: np.ndarray) -> np.ndarray:
        """(N, 3) face -> image coordinates."""
        return (q @ (self.axes.T * self.unit) + self.origin).astype(np.float32)

    def vectors_to_image(self, d: np.ndarray) -> np.ndarray:
        """(N, 3) face-unit displacements -> image pixels."""
        return (d @ (self.axes.T * self.unit)).astype(np.float32)


def smooth_depth(landmarks: np.ndarray, neighbours: list[np.ndarray]) -> np.ndarray:
    """(468,) depth of the face points, smoothed over the mesh and flattened about its mean."""
    z = landmarks[:N_FACE, 2].astype(np.float64)
    rows = np.concatenate([np.full(len(nb), i) for i, nb in enumerate(neighbours[:N_FACE])])
    cols = np.concatenate(neighbours[:N_FACE])
    count = np.array([max(len(nb), 1) for nb in neighbours[:N_FACE]], np.float64)
    for _ in range(DEPTH_SMOOTHING):
        avg = np.bincount(rows, weights=z[cols], minlength=N_FACE) / count
        z = 0.5 * z + 0.5 * avg
    mean = float(z.mean())
    return (mean + DEPTH_FLATTEN * (z - mean)).astype(np.float32)
