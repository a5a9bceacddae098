"""The per-frame feature kernel shared by ``analyze_audio`` and ``AudioFeatureStream``.

Every feature of frame i is computed from one 40 ms window of 16 kHz audio centred on the
frame time and from nothing else, so a whole-file analysis and a stream fed arbitrary chunks
see the same windows and give the same numbers. There is no smoothing across frames here:
that needs lookahead, and the motion stage smooths anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

ANALYSIS_RATE = 16000
"""Hz at which every feature is computed."""
WINDOW = 640
"""Samples (40 ms at 16 kHz) in each frame's analysis window."""
HALF_WINDOW = WINDOW // 2
"""The window spans [c - HALF_WINDOW, c + HALF_WINDOW) around the frame centre c."""
LOUDNESS_FLOOR_DB = -80.0
F0_MIN = 75.0
"""Hz; a 40 ms Hann window holds three periods of this (Boersma's rule)."""
F0_MAX = 1000.0
"""Hz; high enough for sopranos and children."""
FORMANT_CEILING = 5500.0
"""Hz; five formants are sought below this (Praat's default, suits most voices)."""
LPC_ORDER = 10

# Normalised autocorrelation at which voicing is 50 %; 0.55 agrees best (92-95 % of frames)
# with Praat's voiced/unvoiced decisions on real speech in several languages.
_VOICING_R = 0.55
_VOICING_R_SCALE = 0.05
_VOICING_DB = -60.0  # loudness at which voicing is 50 %: quieter frames are not speech
_VOICING_DB_SCALE = 2.0
_OCTAVE_COST = 0.03  # per octave of lag: prefer the shortest lag among near-equal peaks
_PITCH_FFT = 2048
_SPEC_FFT = 1024
_MIN_FORMANT_HZ = 90.0
_MAX_FORMANT_BW = 700.0  # Hz; wider poles model spectral tilt, not resonances


@dataclass
class FrameFeatures:
    """Features of F frames; every array has shape (F,). Units as in ``AudioTrack``."""

    loudness: np.ndarray
    voicing: np.ndarray
    pitch: np.ndarray
    f1: np.ndarray
    f2: np.ndarray
    centroid: np.ndarray
    flatness: np.ndarray

    @classmethod
    def empty(cls) -> FrameFeatures:
        z = np.zeros(0, np.float32)
        return cls(z, z, z, z, z, z, z)

    @classmethod
    def concat(cls, parts: list[FrameFeatures]) -> FrameFeatures:
        if not parts:
            return cls.empty()
        return cls(
            *(
                np.concatenate([getattr(p, name) for p in parts])
                for name in ("loudness", "voicing", "pitch", "f1", "f2", "centroid", "flatness")
            )
        )


def _hann(n: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * (np.arange(n) + 0.5) / n)


def _gaussian(n: int) -> np.ndarray:
    """Praat's formant window: Gaussian, edges at zero, effective length about half of n."""
    t = (np.arange(n) + 0.5) / n - 0.5
    edge = np.exp(-12.0)
    return (np.exp(-48.0 * t * t) - edge) / (1.0 - edge)


