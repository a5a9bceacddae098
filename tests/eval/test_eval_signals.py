"""The signal helpers: sign conventions and gap handling, on arrays with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.eval.blinks import find_blinks, relative_openness
from parlante.eval.decode import Audio
from parlante.eval.pose import angular_speed
from parlante.eval.signals import lagged_correlation, moving_average, speech_envelope


@pytest.mark.parametrize("lag", [-4, 0, 5])
def test_lagged_correlation_peaks_where_the_follower_happens(lag: int) -> None:
    leader = np.random.default_rng(0).standard_normal(120)
    follower = np.roll(leader, lag)  # follower[t + lag] == leader[t]
    lags, corr = lagged_correlation(follower, leader, 8)
    assert lags[np.nanargmax(corr)] == lag
    assert np.nanmax(corr) > 0.99


def test_moving_average_keeps_gaps_and_does_not_smear_across_them() -> None:
    values = np.array([0.0, 0.0, 0.0, np.nan, 10.0, 10.0, 10.0, 10.0])
    out = moving_average(values, 5)
    assert np.isnan(out[3])
    np.testing.assert_allclose(out[:3], 0.0)
    np.testing.assert_allclose(out[4:], 10.0)


def test_speech_envelope_follows_loudness_in_time() -> None:
    rate, fps = 16_000, 25.0
    samples = np.zeros(rate * 2, np.float32)
    samples[rate : rate + rate // 2] = 0.5  # loud from 1.0 s to 1.5 s
    times = np.arange(50) / fps
    env = speech_envelope(Audio(samples, rate, 0.0, "x"), times, fps)
    loud = np.flatnonzero(env > env.max() - 6)
    assert loud.min() in (25, 26) and loud.max() in (36, 37)
    # Frames past the end of the audio have no loudness.
    late = speech_envelope(Audio(samples, rate, 0.0, "x"), np.array([3.0]), fps)
    assert np.isnan(late[0])


def test_blinks_need_two_frames_a_deep_dip_and_under_half_a_second() -> None:
    fps = 25.0
    ear = np.full(200, 0.3)
    ear[20:23] = 0.05  # blink, 3 frames
    ear[60] = 0.05  # one frame: noise
    ear[100:103] = 0.25  # shallow: not closed
    ear[140:160] = 0.05  # 0.8 s: eyes closed, not a blink
    openness = relative_openness(ear, fps)
    blinks = find_blinks(openness, fps)
    assert [(b.start, b.frames) for b in blinks] == [(20, 3)]


def test_blink_next_to_a_frame_without_face_is_not_counted() -> None:
    fps = 25.0
    ear = np.full(100, 0.3)
    ear[40:43] = 0.05
    ear[43] = np.nan
    assert find_blinks(relative_openness(ear, fps), fps) == []


def test_angular_speed_is_the_rotation_between_frames() -> None:
    angles = np.zeros((4, 3))
    angles[1:, 2] = [1.0, 3.0, 3.0]  # roll steps of 1, 2, 0 degrees
    angles[3, 0] = np.nan
    speed = angular_speed(angles)
    assert np.isnan(speed[0]) and np.isnan(speed[3])
    np.testing.assert_allclose(speed[1:3], [1.0, 2.0], atol=1e-9)
