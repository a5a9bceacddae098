"""Changing a Motion's frame rate and length without losing blinks or adding jumps."""

from __future__ import annotations

import math

import numpy as np

from parlante.motion.codes import Motion

PEAK_CHANNELS: tuple[str, ...] = ("blink_l", "blink_r", "lip_press")
"""Brief closures: when the rate drops, each output frame takes the largest value of the
source frames it covers, so a 2-frame blink at 60 fps still shows at 25 fps."""


def resample_motion(motion: Motion, fps: float) -> Motion:
    """``motion`` at ``fps``; duration is kept (T' = round(T * fps / motion.fps)).

    Every channel is interpolated linearly in time (frame i is at time i / fps); the
    ``PEAK_CHANNELS`` are also max-pooled over each output frame's span when downsampling.
    """
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be positive, got {fps}")
    n = len(motion)
    if abs(fps - motion.fps) <= 1e-6 * fps or n == 0:
        return Motion(motion.values.copy(), fps, motion.channels)
    m = max(1, round(n * fps / motion.fps))
    t_src = np.arange(n) / motion.fps
    t_out = np.arange(m) / fps
    src = motion.values.astype(np.float64)
    out = np.empty((m, src.shape[1]), np.float64)
    for c in range(src.shape[1]):
        out[:, c] = np.interp(t_out, t_src, src[:, c])
    if fps < motion.fps:
        half = 0.5 / fps
        lo = np.searchsorted(t_src, t_out - half, side="left")
        hi = np.maximum(np.searchsorted(t_src, t_out + half, side="left"), lo + 1)
        for name in PEAK_CHANNELS:
            if name not in motion.channels:
                continue
            c = motion.channels.index(name)
            col = src[:, c]
            pooled = np.array([col[a:b].max() for a, b in zip(lo, hi, strict=True)])
            out[:, c] = np.maximum(out[:, c], pooled)
    return Motion(out.astype(np.float32), fps, motion.channels)


def fit_length(motion: Motion, n_frames: int, fallback: Motion | None = None) -> Motion:
    """``motion`` cut or extended to ``n_frames``.

    Extension holds the last frame, or, when ``fallback`` (at least ``n_frames`` long) is
    given, glides from the last frame to ``fallback`` over half a second, so a driving
    performance shorter than its audio hands over to the audio-driven motion smoothly.
    """
    n = len(motion)
    if n_frames <= n:
        return Motion(motion.values[:n_frames].copy(), motion.fps, motion.channels)
    if n == 0:
        if fallback is None:
            return Motion(np.zeros((n_frames, len(motion.channels)), np.float32), motion.fps)
        return Motion(fallback.values[:n_frames].copy(), motion.fps, motion.channels)
    extra = n_frames - n
    held = np.repeat(motion.values[-1:], extra, axis=0)
    if fallback is not None:
        ramp = max(1, round(0.5 * motion.fps))
        w = _ease(np.minimum(np.arange(1, extra + 1) / ramp, 1.0))[:, None]
        held = (1.0 - w) * held + w * fallback.values[n:n_frames]
    return Motion(np.concatenate([motion.values, held]), motion.fps, motion.channels)


def _ease(x: np.ndarray) -> np.ndarray:
    """Smoothstep 0..1 -> 0..1 (zero slope at both ends: no visible kink)."""
    return x * x * (3.0 - 2.0 * x)