_HANN = _hann(WINDOW)
_HANN_AC = np.fft.irfft(np.abs(np.fft.rfft(_HANN, _PITCH_FFT)) ** 2)[:WINDOW]
_HANN_AC = _HANN_AC / _HANN_AC[0]
_LAG_MIN = int(np.floor(ANALYSIS_RATE / F0_MAX))
_LAG_MAX = int(np.ceil(ANALYSIS_RATE / F0_MIN))
_PREEMPH = float(np.exp(-2.0 * np.pi * 50.0 / ANALYSIS_RATE))  # +6 dB/oct from 50 Hz
_GAUSS = _gaussian(WINDOW - 1)
_CEIL_BIN = int(round(FORMANT_CEILING * _SPEC_FFT / ANALYSIS_RATE))
_LPC_RATE = 2.0 * _CEIL_BIN * ANALYSIS_RATE / _SPEC_FFT  # rate of the band-limited model
_FREQS = np.arange(_SPEC_FFT // 2 + 1) * ANALYSIS_RATE / _SPEC_FFT
_FLAT_FROM = int(np.ceil(60.0 * _SPEC_FFT / ANALYSIS_RATE))  # ignore DC and hum in flatness


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@numba.njit(cache=True, nogil=True)
def _best_period(ac: np.ndarray, window_ac: np.ndarray, lag_min: int, lag_max: int):
    """Periodicity (F,) 0..1 and F0 (F,) in Hz from autocorrelations ac (F, lag_max + 2)."""
    n = ac.shape[0]
    strength = np.zeros(n)
    f0 = np.zeros(n)
    for f in range(n):
        energy = ac[f, 0]
        if energy <= 1e-12:
            continue
        best_score = -np.inf
        best = -1
        for lag in range(lag_min, lag_max + 1):
            mid = ac[f, lag] / energy / window_ac[lag]
            if mid <= 0.0:
                continue
            left = ac[f, lag - 1] / energy / window_ac[lag - 1]
            right = ac[f, lag + 1] / energy / window_ac[lag + 1]
            if mid > left and mid >= right:
                score = mid - _OCTAVE_COST * np.log2(lag / lag_min)
                if score > best_score:
                    best_score = score
                    best = lag
        if best < 0:
            continue
        a = ac[f, best - 1] / energy / window_ac[best - 1]
        b = ac[f, best] / energy / window_ac[best]
        c = ac[f, best + 1] / energy / window_ac[best + 1]
        denom = a - 2.0 * b + c
        shift = min(max(0.5 * (a - c) / denom, -0.5), 0.5) if denom < 0.0 else 0.0
        strength[f] = min(max(b - 0.25 * (a - c) * shift, 0.0), 1.0)
        f0[f] = ANALYSIS_RATE / (best + shift)
    return strength, f0


def _pitch(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Autocorrelation pitch (Boersma 1993): (F,) periodicity 0..1 and F0 in Hz.

    The frame's autocorrelation is divided by the window's own so that a periodic signal
    scores near 1 at its period; the highest peak less a small cost per octave of lag wins;
    parabolic interpolation refines lag and height.
    """
    x = windows - windows.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(x * _HANN, _PITCH_FFT)
    ac = np.fft.irfft(spec.real**2 + spec.imag**2, _PITCH_FFT)[:, : _LAG_MAX + 2]
    return _best_period(np.ascontiguousarray(ac), _HANN_AC, _LAG_MIN, _LAG_MAX)


@numba.njit(cache=True, nogil=True)
def _poly_roots(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Roots of z^p + a[1] z^(p-1) + ... + a[p] by Aberth-Ehrlich iteration, into z (p,).

    Cubically convergent and free of LAPACK (whose numba binding costs ~0.5 s to load).
    """
    n = a.shape[0] - 1
    for k in range(n):  # start on a circle inside the unit disc, off the real axis
        z[k] = 0.9 * np.exp(1j * (2.0 * np.pi * k / n + 0.4))
    for _ in range(100):
        largest = 0.0
        for k in range(n):
            p = 1.0 + 0.0j
            dp = 0.0 + 0.0j
            for j in range(1, n + 1):
                dp = dp * z[k] + p
                p = p * z[k] + a[j]
            if p == 0:
                continue
            ratio = p / dp if dp != 0 else 1e-3 + 0j
            pull = 0.0 + 0.0j
            for j in range(n):
                if j != k:
                    pull += 1.0 / (z[k] - z[j])
            step = ratio / (1.0 - ratio * pull)
            z[k] -= step
            largest = max(largest, abs(step))
        if largest < 1e-12:
            break
    return z


@numba.njit(cache=True, nogil=True)
def _lpc_formants(r: np.ndarray, rate: float, ceiling: float) -> np.ndarray:
    """Lowest two resonances (F, 2) in Hz of the LPC models of autocorrelations r (F, p+1).

    Levinson-Durbin gives each frame's predictor; the roots of its polynomial with a narrow
    enough bandwidth and a frequency in (90 Hz, ceiling - 50 Hz) are the formant candidates.
    0 where a frame has fewer than two.
    """
    n, p1 = r.shape
    order = p1 - 1
    out = np.zeros((n, 2))
    a = np.zeros(p1)
    prev = np.zeros(p1)
    roots = np.zeros(order, np.complex128)
    for f in range(n):
        if r[f, 0] <= 1e-10:
            continue
        a[:] = 0.0
        a[0] = 1.0
        err = r[f, 0] * (1.0 + 1e-6)  # tiny white-noise floor keeps the recursion stable
        for i in range(1, order + 1):
            acc = r[f, i]
            for j in range(1, i):
                acc += a[j] * r[f, i - j]
            k = -acc / err
            prev[:] = a
            for j in range(1, i):
                a[j] = prev[j] + k * prev[i - j]
            a[i] = k
            err *= 1.0 - k * k
        roots = _poly_roots(a, roots)
        first = np.inf
        second = np.inf
        for z in roots:
            if z.imag <= 0.0:
                continue
            freq = np.arctan2(z.imag, z.real) * rate / (2.0 * np.pi)
            bw = -np.log(max(abs(z), 1e-12)) * rate / np.pi
            if freq <= _MIN_FORMANT_HZ or freq >= ceiling - 50.0 or bw >= _MAX_FORMANT_BW:
                continue
            if freq < first:
                second = first
                first = freq
            elif freq < second:
                second = freq
        out[f, 0] = first if np.isfinite(first) else 0.0
        out[f, 1] = second if np.isfinite(second) else 0.0
    return out


def _formants(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F1, F2 in Hz (F,) by LPC root-finding on the 0..FORMANT_CEILING band.

    Selective linear prediction (Makhoul 1975): the power spectrum up to the ceiling is
    treated as a full band, which equals Praat's resample-then-Burg without a resampler.
    """
    y = windows[:, 1:] - _PREEMPH * windows[:, :-1]
    spec = np.fft.rfft(y * _GAUSS, _SPEC_FFT)
    power = spec.real**2 + spec.imag**2
    r = np.fft.irfft(power[:, : _CEIL_BIN + 1], 2 * _CEIL_BIN)[:, : LPC_ORDER + 1]
    formants = _lpc_formants(np.ascontiguousarray(r), _LPC_RATE, FORMANT_CEILING)
    f1, f2 = formants[:, 0], formants[:, 1]
    return f1, f2


def frame_features(windows: np.ndarray) -> FrameFeatures:
    """Features of F frames from their 16 kHz windows (F, WINDOW), frame time at the centre.

    loudness : RMS over the whole 40 ms window, dB re full scale, floored at -80.
    voicing : periodicity (autocorrelation peak) gated by loudness, 0..1.
    pitch, f1, f2 : Hz, 0 where voicing < 0.5.
    centroid, flatness : of the Hann-windowed power spectrum 0..8 kHz; 0 in silence.
    """
    w = np.asarray(windows, dtype=np.float64)
    ms = np.mean(w * w, axis=1)
    loudness = np.maximum(10.0 * np.log10(np.maximum(ms, 1e-20)), LOUDNESS_FLOOR_DB)
    strength, f0 = _pitch(w)
    voicing = _sigmoid((strength - _VOICING_R) / _VOICING_R_SCALE) * _sigmoid(
        (loudness - _VOICING_DB) / _VOICING_DB_SCALE
    )
    voiced = voicing >= 0.5
    f1, f2 = _formants(w)

    spec = np.fft.rfft(w * _HANN, _SPEC_FFT)
    power = spec.real**2 + spec.imag**2
    total = power[:, 1:].sum(axis=1)
    audible = (loudness > LOUDNESS_FLOOR_DB) & (total > 1e-12)
    safe_total = np.where(audible, total, 1.0)
    centroid = (power[:, 1:] @ _FREQS[1:]) / safe_total
    band = power[:, _FLAT_FROM:] + 1e-12
    flatness = np.exp(np.mean(np.log(band), axis=1)) / np.mean(band, axis=1)

    def f32(x: np.ndarray) -> np.ndarray:
        return x.astype(np.float32)

    return FrameFeatures(
        loudness=f32(loudness),
        voicing=f32(voicing),
        pitch=f32(np.where(voiced, f0, 0.0)),
        f1=f32(np.where(voiced, f1, 0.0)),
        f2=f32(np.where(voiced, f2, 0.0)),
        centroid=f32(np.where(audible, centroid, 0.0)),
        flatness=f32(np.where(audible, np.clip(flatness, 0.0, 1.0), 0.0)),
    )
