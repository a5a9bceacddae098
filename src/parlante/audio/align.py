"""English forced alignment: audio + known transcript -> timed ARPAbet phones.

Uses pocketsphinx 5.1.1's bundled US-English acoustic model. A fresh decoder is built for
each call with a dictionary holding only the transcript's words (18 ms instead of 150 ms
for the full dictionary, and no state carried between calls: a reused decoder was seen to
fail alignments it passes when fresh). Words missing from CMUdict get a pronunciation from
espeak-ng's letter-to-sound rules, mapped to ARPAbet; if that is impossible they are dropped.

Phone times come from pocketsphinx's second, state-level pass after the word-level pass;
where that pass fails (a known 5.1.1 bug) the phone sequence is aligned again with each phone
spelt as a one-phone word. Decoding is single-threaded, about 8-10x real time here.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from parlante.audio.resample import StreamResampler
from parlante.audio.track import PhoneSegment
from parlante.errors import AudioError

_ALIGN_RATE = 16000
_FRAME_RATE = 100.0  # pocketsphinx feature frames per second
_PAD_SECONDS = 0.25  # quiet added at both ends: the model wants silence around speech
_NOISE_FLOOR = 3e-4  # ~ -70 dBFS; digital silence derails the acoustic model
_BEAMS = ({}, {"beam": 1e-80, "pbeam": 1e-80, "wbeam": 1e-60, "lpbeam": 1e-70})

_ARPABET = {
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G",
    "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T",
    "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
}  # fmt: skip
"""The phone set of pocketsphinx's en-us model (besides SIL)."""

_IPA_TO_ARPABET = {
    "ɑː": "AA", "ɑ": "AA", "ɒ": "AA", "a": "AA", "aː": "AA", "æ": "AE", "ʌ": "AH", "ə": "AH",
    "ɐ": "AH", "ɚ": "ER", "ɜː": "ER", "ɜ": "ER", "ɝ": "ER", "ɔː": "AO", "ɔ": "AO",
    "aɪ": "AY", "aʊ": "AW", "eɪ": "EY", "ɛ": "EH", "e": "EH", "ɪ": "IH", "ᵻ": "IH", "i": "IY",
    "iː": "IY", "oʊ": "OW", "əʊ": "OW", "o": "OW", "oː": "OW", "ɔɪ": "OY", "ʊ": "UH",
    "u": "UW", "uː": "UW", "ɔːɹ": "AO R", "ɑːɹ": "AA R", "oːɹ": "AO R", "ɛɹ": "EH R",
    "ɪɹ": "IH R", "ʊɹ": "UH R", "aɪɚ": "AY ER", "aɪə": "AY ER", "iə": "IY AH", "eə": "EH R",
    "əl": "AH L", "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "g": "G", "ɡ": "G",
    "f": "F", "v": "V", "θ": "TH", "ð": "DH", "s": "S", "z": "Z", "ʃ": "SH", "ʒ": "ZH",
    "h": "HH", "m": "M", "n": "N", "ŋ": "NG", "l": "L", "ɬ": "L", "ɹ": "R", "r": "R",
    "w": "W", "ʍ": "W", "j": "Y", "tʃ": "CH", "dʒ": "JH", "ɾ": "D", "ʔ": "T", "n̩": "AH N",
    "l̩": "AH L", "m̩": "AH M", "x": "K", "ç": "HH",
}  # fmt: skip

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


class TranscriptError(AudioError):
    """A transcript file cannot be read or holds no words."""


def read_transcript(arg: str | os.PathLike[str]) -> str:
    """Transcript text from ``arg``: the contents of a .txt file, or ``arg`` itself as text.

    A path object, or a string naming an existing file or ending in ".txt", is read as a
    UTF-8 file; TranscriptError (naming the file) if it is missing, unreadable or blank.
    """
    text = os.fspath(arg)
    looks_like_file = (
        isinstance(arg, os.PathLike)
        or text.lower().endswith(".txt")
        or ("\n" not in text and os.path.isfile(text))
    )
    if not looks_like_file:
        return text.strip()
    path = Path(text)
    if not path.is_file():
        raise TranscriptError(f"{path}: transcript file not found")
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(f"{path}: cannot read transcript ({exc})") from exc
    if not content.strip():
        raise TranscriptError(f"{path}: transcript is empty")
    return " ".join(content.split())


