"""Zero-phase smoothing, gap bridging, resampling and part selection on synthetic codes."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.drive.retarget import PARTS, parse_parts, retarget
from parlante.drive.smooth import EASE_S, bridge_gaps, euro_settings, smooth_codes, zero_phase
from parlante.motion.channels import CHANNELS, INDEX, RANGES
from parlante.motion.codes import Motion
from parlante.motion.resample import resample_motion

FPS = 25.0


def test_zero_phase_smoothing_removes_jitter_without_lag():
    rng = np.random.default_rng(0)
    t = np.arange(200) / FPS
    clean = 8.0 * np.sin(2 * np.pi * 0.5 * t)
    noisy = clean + rng.normal(0, 0.6, t.size)
    out = zero_phase(noisy, FPS, euro_settings("yaw"))
    jitter = lambda x: np.abs(np.diff(x, 2)).mean()  # noqa: E731
    assert jitter(out) < 0.3 * jitter(noisy)
    assert np.abs(out - clean).mean() < 0.75 * np.abs(noisy - clean).mean()
    lags = np.arange(-5, 6)
    xc = [np.dot(np.roll(out, k)[10:-10], clean[10:-10]) for k in lags]
    assert lags[int(np.argmax(xc))] == 0


def test_blinks_stay_sharp_and_in_place():
    codes = np.zeros((60, len(CHANNELS)), np.float32)
    codes[30:34, INDEX["blink_l"]] = [0.6, 1.0, 0.9, 0.4]
    out = smooth_codes(codes, FPS)
    blink = out[:, INDEX["blink_l"]]
    assert blink.max() > 0.85 and int(np.argmax(blink)) == 31
    assert blink[:28].max() < 0.05 and blink[36:].max() < 0.05  # not smeared out


def test_gap_is_held_then_eased_back_without_a_jump():
    n = 80
    values = np.zeros((n, 2))
    values[:, 0] = np.linspace(0, 8, n)
    values[:, 1] = 0.3
    valid = np.ones(n, bool)
    valid[30:45] = False
    values[30:45] = 1e3  # whatever the tracker said there must not show
    out = bridge_gaps(values, valid, FPS)
    np.testing.assert_allclose(out[30:45, 0], values[29, 0])
    steps = np.abs(np.diff(out[:, 0]))
    normal = np.abs(np.diff(values[:30, 0])).max()
    jump = values[45, 0] - values[29, 0]
    assert steps.max() < normal + 0.25 * jump  # the jump is spread over the glide
    ease = round(EASE_S * FPS)
    np.testing.assert_allclose(out[45 + ease :, 0], values[45 + ease :, 0])


def test_frames_before_the_first_face_take_its_codes():
    values = np.arange(10, dtype=float)[:, None] * np.ones((1, 3))
    valid = np.arange(10) >= 4
    out = bridge_gaps(values, valid, FPS)
    np.testing.assert_allclose(out[:4], values[4][None].repeat(4, 0))


def test_resampling_keeps_time_and_short_blinks():
    m = Motion.zeros(120, 60.0)
    m.channel("yaw")[:] = np.linspace(0, 12, 120)
    m.channel("blink_r")[50:52] = 1.0  # 2 frames at 60 fps
    out = resample_motion(m, 25.0)
    assert len(out) == 50 and out.fps == 25.0
    np.testing.assert_allclose(
        out.channel("yaw")[20], np.interp(20 / 25, np.arange(120) / 60, m.channel("yaw")), atol=1e-4
    )
    assert out.channel("blink_r").max() == 1.0


def test_parts_take_their_channels_from_the_driver_and_the_rest_from_the_base():
    driven = Motion(np.full((40, len(CHANNELS)), 0.5, np.float32), FPS)
    base = Motion(np.full((40, len(CHANNELS)), 0.1, np.float32), FPS)
    out = retarget(driven, 40, FPS, parts=("mouth", "brows"), base=base)
    for c in CHANNELS:
        expected = 0.5 if c in PARTS["mouth"] + PARTS["brows"] else 0.1
        lo, hi = RANGES[c]
        assert np.allclose(out.channel(c), np.clip(expected, lo, hi)), c


def test_retarget_fits_length_and_rate_and_clips():
    driven = Motion(np.full((30, len(CHANNELS)), 5.0, np.float32), 30.0)  # 1 s at 30 fps
    out = retarget(driven, 50, FPS)  # 2 s at 25 fps: the driver is held after its end
    assert len(out) == 50 and out.fps == FPS
    assert out.channel("jaw_open").max() == 1.0  # clipped to RANGES
    assert np.allclose(out.channel("yaw"), 5.0)


def test_parse_parts():
    assert parse_parts("mouth, pose") == ("pose", "mouth")
    assert parse_parts("all") == tuple(PARTS)
    with pytest.raises(ValueError, match="unknown part nose"):
        parse_parts("pose,nose")


def test_generated_eyes_follow_the_drivers_head_when_only_pose_is_taken():
    from parlante.motion.stream import GAZE_COMPENSATION

    driven = Motion.zeros(20, FPS)
    driven.channel("yaw")[:] = 10.0
    base = Motion.zeros(20, FPS)
    base.channel("yaw")[:] = 2.0
    base.channel("gaze_x")[:] = -GAZE_COMPENSATION * 2.0  # the generator's own compensation
    out = retarget(driven, 20, FPS, parts=("pose",), base=base)
    np.testing.assert_allclose(out.channel("gaze_x"), -GAZE_COMPENSATION * 10.0, atol=1e-5)
