"""speak(): the espeak-ng voice built into the wheel, in several languages."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.audio import VoiceUnavailableError, analyze_audio, speak, text_to_ipa


def _speak_or_skip(text: str, **kw):
    try:
        return speak(text, **kw)
    except VoiceUnavailableError as exc:  # only when the espeak-ng library cannot load
        if "no voice named" in str(exc):
            raise
        pytest.skip(f"espeak-ng unavailable: {exc}")


@pytest.mark.parametrize(
    ("voice", "text"),
    [("en", "papa bob map"), ("fr", "Bonjour, je suis un portrait qui parle."),
     ("de", "Guten Tag, wie geht es dir?"), ("cmn", "你好，世界"), ("ja", "こんにちは")],
)  # fmt: skip
def test_speak_produces_voiced_speech(voice, text):
    samples, rate = _speak_or_skip(text, voice=voice)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert rate == 22050
    assert 0.3 < len(samples) / rate < 6.0
    assert 0.05 < np.abs(samples).max() <= 1.0
    track = analyze_audio(samples, rate)
    voiced = track.pitch[track.pitch > 0]
    assert np.mean(track.voicing > 0.5) > 0.3
    assert 60.0 < np.median(voiced) < 300.0


def test_rate_and_pitch_change_the_voice():
    slow, rate = _speak_or_skip("one two three four five", rate_wpm=110)
    fast, _ = _speak_or_skip("one two three four five", rate_wpm=260)
    assert len(slow) > 1.6 * len(fast)
    low, _ = _speak_or_skip("aaaah", pitch=20)
    high, _ = _speak_or_skip("aaaah", pitch=90)
    f_low = analyze_audio(low, rate).pitch
    f_high = analyze_audio(high, rate).pitch
    assert np.median(f_high[f_high > 0]) > 1.2 * np.median(f_low[f_low > 0])


def test_unknown_voice_is_a_clear_error():
    _speak_or_skip("test")  # skips if espeak-ng is missing altogether
    with pytest.raises(VoiceUnavailableError, match="no voice named 'xx-nowhere'"):
        speak("test", voice="xx-nowhere")


def test_blank_text_is_rejected():
    with pytest.raises(ValueError):
        speak("   ")


def test_letter_to_sound_rules_give_ipa_per_word():
    _speak_or_skip("test")
    words = text_to_ipa("zorblax hello")
    assert len(words) == 2
    assert words[0][0] == "z" and words[1][0] == "h"
    assert any("oʊ" in ph for ph in words[1])
