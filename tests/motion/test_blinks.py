import numpy as np

from parlante.motion import Controls, generate_motion
from parlante.motion.stats import blink_events
from parlante.motion.synthetic import constant_track, silence, speech_like_track


def test_blink_rate_and_durations_while_talking(speech60_motion):
    events = blink_events(speech60_motion)
    per_min = len(events) * 60.0 / speech60_motion.duration
    assert 15 <= per_min <= 26
    durations = np.array([e.duration for e in events])
    assert durations.min() >= 0.1
    assert durations.max() <= 0.3
    assert all(e.peak > 0.95 for e in events)  # blinks shut the eye


def test_blink_rate_holds_across_seeds_and_voices():
    rates = []
    for seed in range(6):
        m = generate_motion(speech_like_track(60.0, seed=20 + seed), Controls(seed=seed))
        rates.append(len(blink_events(m)))
    assert 15 <= np.mean(rates) <= 26
    assert len(set(rates)) > 1  # not a metronome


def test_blinks_are_spaced_and_close_fast_open_slowly(speech60_motion):
    events = blink_events(speech60_motion)
    gaps = np.diff([e.start for e in events])
    assert gaps.min() > 0.2
    assert np.mean(gaps < 0.7) < 0.2  # only the occasional double blink comes closer
    closure = speech60_motion.channel("blink_l")
    # Fewer frames on the way down than on the way up.
    down = up = 0
    for i in np.flatnonzero(closure > 0.99):
        j = i
        while j > 0 and closure[j - 1] > 0.02:
            j -= 1
        k = i
        while k + 1 < len(closure) and closure[k + 1] > 0.02:
            k += 1
        down += i - j
        up += k - i
    assert up > 1.4 * down


def test_both_eyes_blink_together(speech60_motion):
    left, right = speech60_motion.channel("blink_l"), speech60_motion.channel("blink_r")
    assert np.corrcoef(left, right)[0, 1] > 0.98
    assert np.abs(left - right).max() < 0.1


def test_blinks_prefer_pauses():
    # Over many seeds, pauses (about a third of the time) get more than their share.
    in_pause = total = 0
    for seed in range(8):
        track = speech_like_track(60.0, seed=40 + seed)
        m = generate_motion(track, Controls(seed=seed))
        silent = track.loudness < -60
        for e in blink_events(m):
            i = round(e.start * track.fps)
            in_pause += silent[i]
            total += 1
    share = np.mean(speech_like_track(60.0, seed=40).loudness < -60)
    assert in_pause / total > 1.2 * share


def test_silence_still_blinks():
    m = generate_motion(constant_track([silence(60.0)]), Controls(seed=1))
    per_min = len(blink_events(m))
    assert 6 <= per_min <= 22
