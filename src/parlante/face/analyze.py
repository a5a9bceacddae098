"""Portrait -> FaceRig: find the face, frame head and shoulders, segment, build the plate."""

from __future__ import annotations

import numpy as np

from parlante.errors import PortraitError
from parlante.face.detection import FaceDetection, FaceMeshDetector
from parlante.face.framing import CHIN, HEAD_DISTANCE_RANGE, Square, cut_square, frame_square
from parlante.face.image_file import PortraitSource, read_source
from parlante.face.padding import fill_band
from parlante.face.rig import FaceRig
from parlante.face.segmentation import background_plate, person_mask, person_probability

SIZE_RANGE = (256, 1024)
"""Accepted side, in pixels, of the framed square."""


def analyze_portrait(
    source: PortraitSource,
    *,
    size: int = 512,
    face_index: int = 0,
    head_distance: float = 1.0,
    name: str | None = None,
) -> FaceRig:
    """Analyse a portrait once into a FaceRig that any number of videos can reuse.

    source: a file path, the file's bytes, or an (H, W, 3) uint8 RGB array.
    size: side of the framed square in pixels, 256..1024.
    face_index: which face when there are several, 0 = the largest.
    head_distance: 1.0 frames head and shoulders (face ~45% of the height); larger values
        step back (1.3: face smaller), smaller ones come closer (0.8); 0.6..2.0.
    name: how error messages name the source (default: its path).
    Raises PortraitError (unreadable, too small/large, no face, no such face) and
    ValueError for out-of-range arguments.
    """
    if not SIZE_RANGE[0] <= size <= SIZE_RANGE[1]:
        raise ValueError(f"size must be in [{SIZE_RANGE[0]}, {SIZE_RANGE[1]}], got {size}")
    lo, hi = HEAD_DISTANCE_RANGE
    if not lo <= head_distance <= hi:
        raise ValueError(f"head_distance must be in [{lo}, {hi}], got {head_distance}")
    if face_index < 0:
        raise ValueError(f"face_index must be >= 0, got {face_index}")
    src = read_source(source, name=name)
    with FaceMeshDetector() as detector:
        faces = detector.detect(src.pixels)
        if face_index >= len(faces):  # look harder: small faces, before giving up
            faces = detector.detect(src.pixels, thorough=True)
        if not faces:
            raise PortraitError(f"{src.name}: no face found")
        if face_index >= len(faces):
            found = f"{len(faces)} face" + ("s" if len(faces) > 1 else "")
            raise PortraitError(
                f"{src.name}: face_index {face_index} asked for, but only {found} found"
            )
        square = frame_square(
            faces[face_index].landmarks, head_distance, (src.pixels.shape[1], src.pixels.shape[0])
        )
        image, inside = cut_square(src.pixels, square, size)
        expected = to_square(faces[face_index].landmarks, square, size)
        if inside != (0, 0, size, size):
            person = person_probability(image)
            image = fill_band(image, inside, person=person, chin_y=float(expected[CHIN, 1]))
        landmarks = _closest(detector.detect_large(image) or detector.detect(image), expected)
    mask = person_mask(image, landmarks)
    return FaceRig(
        image=image,
        landmarks=landmarks,
        person_mask=mask,
        background=background_plate(image, mask),
        crop=(float(square.x0), float(square.y0), float(square.side)),
        source_sha256=src.sha256,
    )


def to_square(landmarks: np.ndarray, square: Square, size: int) -> np.ndarray:
    """(478, 3) landmarks from source pixels to pixels of the ``size`` px framed square."""
    scale = size / square.side
    out = landmarks.astype(np.float32) * np.float32(scale)
    out[:, 0] -= square.x0 * scale
    out[:, 1] -= square.y0 * scale
    return out


def _closest(faces: list[FaceDetection], expected: np.ndarray) -> np.ndarray:
    """The re-detected face that matches the expected landmarks, else the expected ones.

    Re-detection on the framed square gives more precise points (the face is now large);
    the match guards against picking a neighbour that also shows in the square.
    """
    span = float(np.ptp(expected[:468, 1]))
    best, best_err = None, 0.1 * span
    for face in faces:
        err = float(np.mean(np.linalg.norm(face.landmarks[:468, :2] - expected[:468, :2], axis=1)))
        if err < best_err:
            best, best_err = face.landmarks, err
    return (best if best is not None else expected).astype(np.float32)
