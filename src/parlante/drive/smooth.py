"""Cleaning extracted codes: bridging frames without a face, and zero-phase jitter removal.

Jitter: a one-euro filter (Casiez et al. 2012: a low-pass whose cut-off rises with the
signal's speed, so slow drifts are smoothed hard and fast moves pass) run forward over the
clip, then backward over the result, as filtfilt does: the second pass's lag undoes the
first's, so nothing lags; the adaptive cut-off keeps nods, saccades and mouth openings
sharp. Blink channels get a much higher cut-off: a blink lasts 3-6 frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from parlante.motion.channels import CHANNELS

EASE_S = 0.3
"""Seconds over which codes glide from the held ones to the recovered ones after a gap."""


@dataclass(frozen=True)
class EuroSettings:
    """One-euro parameters of one channel (cut-offs in Hz; ``beta`` per unit/s of speed)."""

    min_cutoff: float
    beta: float
    d_cutoff: float = 1.0


_HEAD = EuroSettings(1.2, 0.05)  # degrees; tx/ty/scale use a scaled beta
_SMALL = EuroSettings(1.2, 3.0)  # 0..1 codes and face fractions
_FAST = EuroSettings(6.0, 2.0)  # blinks: only frame-to-frame flicker is removed
_GAZE = EuroSettings(2.0, 0.1)  # degrees; saccades are fast, fixations still


def euro_settings(name: str) -> EuroSettings:
    if name in ("yaw", "pitch", "roll"):
        return _HEAD
    if name in ("tx", "ty", "scale"):
        return EuroSettings(_HEAD.min_cutoff, 6.0)
    if name in ("blink_l", "blink_r"):
        return _FAST
    if name in ("gaze_x", "gaze_y"):
        return _GAZE
    return _SMALL


def one_euro(x: np.ndarray, fps: float, s: EuroSettings) -> np.ndarray:
    """Causal one-euro filter of (T,) samples at ``fps``."""
    out = np.empty(len(x), np.float64)
    if len(x) == 0:
        return out
    te = 1.0 / fps

    def alpha(cutoff: float) -> float:
        r = 2.0 * math.pi * cutoff * te
        return r / (r + 1.0)

    a_d = alpha(s.d_cutoff)
    prev = float(x[0])
    dprev = 0.0
    out[0] = prev
    for i in range(1, len(x)):
        dx = (float(x[i]) - prev) / te
        dprev += a_d * (dx - dprev)
        a = alpha(s.min_cutoff + s.beta * abs(dprev))
        prev += a * (float(x[i]) - prev)
        out[i] = prev
    return out


def zero_phase(x: np.ndarray, fps: float, s: EuroSettings) -> np.ndarray:
    """One-euro forward, then backward over the result: smooth, without lag."""
    forward = one_euro(np.asarray(x, np.float64), fps, s)
    return one_euro(forward[::-1], fps, s)[::-1]


def smooth_codes(
    values: np.ndarray, fps: float, channels: tuple[str, ...] = CHANNELS
) -> np.ndarray:
    """(T, C) codes with landmark jitter removed, channel by channel, zero-phase."""
    out = np.empty_like(values, dtype=np.float64)
    for c, name in enumerate(channels):
        out[:, c] = zero_phase(values[:, c], fps, euro_settings(name))
    return out.astype(values.dtype)


def bridge_gaps(values: np.ndarray, valid: np.ndarray, fps: float) -> np.ndarray:
    """(T, C) codes with the frames where ``valid`` is False filled.

    A gap holds the last good codes; after it the codes glide from the held ones to the
    recovered ones over ``EASE_S`` (the glide's offset fades out), so nothing jumps.
    Frames before the first good one take its codes. All-invalid input is returned as is.
    """
    out = np.array(values, np.float64, copy=True)
    good = np.flatnonzero(valid)
    if good.size == 0:
        return out
    out[: good[0]] = out[good[0]]
    ease = max(1, round(EASE_S * fps))
    t = 1
    n = len(out)
    while t < n:
        if valid[t] or t < good[0]:
            t += 1
            continue
        start = t
        while t < n and not valid[t]:
            t += 1
        held = out[start - 1].copy()
        out[start:t] = held
        if t < n:
            offset = held - out[t]
            k = np.arange(min(ease, n - t))
            w = 1.0 - _smoothstep(k / ease)
            # each frame of the glide keeps a fading share of the jump
            out[t : t + len(k)] += w[:, None] * offset[None, :]
    return out


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)