def _number_words(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        return [_ONES[n // 100], "hundred"] + (_number_words(n % 100) if n % 100 else [])
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            rest = _number_words(n % size) if n % size else []
            return _number_words(n // size) + [name] + rest
    return [_ONES[int(d)] for d in str(n)]


def transcript_words(text: str) -> list[str]:
    """Lower-case words of ``text`` as CMUdict spells them; numbers become words."""
    plain = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    words: list[str] = []
    for token in re.findall(r"[a-z0-9']+", plain):
        for part in re.findall(r"[0-9]+|[a-z']+", token):
            if part.isdigit():
                words += _number_words(int(part)) if len(part) <= 12 else list(part)
            elif part.strip("'"):
                words.append(part)
    return words


def _cmudict_entries(words: set[str]) -> dict[str, list[str]]:
    """Pronunciations (space-separated ARPAbet, no stress digits) of ``words`` in CMUdict."""
    from pocketsphinx import get_model_path

    found: dict[str, list[str]] = {}
    with open(get_model_path("en-us/cmudict-en-us.dict"), encoding="utf-8") as fh:
        for line in fh:
            head, _, phones = line.partition(" ")
            word = head.split("(", 1)[0]
            if word in words:
                found.setdefault(word, []).append(phones.strip())
    return found


def _ipa_word_to_arpabet(phonemes: list[str]) -> str | None:
    out: list[str] = []
    for ph in phonemes:
        ph = ph.replace("ˈ", "").replace("ˌ", "")
        arpa = _IPA_TO_ARPABET.get(ph) or _IPA_TO_ARPABET.get(ph.replace("ː", ""))
        if arpa is None:  # unknown cluster: take whatever single symbols are known
            arpa = " ".join(_IPA_TO_ARPABET[c] for c in ph if c in _IPA_TO_ARPABET)
        if arpa:
            out.append(arpa)
    return " ".join(out) if out else None


def _guess_pronunciation(word: str) -> str | None:
    """ARPAbet for a word missing from CMUdict via espeak-ng, or None."""
    from parlante.audio.voice import VoiceUnavailableError, text_to_ipa

    try:
        ipa = text_to_ipa(word.strip("'"), voice="en-us")
    except VoiceUnavailableError:
        return None
    phones = _ipa_word_to_arpabet([ph for w in ipa for ph in w])
    if phones is None or not set(phones.split()) <= _ARPABET:
        return None
    return phones


def _to_pcm(samples: np.ndarray, sample_rate: int) -> bytes:
    resampler = StreamResampler(int(sample_rate), _ALIGN_RATE)
    x = np.concatenate([resampler.push(np.asarray(samples, np.float64)), resampler.flush()])
    pad = np.zeros(int(_PAD_SECONDS * _ALIGN_RATE))
    x = np.concatenate([pad, x, pad])
    x = x + np.random.default_rng(0).normal(0.0, _NOISE_FLOOR, x.size)
    return (np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def _decoder(dict_path: str, beams: dict):
    from pocketsphinx import Decoder

    # bestpath off: its lattice can give a phone fewer frames than states, which breaks the
    # second (state-level) pass in pocketsphinx 5.1.1.
    return Decoder(lm=None, dict=dict_path, loglevel="FATAL", bestpath=False, **beams)


def _align_pass(decoder, pcm: bytes, words: list[str]) -> list[str] | None:
    """Word-level alignment; the dictionary entries chosen (e.g. "read(2)"), or None."""
    try:
        decoder.set_align_text(" ".join(words))
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
    except RuntimeError:
        return None
    # The segmentation names the pronunciation used ("read(2)"); the hypothesis does not.
    segments = decoder.seg() or []  # None when nothing was recognised
    chosen = [seg.word for seg in segments if not seg.word.startswith(("<", "["))]
    if [w.split("(", 1)[0] for w in chosen] != words:
        return None  # the search ended before the grammar's final word
    return chosen


def _state_pass(decoder, pcm: bytes) -> list[tuple[str, int, int]]:
    """Phone times from pocketsphinx's second (state-level) pass: (phone, frame, frames)."""
    try:
        decoder.set_alignment()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        alignment = decoder.get_alignment()
    except RuntimeError:
        return []
    if alignment is None:
        return []
    return [(ph.name, ph.start, ph.duration) for ph in alignment.phones()]


def _phone_word_pass(pcm: bytes, phones: list[str], tmp: str, beams: dict):
    """Fallback phone times: align the phone sequence with each phone spelt as a word.

    Used when the state-level pass fails (a known pocketsphinx 5.1.1 bug): the word-level
    search is robust and, given one-phone words, its word times are phone times.
    """
    dict_path = os.path.join(tmp, "phones.dict")
    with open(dict_path, "w", encoding="utf-8") as fh:
        fh.writelines(f"ph_{ph.lower()} {ph}\n" for ph in sorted(set(phones)))
    decoder = _decoder(dict_path, beams)
    if _align_pass(decoder, pcm, [f"ph_{ph.lower()}" for ph in phones]) is None:
        return []
    return [
        (seg.word[3:].upper() if seg.word.startswith("ph_") else "SIL", seg.start_frame,
         seg.end_frame - seg.start_frame + 1)
        for seg in decoder.seg() or []
    ]  # fmt: skip


def align_transcript(samples: np.ndarray, sample_rate: int, text: str) -> list[PhoneSegment]:
    """Align English ``text`` to the recording; phones and silences cover the audio.

    Parameters
    ----------
    samples : (N,) mono float waveform in [-1, 1].
    sample_rate : Hz.
    text : what is said, plain English; punctuation is ignored, numbers are read out.

    Returns PhoneSegments (ARPAbet without stress digits, "SIL" for silence) in time order,
    seconds within [0, N / sample_rate], at 10 ms resolution; [] if nothing could be aligned
    (wrong transcript, not English, too noisy), which the caller should report.
    """
    words = transcript_words(text)
    duration = len(samples) / float(sample_rate)
    if not words or duration <= 0:
        return []
    prons = _cmudict_entries(set(words))
    for word in set(words) - set(prons):
        guess = _guess_pronunciation(word)
        if guess is not None:
            prons[word] = [guess]
    words = [w for w in words if w in prons]
    if not words:
        return []
    pcm = _to_pcm(samples, sample_rate)
    with tempfile.TemporaryDirectory(prefix="parlante-align-") as tmp:
        dict_path = os.path.join(tmp, "words.dict")
        with open(dict_path, "w", encoding="utf-8") as fh:
            for word in sorted(prons):
                for k, phones in enumerate(prons[word]):
                    fh.write(f"{word if k == 0 else f'{word}({k + 1})'} {phones}\n")
        raw: list[tuple[str, int, int]] = []
        for beams in _BEAMS:
            decoder = _decoder(dict_path, beams)
            chosen = _align_pass(decoder, pcm, words)
            if chosen is None:
                continue
            raw = _state_pass(decoder, pcm)
            if not raw:
                phones = [ph for entry in chosen for ph in _pronunciation(prons, entry).split()]
                raw = _phone_word_pass(pcm, phones, tmp, beams)
            if raw:
                break
    return _segments(raw, duration)


def _pronunciation(prons: dict[str, list[str]], entry: str) -> str:
    """Phones of a dictionary entry such as "read" or "read(2)"."""
    word, _, alt = entry.partition("(")
    return prons[word][int(alt.rstrip(")")) - 1 if alt else 0]


def _segments(raw: list[tuple[str, int, int]], duration: float) -> list[PhoneSegment]:
    """Frames -> seconds without the padding; fillers become SIL; SIL runs merge."""
    out: list[PhoneSegment] = []
    for name, start, length in raw:
        phone = name if name in _ARPABET else "SIL"
        t0 = min(max(start / _FRAME_RATE - _PAD_SECONDS, 0.0), duration)
        t1 = min(max((start + length) / _FRAME_RATE - _PAD_SECONDS, 0.0), duration)
        if t1 <= t0:
            continue
        if out and phone == "SIL" and out[-1].phone == "SIL":
            out[-1].end = t1
        else:
            out.append(PhoneSegment(phone, round(t0, 4), round(t1, 4)))
    return out
