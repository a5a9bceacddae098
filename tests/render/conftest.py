"""FaceRigs for the renderer's tests, made from skimage's astronaut portrait.

``analyze_portrait`` (parlante.face) is used when it imports; ``direct_rig`` runs MediaPipe
face mesh and selfie segmentation directly on a square image (any framing, e.g. a face near
the border), so the renderer's tests do not depend on the face stage's framing choices.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
import skimage.data

from parlante.face.rig import FaceRig


def direct_rig(image: np.ndarray) -> FaceRig:
    """FaceRig of a square (S, S, 3) uint8 RGB image, analysed as it is (no re-framing)."""
    from mediapipe.python.solutions import face_mesh, selfie_segmentation

    side = image.shape[0]
    with face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        found = mesh.process(image).multi_face_landmarks
    if not found:
        raise RuntimeError("no face in the test image")
    lm = np.array([(p.x * side, p.y * side, p.z * side) for p in found[0].landmark], np.float32)
    with selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        mask = np.clip(seg.process(image).segmentation_mask.astype(np.float32), 0.0, 1.0)
    hull = cv2.convexHull(np.round(lm[:468, :2]).astype(np.int32))
    face = np.zeros((side, side), np.uint8)
    cv2.fillConvexPoly(face, hull, 255)
    mask = np.maximum(mask, face.astype(np.float32) / 255.0)
    low = 128
    small = cv2.resize(image, (low, low), interpolation=cv2.INTER_AREA)
    hole = cv2.resize((mask > 0.1).astype(np.uint8) * 255, (low, low))
    hole = cv2.dilate(hole, np.ones((5, 5), np.uint8))
    plate = cv2.inpaint(small, hole, 5, cv2.INPAINT_TELEA)
    plate = cv2.resize(plate, (side, side), interpolation=cv2.INTER_CUBIC)
    keep = (mask < 0.02)[..., None]
    background = np.where(keep, image, plate).astype(np.uint8)
    return FaceRig(image, lm, mask, background, (0.0, 0.0, float(side)), "0" * 64)


def _analysed(image: np.ndarray, size: int) -> FaceRig:
    try:
        from parlante.face import analyze_portrait
    except ImportError:
        return direct_rig(cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA))
    return analyze_portrait(image, size=size)


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    return skimage.data.astronaut()


@pytest.fixture(scope="session")
def rig(astronaut: np.ndarray) -> FaceRig:
    """The astronaut framed at 512 px (her portrait shows her upper teeth)."""
    return _analysed(astronaut, 512)


@pytest.fixture(scope="session")
def make_rig() -> Callable[[np.ndarray], FaceRig]:
    """``direct_rig``, for tests that frame their own pictures."""
    return direct_rig
