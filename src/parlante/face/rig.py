"""FaceRig: the analysed portrait (identity + appearance), the face/ -> render/ interface."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class FaceRig:
    """A portrait framed as a square and analysed once; reusable across videos.

    All coordinates are pixels of ``image`` (x right, y down).
    """

    image: np.ndarray
    """(S, S, 3) uint8 RGB: the framed portrait, head and shoulders."""
    landmarks: np.ndarray
    """(478, 3) float32 MediaPipe face-mesh points (468 face + 10 iris); z on the x scale,
    smaller z is nearer the camera."""
    person_mask: np.ndarray
    """(S, S) float32 in [0, 1]: person (head, hair, body) vs background."""
    background: np.ndarray
    """(S, S, 3) uint8 RGB: the background with the person filled in, shown wherever a
    moving head uncovers what was behind it."""
    crop: tuple[float, float, float]
    """(x0, y0, side) of the square in the source image's pixels (may extend past its edges)."""
    source_sha256: str
    """SHA-256 of the source image file's bytes (provenance; the portrait is not stored)."""

    @property
    def size(self) -> int:
        return int(self.image.shape[0])
