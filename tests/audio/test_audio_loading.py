"""load_audio: every common container and rate decodes to the same mono signal."""

from __future__ import annotations

import wave

import av
import numpy as np
import pytest
from audio_media import tone, write_audio

from parlante.audio import load_audio
from parlante.errors import AudioError, ParlanteError

SECONDS = 1.5


@pytest.mark.parametrize(
    ("name", "rate", "channels", "codec", "video"),
    [
        ("mono8k.wav", 8000, 1, "pcm_s16le", False),
        ("stereo22k.wav", 22050, 2, "pcm_s16le", False),
        ("mono44k.flac", 44100, 1, "flac", False),
        ("stereo22k.flac", 22050, 2, "flac", False),
        ("stereo48k.ogg", 48000, 2, "libopus", False),
        ("mono8k.ogg", 8000, 1, "libopus", False),
        ("stereo44k.mp3", 44100, 2, "libmp3lame", False),
        ("mono22k.m4a", 22050, 1, "aac", False),
        ("stereo44k.mp4", 44100, 2, "aac", True),
        ("mono96k.wav", 96000, 1, "pcm_s16le", False),
    ],
)
def test_formats_decode_to_the_same_duration_and_tone(tmp_path, name, rate, channels, codec, video):
    x = tone(SECONDS, rate, freq=440.0, amp=0.5)
    data = np.stack([x] * channels, axis=1) if channels == 2 else x
    path = write_audio(tmp_path / name, data, rate, codec, video=video)
    samples, sr = load_audio(path)
    assert samples.dtype == np.float32 and samples.ndim == 1
    decoded_rate = 48000 if codec == "libopus" else rate  # Opus always decodes at 48 kHz
    assert sr == min(max(decoded_rate, 16000), 48000)
    if codec in ("pcm_s16le", "flac"):
        assert len(samples) / sr == pytest.approx(SECONDS, abs=1.0 / sr)
    else:  # lossy codecs add up to ~1 encoder frame of padding
        assert len(samples) / sr == pytest.approx(SECONDS, abs=0.05)
    steady = samples[len(samples) // 4 : 3 * len(samples) // 4]
    assert np.sqrt(np.mean(steady**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.1)
    spectrum = np.abs(np.fft.rfft(steady * np.hanning(steady.size)))
    peak_hz = np.argmax(spectrum) * sr / steady.size
    assert peak_hz == pytest.approx(440.0, abs=5.0)


def test_stereo_is_averaged(tmp_path):
    left = tone(1.0, 16000, amp=0.8)
    right = np.zeros_like(left)
    path = write_audio(tmp_path / "lr.wav", np.stack([left, right], axis=1), 16000, "pcm_s16le")
    samples, _ = load_audio(path)
    np.testing.assert_allclose(samples, left / 2, atol=2e-4)


def test_silence_is_valid(tmp_path):
    path = write_audio(tmp_path / "quiet.wav", np.zeros(8000, np.float32), 16000, "pcm_s16le")
    samples, sr = load_audio(path)
    assert sr == 16000 and samples.shape == (8000,) and not samples.any()


def _expect_error(path, fragment: str, **kw):
    with pytest.raises(AudioError) as info:
        load_audio(path, **kw)
    message = str(info.value)
    assert str(path) in message and fragment in message
    assert "\n" not in message
    assert isinstance(info.value, ParlanteError)


def test_missing_file(tmp_path):
    _expect_error(tmp_path / "nothing.wav", "not found")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    _expect_error(path, "empty")


def test_wav_without_samples(tmp_path):
    path = tmp_path / "zero.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"")
    _expect_error(path, "audio is empty")


def test_text_renamed_to_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("this is not a sound file\n" * 40)
    _expect_error(path, "cannot decode")


def test_video_without_audio(tmp_path):
    path = tmp_path / "silent_film.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    _expect_error(path, "no audio stream")


def test_directory(tmp_path):
    _expect_error(tmp_path, "directory")


def test_longer_than_the_limit(tmp_path):
    path = write_audio(tmp_path / "long.flac", tone(4.0, 16000), 16000, "flac")
    _expect_error(path, "limit", max_seconds=2.0)
    samples, _ = load_audio(path, max_seconds=4.0)
    assert samples.shape == (64000,)
