"""Face identity embeddings with dlib's ResNet model (the optional ``parlante[eval]`` extra).

128-D embeddings; two faces whose Euclidean distance is below 0.6 are the same person by the
model's own convention. ~150 ms per face on one core. The 68-point model behind it was trained
on data for non-commercial research: it is used here for evaluation only.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from parlante.eval.track import FaceCrop

SAME_PERSON = 0.6
INSTALL_HINT = "install parlante[eval] for identity"


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


class FaceEmbedder:
    """Loads dlib's HOG detector, 68-point predictor and recognition model once."""

    def __init__(self) -> None:
        import dlib

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
        """(128,) float64 embedding of the face in ``crop``."""
        image = np.ascontiguousarray(crop.image)
        shape = self._shape(image, self._box(crop))
        return np.asarray(self._net.compute_face_descriptor(image, shape), np.float64)
