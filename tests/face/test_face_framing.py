"""Framing: face size and position in the square, head_distance, and padding past edges."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.face import analyze_portrait
from parlante.face.framing import face_fraction


def test_astronaut_is_framed_head_and_shoulders(astronaut_rig):
    rig = astronaut_rig
    size = rig.size
    assert rig.image.shape == (512, 512, 3) and rig.image.dtype == np.uint8
    assert rig.landmarks.shape == (478, 3) and rig.landmarks.dtype == np.float32
    xy = rig.landmarks[:, :2]
    assert (xy > 0).all() and (xy < size).all()
    assert 0.40 <= face_fraction(rig.landmarks, size) <= 0.50
    # Head a little above centre, horizontally centred.
    eyes = rig.landmarks[[33, 263], :2]
    assert 0.33 * size < eyes[:, 1].mean() < 0.47 * size
    assert abs(rig.landmarks[[10, 152], 0].mean() - size / 2) < 0.08 * size
    # Eyes roughly level (the astronaut's head is nearly upright).
    run, rise = np.abs(eyes[1] - eyes[0])
    assert rise < 0.1 * run


def test_crop_maps_the_square_back_to_the_source(astronaut, astronaut_rig):
    x0, y0, side = astronaut_rig.crop
    scale = astronaut_rig.size / side
    # The left eye corner, mapped back, sits on the same spot of the source picture.
    u, v = astronaut_rig.landmarks[33, :2]
    x, y = round(x0 + u / scale), round(y0 + v / scale)
    patch_src = astronaut[y - 3 : y + 4, x - 3 : x + 4].astype(float).mean(axis=(0, 1))
    iu, iv = round(float(u)), round(float(v))
    k = max(1, round(3 * scale))
    patch_rig = astronaut_rig.image[iv - k : iv + k + 1, iu - k : iu + k + 1].mean(axis=(0, 1))
    assert np.abs(patch_src - patch_rig).max() < 25


def test_head_distance_moves_the_camera(astronaut, astronaut_rig):
    near = analyze_portrait(astronaut, head_distance=0.8, size=256)
    far = analyze_portrait(astronaut, head_distance=1.3, size=256)
    fractions = [face_fraction(r.landmarks, r.size) for r in (near, astronaut_rig, far)]
    assert fractions[0] > fractions[1] * 1.1 and fractions[2] < fractions[1] / 1.1
    assert near.size == far.size == 256


@pytest.mark.parametrize(
    "kwargs", [{"head_distance": 0.5}, {"head_distance": 2.5}, {"size": 128}, {"size": 2048}]
)
def test_out_of_range_arguments_are_refused(astronaut, kwargs):
    with pytest.raises(ValueError):
        analyze_portrait(astronaut, **kwargs)


def test_padding_past_the_edge_has_no_black_bars(astronaut):
    """A face near the top-left corner: the square reaches past two edges and gets filled."""
    bright = (60 + 0.75 * astronaut.astype(np.float32)).astype(np.uint8)  # no black anywhere
    picture = np.ascontiguousarray(bright[60:, 170:])  # face now ~10 px from the left edge
    rig = analyze_portrait(picture)
    x0, y0, side = rig.crop
    assert x0 < 0  # the square does reach past the left edge
    band = round(-x0 * rig.size / side)
    assert band >= 20
    filled = rig.image[:, : band - 2].astype(np.float32).mean(axis=2)
    assert filled.min() > 30 and filled.mean() > 60
    # No seam: the filled band starts where the picture ends (similar brightness).
    seam = np.abs(
        rig.image[:, band - 3].astype(float).mean(axis=1) - rig.image[:, band + 2].mean(axis=1)
    )
    assert np.median(seam) < 25
