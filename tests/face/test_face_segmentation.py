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


def test_the_strip_beside_the_person_continues_a_patterned_background():
    """A turning head uncovers the plate next to its outline: there a striped backdrop must
    stay striped (mirrored across the outline), not turn into a flat smear of its colours."""
    side = 256
    xx = np.arange(side)[None, :].repeat(side, 0)
    stripes = np.where((xx // 8) % 2 == 0, 40, 210).astype(np.uint8)
    image = np.dstack([stripes, stripes // 2 + 60, 255 - stripes])
    mask = np.zeros((side, side), np.float32)
    yy = np.arange(side)[:, None]
    mask[((xx - 128) / 60.0) ** 2 + ((yy - 140) / 90.0) ** 2 < 1.0] = 1.0
    image[mask > 0] = (200, 150, 120)  # the "person"
    plate = background_plate(image, mask)
    # Columns just inside the outline, on the person's middle rows.
    rows = slice(120, 160)
    strip = plate[rows, 70:80, 0].astype(float)
    assert strip.std() > 0.3 * stripes.std()
    # and still no trace of the person there
    assert np.abs(strip - 200).mean() > 30
    # Deep inside, the smooth fill: no stripes, no person.
    centre = plate[rows, 120:136, 0].astype(float)
    assert centre.std() < 0.3 * stripes.std()
