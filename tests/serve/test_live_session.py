"""LiveSession: streamed frames equal the offline pipeline's, whatever the chunking."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from parlante.motion.channels import INDEX
from parlante.options import AnimateOptions
from parlante.pipeline import Voice, plan_motion
from parlante.stream import LiveSession, iter_frames, stream_frames

from .conftest import SIZE, mouth_box

PAYLOAD = 0x5A17_0F0F


def random_chunks(samples: np.ndarray, rate: int, seed: int) -> list[np.ndarray]:
    """Chunks of 20 ms to 1 s, including odd sample counts."""
    rng = np.random.default_rng(seed)
    out, i = [], 0
    while i < len(samples):
        n = int(rng.uniform(0.02, 1.0) * rate) | 1
        out.append(samples[i : i + n])
        i += n
    return out


def stream_all(session: LiveSession, chunks, *, render: bool) -> tuple[list, list]:
    plans = []
    for c in chunks:
        plans += session.plan_audio(c)
    plans += session.plan_end()
    frames = [session.render(p) for p in plans] if render else []
    return plans, frames


@pytest.fixture(scope="module")
def offline(rig, voice):
    samples, rate = voice
    options = AnimateOptions(size=SIZE, seed=3)
    return options, plan_motion(rig, Voice(samples, rate, "x"), options)


def test_streamed_motion_matches_offline_for_any_chunking(rig, voice, offline):
    samples, rate = voice
    options, motion = offline
    for seed in (0, 1):
        session = LiveSession(rig, options, rate, payload=PAYLOAD)
        plans, _ = stream_all(session, random_chunks(samples, rate, seed), render=False)
        assert [p.index for p in plans] == list(range(len(motion)))
        np.testing.assert_allclose([p.pts for p in plans], np.arange(len(motion)) / options.fps)
        streamed = np.stack([p.motion for p in plans])
        # every frame past the first lookahead window must equal the offline motion
        skip = int(np.ceil(session.lookahead_seconds * options.fps))
        np.testing.assert_allclose(streamed[skip:], motion.values[skip:], atol=1e-4)
        # no jumps at chunk boundaries: frame-to-frame steps as small as offline ones
        steps = np.abs(np.diff(streamed, axis=0)).max(0)
        assert (steps <= np.abs(np.diff(motion.values, axis=0)).max(0) + 1e-3).all()


def test_streamed_frames_match_offline_render(rig, voice, offline):
    from parlante.provenance import Watermark
    from parlante.render import Renderer

    samples, rate = voice
    options, motion = offline
    session = LiveSession(rig, options, rate, payload=PAYLOAD)
    picks = list(range(10, len(motion), 9))
    chunks = random_chunks(samples, rate, 5)
    plans, _ = stream_all(session, chunks, render=False)
    renderer, mark = Renderer(rig), Watermark(size=SIZE)
    for i in picks:
        live = session.render(plans[i]).frame
        ref = mark.embed(renderer.render(motion.frame(i)), PAYLOAD)
        assert live.shape == (SIZE, SIZE, 3) and live.dtype == np.uint8
        diff = np.abs(live.astype(np.int16) - ref.astype(np.int16))
        assert diff.mean() < 0.5 and np.percentile(diff, 99.9) <= 8


def test_int16_chunks_give_the_same_motion_as_float(rig, voice):
    samples, rate = voice
    options = AnimateOptions(size=SIZE)
    pcm16 = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    a = LiveSession(rig, options, rate, payload=1)
    b = LiveSession(rig, options, rate, payload=1)
    pa, _ = stream_all(a, random_chunks(pcm16, rate, 2), render=False)
    pb, _ = stream_all(b, [pcm16.astype(np.float32) / 32768.0], render=False)
    np.testing.assert_allclose(
        np.stack([p.motion for p in pa]), np.stack([p.motion for p in pb]), atol=1e-5
    )


def test_idle_continues_the_timeline_without_jumps(rig, voice):
    samples, rate = voice
    session = LiveSession(rig, AnimateOptions(size=SIZE), rate, payload=1)
    half = len(samples) // 2
    plans = session.plan_audio(samples[:half])
    plans += session.plan_idle(1.5)
    plans += session.plan_audio(samples[half:])
    plans += session.plan_end()
    fps = session.fps
    total = len(samples) / rate + 1.5
    assert abs(len(plans) - total * fps) <= 1
    assert [p.index for p in plans] == list(range(len(plans)))
    values = np.stack([p.motion for p in plans])
    # during the pause (well inside it) the mouth rests
    from parlante.motion.channels import INDEX

    t0, t1 = half / rate + 0.4, half / rate + 1.1
    pause = values[int(t0 * fps) : int(t1 * fps), INDEX["jaw_open"]]
    speech = values[: int(half / rate * fps), INDEX["jaw_open"]]
    assert pause.max() < 0.5 * speech.max()
    # and the face keeps moving smoothly across the pause (no jump where silence was inserted)
    steps = np.abs(np.diff(values, axis=0))
    edges = [int(half / rate * fps), int((half / rate + 1.5) * fps)]
    for e in edges:
        near = steps[max(0, e - 2) : e + 2].max(0)
        assert (near <= steps.max(0) + 1e-6).all()
        assert near[INDEX["yaw"]] < 2.0  # degrees per frame


def test_set_controls_changes_the_expression_mid_stream(rig, voice):
    from parlante.motion.channels import INDEX

    samples, rate = voice
    session = LiveSession(rig, AnimateOptions(size=SIZE), rate, payload=1)
    half = len(samples) // 2
    plans = session.plan_audio(samples[:half])
    n_before = len(plans)
    session.set_controls(emotion="happy", emotion_strength=1.0)
    plans += session.plan_audio(samples[half:])
    plans += session.plan_idle(1.0)
    plans += session.plan_end()
    smile = np.array([p.motion[INDEX["smile"]] for p in plans])
    assert smile[-10:].mean() > smile[:n_before].mean() + 0.2
    with pytest.raises(ValueError, match="seed"):
        session.set_controls(seed=4)
    with pytest.raises(ValueError):
        session.set_controls(emotion="bored")


def test_rendered_frames_are_watermarked_and_mouth_moves(rig, voice):
    from parlante.provenance import detect_watermark

    samples, rate = voice
    session = LiveSession(rig, AnimateOptions(size=SIZE), rate, payload=PAYLOAD)
    frames = session.push_audio(samples[: rate * 2]) + session.end()
    rows, cols = mouth_box(rig)
    mouth = np.array([f.frame[rows, cols].mean() for f in frames])
    assert mouth.std() > 1.0
    report = detect_watermark([f.frame for f in frames[::5]])
    assert report.payload == PAYLOAD


def test_iter_and_async_forms_give_the_same_frames(rig, voice):
    samples, rate = voice
    samples = samples[:rate]
    options = AnimateOptions(size=SIZE)
    chunks = random_chunks(samples, rate, 7)
    sync = list(iter_frames(rig, chunks, options, sample_rate=rate, payload=9))

    async def collect():
        async def source():
            for c in chunks:
                yield c
                await asyncio.sleep(0)

        return [f async for f in stream_frames(rig, source(), options, sample_rate=rate, payload=9)]

    frames = asyncio.run(collect())
    assert [f.index for f in frames] == [f.index for f in sync] == list(range(len(sync)))
    for a, b in zip(frames, sync, strict=True):
        assert np.array_equal(a.frame, b.frame)


def test_low_latency_session_stays_close_to_offline(rig, voice, offline):
    """A live avatar trades the 0.2 s look-ahead for latency: with one frame of look-ahead
    the first frame can leave within 100 ms of audio, and the mouth is the offline mouth
    at most one frame (40 ms) later: still inside the lip-sync tolerance of viewers."""
    samples, rate = voice
    options, motion = offline
    session = LiveSession(rig, options, rate, payload=PAYLOAD, lookahead=0.04)
    assert session.lookahead_seconds < 0.07
    plans, _ = stream_all(session, random_chunks(samples, rate, 0), render=False)
    streamed = np.stack([p.motion for p in plans])
    assert streamed.shape == motion.values.shape
    jaw = INDEX["jaw_open"]
    live, off = streamed[:, jaw], motion.values[:, jaw]
    best = max(np.corrcoef(live[lag:], off[: len(off) - lag])[0, 1] for lag in (0, 1))
    assert best > 0.95
    full = LiveSession(rig, options, rate, payload=PAYLOAD)
    assert full.lookahead_seconds > session.lookahead_seconds
