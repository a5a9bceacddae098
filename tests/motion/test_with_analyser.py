"""The generator on features from the real analyser (parlante.audio), fed synthetic vowels
with known formants and levels. Skipped when the audio stage is not available."""

import numpy as np
import pytest

from parlante.motion import Controls, MotionStream, generate_motion
from parlante.motion.stats import CLOSED_LIPS, lip_gap

audio = pytest.importorskip("parlante.audio")
if not hasattr(audio, "analyze_audio") or not hasattr(audio, "synth_vowels"):
    pytest.skip("parlante.audio has no analyze_audio / synth_vowels yet", allow_module_level=True)

FPS = 25.0


def motion_of(sequence: str):
    samples, rate = audio.synth_vowels(sequence)
    track = audio.analyze_audio(samples, rate, FPS)
    return track, generate_motion(track, Controls())


def at(t0: float, t1: float) -> slice:
    return slice(round(t0 * FPS), round(t1 * FPS))


def test_loud_vowel_opens_more_than_quiet_one():
    _, m = motion_of("_:0.5 a:0.5 _:0.3 a:0.5@-32 _:0.5")
    jaw = m.channel("jaw_open")
    assert jaw[at(0.5, 1.0)].max() > 2.0 * jaw[at(1.3, 1.8)].max()


def test_i_spreads_u_rounds():
    _, m = motion_of("_:0.5 i:0.5 _:0.3 u:0.5 _:0.5")
    spread, rnd = m.channel("lip_spread"), m.channel("lip_round")
    assert spread[at(0.6, 0.9)].mean() > spread[at(1.4, 1.7)].mean() + 0.25
    assert rnd[at(1.4, 1.7)].mean() > rnd[at(0.6, 0.9)].mean() + 0.25


def test_p_closure_shuts_the_lips_and_silence_keeps_them_shut():
    track, m = motion_of("_:0.5 a:0.4 pa:0.4 _:0.6")
    gap = lip_gap(m)
    closure = np.flatnonzero(track.loudness[at(0.7, 1.2)] < -60)
    assert closure.size  # the analyser saw the closure
    i = round(0.7 * FPS) + int(closure[0])
    assert gap[i - 1 : i + 2].min() < CLOSED_LIPS
    assert gap[at(0.6, 0.8)].min() > 0.2
    assert gap[at(1.45, 1.9)].max() < CLOSED_LIPS


def test_streamed_analysis_drives_the_stream():
    samples, rate = audio.synth_vowels("_:0.3 ma:0.3 sa:0.3 _:0.3 pi:0.3 u:0.3 _:0.4")
    track = audio.analyze_audio(samples, rate, FPS)
    offline = generate_motion(track, Controls(seed=4)).values
    features = audio.AudioFeatureStream(rate, FPS)
    motion = MotionStream(Controls(seed=4), FPS)
    parts = []
    for start in range(0, samples.size, 1000):  # ~62 ms of audio at a time
        parts.append(motion.push(features.push(samples[start : start + 1000])).values)
    parts.append(motion.push(features.flush()).values)
    parts.append(motion.flush().values)
    online = np.concatenate(parts)
    assert online.shape == offline.shape
    np.testing.assert_allclose(online, offline, atol=1e-5)
