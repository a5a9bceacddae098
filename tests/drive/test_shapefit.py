"""The shape fit inverts the renderer's own mouth and brow model, and prefers the smallest
explanation."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.drive.pose import Neutral
from parlante.drive.shapefit import BROWS, FIT_POINTS, FITTED, MOUTH, ShapeFitter
from parlante.motion.channels import CHANNELS, INDEX
from parlante.render import topology as tp
from parlante.render.model import build_deformable


@pytest.fixture(scope="module")
def neutral(rig_a) -> Neutral:
    return Neutral.of(rig_a.landmarks)


@pytest.fixture(scope="module")
def model(neutral):
    return build_deformable(np.asarray(neutral.render_points[: tp.N_FACE], np.float32)).expression


def points_for(model, **codes: float) -> np.ndarray:
    c = np.zeros(len(CHANNELS), np.float32)
    for name, value in codes.items():
        c[INDEX[name]] = value
    return model.deform(c).q[FIT_POINTS, :2]


def fitted(neutral, model, **codes: float) -> dict[str, float]:
    fitter = ShapeFitter(neutral, points_for(model))
    x = fitter.fit(points_for(model, **codes))
    return {c: float(x[INDEX[c]]) for c in MOUTH.channels + BROWS.channels}


def test_rest_points_give_no_codes(neutral, model):
    got = fitted(neutral, model)
    assert max(got.values()) < 0.03, got


@pytest.mark.parametrize(
    ("channel", "value"),
    [
        ("jaw_open", 0.35),
        ("smile", 0.6),
        ("lip_round", 0.6),
        ("lip_spread", 0.6),
        ("brow_raise", 0.6),
        ("brow_furrow", 0.6),
    ],
)
def test_one_shape_is_recovered_without_crosstalk(neutral, model, channel, value):
    got = fitted(neutral, model, **{channel: value})
    # the ridge shrinks a little; the other channels stay small (worst measured: spread
    # 0.6 -> 0.46 with smile 0.12 and mouth_down 0.14, which also widen the mouth; jaw 0.35
    # -> 0.30 with mouth_down 0.17: the jaw's lip corners, deeper than its middle, drop less)
    assert value * 0.7 < got[channel] < value * 1.1, got
    others = [v for k, v in got.items() if k != channel]
    assert max(others) < 0.2, got


def test_a_mixed_mouth_is_recovered(neutral, model):
    got = fitted(neutral, model, jaw_open=0.25, smile=0.5)
    assert abs(got["jaw_open"] - 0.25) < 0.08, got
    assert abs(got["smile"] - 0.5) < 0.2, got
    assert got["lip_round"] < 0.15 and got["mouth_down"] < 0.15, got


def test_only_mouth_and_brow_channels_are_set(neutral, model):
    fitter = ShapeFitter(neutral, points_for(model))
    x = fitter.fit(points_for(model, jaw_open=0.3, brow_raise=0.5, blink_l=1.0))
    others = np.setdiff1d(np.arange(len(CHANNELS)), FITTED)
    assert not x[others].any()
    assert x[INDEX["brow_raise"]] > 0.35 and x[INDEX["jaw_open"]] > 0.2


def test_a_driver_whose_neutral_mouth_is_open_can_close_it(rig_a):
    """Frame 0 (the neutral) shows an open mouth that then shuts: the jaw goes below 0,
    instead of the lips being pressed together under a hanging jaw."""
    from parlante.drive.extract import codes_from_landmarks
    from parlante.face import FaceMeshDetector
    from parlante.render.renderer import Renderer

    renderer = Renderer(rig_a)
    jaws = [0.45, 0.45, 0.3, 0.15, 0.0, 0.0, 0.0, 0.45]
    landmarks = []
    with FaceMeshDetector() as mesh:
        for jaw in jaws:
            c = np.zeros(len(CHANNELS), np.float32)
            c[INDEX["jaw_open"]] = jaw
            landmarks.append(mesh.detect_large(renderer.render(c))[0].landmarks)
    codes, valid, _, _ = codes_from_landmarks(np.stack(landmarks), 25.0, neutral="first")
    assert valid.all()
    jaw = codes[:, INDEX["jaw_open"]]
    # shut: the jaw closed from the open neutral (-0.18: MediaPipe reads the rendered
    # opening, teeth and tongue showing, smaller than the model's)
    assert jaw[4:7].max() < -0.15, jaw
    assert abs(jaw[7]) < 0.1, jaw  # open as at the neutral again
    assert codes[4:7, INDEX["lip_press"]].max() < 0.5, codes[:, INDEX["lip_press"]]
