import numpy as np
import pytest

from parlante.audio.track import PhoneSegment
from parlante.motion import CHANNELS, RANGES, Controls, MotionStream, generate_motion
from parlante.motion.synthetic import chunked, constant_track, silence, speech_like_track


@pytest.fixture(scope="module")
def track():
    tr = speech_like_track(20.0, fps=25.0, seed=11)
    tr.phones = [
        PhoneSegment(p, 0.6 + 0.09 * i, 0.6 + 0.09 * (i + 1))
        for i, p in enumerate(["HH", "AH0", "L", "OW1", "M", "AY1", "F", "R", "EH1", "N", "D"] * 8)
    ]
    return tr


def stream_all(track, controls, sizes):
    stream = MotionStream(controls, track.fps)
    parts = [stream.push(p).values for p in chunked(track, sizes)]
    parts.append(stream.flush().values)
    return np.concatenate(parts), stream


def test_stream_in_random_chunks_equals_offline(track):
    controls = Controls(emotion="happy", seed=9)
    offline = generate_motion(track, controls).values
    rng = np.random.default_rng(0)
    for _ in range(3):
        sizes = list(rng.integers(0, 30, size=200))
        online, _ = stream_all(track, controls, sizes)
        assert online.shape == offline.shape
        np.testing.assert_allclose(online, offline, atol=1e-6)


def test_frame_by_frame_stream_has_fixed_latency(track):
    stream = MotionStream(Controls(), track.fps)
    got = [len(stream.push(p)) for p in chunked(track, [1] * len(track))]
    lag = stream.lookahead_frames
    assert 1 <= lag <= round(0.25 * track.fps)
    assert got[:lag] == [0] * lag and all(g == 1 for g in got[lag:])
    assert len(stream.flush()) == lag


def test_output_length_and_ranges(track):
    for n in (0, 1, 3, 7, len(track)):
        short = chunked(track, [n])[0] if n else constant_track([silence(0.0)])
        m = generate_motion(short, Controls(motion_scale=2.0, emotion="surprised"))
        assert len(m) == n
        assert m.fps == track.fps
    m = generate_motion(track, Controls(motion_scale=3.0, emotion="angry", emotion_strength=1.0))
    assert np.all(np.isfinite(m.values))
    for i, name in enumerate(CHANNELS):
        lo, hi = RANGES[name]
        assert m.values[:, i].min() >= lo and m.values[:, i].max() <= hi, name


def test_same_seed_same_motion_other_seed_other_motion(track):
    a = generate_motion(track, Controls(seed=5)).values
    b = generate_motion(track, Controls(seed=5)).values
    c = generate_motion(track, Controls(seed=6)).values
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1.0  # head and eyes differ by degrees


def test_bad_input_is_refused(track):
    stream = MotionStream(Controls(), 25.0)
    wrong_fps = chunked(track, [10])[0]
    wrong_fps.fps = 30.0
    with pytest.raises(ValueError, match="fps"):
        stream.push(wrong_fps)
    stream.flush()
    with pytest.raises(RuntimeError):
        stream.push(chunked(track, [10])[0])


def test_non_finite_features_do_not_leak(track):
    broken = chunked(track, [len(track)])[0]
    broken.loudness = broken.loudness.copy()
    broken.pitch = broken.pitch.copy()
    broken.loudness[50:60] = np.nan
    broken.pitch[100:110] = np.inf
    m = generate_motion(broken, Controls())
    assert np.all(np.isfinite(m.values))


@pytest.mark.parametrize("fps", [24.0, 30.0, 50.0])
def test_other_frame_rates(fps):
    tr = speech_like_track(20.0, fps=fps, seed=2)
    m = generate_motion(tr, Controls(seed=1))
    assert len(m) == len(tr)
    online, _ = stream_all(tr, Controls(seed=1), [13] * 100)
    np.testing.assert_allclose(online, m.values, atol=1e-6)
    jaw = m.channel("jaw_open")
    assert 0.1 < np.percentile(jaw, 90) < 0.6


@pytest.mark.parametrize("lookahead_s, frames", [(0.04, 1), (0.08, 2)])
def test_short_lookahead_lowers_latency_and_keeps_the_mouth(track, lookahead_s, frames):
    stream = MotionStream(Controls(seed=3), track.fps, lookahead_s=lookahead_s)
    got = [len(stream.push(p)) for p in chunked(track, [1] * len(track))]
    assert stream.lookahead_frames == frames
    assert got[:frames] == [0] * frames and all(g == 1 for g in got[frames:])
    tail = MotionStream(Controls(seed=3), track.fps, lookahead_s=lookahead_s)
    out = np.concatenate([tail.push(track).values, tail.flush().values])
    off = generate_motion(track, Controls(seed=3)).values
    assert out.shape == off.shape and np.isfinite(out).all()
    jaw = CHANNELS.index("jaw_open")
    best = max(
        np.corrcoef(out[lag:, jaw], off[: len(off) - lag, jaw])[0, 1] for lag in range(frames + 1)
    )
    assert best > 0.95
    with pytest.raises(ValueError):
        MotionStream(Controls(), track.fps, lookahead_s=0.0)
