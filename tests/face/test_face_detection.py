"""Face finding: several faces, small faces, no face, and tracking video frames."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from parlante.errors import PortraitError
from parlante.face import FaceMeshDetector, analyze_portrait, detect_faces


@pytest.fixture(scope="module")
def two_faces(astronaut: np.ndarray) -> np.ndarray:
    """(600, 900, 3): the astronaut at full size on the left, at half size on the right.

    The small face is about 50 px in a 900 px picture: MediaPipe's own whole-picture pass
    misses it, so this also exercises the search for small faces.
    """
    image = np.full((600, 900, 3), 200, np.uint8)
    image[50:562, 0:512] = astronaut
    image[200:456, 600:856] = cv2.resize(astronaut, (256, 256), interpolation=cv2.INTER_AREA)
    return image


def _centre(box: tuple[float, float, float, float]) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


def test_faces_come_largest_first_with_landmarks_in_picture_pixels(two_faces):
    faces = detect_faces(two_faces)
    assert len(faces) == 2
    big, small = faces
    assert big.area > 2 * small.area
    assert 0 < _centre(big.box)[0] < 512 < 600 < _centre(small.box)[0] < 856
    for face in faces:
        assert face.landmarks.shape == (478, 3) and face.landmarks.dtype == np.float32
        x0, y0, x1, y1 = face.box
        inside = face.landmarks[:468, :2]
        assert (inside >= (x0 - 1e-3, y0 - 1e-3)).all() and (inside <= (x1 + 1e-3, y1 + 1e-3)).all()
        assert 0.5 <= face.score <= 1.0
    # Depth is on the x scale: the half-size face has about half the depth range.
    depth = [np.ptp(f.landmarks[:468, 2]) for f in faces]
    assert 0.35 < depth[1] / depth[0] < 0.7


def test_face_index_picks_the_face(two_faces, save):
    path = save(two_faces, "pair.png")
    first = analyze_portrait(path)
    second = analyze_portrait(path, face_index=1)
    for rig, lo, hi in ((first, 0, 512), (second, 600, 856)):
        x0, _, side = rig.crop
        assert lo < x0 + side / 2 < hi
    assert second.crop[2] < 0.7 * first.crop[2]  # framed around a face half the size
    with pytest.raises(PortraitError, match=r"pair\.png: .*only 2 faces found"):
        analyze_portrait(path, face_index=2)


@pytest.mark.parametrize(
    "picture",
    [
        np.random.default_rng(1).integers(0, 256, (400, 500, 3), dtype=np.uint8),
        np.full((300, 300, 3), (90, 140, 200), np.uint8),
    ],
    ids=["noise", "flat"],
)
def test_no_face_is_an_error_naming_the_file(picture, save):
    path = save(picture, "scenery.png")
    with pytest.raises(PortraitError, match=r"scenery\.png: no face found$"):
        analyze_portrait(path)


def test_small_face_in_a_large_picture_is_found(astronaut):
    canvas = np.full((1800, 2400, 3), (170, 180, 160), np.uint8)
    tile = cv2.resize(astronaut, (420, 420), interpolation=cv2.INTER_AREA)  # face ~90 px
    canvas[900:1320, 1500:1920] = tile
    with FaceMeshDetector() as detector:
        faces = detector.detect(canvas)
    assert len(faces) >= 1
    centre = _centre(faces[0].box)
    assert 1500 < centre[0] < 1920 and 900 < centre[1] < 1320


def test_tracking_follows_a_moving_face(astronaut):
    """Frames panning across the picture: the landmarks move with the face, pixel for pixel."""
    with FaceMeshDetector(tracking=True) as tracker, FaceMeshDetector() as still:
        reference = still.detect(astronaut[40:440, 40:440])[0].landmarks
        for step in range(6):
            dx, dy = 40 - 6 * step, 40 - 4 * step
            frame = np.ascontiguousarray(astronaut[dy : dy + 400, dx : dx + 400])
            faces = tracker.detect(frame)
            assert len(faces) == 1
            shift = faces[0].landmarks[:468, :2] - reference[:468, :2]
            assert np.allclose(np.median(shift, axis=0), (40 - dx, 40 - dy), atol=2.0)
