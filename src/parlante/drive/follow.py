"""Following one face through a driving video, frame by frame (a file or a live stream).

MediaPipe's tracking mesh follows faces from frame to frame. When the video shows several
people, the driver is chosen once (the ``face``-th largest when first seen) and then
followed by overlap with its last box, so it does not swap with a neighbour; when it is
lost for longer than ``REACQUIRE_S`` the choice is made afresh.
"""

from __future__ import annotations

import math

import numpy as np

from parlante.face.detection import FaceDetection, FaceMeshDetector, box_iou

REACQUIRE_S = 1.0
"""Seconds without the driver after which any face of the right rank is taken again."""
MIN_IOU = 0.2
"""Overlap with the driver's last box that a detection needs to be the driver."""
MAX_TRACKED = 4
SETTLE_PASSES = 4
"""Extra tracker passes over the frame where the driver is (re)found."""


class FaceFollower:
    """``push(frame)`` -> the driver's (478, 3) landmarks in that frame's pixels, or None.

    face: which face drives, 0 = the largest when first seen. double_pass: see ``push``.
    Use as a context manager or call ``close``.
    """

    def __init__(self, fps: float, face: int = 0, *, double_pass: bool = True) -> None:
        if face < 0:
            raise ValueError(f"face index must be >= 0, got {face}")
        self.face = face
        self.double_pass = double_pass
        """Track every frame twice and average (steadier, ~2x the cost)."""
        self._reacquire = max(1, math.ceil(REACQUIRE_S * fps))
        self._detector: FaceMeshDetector | None = None
        self._last_box: tuple[float, float, float, float] | None = None
        self._missing = 1  # frames since the driver was last seen (none seen yet)
        self.faces_seen = 0
        """Most faces found in any one frame so far."""

    def __enter__(self) -> FaceFollower:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._detector is not None:
            self._detector.close()
            self._detector = None

    def push(self, frame: np.ndarray) -> np.ndarray | None:
        """Landmarks of the driver in ``frame`` ((H, W, 3) uint8 RGB), or None if not seen."""
        if self._detector is None:
            self._detector = self._open(frame)
            if self._detector is None:
                self._missing += 1
                return None
        faces = self._detector.detect(frame)
        if faces and self._missing:
            # A face just (re)found comes from the detector's box; the tracker then
            # settles over a few frames (its box comes from its own last points), ~2 % in
            # size. Settling on this frame first keeps a neutral taken here comparable.
            for _ in range(SETTLE_PASSES):
                faces = self._detector.detect(frame) or faces
        self.faces_seen = max(self.faces_seen, len(faces))
        chosen = self._choose(faces)
        if chosen is None:
            self._missing += 1
            return None
        self._missing = 0
        self._last_box = chosen.box
        if not self.double_pass:
            return chosen.landmarks
        # The tracker can settle into a two-frame cycle (its next box comes from its own
        # points): on a still face the points then flicker by ~1 % of the face, a couple of
        # degrees of yaw. A second pass on the same frame lands on the other phase of the
        # cycle; the mean of the two is steady.
        again = self._detector.detect(frame)
        ious = [box_iou(f.box, chosen.box) for f in again]
        if not ious or max(ious) < 0.5:
            return chosen.landmarks
        other = again[int(np.argmax(ious))].landmarks
        return 0.5 * (chosen.landmarks + other)

    def _open(self, frame: np.ndarray) -> FaceMeshDetector | None:
        """A tracking detector following enough faces to hold the driver, made at the first
        frame that shows a face (None before).

        With one face in view the mesh tracks one; with several, it must track them all
        (up to ``MAX_TRACKED``) so that the largest, or the asked-for one, is among them.
        """
        with FaceMeshDetector(min_face=0) as still:
            count = len(still.detect(frame))
        if count == 0:
            return None
        wanted = max(count, self.face + 1)
        return FaceMeshDetector(tracking=True, max_faces=min(wanted, MAX_TRACKED), min_face=0)

    def _choose(self, faces: list[FaceDetection]) -> FaceDetection | None:
        if not faces:
            return None
        if self._last_box is None or self._missing >= self._reacquire:
            return faces[self.face] if self.face < len(faces) else None
        ious = [box_iou(f.box, self._last_box) for f in faces]
        best = int(np.argmax(ious))
        if ious[best] >= MIN_IOU:
            return faces[best]
        if len(faces) == 1 and self.faces_seen <= 1 and self.face == 0:
            return faces[0]  # a lone face that moved fast: still the driver
        return None
