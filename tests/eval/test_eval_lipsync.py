"""Lip sync, mouth and reference comparison on videos whose mouth and audio are known."""

from __future__ import annotations

import numpy as np
from eval_media import AUDIO_LAG, VIDEO_LAG, Talking

from parlante.eval import evaluate_video
from parlante.eval.signals import correlation


def test_embedded_audio_lagging_the_video_gives_a_negative_offset(talking: Talking) -> None:
    report = evaluate_video(talking.with_audio)
    # The detector must see the drawn mouth, else the sync figure would mean nothing.
    assert correlation(report.series.mouth_opening, talking.signal) > 0.9
    sync = report.lip_sync
    assert sync is not None
    # Positive = video lags audio; here the audio lags, so the offset is negative.
    assert abs(sync.offset_frames - (-AUDIO_LAG)) <= 1
    assert sync.offset_ms < 0
    assert abs(sync.offset_ms - sync.offset_frames * 1000 / report.video.fps) < 1e-6
    assert sync.correlation > 0.6
    assert sync.confidence > 0.3
    assert report.video.audio == str(talking.with_audio)
    assert report.head.speed_loudness_correlation is not None


def test_separate_audio_that_the_video_lags_gives_a_positive_offset(talking: Talking) -> None:
    report = evaluate_video(talking.silent, audio=talking.wav, identity=False)
    sync = report.lip_sync
    assert sync is not None
    assert abs(sync.offset_frames - VIDEO_LAG) <= 1
    assert sync.offset_ms > 0
    assert report.video.audio == str(talking.wav)


def test_video_without_audio_has_no_lip_sync(talking: Talking) -> None:
    report = evaluate_video(talking.silent, identity=False)
    assert report.lip_sync is None
    assert report.video.audio is None
    assert report.head.speed_loudness_correlation is None
    assert report.series.loudness_db is None
    assert any("no audio" in note for note in report.notes)
    # The mouth is still measured: wider drawn openings measure wider (top vs bottom decile).
    assert report.mouth.opening_std > 0.02
    order = np.argsort(talking.signal)
    opening = report.series.mouth_opening
    assert np.mean(opening[order[-8:]]) > np.mean(opening[order[:8]]) + 0.05
    assert report.to_dict()["lip_sync"] is None
    assert "lip sync: -" in report.to_table()


def test_reference_of_the_same_mouth_matches_and_another_does_not(talking: Talking) -> None:
    same = evaluate_video(talking.with_audio, reference=talking.silent, identity=False).reference
    other = evaluate_video(talking.with_audio, reference=talking.other, identity=False).reference
    assert same is not None and other is not None
    assert same.frames_compared == len(talking.signal)
    assert same.mouth_correlation > 0.98
    assert same.lmd < 0.01
    assert other.mouth_correlation < 0.6
    assert other.lmd > 3 * same.lmd
    assert other.lmd > 0.01
