"""The visible "AI-generated" corner label."""

from __future__ import annotations

import numpy as np
import pytest
from provenance_media import still

from parlante.provenance import add_label


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.any(a != b, axis=-1)


def test_label_is_small_in_its_corner_and_leaves_the_input_alone() -> None:
    frame = np.full((512, 512, 3), 200, np.uint8)
    out = add_label(frame)
    assert np.all(frame == 200)
    ys, xs = np.nonzero(_changed(out, frame))
    assert ys.min() > 512 * 0.8 and xs.min() > 512 * 0.6  # bottom-right
    assert 0.003 < _changed(out, frame).mean() < 0.03  # small


def test_text_is_legible_on_any_background() -> None:
    for level in (0, 128, 255):
        frame = np.full((512, 512, 3), level, np.uint8)
        out = add_label(frame)
        ys, xs = np.nonzero(_changed(out, frame))
        region = out[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1, 0].astype(float)
        glyphs, box = np.percentile(region, 97), np.percentile(region, 40)
        assert glyphs > 200 and glyphs - box > 100, (level, glyphs, box)


def test_label_scales_with_the_frame_and_obeys_the_corner() -> None:
    small = add_label(np.zeros((256, 256, 3), np.uint8) + 90, corner="top-left")
    large = add_label(np.zeros((1024, 1024, 3), np.uint8) + 90, corner="top-left")
    area_small = _changed(small, np.full_like(small, 90)).sum()
    area_large = _changed(large, np.full_like(large, 90)).sum()
    assert 8 < area_large / area_small < 24
    ys, xs = np.nonzero(_changed(small, np.full_like(small, 90)))
    assert ys.max() < 256 * 0.2 and xs.max() < 256 * 0.6


def test_label_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="corner"):
        add_label(still("camera"), corner="middle")
    with pytest.raises(ValueError, match="uint8"):
        add_label(np.zeros((64, 64), np.uint8))
