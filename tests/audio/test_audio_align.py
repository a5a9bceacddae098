"""Forced alignment of English text with pocketsphinx, and transcript reading."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.audio import (
    TranscriptError,
    VoiceUnavailableError,
    align_transcript,
    analyze_audio,
    read_transcript,
    speak,
)
from parlante.audio.align import transcript_words


@pytest.fixture(scope="module")
def papa():
    try:
        samples, rate = speak("papa bob map", voice="en-us", rate_wpm=140)
    except VoiceUnavailableError as exc:
        pytest.skip(f"espeak-ng unavailable: {exc}")
    return samples, rate


def _check_tiling(phones, duration):
    assert phones[0].start == 0.0
    assert phones[-1].end == pytest.approx(duration, abs=0.011)
    for a, b in zip(phones, phones[1:], strict=False):
        assert a.end == pytest.approx(b.start, abs=1e-6)
        assert a.start < a.end


def test_papa_bob_map_phones_in_order_and_at_closures(papa):
    samples, rate = papa
    phones = align_transcript(samples, rate, "Papa, Bob... map!")
    duration = len(samples) / rate
    _check_tiling(phones, duration)
    spoken = [p.phone for p in phones if p.phone != "SIL"]
    assert spoken == ["P", "AA", "P", "AH", "B", "AA", "B", "M", "AE", "P"]
    track = analyze_audio(samples, rate, fps=100.0)
    peak = track.loudness.max()
    for k, p in enumerate(phones):
        if p.phone not in ("P", "B", "M"):
            continue
        lo, hi = int(p.start * 100) - 2, int(np.ceil(p.end * 100)) + 2
        closure = track.loudness[max(lo, 0) : hi].min()
        assert closure < peak - 12.0, p  # lips closed: the sound dips
        nxt = phones[k + 1] if k + 1 < len(phones) else None
        if nxt is not None and nxt.phone in ("AA", "AH", "AE"):
            vowel = track.loudness[int(nxt.start * 100) : int(np.ceil(nxt.end * 100))].max()
            assert vowel > closure + 10.0, (p, nxt)


def test_phone_level_fallback_when_the_state_pass_fails(papa, monkeypatch):
    from parlante.audio import align

    samples, rate = papa
    normal = align_transcript(samples, rate, "papa bob map")
    monkeypatch.setattr(align, "_state_pass", lambda decoder, pcm: [])
    fallback = align_transcript(samples, rate, "papa bob map")
    _check_tiling(fallback, len(samples) / rate)
    spoken = [p for p in fallback if p.phone != "SIL"]
    assert [p.phone for p in spoken] == [p.phone for p in normal if p.phone != "SIL"]
    starts = np.array([p.start for p in spoken])
    ref = np.array([p.start for p in normal if p.phone != "SIL"])
    assert np.median(np.abs(starts - ref)) <= 0.03


def test_analyze_audio_with_transcript_fills_phones(papa):
    samples, rate = papa
    track = analyze_audio(samples, rate, transcript="papa bob map")
    assert [p.phone for p in track.phones if p.phone != "SIL"][:2] == ["P", "AA"]
    assert analyze_audio(samples, rate).phones == []


def test_words_missing_from_the_dictionary_get_a_pronunciation(papa):
    try:
        samples, rate = speak("papa zorblax map", voice="en-us", rate_wpm=140)
    except VoiceUnavailableError as exc:
        pytest.skip(f"espeak-ng unavailable: {exc}")
    phones = align_transcript(samples, rate, "papa zorblax map")
    _check_tiling(phones, len(samples) / rate)
    spoken = [p.phone for p in phones if p.phone != "SIL"]
    assert spoken[:4] == ["P", "AA", "P", "AH"]
    assert spoken[4] == "Z" and spoken[-3:] == ["M", "AE", "P"]


def test_impossible_alignment_returns_nothing(papa):
    samples, rate = papa
    short = samples[: rate // 10]
    long_text = "the quick brown fox jumps over the lazy dog " * 4
    assert align_transcript(short, rate, long_text) == []
    assert align_transcript(samples, rate, "?!...") == []


def test_transcript_words_normalise_text():
    assert transcript_words("Hello, World! It\u2019s 42 cafés.") == [
        "hello", "world", "it's", "forty", "two", "cafes",
    ]  # fmt: skip
    assert transcript_words("1905") == ["one", "thousand", "nine", "hundred", "five"]


def test_read_transcript_from_text_or_file(tmp_path):
    assert read_transcript("  papa bob map ") == "papa bob map"
    path = tmp_path / "words.txt"
    path.write_text("papa\nbob   map\n", encoding="utf-8")
    assert read_transcript(str(path)) == "papa bob map"
    assert read_transcript(path) == "papa bob map"
    with pytest.raises(TranscriptError, match="missing.txt: transcript file not found"):
        read_transcript(str(tmp_path / "missing.txt"))
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="blank.txt: transcript is empty"):
        read_transcript(blank)
