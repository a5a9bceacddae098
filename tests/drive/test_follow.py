"""Which face drives when a video shows several (no MediaPipe needed: detections are given)."""

from __future__ import annotations

import math

import numpy as np

from parlante.drive.follow import FaceFollower
from parlante.face.detection import FaceDetection


def _face(x0: float, y0: float, side: float) -> FaceDetection:
    return FaceDetection(np.zeros((478, 3), np.float32), (x0, y0, x0 + side, y0 + side), math.nan)


def test_the_chosen_face_is_followed_not_the_largest_of_each_frame():
    follower = FaceFollower(25.0, face=1)  # the second largest when first seen
    big, small = _face(0, 0, 200), _face(300, 0, 100)
    follower.faces_seen = 2
    assert follower._choose([big, small]) is small
    follower._last_box, follower._missing = small.box, 0
    # next frame: the small face grew a little, moved, and detections come in another order
    moved = _face(305, 4, 120)
    assert follower._choose([moved, _face(0, 0, 210)]) is moved
    # the driver left the picture: nobody else is taken in its place at once
    assert follower._choose([_face(0, 0, 210)]) is None


def test_after_a_long_absence_the_rank_chooses_again():
    follower = FaceFollower(25.0, face=0)
    follower.faces_seen = 2
    follower._last_box = (300.0, 0.0, 400.0, 100.0)
    follower._missing = 100
    big = _face(0, 0, 200)
    assert follower._choose([big, _face(300, 0, 100)]) is big
