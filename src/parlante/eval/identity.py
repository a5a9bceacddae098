"""Face identity embeddings with dlib's ResNet model (the optional ``parlante[eval]`` extra).

128-D embeddings; two faces whose Euclidean distance is below 0.6 are the same person by the
model's own convention. ~150 ms per face and shift on one core. The 68-point model behind it was
trained on data for non-commercial research: it is used here for evaluation only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from parlante.eval.track import FaceCrop

SAME_PERSON = 0.6
INSTALL_HINT = "install parlante[eval] for identity"
STEADY_SHIFTS: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.5, 0.5))
"""Sub-pixel (dx, dy) shifts an embedding is averaged over. One dlib embedding jumps with an
invisible shift: on the 42 real clips a face against itself moved 0.25 px differed by 0.044 on
average and 0.24 at worst, which moved a median identity distance by +-0.004. Averaged over these
four half-pixel shifts it differs by 0.024 (worst 0.10); integer shifts do less (0.031)."""


def _models_dir() -> Path | None:
    """Folder of the face_recognition_models data files, found without importing the package
    (its __init__ needs the deprecated pkg_resources)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    return folder if (folder / "dlib_face_recognition_resnet_model_v1.dat").is_file() else None


def identity_available() -> bool:
    """True when dlib and the face_recognition_models files are installed."""
    return importlib.util.find_spec("dlib") is not None and _models_dir() is not None


def shifted(crop: FaceCrop, dx: float, dy: float) -> FaceCrop:
    """``crop`` moved by (dx, dy) pixels, bilinear, with reflected borders and moved landmarks."""
    if dx == 0 and dy == 0:
        return crop
    h, w = crop.image.shape[:2]
    move = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
    image = cv2.warpAffine(
        crop.image, move, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    landmarks = crop.landmarks.copy()
    landmarks[:, :2] += (dx, dy)
    return FaceCrop(crop.index, image, landmarks)


class FaceEmbedder:
    """Loads dlib's HOG detector, 68-point predictor and recognition model once.

    ``shifts``: the (dx, dy) pixel shifts each embedding is averaged over (see STEADY_SHIFTS);
    ``((0, 0),)`` gives dlib's single embedding at a quarter of the cost.
    """

    def __init__(self, shifts: Sequence[tuple[float, float]] = STEADY_SHIFTS) -> None:
        import dlib

        if not shifts:
            raise ValueError("FaceEmbedder needs at least one shift")
        self.shifts = tuple((float(dx), float(dy)) for dx, dy in shifts)

        models = _models_dir()
        if models is None:
            raise ImportError(INSTALL_HINT)
        self._dlib: Any = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(models / "shape_predictor_68_face_landmarks.dat"))
        self._net = dlib.face_recognition_model_v1(
            str(models / "dlib_face_recognition_resnet_model_v1.dat")
        )

    def _box(self, crop: FaceCrop) -> Any:
        """dlib's own detection when it finds the face, else a box from the mesh points
        (eyebrows to chin, cheek to cheek: the framing the 68-point model was trained on)."""
        found = self._detector(crop.image, 0)
        if len(found):
            return max(found, key=lambda r: r.area())
        xy = crop.landmarks[:, :2]
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        top = y0 + 0.25 * (y1 - y0)
        return self._dlib.rectangle(int(x0), int(top), int(x1), int(y1))

    def embed(self, crop: FaceCrop) -> np.ndarray:
        """(128,) float64 embedding of the face in ``crop``, the mean over ``self.shifts``."""
        return np.mean([self._embed_once(shifted(crop, dx, dy)) for dx, dy in self.shifts], axis=0)

    def _embed_once(self, crop: FaceCrop) -> np.ndarray:
        image = np.ascontiguousarray(crop.image)
        shape = self._shape(image, self._box(crop))
        return np.asarray(self._net.compute_face_descriptor(image, shape), np.float64)
