import numpy as np

from parlante.audio.track import PhoneSegment
from parlante.motion import Controls, generate_motion
from parlante.motion.stats import CLOSED_LIPS, lip_gap
from parlante.motion.synthetic import (
    Stretch,
    constant_track,
    fricative,
    silence,
    speech_like_track,
    vowel,
)

FPS = 25.0


def frames(t0: float, t1: float) -> slice:
    return slice(round(t0 * FPS), round(t1 * FPS))


def run(stretches, phones=None, **controls):
    track = constant_track(stretches, fps=FPS)
    if phones:
        track.phones = phones
    return generate_motion(track, Controls(**controls))


def test_louder_open_vowel_opens_the_jaw_wider():
    m = run([silence(0.5), vowel(0.6, "a", -12), silence(0.5), vowel(0.6, "a", -30), silence(0.5)])
    jaw = m.channel("jaw_open")
    loud, quiet = jaw[frames(0.5, 1.1)].max(), jaw[frames(1.6, 2.2)].max()
    assert loud > 1.8 * quiet
    assert 0.35 < loud < 0.7  # a loud open vowel peaks around 0.6, not at a shout


def test_open_vowel_opens_more_than_close_vowel():
    m = run([silence(0.5), vowel(0.6, "a", -15), silence(0.5), vowel(0.6, "i", -15), silence(0.5)])
    jaw = m.channel("jaw_open")
    assert jaw[frames(0.7, 1.0)].mean() > 1.5 * jaw[frames(1.8, 2.1)].mean()


def test_level_relative_not_absolute():
    # The same utterance 20 dB quieter gives nearly the same mouth once the level has been
    # learnt from the first half second of voice.
    a = run([silence(0.5), vowel(1.0, "a", -15), silence(0.2), vowel(1.0, "e", -22), silence(0.5)])
    b = run([silence(0.5), vowel(1.0, "a", -35), silence(0.2), vowel(1.0, "e", -42), silence(0.5)])
    ja, jb = a.channel("jaw_open")[frames(1.0, 3.2)], b.channel("jaw_open")[frames(1.0, 3.2)]
    assert abs(ja.max() - jb.max()) < 0.05
    assert np.abs(ja - jb).mean() < 0.03


def test_high_f2_spreads_and_low_f2_rounds():
    m = run([silence(0.5), vowel(0.6, "i", -15), silence(0.4), vowel(0.6, "u", -15), silence(0.5)])
    i_part, u_part = frames(0.7, 1.0), frames(1.7, 2.0)
    spread, rnd = m.channel("lip_spread"), m.channel("lip_round")
    assert spread[i_part].mean() > spread[u_part].mean() + 0.3
    assert rnd[u_part].mean() > rnd[i_part].mean() + 0.3


def test_loudness_dip_between_voiced_parts_closes_lips():
    m = run([silence(0.5), vowel(0.5, "a", -15), Stretch(0.08, -60.0), vowel(0.5, "a", -15),
             silence(0.5)])  # fmt: skip
    gap = lip_gap(m)
    assert gap[frames(0.65, 0.85)].min() > 0.2  # open before the dip
    assert gap[frames(0.9, 1.12)].min() < CLOSED_LIPS  # shut in it
    assert gap[frames(1.2, 1.4)].min() > 0.2  # open again


def test_phrase_end_and_silence_close_the_mouth():
    m = run([silence(0.5), vowel(0.8, "a", -15), silence(1.5)])
    gap = lip_gap(m)
    assert gap[frames(1.6, 2.8)].max() < CLOSED_LIPS


def test_aligned_p_closes_lips_fully():
    phones = [PhoneSegment("AA1", 0.5, 1.0), PhoneSegment("P", 1.0, 1.08),
              PhoneSegment("AA0", 1.08, 1.7)]  # fmt: skip
    # Continuous voicing: only the transcript knows there is a closure.
    m = run([silence(0.5), vowel(1.2, "a", -15), silence(0.5)], phones)
    press = m.channel("lip_press")
    at_p = frames(0.96, 1.1)
    assert press[at_p].max() > 0.95
    assert lip_gap(m)[at_p].min() < 0.01
    assert press[frames(0.6, 0.9)].max() < 0.1  # but not during the vowels
    without = run([silence(0.5), vowel(1.2, "a", -15), silence(0.5)])
    assert without.channel("lip_press")[at_p].max() < 0.1


