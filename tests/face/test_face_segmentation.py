"""Person mask and background plate."""

from __future__ import annotations

import numpy as np

from parlante.face.segmentation import background_plate, face_hull_mask, refine_mask


def test_mask_covers_the_face_and_not_the_corners(astronaut_rig):
    mask = astronaut_rig.person_mask
    size = astronaut_rig.size
    assert mask.shape == (size, size) and mask.dtype == np.float32
    assert mask.min() >= 0.0 and mask.max() <= 1.0
    hull = face_hull_mask(astronaut_rig.landmarks, size) > 0.99
    assert mask[hull].min() > 0.95
    corner = size // 10
    assert mask[:corner, :corner].mean() < 0.2 and mask[:corner, -corner:].mean() < 0.2
    # Soft edges: some pixels strictly between 0 and 1 along the outline.
    assert ((mask > 0.05) & (mask < 0.95)).sum() > size


def test_a_segmenter_that_misses_the_face_is_overruled(astronaut_rig):
    """A painting can fool the segmenter entirely: face and shoulders must still be person."""
    rig = astronaut_rig
    mask = refine_mask(rig.image, np.zeros(rig.person_mask.shape, np.float32), rig.landmarks)
    hull = face_hull_mask(rig.landmarks, rig.size) > 0.99
    assert mask[hull].min() > 0.95
    chin_x, chin_y = rig.landmarks[152, :2]
    below = mask[round(chin_y) + 20 : rig.size - 5, round(chin_x) - 10 : round(chin_x) + 10]
    assert below.mean() > 0.8  # neck and body filled in
    assert mask[:20, :20].mean() < 0.05


def test_plate_keeps_background_and_removes_the_person(astronaut_rig):
    rig = astronaut_rig
    plate = rig.background
    assert plate.shape == rig.image.shape and plate.dtype == np.uint8
    far = background_far_from_person(rig.person_mask)
    assert far.any()
    assert np.array_equal(plate[far], rig.image[far])
    hull = face_hull_mask(rig.landmarks, rig.size) > 0.99
    change = np.abs(plate[hull].astype(float) - rig.image[hull]).mean()
    assert change > 25  # the face is gone from the plate
    # The fill is smooth (no face detail left): low local variation inside the face.
    inner = plate[hull].astype(float)
    assert inner.std(axis=0).max() < rig.image[hull].std(axis=0).max()


def test_plate_of_an_empty_mask_is_the_image(astronaut_rig):
    rig = astronaut_rig
    empty = np.zeros(rig.person_mask.shape, np.float32)
    assert np.array_equal(background_plate(rig.image, empty), rig.image)


def background_far_from_person(mask: np.ndarray) -> np.ndarray:
    """Pixels more than 8% of the side away from any person pixel."""
    import cv2

    margin = round(0.08 * mask.shape[0])
    grown = cv2.dilate((mask > 0.01).astype(np.uint8), np.ones((2 * margin + 1,) * 2, np.uint8))
    return grown == 0
