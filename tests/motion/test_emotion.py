import numpy as np
import pytest

from parlante.motion import Controls, MotionStream, generate_motion
from parlante.motion.stats import head_delta_p
from parlante.motion.synthetic import chunked


def mean(m, name):
    return float(m.channel(name).mean())


@pytest.fixture(scope="module")
def by_emotion(speech60):
    return {
        e: generate_motion(speech60, Controls(emotion=e, emotion_strength=1.0, seed=4))
        for e in ("neutral", "happy", "sad", "angry", "surprised")
    }


@pytest.mark.parametrize(
    ("emotion", "channels"),
    [
        ("happy", ("smile", "squint", "brow_raise")),
        ("sad", ("mouth_down", "brow_inner_up", "gaze_y")),
        ("angry", ("brow_furrow", "squint", "lip_press")),
        ("surprised", ("eye_wide", "brow_raise", "jaw_open")),
    ],
)
def test_emotion_moves_its_channels(by_emotion, emotion, channels):
    for name in channels:
        assert mean(by_emotion[emotion], name) > mean(by_emotion["neutral"], name) + 0.02, name


def test_sad_head_is_calmer_and_angry_livelier(by_emotion):
    neutral = head_delta_p(by_emotion["neutral"])
    assert head_delta_p(by_emotion["sad"]) < 0.8 * neutral
    assert head_delta_p(by_emotion["angry"]) > neutral


def test_surprise_parts_the_lips_at_rest(speech60):
    quiet = speech60.loudness < -60
    m = generate_motion(speech60, Controls(emotion="surprised", emotion_strength=1.0))
    assert m.channel("jaw_open")[quiet].mean() > 0.04


def test_strength_scales_the_expression(speech60):
    weak = generate_motion(speech60, Controls(emotion="happy", emotion_strength=0.3))
    strong = generate_motion(speech60, Controls(emotion="happy", emotion_strength=0.9))
    assert mean(strong, "smile") > 2.5 * mean(weak, "smile")


def test_set_controls_glides_without_a_jump(speech60):
    fps = speech60.fps
    stream = MotionStream(Controls(seed=1), fps)
    pieces = chunked(speech60, [250] * 100)
    out = [stream.push(pieces[0]).values]
    stream.set_controls(Controls(emotion="happy", emotion_strength=1.0, gaze=(5.0, 0.0), seed=1))
    switch = sum(len(o) for o in out)
    for p in pieces[1:]:
        out.append(stream.push(p).values)
    out.append(stream.flush().values)
    values = np.concatenate(out)
    from parlante.motion import INDEX

    smile = values[:, INDEX["smile"]]
    assert smile[:switch].max() == 0.0
    assert np.abs(np.diff(smile)).max() < 0.2  # glides...
    assert smile[switch + round(0.5 * fps) :].min() > 0.65  # ...and arrives within ~0.3 s
    ramp = smile[switch : switch + round(0.5 * fps)]
    assert np.all(np.diff(ramp) >= 0)
    assert np.sum((ramp > 0.05) & (ramp < 0.65)) >= 3  # several in-between frames


def test_motion_scale_glides_to_a_still_head(speech60):
    from parlante.motion import HEAD_CHANNELS, INDEX

    stream = MotionStream(Controls(motion_scale=1.5, seed=2), speech60.fps)
    pieces = chunked(speech60, [300] * 100)
    first = stream.push(pieces[0]).values
    stream.set_controls(Controls(motion_scale=0.0, seed=2))
    rest = np.concatenate([stream.push(p).values for p in pieces[1:]] + [stream.flush().values])
    yaw = np.concatenate([first, rest])[:, INDEX["yaw"]]
    # no snap to zero: a snap would jump by the whole yaw at once (several degrees)
    assert np.abs(np.diff(yaw)).max() < 2.0 < np.abs(yaw[: len(first)]).max()
    settled = rest[round(0.6 * speech60.fps) :]
    for name in HEAD_CHANNELS:
        assert np.all(settled[:, INDEX[name]] == 0.0), name
