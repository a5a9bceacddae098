"""Motion files round-trip, load older channel sets by name, and reject bad files clearly."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from parlante.errors import MotionFileError
from parlante.motion.channels import CHANNELS, INDEX
from parlante.motion.codes import Motion
from parlante.motion.motion_file import (
    MotionNeutral,
    MotionSource,
    load_motion,
    load_motion_file,
    save_motion,
)


def _motion(n: int = 50, fps: float = 30.0) -> Motion:
    rng = np.random.default_rng(1)
    return Motion(rng.uniform(0, 1, (n, len(CHANNELS))).astype(np.float32), fps)


def _write_zip(path, header: dict, values: np.ndarray) -> None:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, values)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("header.json", json.dumps(header))
        zf.writestr("values.npy", buf.getvalue())


def test_round_trip_keeps_everything(tmp_path):
    m = _motion()
    neutral = MotionNeutral(7, np.arange(478 * 3, dtype=np.float32).reshape(478, 3))
    source = MotionSource("d.mp4", "ab" * 32, 640, 480, 30.0, 50, 1)
    valid = np.arange(50) % 7 != 0
    path = save_motion(m, tmp_path / "talk.motion", neutral=neutral, source=source, valid=valid)
    f = load_motion_file(path)
    np.testing.assert_array_equal(f.motion.values, m.values)
    assert f.motion.fps == 30.0 and f.version == 1
    assert f.source == source
    assert f.neutral is not None and f.neutral.frame == 7
    np.testing.assert_array_equal(f.neutral.landmarks, neutral.landmarks)
    np.testing.assert_array_equal(f.valid, valid)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_load_resamples_to_the_output_rate(tmp_path):
    m = _motion(60, 30.0)
    m.channel("yaw")[:] = np.linspace(-10, 10, 60)
    path = save_motion(m, tmp_path / "a.motion")
    out = load_motion(path, fps=25.0)
    assert out.fps == 25.0 and len(out) == 50
    # time i / 25 s of the output is where the source ramp was at that time
    np.testing.assert_allclose(
        out.channel("yaw")[10], np.interp(10 / 25, np.arange(60) / 30, m.channel("yaw")), atol=1e-4
    )


def test_channels_are_matched_by_name(tmp_path):
    """An older file (fewer channels, another order) loads; missing channels are at rest."""
    names = ["jaw_open", "yaw", "some_future_channel"]
    values = np.array([[0.5, 3.0, 9.0], [0.25, -2.0, 9.0]], np.float32)
    header = {
        "format": "parlante-motion",
        "version": 1,
        "fps": 25,
        "n_frames": 2,
        "channels": names,
    }
    path = tmp_path / "old.motion"
    _write_zip(path, header, values)
    f = load_motion_file(path)
    assert f.motion.values.shape == (2, len(CHANNELS))
    np.testing.assert_array_equal(f.motion.channel("jaw_open"), [0.5, 0.25])
    np.testing.assert_array_equal(f.motion.channel("yaw"), [3.0, -2.0])
    others = [c for c in CHANNELS if c not in names]
    assert not f.motion.values[:, [INDEX[c] for c in others]].any()
    assert f.unknown_channels == ("some_future_channel",)


def test_newer_format_is_refused_with_a_clear_error(tmp_path):
    header = {
        "format": "parlante-motion",
        "version": 2,
        "fps": 25,
        "n_frames": 1,
        "channels": ["yaw"],
    }
    path = tmp_path / "new.motion"
    _write_zip(path, header, np.zeros((1, 1), np.float32))
    with pytest.raises(MotionFileError, match=r"new\.motion.*version 2 is newer"):
        load_motion(path)


@pytest.mark.parametrize(
    "damage",
    ["truncate", "garbage", "not_zip", "bad_header", "wrong_shape", "nan", "other_format"],
)
def test_damaged_files_are_refused_naming_the_file(tmp_path, damage):
    path = save_motion(_motion(), tmp_path / "talk.motion")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":  # flip bytes inside the stored arrays: the CRC catches it
        mid = len(data) // 2
        path.write_bytes(
            data[:mid] + bytes(b ^ 0xFF for b in data[mid : mid + 64]) + data[mid + 64 :]
        )
    elif damage == "not_zip":
        path.write_text("hello")
    elif damage == "bad_header":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("header.json", "{not json")
    elif damage == "wrong_shape":
        header = {
            "format": "parlante-motion",
            "version": 1,
            "fps": 25,
            "n_frames": 5,
            "channels": ["yaw"],
        }
        _write_zip(path, header, np.zeros((4, 1), np.float32))
    elif damage == "nan":
        header = {
            "format": "parlante-motion",
            "version": 1,
            "fps": 25,
            "n_frames": 1,
            "channels": ["yaw"],
        }
        _write_zip(path, header, np.full((1, 1), np.nan, np.float32))
    elif damage == "other_format":
        header = {"format": "something-else", "version": 1}
        _write_zip(path, header, np.zeros((1, 1), np.float32))
    with pytest.raises(MotionFileError) as info:
        load_motion(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(MotionFileError, match="not found"):
        load_motion(tmp_path / "nope.motion")
