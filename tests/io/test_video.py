"""VideoWriter: complete files appear only on success, with audio and video of equal length."""

import av
import numpy as np
import pytest

from parlante.io.video import VideoWriter, partial_path, probe_duration


def _tone(seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


@pytest.mark.parametrize("rate", [16000, 44100])
def test_duration_matches_audio(tmp_path, rate):
    audio = _tone(2.37, rate)
    n_frames = round(len(audio) * 25 / rate)
    out = tmp_path / "a.mp4"
    with VideoWriter(out, (256, 256), 25, rate) as w:
        for chunk in np.array_split(audio, 7):  # audio arriving in pieces, as in a stream
            w.write_audio(chunk)
            for _ in range(n_frames // 7):
                w.write_frame(np.zeros((256, 256, 3), np.uint8))
        while w.frames_written < n_frames:
            w.write_frame(np.zeros((256, 256, 3), np.uint8))
    vdur, adur, frames = probe_duration(out)
    assert frames == n_frames
    assert abs(vdur - len(audio) / rate) <= 1 / 25
    assert abs(adur - len(audio) / rate) <= 1 / 25
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        assert v.codec_context.name == "h264"
        assert v.codec_context.pix_fmt == "yuv420p"
        assert c.streams.audio[0].codec_context.name == "aac"


def test_frames_round_trip(tmp_path):
    out = tmp_path / "b.mp4"
    levels = [30, 120, 220]
    with VideoWriter(out, (128, 96), 25, None, crf=10) as w:
        for v in levels:
            w.write_frame(np.full((96, 128, 3), v, np.uint8))
    with av.open(str(out)) as c:
        got = [f.to_ndarray(format="rgb24").mean() for f in c.decode(video=0)]
    assert np.allclose(got, levels, atol=3)


def test_failure_leaves_nothing(tmp_path):
    out = tmp_path / "c.mp4"
    with pytest.raises(RuntimeError), VideoWriter(out, (64, 64), 25, None) as w:
        w.write_frame(np.zeros((64, 64, 3), np.uint8))
        raise RuntimeError("renderer failed")
    assert not out.exists()
    assert not partial_path(out).exists()
    assert list(tmp_path.iterdir()) == []


def test_finalize_failure_aborts(tmp_path):
    out = tmp_path / "d.mp4"

    def refuse(path):
        assert path.exists() and path != out
        raise OSError("signing failed")

    w = VideoWriter(out, (64, 64), 25, None, finalize=refuse)
    w.write_frame(np.zeros((64, 64, 3), np.uint8))
    with pytest.raises(OSError):
        w.close()
    assert list(tmp_path.iterdir()) == []


def test_rejects_bad_output(tmp_path):
    with pytest.raises(ValueError):
        VideoWriter(tmp_path / "x.gif", (64, 64), 25, None)
    with pytest.raises(FileNotFoundError):
        VideoWriter(tmp_path / "missing" / "x.mp4", (64, 64), 25, None)