def test_visemes_shape_the_lips():
    phones = [PhoneSegment("F", 0.5, 0.62), PhoneSegment("UW1", 0.62, 0.9),
              PhoneSegment("IY1", 0.9, 1.2)]  # fmt: skip
    # The acoustics say "ah" throughout: the phones decide the shape.
    m = run([silence(0.5), vowel(0.7, "a", -15), silence(0.5)], phones)
    assert m.channel("lip_tuck")[frames(0.48, 0.62)].max() > 0.6
    assert m.channel("lip_round")[frames(0.7, 0.85)].mean() > 0.4
    assert m.channel("lip_spread")[frames(1.0, 1.15)].mean() > 0.3
    assert m.channel("lip_round")[frames(1.05, 1.15)].mean() < 0.2


def test_fricative_gives_small_opening_with_spread():
    m = run([silence(0.5), fricative(0.4, -30), silence(0.5)])
    mid = frames(0.6, 0.85)
    jaw = m.channel("jaw_open")[mid]
    assert 0.02 < jaw.mean() < 0.15
    assert m.channel("lip_spread")[mid].mean() > 0.05
    assert m.channel("lip_press")[mid].max() < 0.1


def test_mouth_starts_moving_before_the_sound():
    m = run([silence(1.0), vowel(0.6, "a", -15), silence(0.5)])
    jaw = m.channel("jaw_open")
    onset = round(1.0 * FPS)
    first = int(np.argmax(jaw > 0.05))
    lead_ms = (onset - first) / FPS * 1000
    assert 40 <= lead_ms <= 120
    assert jaw[onset - 1] < 0.85 * jaw[onset + 4]  # still opening: no jump ahead of time


def test_held_vowel_is_not_a_frozen_open_mouth():
    m = run([silence(0.5), vowel(3.0, "a", -15), silence(0.5)])
    jaw = m.channel("jaw_open")
    win = round(0.6 * FPS)
    for start in range(round(0.6 * FPS), round(3.4 * FPS) - win, 5):
        seg = jaw[start : start + win]
        assert seg.max() - seg.min() > 0.25 * seg.max(), start


def test_mouth_is_smooth_despite_jittery_features():
    rng = np.random.default_rng(0)
    track = constant_track([silence(0.5), vowel(3.0, "e", -15), silence(0.5)], fps=FPS)
    voiced = track.voicing > 0.5
    track.loudness = np.where(voiced, track.loudness + rng.normal(0, 2.0, len(track)), -80)
    track.f1 = np.where(voiced, track.f1 * (1 + rng.normal(0, 0.08, len(track))), 0)
    track.f2 = np.where(voiced, track.f2 * (1 + rng.normal(0, 0.08, len(track))), 0)
    m = generate_motion(track, Controls())
    steady = frames(0.8, 3.2)
    # Unsmoothed, this input gives second differences of up to 0.2-0.3.
    for name in ("jaw_open", "lip_spread", "lip_round"):
        d2 = np.abs(np.diff(m.channel(name)[steady], 2))
        assert d2.max() < 0.08, name
        assert d2.mean() < 0.02, name


def test_speech_openings_are_small(speech60_motion):
    jaw = speech60_motion.channel("jaw_open")
    gap = lip_gap(speech60_motion)
    speaking = jaw > 0.05
    assert 0.15 < np.median(jaw[speaking]) < 0.45
    assert np.percentile(jaw, 99) < 0.7
    assert 0.1 < np.mean(gap < CLOSED_LIPS) < 0.6  # closures between syllables and in pauses


def test_mouth_closes_between_syllables():
    track = speech_like_track(20.0, fps=FPS, seed=3)
    jaw = generate_motion(track, Controls()).channel("jaw_open")
    # Every 0.6 s of open mouth contains a marked closing movement.
    win = round(0.6 * FPS)
    n_open = 0
    for start in range(len(jaw) - win):
        seg = jaw[start : start + win]
        if seg.max() > 0.2:
            n_open += 1
            assert seg.min() < 0.75 * seg.max(), start / FPS
    assert n_open > 100
