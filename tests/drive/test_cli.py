"""The command line: ``parlante motion``, ``parlante drive``, ``animate --motion``.

Errors are read at the file-descriptor level (capfd): MediaPipe logs there too.
"""

from __future__ import annotations

import pytest

from parlante.cli import main
from parlante.io.video import probe_duration
from parlante.motion.motion_file import load_motion_file

from .conftest import FPS


def test_motion_then_animate_with_it(clip_a, rig_a, tmp_path, capfd):
    motion_path = tmp_path / "talk.motion"
    assert (
        main(["motion", str(clip_a.path), "-o", str(motion_path), "--max-seconds", "1.6", "-q"])
        == 0
    )
    f = load_motion_file(motion_path)
    assert len(f.motion) == round(1.6 * FPS) and f.source is not None
    assert f.source.sha256 and f.neutral is not None
    # animate: the motion drives, a 1 s voice is the sound (the output lasts as the audio)
    import wave

    import numpy as np

    wav = tmp_path / "v.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        tone = 0.2 * np.sin(2 * np.pi * 180 * np.arange(16000) / 16000)
        w.writeframes((tone * 32767).astype("<i2").tobytes())
    from parlante.face import save_rig

    rig = tmp_path / "a.npz"
    save_rig(rig_a, rig)
    out = tmp_path / "a.mp4"
    args = ["animate", str(rig), str(wav), "-o", str(out), "--motion", str(motion_path)]
    assert main([*args, "--size", str(rig_a.size), "-q"]) == 0
    video_s, audio_s, frames = probe_duration(out)
    assert frames == round(FPS) and abs(audio_s - 1.0) < 0.1  # as long as the audio
    # --style-from: lips on the audio, style from the clip; also as long as the audio
    styled = tmp_path / "s.mp4"
    style_args = [
        "animate",
        str(rig),
        str(wav),
        "-o",
        str(styled),
        "--style-from",
        str(motion_path),
    ]
    assert main([*style_args, "--size", str(rig_a.size), "-q"]) == 0
    assert probe_duration(styled)[2] == round(FPS)
    # a bad portrait is still a one-line error with exit code 2
    args[1] = "/dev/null"
    assert main([*args, "-q"]) == 2
    assert "parlante: error: /dev/null" in capfd.readouterr().err


def test_drive_rejects_a_damaged_motion_file(tmp_path, capfd):
    bad = tmp_path / "bad.motion"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    code = main(["drive", "/nonexistent.png", str(bad), "-o", str(tmp_path / "o.mp4"), "-q"])
    err = [line for line in capfd.readouterr().err.splitlines() if line.startswith("parlante")]
    assert code == 2
    assert len(err) == 1 and err[0].startswith("parlante: error:") and "bad.motion" in err[0]


def test_drive_rejects_unknown_parts(tmp_path, capfd):
    with pytest.raises(SystemExit) as info:
        main(["drive", "p.png", "d.mp4", "-o", str(tmp_path / "o.mp4"), "--parts", "pose,nose"])
    assert info.value.code == 2
    assert "unknown part nose" in capfd.readouterr().err


def test_motion_reports_a_video_without_faces(tmp_path, capfd):
    import numpy as np

    from .conftest import write_clip

    blank = write_clip([np.full((128, 128, 3), 90, np.uint8)] * 5, tmp_path / "blank.mp4")
    assert main(["motion", str(blank), "-o", str(tmp_path / "x.motion"), "-q"]) == 2
    err = capfd.readouterr().err
    assert "blank.mp4" in err and "no face" in err
    assert not (tmp_path / "x.motion").exists()
    assert probe_duration(blank)[2] == 5
