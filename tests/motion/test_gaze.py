import numpy as np

from parlante.motion import Controls, generate_motion
from parlante.motion.synthetic import constant_track, silence, speech_like_track, vowel


def test_eyes_hold_the_target_against_head_turns(speech60):
    m = generate_motion(speech60, Controls(gaze=(3.0, -2.0), seed=1))
    yaw, gx = m.channel("yaw"), m.channel("gaze_x")
    assert np.corrcoef(yaw, gx)[0, 1] < -0.6
    slope = np.polyfit(yaw, gx, 1)[0]
    assert -0.8 < slope < -0.4
    # Around the requested direction once the head is accounted for.
    assert abs(np.median(gx + 0.6 * yaw) - 3.0) < 1.0
    assert abs(np.median(m.channel("gaze_y") + 0.6 * m.channel("pitch")) + 2.0) < 1.0


def test_saccades_are_small_quick_jumps_then_holds():
    m = generate_motion(constant_track([silence(60.0)]), Controls(motion_scale=0.0, seed=2))
    gx, gy = m.channel("gaze_x"), m.channel("gaze_y")  # head still: pure eye motion
    step = np.hypot(np.diff(gx), np.diff(gy))
    jumps = np.flatnonzero(step > 0.3)
    # Group consecutive jump frames (a saccade lasts at most two frames at 25 fps).
    starts = jumps[np.concatenate([[True], np.diff(jumps) > 2])]
    intervals = np.diff(starts) / 25.0
    assert 15 <= len(starts) <= 80  # every 0.5-3 s (look-aways add a few)
    assert np.median(intervals) > 0.5
    assert np.mean(step < 0.05) > 0.8  # holds between jumps
    sizes = np.array([np.hypot(gx[s + 3] - gx[s - 1], gy[s + 3] - gy[s - 1]) for s in starts[:-1]])
    assert 0.4 < np.median(sizes) < 2.5


def test_look_aways_in_long_pauses_come_back():
    stretches = []
    for _ in range(12):
        stretches += [vowel(1.0, "a", -15), silence(3.0)]
    track = constant_track(stretches)
    found = 0
    voiced = track.voicing > 0.5
    for seed in range(4):
        m = generate_motion(track, Controls(seed=seed))
        # Eye rotation beyond the counter-rotation that holds the target.
        off = np.hypot(
            m.channel("gaze_x") + 0.6 * m.channel("yaw"),
            m.channel("gaze_y") + 0.6 * m.channel("pitch"),
        )
        found += int(np.sum(np.diff((off > 3.5).astype(int)) == 1))
        assert off[voiced].max() < 3.5  # back on target whenever the voice is on
    assert 4 <= found <= 30  # occasional, not every pause (48 pauses in all)


def test_gaze_follows_control_direction():
    track = speech_like_track(10.0, seed=1)
    left = generate_motion(track, Controls(gaze=(-8.0, 0.0), motion_scale=0.0))
    right = generate_motion(track, Controls(gaze=(8.0, 0.0), motion_scale=0.0))
    assert np.median(right.channel("gaze_x") - left.channel("gaze_x")) > 14.0
