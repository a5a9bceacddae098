"""Portraits for the face stage's tests, all made from skimage's astronaut photo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import skimage.data
from PIL import Image

from parlante.face import FaceRig, analyze_portrait


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """(512, 512, 3) uint8 RGB, one frontal face about 110 px wide."""
    return skimage.data.astronaut()


@pytest.fixture(scope="session")
def astronaut_rig(astronaut: np.ndarray) -> FaceRig:
    return analyze_portrait(astronaut)


@pytest.fixture
def save(tmp_path: Path) -> Callable[..., Path]:
    """save(array_or_image, name, **pillow_options) -> path of the written file."""

    def _save(picture: np.ndarray | Image.Image, name: str, **options: object) -> Path:
        path = tmp_path / name
        image = Image.fromarray(picture) if isinstance(picture, np.ndarray) else picture
        image.save(path, **options)
        return path

    return _save
