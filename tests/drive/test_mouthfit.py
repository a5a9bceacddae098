"""The mouth fit inverts the renderer's own mouth model, and prefers the smallest explanation."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.drive.mouthfit import LIP_POINTS, MOUTH_CHANNELS, MouthFitter, put_mouth
from parlante.drive.pose import Neutral
from parlante.motion.channels import CHANNELS, INDEX
from parlante.render import topology as tp
from parlante.render.model import build_deformable


@pytest.fixture(scope="module")
def neutral(rig_a) -> Neutral:
    return Neutral.of(rig_a.landmarks)


@pytest.fixture(scope="module")
def model(neutral):
    return build_deformable(np.asarray(neutral.render_points[: tp.N_FACE], np.float32)).expression


def lips_for(model, **codes: float) -> np.ndarray:
    c = np.zeros(len(CHANNELS), np.float32)
    for name, value in codes.items():
        c[INDEX[name]] = value
    return model.deform(c).q[LIP_POINTS, :2]


def fitted(neutral, model, **codes: float) -> dict[str, float]:
    fitter = MouthFitter(neutral, lips_for(model))
    x = fitter.fit(lips_for(model, **codes))
    return dict(zip(MOUTH_CHANNELS, x.tolist(), strict=True))


def test_rest_lips_give_no_mouth_codes(neutral, model):
    got = fitted(neutral, model)
    assert max(got.values()) < 0.03, got


@pytest.mark.parametrize(
    ("channel", "value"),
    [("jaw_open", 0.35), ("smile", 0.6), ("lip_round", 0.6), ("lip_spread", 0.6)],
)
def test_one_shape_is_recovered_without_crosstalk(neutral, model, channel, value):
    got = fitted(neutral, model, **{channel: value})
    # the ridge shrinks a little; the other channels stay small (worst measured: spread
    # 0.6 -> 0.46 with smile 0.12 and mouth_down 0.14, which also widen the mouth)
    assert value * 0.7 < got[channel] < value * 1.1, got
    others = [v for k, v in got.items() if k != channel]
    assert max(others) < 0.16, got


def test_a_mixed_mouth_is_recovered(neutral, model):
    got = fitted(neutral, model, jaw_open=0.25, smile=0.5)
    assert abs(got["jaw_open"] - 0.25) < 0.08, got
    assert abs(got["smile"] - 0.5) < 0.15, got
    assert got["lip_round"] < 0.15 and got["mouth_down"] < 0.15, got


def test_fitted_codes_land_in_their_channels():
    codes = np.zeros((3, len(CHANNELS)))
    mouth = np.tile(np.linspace(0.1, 0.7, len(MOUTH_CHANNELS)), (3, 1))
    put_mouth(codes, mouth)
    for k, name in enumerate(MOUTH_CHANNELS):
        assert np.allclose(codes[:, INDEX[name]], mouth[:, k])
    others = [i for i, c in enumerate(CHANNELS) if c not in MOUTH_CHANNELS]
    assert not codes[:, others].any()
