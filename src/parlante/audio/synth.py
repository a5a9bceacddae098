"""A small formant synthesiser: vowels with known formants, pitch and level, for tests.

Vowels are a Rosenberg glottal pulse train (differentiated for lip radiation) through a
cascade of Klatt two-pole resonators; consonants are shaped noise. Everything is seeded,
so a test knows the answer without depending on espeak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

VOWEL_FORMANTS: dict[str, tuple[float, float, float]] = {
    "a": (730.0, 1090.0, 2440.0),  # father
    "ae": (660.0, 1720.0, 2410.0),  # cat
    "uh": (640.0, 1190.0, 2390.0),  # cut
    "e": (530.0, 1840.0, 2480.0),  # bed
    "i": (270.0, 2290.0, 3010.0),  # beet
    "o": (570.0, 840.0, 2410.0),  # caught
    "u": (300.0, 870.0, 2240.0),  # boot
}
"""F1, F2, F3 in Hz of an adult male (Peterson & Barney 1952 averages)."""

_BANDWIDTHS = (80.0, 100.0, 150.0, 250.0, 300.0)
_HIGHER_FORMANTS = (3500.0, 4500.0)
_NASAL = (250.0, 1100.0, 2500.0)
_NOISE_BANDS = {"s": (4000.0, 7500.0), "sh": (2000.0, 5500.0), "f": (1000.0, 7500.0)}
_BURST_BANDS = {"p": (300.0, 1800.0), "t": (3000.0, 7000.0), "k": (1500.0, 3500.0)}
_FADE = 0.01  # s, raised-cosine fade at segment edges against clicks


@dataclass
class _Token:
    name: str
    seconds: float | None
    level_db: float | None


_NAMES = sorted({*VOWEL_FORMANTS, *_NOISE_BANDS, *_BURST_BANDS, "_", "m"}, key=len, reverse=True)


def _split_syllable(word: str) -> list[str]:
    """Greedy longest-match split of e.g. "pa" -> ["p", "a"], "sha" -> ["sh", "a"]."""
    names, rest = [], word
    while rest:
        name = next((n for n in _NAMES if rest.startswith(n)), None)
        if name is None:
            raise ValueError(f"synth_vowels: cannot read {word!r}; known sounds: {sorted(_NAMES)}")
        names.append(name)
        rest = rest[len(name) :]
    return names


def _parse(sequence: str | list[str]) -> list[_Token]:
    text = sequence if isinstance(sequence, str) else " ".join(sequence)
    tokens = []
    for word in re.split(r"\s+|(?<=[a-z_])-(?=[a-z_])", text.strip()):
        if not word:
            continue
        level = None
        if "@" in word:
            word, lev = word.split("@", 1)
            level = float(lev)
        seconds = None
        if ":" in word:
            word, dur = word.split(":", 1)
            seconds = float(dur)
        for name in _split_syllable(word):
            tokens.append(_Token(name, None if name in _BURST_BANDS else seconds, level))
    return tokens


def _glottal_source(sample_rate: int, f0: np.ndarray) -> np.ndarray:
    """Differentiated Rosenberg pulses (n,) following the per-sample F0 contour (Hz)."""
    phase = np.cumsum(f0 / sample_rate) % 1.0
    rise, fall = 0.4, 0.16  # fractions of the period: opening, closing
    flow = np.where(
        phase < rise,
        0.5 * (1.0 - np.cos(np.pi * phase / rise)),
        np.where(phase < rise + fall, np.cos(0.5 * np.pi * (phase - rise) / fall), 0.0),
    )
    return np.diff(flow, prepend=0.0)


def _resonate(x: np.ndarray, freqs: tuple[float, ...], bws: tuple[float, ...], sr: int):
    """Cascade of unit-DC-gain two-pole resonators at ``freqs`` (Hz) below Nyquist."""
    from scipy.signal import lfilter  # scipy.signal takes ~1 s to import: only when used

    t = 1.0 / sr
    for f, bw in zip(freqs, bws, strict=False):
        if f >= 0.5 * sr - bw:
            continue
        c = -np.exp(-2.0 * np.pi * bw * t)
        b = 2.0 * np.exp(-np.pi * bw * t) * np.cos(2.0 * np.pi * f * t)
        x = lfilter([1.0 - b - c], [1.0, -b, -c], x)
    return x


def _band_noise(n: int, band: tuple[float, float], sr: int, rng: np.random.Generator):
    from scipy.signal import butter, sosfilt

    hi = min(band[1], 0.45 * sr)
    lo = min(band[0], 0.6 * hi)  # low sample rates squeeze the band below Nyquist
    sos = butter(4, [lo, hi], btype="bandpass", fs=sr, output="sos")
    return sosfilt(sos, rng.standard_normal(n))


def _set_level(x: np.ndarray, level_db: float) -> np.ndarray:
    rms = np.sqrt(np.mean(x * x))
    return x * (10.0 ** (level_db / 20.0) / rms) if rms > 0 else x


def _fade(x: np.ndarray, sr: int) -> np.ndarray:
    k = min(int(_FADE * sr), x.size // 2)
    if k > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(k) / k)
        x = x.copy()
        x[:k] *= ramp
        x[-k:] *= ramp[::-1]
    return x


def synth_vowels(
    sequence: str | list[str],
    sample_rate: int = 16000,
    *,
    f0: float = 120.0,
    seconds: float = 0.3,
    level_db: float = -12.0,
    formant_scale: float = 1.0,
    vibrato_hz: float = 0.0,
    vibrato_cents: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, int]:
    """Synthesise a sound sequence such as ``"_ a i u:0.5 _ pa-ma sa@-40"``.

    Sounds: vowels a ae uh e i o u (formants in ``VOWEL_FORMANTS``), m (nasal murmur),
    s sh f (fricative noise), p t k (60 ms closure, then burst and aspiration), _ (silence).
    Words are separated by spaces or "-" and may join sounds ("pa" = "p a"); ``word:0.5``
    sets the duration in seconds of its non-plosive sounds, ``word@-30`` their RMS level
    in dBFS.

    Parameters
    ----------
    sample_rate : Hz of the result.
    f0 : voice pitch in Hz (120 adult male, 210 female, 300 child).
    seconds : default token duration (plosives are 0.1 s).
    level_db : default RMS level of voiced and noise tokens, dB re full scale.
    formant_scale : multiplies every formant (1.17 ~ female, 1.35 ~ child).
    vibrato_hz, vibrato_cents : sinusoidal pitch modulation, as in singing.

    Returns
    -------
    samples : (N,) float32 in [-1, 1].
    sample_rate : Hz, as given.
    """
    rng = np.random.default_rng(seed)
    out = []
    clock = 0  # samples so far, keeps vibrato phase continuous across tokens
    for tok in _parse(sequence):
        dur = tok.seconds if tok.seconds is not None else (0.1 if tok.name in "ptk" else seconds)
        n = max(int(round(dur * sample_rate)), 1)
        level = tok.level_db if tok.level_db is not None else level_db
        t = (clock + np.arange(n)) / sample_rate
        contour = f0 * 2.0 ** (vibrato_cents / 1200.0 * np.sin(2.0 * np.pi * vibrato_hz * t))
        if tok.name == "_":
            seg = np.zeros(n)
        elif tok.name in VOWEL_FORMANTS or tok.name == "m":
            base = VOWEL_FORMANTS.get(tok.name, _NASAL)
            freqs = tuple(f * formant_scale for f in (*base, *_HIGHER_FORMANTS))
            bws = _BANDWIDTHS if tok.name != "m" else (100.0, 300.0, 400.0, 500.0, 500.0)
            source = _glottal_source(sample_rate, contour)
            seg = _fade(_set_level(_resonate(source, freqs, bws, sample_rate), level), sample_rate)
        elif tok.name in _NOISE_BANDS:
            noise = _band_noise(n, _NOISE_BANDS[tok.name], sample_rate, rng)
            seg = _fade(_set_level(noise, level - (12.0 if tok.name == "f" else 0.0)), sample_rate)
        else:  # plosive: closure, release burst, aspiration
            seg = np.zeros(n)
            start = min(int(0.06 * sample_rate), n - 1)
            burst_n = n - start
            decay = np.exp(-np.arange(burst_n) / (0.012 * sample_rate))
            burst = _band_noise(burst_n, _BURST_BANDS[tok.name], sample_rate, rng) * decay
            seg[start : start + burst_n] = _set_level(burst, level + 3.0)
        out.append(seg)
        clock += n
    y = np.concatenate(out) if out else np.zeros(0)
    return np.clip(y, -1.0, 1.0).astype(np.float32), int(sample_rate)
