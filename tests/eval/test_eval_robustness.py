"""Frame sizes, faces leaving the frame, identity, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from eval_media import Face, Talking, modulated_noise, mouth_signal, open_mouth, place, write_video
from PIL import Image

from parlante.eval import eval_main, evaluate_video
from parlante.eval.identity import identity_available
from parlante.eval.signals import inter_ocular
from parlante.eval.track import FaceAnalyzer


def test_1080p_frames_are_measured_at_full_resolution(face: Face, tmp_path: Path) -> None:
    scale, offset = 3.0, (576.0, 156.0)
    signal = mouth_signal(20, seed=4)
    frames = [
        place(open_mouth(face.image, face.points, 10 * s), (1920, 1080), scale, offset)
        for s in signal
    ]
    video = write_video(tmp_path / "hd.mp4", frames)
    with FaceAnalyzer(crop_samples=0) as analyzer:
        for frame in frames[:3]:
            analyzer.feed(frame, 0.0)
        track = analyzer.finish()
    # Landmarks are in 1080p pixels: where the 256 px face's points land after placing it.
    expected = face.points[:, :2] * scale + offset
    error = np.linalg.norm(track.landmarks[0, :, :2] - expected, axis=-1)
    assert np.median(error) < 0.05 * inter_ocular(track.landmarks[:1])[0]
    report = evaluate_video(video, identity=False)
    assert (report.video.width, report.video.height) == (1920, 1080)
    assert report.stability.face_detection_rate == 1.0
    assert report.mouth.opening_std > 0.01


def test_face_leaving_the_frame_lowers_detection_rate_without_crashing(
    face: Face, tmp_path: Path
) -> None:
    gone = set(range(20, 35))
    frames = [
        place(face.image, (256, 256), 1.0, (300, 0) if i in gone else (0, 0)) for i in range(60)
    ]
    audio = modulated_noise(mouth_signal(60, seed=5), 0, seed=6)
    report = evaluate_video(write_video(tmp_path / "leave.mp4", frames, audio), identity=False)
    assert report.stability.face_detection_rate == pytest.approx(45 / 60, abs=1.5 / 60)
    assert not report.series.detected[list(gone)].any()
    assert np.isnan(report.series.mouth_opening[list(gone)]).all()
    assert report.head is not None and report.head.delta_p < 0.1
    assert report.eyes is not None and report.eyes.blinks == 0
    assert report.lip_sync is not None
    assert any("face found in 75%" in note for note in report.notes)
    json.dumps(report.to_dict(series=True))  # NaN-free, serialisable


def test_video_without_any_face_reports_detection_rate_zero(tmp_path: Path) -> None:
    frames = [np.full((128, 128, 3), 90 + i, np.uint8) for i in range(10)]
    report = evaluate_video(write_video(tmp_path / "empty.mp4", frames))
    assert report.stability.face_detection_rate == 0.0
    assert report.mouth is None and report.head is None and report.eyes is None
    assert report.identity is None
    assert any("no face" in note for note in report.notes)


@pytest.mark.skipif(not identity_available(), reason="needs parlante[eval] (dlib)")
def test_moved_and_scaled_copy_of_the_portrait_is_the_same_person(
    face: Face, tmp_path: Path
) -> None:
    portrait = tmp_path / "portrait.png"
    Image.fromarray(face.image).save(portrait)
    frames = [place(face.image, (320, 320), 0.8, (20 + 2 * i, 40 - i)) for i in range(20)]
    report = evaluate_video(write_video(tmp_path / "moved.mp4", frames), portrait=portrait)
    identity = report.identity
    assert identity is not None and identity.against == "portrait"
    assert identity.frames_compared == 16
    assert identity.same_person and identity.worst_distance < identity.threshold
    assert identity.mean_distance <= identity.worst_distance


def test_cli_prints_json_and_a_table(talking: Talking, capsys: pytest.CaptureFixture) -> None:
    assert eval_main([str(talking.with_audio), "--json", "--quiet", "--no-identity"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lip_sync"]["offset_frames"] < 0
    assert data["video"]["frames"] == len(talking.signal)
    assert "series" not in data
    assert eval_main([str(talking.silent), "--quiet", "--no-identity"]) == 0
    table = capsys.readouterr().out
    assert "lip sync: -" in table and "delta p" in table


@pytest.mark.parametrize("flag", [None, "--audio", "--portrait", "--reference"])
def test_cli_bad_input_exits_2_with_one_line_naming_the_file(
    talking: Talking, tmp_path: Path, capsys: pytest.CaptureFixture, flag: str | None
) -> None:
    bad = tmp_path / "not_media.mp4"
    bad.write_text("hello")
    argv = [str(bad)] if flag is None else [str(talking.silent), flag, str(bad)]
    assert eval_main([*argv, "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(bad) in err


def test_cli_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "nope.mp4"
    assert eval_main([str(missing), "--quiet"]) == 2
    assert "not found" in capsys.readouterr().err


def test_without_dlib_identity_is_none_with_an_install_hint(
    talking: Talking, monkeypatch: pytest.MonkeyPatch
) -> None:
    import parlante.eval.evaluate as evaluate

    monkeypatch.setattr(evaluate, "identity_available", lambda: False)
    report = evaluate_video(talking.silent)
    assert report.identity is None
    assert "install parlante[eval] for identity" in report.to_table()
    assert report.head is not None  # the rest is still measured
