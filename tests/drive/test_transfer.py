"""Driving one portrait with another's video: the motion goes across, the identity stays."""

from __future__ import annotations

import av
import numpy as np
import pytest

from parlante.drive import drive, extract_motion
from parlante.io.video import probe_duration
from parlante.options import AnimateOptions
from parlante.render.renderer import Renderer

from .conftest import N_FRAMES, SIZE


def _frames(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / max(mse, 1e-10)))


@pytest.fixture(scope="module")
def a_as_b(rig_a, clip_b, tmp_path_factory):
    """Portrait A performing B's clip (B's video has no sound: a silent track is made)."""
    out = tmp_path_factory.mktemp("transfer") / "a_as_b.mp4"
    return drive(rig_a, clip_b.path, out, AnimateOptions(size=SIZE), neutral="first")


def test_output_lasts_as_long_as_the_driver_with_a_silent_track(a_as_b):
    video_s, audio_s, frames = probe_duration(a_as_b)
    assert frames == N_FRAMES
    assert audio_s is not None and abs(audio_s - video_s) < 0.1


def test_each_frame_is_portrait_a_in_the_drivers_pose(a_as_b, rig_a, clip_b):
    frames = _frames(a_as_b)
    # at the driver's neutral the output is portrait A itself, not B
    assert _psnr(frames[0], rig_a.image) > 30.0
    assert _psnr(frames[0], rig_a.image) > _psnr(frames[0], clip_b.frames[0]) + 8.0
    # in motion: close to A rendered with the script, far from B's own frames
    renderer = Renderer(rig_a)
    to_a = [_psnr(f, renderer.render(clip_b.motion.frame(i))) for i, f in enumerate(frames)]
    to_b = [_psnr(f, g) for f, g in zip(frames, clip_b.frames, strict=True)]
    assert np.mean(to_a) > 24.0, np.mean(to_a)
    assert np.mean(to_a) > np.mean(to_b) + 6.0


def test_the_drivers_motion_is_performed(a_as_b, clip_b):
    got = extract_motion(a_as_b, neutral="first").motion
    true = clip_b.motion
    assert np.corrcoef(got.channel("yaw"), true.channel("yaw"))[0, 1] > 0.9
    assert np.corrcoef(got.channel("jaw_open"), true.channel("jaw_open"))[0, 1] > 0.8
    blinks = np.maximum(got.channel("blink_l"), got.channel("blink_r"))
    assert blinks.max() > 0.6


def test_b_driven_by_a_keeps_b(rig_a, rig_b, performance_a, tmp_path):
    """The other direction, from an extracted motion (no second extraction)."""
    out = drive(
        rig_b, None, tmp_path / "b_as_a.mp4", AnimateOptions(size=SIZE),
        motion=performance_a.motion,
    )  # fmt: skip
    frames = _frames(out)
    assert len(frames) == N_FRAMES
    assert _psnr(frames[0], rig_b.image) > 30.0
    assert _psnr(frames[0], rig_b.image) > _psnr(frames[0], rig_a.image) + 8.0
