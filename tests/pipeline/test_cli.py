"""The CLI: conventions (help, exit codes, one-line errors) and derived option flags."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from parlante.cli import build_parser, main, options_from_args


def test_flags_follow_options():
    args = build_parser().parse_args(
        [
            "animate",
            "p.jpg",
            "a.wav",
            "-o",
            "o.mp4",
            "--gaze",
            "5,-2",
            "--emotion",
            "happy",
            "--motion-scale",
            "2",
            "--seed",
            "7",
        ]
    )
    opts = options_from_args(args)
    assert opts.gaze == (5.0, -2.0) and opts.emotion == "happy"
    assert opts.motion_scale == 2.0 and opts.seed == 7 and opts.size == 512


def test_bad_option_values_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["animate", "p.jpg", "a.wav", "-o", "o.mp4", "--emotion", "bored"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["animate", "p.jpg", "a.wav", "-o", "o.mp4", "--gaze", "left"])
    assert e.value.code == 2


def _run(*argv):
    return subprocess.run(
        [sys.executable, "-m", "parlante.cli", *argv], capture_output=True, text=True, timeout=300
    )


def test_help():
    r = _run("--help")
    assert r.returncode == 0 and "animate" in r.stdout and "verify" in r.stdout


@pytest.mark.parametrize("kind", ["text", "noface", "empty_audio", "missing"])
def test_bad_input_one_line_error(tmp_path, portrait_png, voice_wav, kind):
    portrait, audio = portrait_png, voice_wav
    if kind == "text":
        portrait = tmp_path / "notes.jpg"
        portrait.write_text("not an image")
    elif kind == "noface":
        portrait = tmp_path / "wall.png"
        Image.fromarray(np.full((400, 400, 3), 180, np.uint8)).save(portrait)
    elif kind == "empty_audio":
        audio = tmp_path / "empty.wav"
        audio.write_bytes(b"")
    else:
        audio = tmp_path / "nowhere.wav"
    out = tmp_path / "out.mp4"
    r = _run("animate", str(portrait), str(audio), "-o", str(out), "--size", "256", "-q")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parlante: error:")
    named = portrait if kind in ("text", "noface") else audio
    assert named.name in lines[0]
    assert not out.exists()
