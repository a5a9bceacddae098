import numpy as np

from parlante.motion import HEAD_CHANNELS, Controls, generate_motion
from parlante.motion.stats import head_delta_p
from parlante.motion.synthetic import constant_track, silence


def test_head_amplitudes_like_real_speakers(speech60):
    for seed in range(3):
        m = generate_motion(speech60, Controls(seed=seed))
        yaw = m.channel("yaw")
        assert 1.5 < yaw.std() < 4.5
        assert np.mean(np.abs(yaw) > 10.0) < 0.01
        assert 0.18 < head_delta_p(m) < 0.4
        assert m.channel("roll").std() < m.channel("yaw").std()


def test_motion_scale_zero_freezes_the_head_and_two_livens_it(speech60):
    still = generate_motion(speech60, Controls(motion_scale=0.0))
    for name in HEAD_CHANNELS:
        assert np.all(still.channel(name) == 0.0), name
    one = head_delta_p(generate_motion(speech60, Controls(motion_scale=1.0)))
    two = head_delta_p(generate_motion(speech60, Controls(motion_scale=2.0)))
    assert 1.6 * one < two < 2.5 * one


def test_head_is_smooth(speech60_motion):
    for name in ("yaw", "pitch", "roll"):
        d2 = np.abs(np.diff(speech60_motion.channel(name), 2))
        assert d2.max() < 0.6, name  # degrees per frame^2 at 25 fps
        assert d2.mean() < 0.08, name


def test_head_moves_more_in_speech_than_in_silence(speech60):
    talk = generate_motion(speech60, Controls(seed=5))
    quiet = generate_motion(constant_track([silence(60.0)]), Controls(seed=5))
    assert head_delta_p(talk) > 1.5 * head_delta_p(quiet)
    # ...but a silent face is not frozen: it drifts.
    assert quiet.channel("yaw").std() > 0.3
    assert head_delta_p(quiet) > 0.02


def test_nods_follow_stressed_syllables():
    # A monotone voice with a few loud, high-pitched syllables: the head nods at them.
    from parlante.motion.synthetic import vowel

    calm = [vowel(0.2, "@", -22, 110), silence(0.05)] * 8
    stretches = [silence(0.5)]
    for _ in range(8):
        stretches += calm + [vowel(0.25, "a", -12, 150), silence(0.05)]
    track = constant_track(stretches)
    accents = []
    t = 0.5
    for s in stretches[1:]:
        if s.loudness == -12:
            accents.append(t)
        t += s.seconds
    near, far = [], []
    for seed in range(4):
        pitch = generate_motion(track, Controls(seed=seed)).channel("pitch")
        speed = np.abs(np.diff(pitch))
        mask = np.zeros(len(speed), bool)
        for a in accents:
            mask[round((a - 0.1) * 25) : round((a + 0.5) * 25)] = True
        near.append(speed[mask].mean())
        far.append(speed[~mask & (np.arange(len(speed)) > 12)].mean())
    assert np.mean(near) > 1.2 * np.mean(far)


def test_translation_follows_rotation(speech60_motion):
    yaw, tx = speech60_motion.channel("yaw"), speech60_motion.channel("tx")
    assert np.corrcoef(yaw, tx)[0, 1] > 0.7
    assert np.abs(tx).max() < 0.06
    assert np.abs(speech60_motion.channel("scale")).max() < 0.05


def test_breathing_in_silence():
    m = generate_motion(constant_track([silence(40.0)]), Controls(seed=2))
    ty = m.channel("ty") - 0.0025 * m.channel("pitch")  # remove the nod-induced shift
    spec = np.abs(np.fft.rfft(ty - ty.mean()))
    freqs = np.fft.rfftfreq(len(ty), 1 / 25.0)
    band = (freqs > 0.18) & (freqs < 0.32)
    assert spec[band].max() > 3 * np.median(spec[(freqs > 0.05) & (freqs < 2.0)])


def test_brows_rise_a_little_on_accents():
    from parlante.motion.synthetic import vowel

    calm = [vowel(0.2, "@", -22, 110), silence(0.05)] * 8
    stretches = [silence(0.5)]
    for _ in range(8):
        stretches += calm + [vowel(0.25, "a", -12, 150), silence(0.05)]
    track = constant_track(stretches)
    start = round(0.5 * 25)
    period = (len(track) - start) // 8  # frames per calm run + accent
    brow = np.mean(
        [generate_motion(track, Controls(seed=s)).channel("brow_raise") for s in range(6)], axis=0
    )
    folded = brow[start : start + 8 * period].reshape(8, period).mean(axis=0)
    accent = period - round(0.3 * 25)  # the stressed syllable ends each period
    assert folded[accent - 5 : accent + 12].max() > 3 * np.median(folded)
    single = generate_motion(track, Controls(seed=0)).channel("brow_raise")
    assert 0.08 < single.max() < 0.35
