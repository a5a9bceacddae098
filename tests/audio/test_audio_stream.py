"""AudioFeatureStream: chunked analysis equals whole-file analysis, with small latency."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.audio import AudioFeatureStream, analyze_audio, synth_vowels
from parlante.audio.resample import StreamResampler

FIELDS = ("loudness", "voicing", "pitch", "f1", "f2", "centroid", "flatness")


def _voice(rate: int) -> np.ndarray:
    x, _ = synth_vowels(
        "_:0.1 a i pa-ma s u:0.25 _:0.2 o-e sha", rate, f0=180.0, seconds=0.18, seed=1
    )
    noise = np.random.default_rng(0).normal(0.0, 1e-3, x.size)  # a recording's noise floor
    return (x + noise).astype(np.float32)


def _feed(stream: AudioFeatureStream, x: np.ndarray, rng: np.random.Generator, lo, hi):
    tracks, i = [], 0
    while i < x.size:
        n = int(rng.integers(lo, hi + 1))
        tracks.append(stream.push(x[i : i + n]))
        i += n
    tracks.append(stream.flush())
    return tracks


@pytest.mark.parametrize(
    ("rate", "fps"), [(16000, 25.0), (22050, 30.0), (44100, 29.97), (8000, 25.0), (48000, 10.0)]
)
def test_random_chunks_give_the_whole_file_result(rate, fps):
    x = _voice(rate)
    whole = analyze_audio(x, rate, fps)
    rng = np.random.default_rng(rate)
    stream = AudioFeatureStream(rate, fps)
    tracks = _feed(stream, x, rng, int(0.02 * rate), rate)  # 20 ms .. 1 s
    assert sum(len(t) for t in tracks) == len(whole)
    for field in FIELDS:
        streamed = np.concatenate([getattr(t, field) for t in tracks])
        np.testing.assert_allclose(streamed, getattr(whole, field), rtol=1e-4, atol=1e-3)
    # The audio handed out with the frames is exactly the input, in order.
    np.testing.assert_array_equal(np.concatenate([t.samples for t in tracks]), x)
    for t in tracks:
        assert t.fps == fps and t.sample_rate == rate


def test_tiny_and_empty_chunks_change_nothing():
    rate = 22050
    x = _voice(rate)[: rate // 2]
    whole = analyze_audio(x, rate)
    stream = AudioFeatureStream(rate)
    rng = np.random.default_rng(5)
    tracks = [stream.push(np.zeros(0, np.float32))]
    tracks += _feed(stream, x, rng, 1, 40)
    for field in FIELDS:
        streamed = np.concatenate([getattr(t, field) for t in tracks])
        np.testing.assert_allclose(streamed, getattr(whole, field), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize(("rate", "fps"), [(16000, 25.0), (44100, 30.0), (8000, 25.0)])
def test_each_frame_leaves_within_the_declared_lookahead(rate, fps):
    x = _voice(rate)[:rate]
    stream = AudioFeatureStream(rate, fps)
    assert 0.0 < stream.lookahead_seconds <= 0.04
    step = max(rate // 2000, 1)  # 0.5 ms pushes
    worst = 0.0
    for i in range(0, x.size, step):
        before = stream.frames_emitted
        stream.push(x[i : i + step])
        received = min(i + step, x.size) / rate
        for k in range(before, stream.frames_emitted):
            worst = max(worst, received - k / fps)
            assert k / fps <= received  # never before the frame's own time
    assert worst <= stream.lookahead_seconds + step / rate
    assert worst >= stream.lookahead_seconds - 0.005  # the bound is not loose


def test_push_after_flush_is_an_error_and_second_flush_is_empty():
    stream = AudioFeatureStream(16000)
    first = stream.push(np.zeros(1000, np.float32))  # 62.5 ms: frames 0 and 1 (rounded up)
    assert len(first) + len(stream.flush()) == 2
    assert len(stream.flush()) == 0
    with pytest.raises(RuntimeError):
        stream.push(np.zeros(10, np.float32))


def test_empty_stream_has_no_frames():
    assert len(AudioFeatureStream(16000).flush()) == 0


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000, 16001])
def test_resampler_keeps_a_tone_and_ignores_chunking(rate):
    t = np.arange(rate) / rate
    x = 0.5 * np.sin(2 * np.pi * 440.0 * t)
    whole = StreamResampler(rate, 16000)
    y = np.concatenate([whole.push(x), whole.flush()])
    assert y.size == whole.output_length(x.size) == int(np.ceil(x.size * 16000 / rate))
    ref = 0.5 * np.sin(2 * np.pi * 440.0 * np.arange(y.size) / 16000)
    assert np.abs(y - ref)[200:-200].max() < 1e-3
    chunked = StreamResampler(rate, 16000)
    rng = np.random.default_rng(0)
    parts, i = [], 0
    while i < x.size:
        n = int(rng.integers(1, 3000))
        parts.append(chunked.push(x[i : i + n]))
        i += n
    parts.append(chunked.flush())
    np.testing.assert_array_equal(np.concatenate(parts), y)


def test_resampler_removes_content_above_the_new_nyquist():
    rate = 44100
    t = np.arange(rate) / rate
    x = 0.5 * np.sin(2 * np.pi * 12000.0 * t)  # would alias to 4 kHz at 16 kHz
    r = StreamResampler(rate, 16000)
    y = np.concatenate([r.push(x), r.flush()])
    assert np.sqrt(np.mean(y[500:-500] ** 2)) < 1e-3
