"""Per-frame signals derived from landmarks and audio, and their lagged correlation."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfiltfilt

from parlante.eval.decode import Audio
from parlante.eval.points import LEFT_EYE_OUTER, LOWER_LIP_INNER, RIGHT_EYE_OUTER, UPPER_LIP_INNER

MIN_OVERLAP = 8
"""Fewest paired samples for a correlation to be reported."""
ENVELOPE_FLOOR_DB = 50.0
"""The speech envelope is clipped this far below its loudest frame (silence is one level)."""
VOICE_BAND_HZ = (1000.0, 4000.0)
"""Band whose loudness the mouth follows best: on 38 real talking clips it gave the sharpest
and most often near-zero lip-sync peak (F2/F3 region; 300-3000 Hz or the full band were worse,
as low frequencies carry voicing through closed lips)."""
TREND_SECONDS = 0.36
"""Lip sync compares the fast part of both signals (minus a moving average this long): slow
swings such as pauses, which any offset matches, would otherwise flatten the peak."""


def inter_ocular(landmarks: np.ndarray) -> np.ndarray:
    """(N,) outer-eye-corner distance (points 33-263) in pixels from (N, 478, 3) landmarks."""
    return np.linalg.norm(
        landmarks[:, LEFT_EYE_OUTER, :2] - landmarks[:, RIGHT_EYE_OUTER, :2], axis=-1
    )


def mouth_opening(landmarks: np.ndarray) -> np.ndarray:
    """(N,) inner-lip gap (points 13-14) over the outer-eye-corner distance; NaN without a face.

    Real speakers: mean 0.06-0.12, standard deviation ~0.05 (up to 0.11).
    """
    gap = np.linalg.norm(
        landmarks[:, UPPER_LIP_INNER, :2] - landmarks[:, LOWER_LIP_INNER, :2], axis=-1
    )
    return gap / inter_ocular(landmarks)


def speech_envelope(audio: Audio, times: np.ndarray, fps: float) -> np.ndarray:
    """(N,) loudness in dB (relative to full scale) around each frame time.

    A Hann window two frames long, centred on each frame's time (the instant the image shows),
    so no half-frame bias enters the measured lip-sync offset. Frames outside the audio get NaN;
    quiet frames are clipped to ENVELOPE_FLOOR_DB below the loudest.
    """
    half = max(1, int(round(audio.rate / fps)))
    window = np.hanning(2 * half + 1)[1:-1]
    centres = np.round((times - audio.start) * audio.rate).astype(np.int64)
    n = audio.samples.size
    envelope = np.full(times.shape, np.nan)
    padded = np.concatenate([np.zeros(half), audio.samples.astype(np.float64), np.zeros(half)])
    inside = (centres >= 0) & (centres < n)
    for i in np.flatnonzero(inside):
        chunk = padded[centres[i] + 1 : centres[i] + 2 * half]
        envelope[i] = np.sqrt(np.sum(window * chunk**2) / np.sum(window))
    db = 20 * np.log10(np.maximum(envelope, 1e-9))
    if np.any(inside):
        db = np.maximum(db, np.nanmax(db) - ENVELOPE_FLOOR_DB)
    return db


def voice_band(audio: Audio) -> Audio:
    """The audio band-passed to VOICE_BAND_HZ (zero-phase, so no delay enters)."""
    low, high = VOICE_BAND_HZ
    high = min(high, 0.45 * audio.rate)
    if audio.samples.size < 64 or low >= high:
        return audio
    sos = butter(4, [low, high], btype="bandpass", fs=audio.rate, output="sos")
    padlen = min(audio.samples.size - 1, 3 * (2 * len(sos) + 1))
    filtered = sosfiltfilt(sos, audio.samples.astype(np.float64), padlen=padlen)
    return Audio(filtered.astype(np.float32), audio.rate, audio.start, audio.source)


def detrend(values: np.ndarray, fps: float) -> np.ndarray:
    """(N,) values minus their centred moving average over TREND_SECONDS."""
    width = max(3, int(round(TREND_SECONDS * fps)) | 1)
    return values - moving_average(values, width)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation over the samples where both are finite; NaN if too few or flat."""
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < MIN_OVERLAP:
        return float("nan")
    x, y = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    denom = np.sqrt(np.sum(x * x) * np.sum(y * y))
    return float(np.sum(x * y) / denom) if denom > 1e-12 else float("nan")


def lagged_correlation(
    follower: np.ndarray, leader: np.ndarray, max_lag: int
) -> tuple[np.ndarray, np.ndarray]:
    """Correlation of ``follower[t + lag]`` with ``leader[t]`` for lag in [-max_lag, max_lag].

    A peak at a positive lag means the follower happens ``lag`` samples after the leader.
    Returns (lags (2L+1,) int, correlations (2L+1,) float, NaN where undefined).
    """
    lags = np.arange(-max_lag, max_lag + 1)
    n = min(len(follower), len(leader))
    corr = np.full(lags.shape, np.nan)
    for k, lag in enumerate(lags):
        if lag >= 0:
            corr[k] = correlation(follower[lag:n], leader[: n - lag])
        else:
            corr[k] = correlation(follower[:lag] if n + lag > 0 else follower[:0], leader[-lag:n])
    return lags, corr


def moving_average(values: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average along axis 0 over runs of finite rows; NaN rows stay NaN.

    values: (N,) or (N, D). Near run ends the window shrinks symmetrically, so a short run is
    not pulled toward its neighbours.
    """
    values = np.asarray(values, np.float64)
    flat = values.reshape(len(values), -1)
    out = np.full_like(flat, np.nan)
    finite = np.all(np.isfinite(flat), axis=1)
    half = width // 2
    start = 0
    while start < len(flat):
        if not finite[start]:
            start += 1
            continue
        end = start
        while end < len(flat) and finite[end]:
            end += 1
        run = flat[start:end]
        sums = np.concatenate([np.zeros((1, run.shape[1])), np.cumsum(run, axis=0)])
        for i in range(len(run)):
            h = min(half, i, len(run) - 1 - i)
            out[start + i] = (sums[i + h + 1] - sums[i - h]) / (2 * h + 1)
        start = end
    return out.reshape(values.shape)
