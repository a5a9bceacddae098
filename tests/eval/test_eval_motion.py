"""Head motion, blinks and background stability on videos with known motion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from eval_media import FPS, Face, close_eyes, place, write_video

from parlante.eval import evaluate_video
from parlante.eval.signals import moving_average

BLINKS = ((12, 3), (35, 4), (58, 5), (80, 3))  # (first frame, frames closed)


def test_still_video_has_no_motion_blinks_or_background_change(face: Face, tmp_path: Path) -> None:
    video = write_video(tmp_path / "still.mp4", [face.image] * 50)
    report = evaluate_video(video, identity=False)
    assert report.stability.face_detection_rate == 1.0
    assert report.head.delta_p < 0.05
    assert report.head.yaw_std < 0.2 and report.head.roll_std < 0.2
    assert report.eyes.blinks == 0
    assert report.stability.background_change < 0.5
    assert report.mouth.opening_std < 0.005


def test_known_blinks_are_counted(face: Face, tmp_path: Path) -> None:
    closed = close_eyes(face.image, face.points)
    frames = [face.image] * 100
    shut = np.zeros(100, bool)
    for start, length in BLINKS:
        shut[start : start + length] = True
    frames = [closed if s else face.image for s in shut]
    report = evaluate_video(write_video(tmp_path / "blinks.mp4", frames), identity=False)
    # The detector sees each painted closure as shut eyes and the open frames as open.
    openness = report.series.eye_openness
    assert openness[shut].max() < 0.5 < openness[~shut].min()
    assert report.eyes.blinks == len(BLINKS)
    expected_ms = np.mean([n for _, n in BLINKS]) * 1000 / FPS
    assert report.eyes.mean_blink_ms == pytest.approx(expected_ms, abs=1000 / FPS)
    assert report.eyes.blinks_per_minute == pytest.approx(len(BLINKS) / (100 / FPS / 60), rel=0.01)


def test_in_plane_head_rotation_is_measured_as_roll(face: Face, tmp_path: Path) -> None:
    frames_n = 75
    applied = 6.0 * np.sin(2 * np.pi * np.arange(frames_n) / 40)  # degrees, cv2: CCW positive
    centre = tuple(face.points[1, :2])  # rotate about the nose tip
    frames = [place(face.image, (256, 256), 1.0, (0, 0), a, centre) for a in applied]
    report = evaluate_video(write_video(tmp_path / "roll.mp4", frames), identity=False)
    roll = report.series.head_angles[:, 2]
    # roll > 0 is clockwise in the image: the opposite of cv2's angle.
    assert np.corrcoef(roll, -applied)[0, 1] > 0.98
    smooth = moving_average(applied, 5)
    assert report.head.roll_std == pytest.approx(np.std(smooth), rel=0.15)
    expected_delta = np.mean(np.abs(np.diff(smooth)))
    assert report.head.delta_p == pytest.approx(expected_delta, rel=0.25)
    assert report.head.yaw_std < 0.25 * report.head.roll_std
    assert report.head.pitch_std < 0.25 * report.head.roll_std
    assert report.eyes.blinks == 0
