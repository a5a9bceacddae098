"""Finding faces and their 478 MediaPipe face-mesh landmarks in a picture or a video frame.

MediaPipe's face mesh finds faces with its short-range detector, which misses small faces
in large pictures and some paintings. In still-image mode the full-range and short-range
face detectors are therefore also run, and every face they see that the mesh missed gets
the mesh run again on an enlarged crop around it. Faces too small for a whole-image pass are
looked for with the full-range detector on overlapping tiles at a few scales.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import cv2
import numpy as np

from parlante.face.framing import Square, cut_square

N_LANDMARKS = 478
DETECT_SIDE = 1600
"""Pictures with a longer side are downscaled to this for the whole-image passes."""
CROP_SIDE = 320
"""Side, in pixels, of the enlarged crops the mesh is re-run on around detector boxes."""
CROP_ENLARGE = 2.0
"""Crop side as a multiple of the detector box's larger side."""
TILE_SIDE = 384
"""Tiles searched for small faces are downscaled to at most this many pixels."""


@dataclass
class FaceDetection:
    """One face in one image."""

    landmarks: np.ndarray
    """(478, 3) float32 pixels of the image: x right, y down, z on the x scale (smaller z
    is nearer the camera)."""
    box: tuple[float, float, float, float]
    """(x0, y0, x1, y1) pixels: bounds of the 468 face points."""
    score: float
    """Face-detector confidence in [0, 1]; NaN where no detector box matched the face
    (always in tracking mode)."""

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return (x1 - x0) * (y1 - y0)


@dataclass
class _Box:
    box: tuple[float, float, float, float]
    score: float


