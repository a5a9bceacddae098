"""The identity embedding is steady under shifts no eye can see."""

from __future__ import annotations

import numpy as np
import pytest
from eval_media import Face

from parlante.eval.identity import FaceEmbedder, identity_available, shifted
from parlante.eval.track import FaceCrop

needs_dlib = pytest.mark.skipif(not identity_available(), reason="needs parlante[eval] (dlib)")
INVISIBLE = ((0.25, 0.0), (0.0, 0.25), (0.75, 0.0), (0.0, 0.75))


def test_shifted_crop_moves_pixels_and_landmarks_together(face: Face) -> None:
    crop = FaceCrop(-1, face.image, face.points)
    moved = shifted(crop, 1.0, 0.0)
    assert np.array_equal(moved.image[:, 1:], crop.image[:, :-1])
    assert np.allclose(moved.landmarks[:, 0], crop.landmarks[:, 0] + 1.0)
    assert np.array_equal(moved.landmarks[:, 1:], crop.landmarks[:, 1:])
    assert shifted(crop, 0.0, 0.0) is crop


@needs_dlib
def test_averaged_embedding_jitters_less_than_a_single_one(face: Face) -> None:
    crop = FaceCrop(-1, face.image, face.points)

    def jitter(embedder: FaceEmbedder) -> float:
        ref = embedder.embed(crop)
        moved = [embedder.embed(shifted(crop, dx, dy)) for dx, dy in INVISIBLE]
        return float(np.mean([np.linalg.norm(e - ref) for e in moved]))

    assert jitter(FaceEmbedder()) < 0.85 * jitter(FaceEmbedder(shifts=((0.0, 0.0),)))


@needs_dlib
def test_embedder_without_shifts_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one shift"):
        FaceEmbedder(shifts=())