@dataclass
class FaceMeshDetector:
    """Holds the MediaPipe graphs; reuse one instance for many images or video frames.

    tracking=False: every image is independent (portraits, random frames).
    tracking=True: consecutive frames of one video; the mesh follows the face from frame to
    frame (faster, steadier) and the still-image search runs only when it loses the face.
    Not thread-safe: one instance per thread. Use as a context manager or call ``close``.
    """

    max_faces: int | None = None
    """Most faces reported; default 8 for still images, 1 when tracking (the tracker runs
    its face detector on every frame until it follows this many faces)."""
    tracking: bool = False
    min_confidence: float = 0.5
    min_face: int = 40
    """Smallest face, in pixels, that a thorough search (tiling) looks for; faces under 1/40
    of the picture's long side are never looked for. Without tiling, faces under ~8% of the
    long side can be missed."""
    _graphs: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __enter__(self) -> FaceMeshDetector:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the MediaPipe graphs (the detector can still be used; they reload)."""
        for graph in self._graphs.values():
            graph.close()
        self._graphs.clear()

    def detect(self, image: np.ndarray, *, thorough: bool = False) -> list[FaceDetection]:
        """Faces in ``image`` ((H, W, 3) uint8 RGB), largest first.

        thorough=True also searches overlapping tiles for small faces (~0.1-0.3 s more for a
        2 MP picture); otherwise tiles are searched only when nothing else was found.
        """
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {image.shape}")
        image = np.ascontiguousarray(image)
        if self.tracking:
            faces = self._mesh(self._graph("track"), image, (0.0, 0.0), 1.0)
            if faces:
                return _sorted([FaceDetection(lm, _bounds(lm), math.nan) for lm in faces])
        return self._detect_still(image, thorough)

    def detect_large(self, image: np.ndarray) -> list[FaceDetection]:
        """Faces of a picture known to show a large face (a framed portrait): mesh pass only.

        Several times cheaper than ``detect``; may miss faces under ~20% of the picture.
        """
        faces = self._mesh(self._graph("still"), np.ascontiguousarray(image), (0.0, 0.0), 1.0)
        return _sorted([FaceDetection(lm, _bounds(lm), math.nan) for lm in faces])

    # -- still images -------------------------------------------------------------------

    def _detect_still(self, image: np.ndarray, thorough: bool) -> list[FaceDetection]:
        height, width = image.shape[:2]
        scale = min(1.0, DETECT_SIDE / max(height, width))
        small = image
        if scale < 1.0:
            size = (round(width * scale), round(height * scale))
            small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        back = 1.0 / scale
        faces = self._mesh(self._graph("still"), small, (0.0, 0.0), back)
        boxes = _suppress(self._boxes(small, (0.0, 0.0), back))
        self._add_missed(image, faces, boxes)
        if self.min_face > 0 and (thorough or not faces):
            tiled = [
                b
                for b in self._tiled_boxes(image)
                if all(box_iou(b.box, o.box) < 0.3 for o in boxes)
            ]
            tiled = _suppress(tiled)
            self._add_missed(image, faces, tiled)
            boxes += tiled
        detections: list[FaceDetection] = []
        for lm in faces:
            box = _bounds(lm)
            if any(box_iou(box, d.box) > 0.5 for d in detections):
                continue
            ious = [box_iou(box, b.box) for b in boxes]
            best = int(np.argmax(ious)) if ious else -1
            score = boxes[best].score if best >= 0 and ious[best] > 0.2 else math.nan
            detections.append(FaceDetection(lm, box, score))
        return _sorted(detections)

    def _add_missed(self, image: np.ndarray, faces: list[np.ndarray], boxes: list[_Box]) -> None:
        """Append to ``faces`` the mesh of each detector box that no face covers yet."""
        for cand in boxes:
            if any(_covers(_bounds(lm), cand.box) for lm in faces):
                continue
            found = self._mesh_around(image, cand.box)
            if found is not None:
                faces.append(found)

    def _mesh_around(
        self, image: np.ndarray, box: tuple[float, float, float, float]
    ) -> np.ndarray | None:
        """Run the mesh on an enlarged square crop around a detector box; map back."""
        x0, y0, x1, y1 = box
        side = CROP_ENLARGE * max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        square = Square(round(cx - side / 2), round(cy - side / 2), max(1, round(side)))
        crop, _ = cut_square(image, square, CROP_SIDE)
        faces = self._mesh(
            self._graph("still"), crop, (square.x0, square.y0), square.side / CROP_SIDE
        )
        best = None
        for lm in faces:
            lb = _bounds(lm)
            ratio = (lb[2] - lb[0]) / max(x1 - x0, 1e-6)
            if (
                0.5 < ratio < 2.0
                and _covers(lb, box)
                and (best is None or _dist(lb, (cx, cy)) < _dist(_bounds(best), (cx, cy)))
            ):
                best = lm
        return best

    def _boxes(
        self,
        image: np.ndarray,
        offset: tuple[float, float],
        scale: float,
        models: tuple[str, ...] = ("detect0", "detect1"),
    ) -> list[_Box]:
        """Face-detector boxes (short- and full-range models) in original pixels."""
        height, width = image.shape[:2]
        found: list[_Box] = []
        for key in models:
            result = self._graph(key).process(image)
            for det in result.detections or []:
                rel = det.location_data.relative_bounding_box
                bx0 = offset[0] + rel.xmin * width * scale
                by0 = offset[1] + rel.ymin * height * scale
                box = (bx0, by0, bx0 + rel.width * width * scale, by0 + rel.height * height * scale)
                found.append(_Box(box, float(det.score[0])))
        return found

    def _tiled_boxes(self, image: np.ndarray) -> list[_Box]:
        """Full-range detector boxes over overlapping tiles at several scales.

        That detector sees faces down to ~8% of its input, so tiles shrink by 1.5x per level
        until faces of ``min_face`` px (or 1/40 of the long side, if larger) fill 10% of one.
        """
        height, width = image.shape[:2]
        long_side = max(height, width)
        smallest = 10 * max(self.min_face, long_side / 40)
        found: list[_Box] = []
        tile = long_side / 1.6
        while tile >= smallest:
            side = round(tile)
            for ty in _starts(height, side):
                for tx in _starts(width, side):
                    part = image[ty : ty + side, tx : tx + side]
                    scale = min(1.0, TILE_SIDE / max(part.shape[:2]))
                    if scale < 1.0:
                        size = (round(part.shape[1] * scale), round(part.shape[0] * scale))
                        part = cv2.resize(part, size, interpolation=cv2.INTER_AREA)
                    part = np.ascontiguousarray(part)
                    found.extend(self._boxes(part, (tx, ty), 1.0 / scale, ("detect1",)))
            tile /= 1.5
        return found

    # -- MediaPipe ----------------------------------------------------------------------

    def _mesh(
        self, graph: Any, image: np.ndarray, offset: tuple[float, float], scale: float
    ) -> list[np.ndarray]:
        """Landmarks of every face the mesh graph finds, in original-image pixels."""
        height, width = image.shape[:2]
        result = graph.process(image)
        faces = []
        for face in result.multi_face_landmarks or []:
            pts = np.array([(p.x, p.y, p.z) for p in face.landmark], dtype=np.float64)
            if len(pts) != N_LANDMARKS:
                continue
            out = np.empty((N_LANDMARKS, 3), dtype=np.float32)
            out[:, 0] = offset[0] + pts[:, 0] * width * scale
            out[:, 1] = offset[1] + pts[:, 1] * height * scale
            out[:, 2] = pts[:, 2] * width * scale
            faces.append(out)
        return faces

    def _graph(self, key: str) -> Any:
        graph = self._graphs.get(key)
        if graph is None:
            from mediapipe.python.solutions import face_detection, face_mesh

            if key in ("still", "track"):
                default = 8 if key == "still" else 1
                graph = face_mesh.FaceMesh(
                    static_image_mode=key == "still",
                    max_num_faces=self.max_faces or default,
                    refine_landmarks=True,
                    min_detection_confidence=self.min_confidence,
                    min_tracking_confidence=0.5,
                )
            else:
                graph = face_detection.FaceDetection(
                    model_selection=int(key[-1]), min_detection_confidence=self.min_confidence
                )
            self._graphs[key] = graph
        return graph


def detect_faces(
    image: np.ndarray, *, max_faces: int = 8, thorough: bool = True
) -> list[FaceDetection]:
    """Faces in one (H, W, 3) uint8 RGB image, largest first (a one-off FaceMeshDetector).

    Thorough by default: small faces are searched for too (see ``FaceMeshDetector.detect``).
    """
    with FaceMeshDetector(max_faces=max_faces) as detector:
        return detector.detect(image, thorough=thorough)


def _suppress(boxes: list[_Box]) -> list[_Box]:
    """Non-maximum suppression: the most confident of overlapping boxes."""
    kept: list[_Box] = []
    for cand in sorted(boxes, key=lambda b: -b.score):
        if all(box_iou(cand.box, other.box) < 0.3 for other in kept):
            kept.append(cand)
    return kept


def _starts(length: int, tile: int) -> list[int]:
    """Tile origins along one axis: overlapping by >= 30% and ending flush with the edge."""
    if tile >= length:
        return [0]
    count = math.ceil((length - tile) / (0.7 * tile)) + 1
    return [round(v) for v in np.linspace(0, length - tile, count)]


def _sorted(faces: list[FaceDetection]) -> list[FaceDetection]:
    return sorted(faces, key=lambda f: -f.area)


def _bounds(landmarks: np.ndarray) -> tuple[float, float, float, float]:
    pts = landmarks[:468, :2]
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes (0 when they do not overlap)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _covers(face: tuple[float, ...], box: tuple[float, ...]) -> bool:
    """Whether a detector box is the same face as a landmark box."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return (face[0] <= cx <= face[2] and face[1] <= cy <= face[3]) or box_iou(face, box) > 0.3


def _dist(box: tuple[float, ...], point: tuple[float, float]) -> float:
    return math.hypot((box[0] + box[2]) / 2 - point[0], (box[1] + box[3]) / 2 - point[1])
