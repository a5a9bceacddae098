"""Speaking style from a real video: head-motion amplitude and rhythm, blink rate, brows, mouth.

``style_of`` summarises a Motion (extracted from a video of a real speaker) in a few
numbers; ``apply_style`` reshapes an audio-driven Motion to match them while its timing
(lips on the audio, nods on the stresses) stays: head channels are rescaled and their slow
sway and quick accents rebalanced for speed, blinks are added or removed to reach the
rate, brows and mouth amplitudes are rescaled about their resting values.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d, uniform_filter1d

from parlante.motion.channels import CHANNELS, INDEX, RANGES
from parlante.motion.codes import Motion
from parlante.motion.stats import BLINK_FLOOR, blink_events
from parlante.motion.stream import GAZE_COMPENSATION

ROTATION = ("yaw", "pitch", "roll")
TRANSLATION = ("tx", "ty", "scale")
BROWS = ("brow_raise", "brow_inner_up", "brow_furrow")
MOUTH = ("jaw_open", "lip_round", "lip_spread", "upper_lip_raise")
SLOW_S = 0.6
"""Gaussian sigma (s) separating a head's slow sway from its quick accents."""
POSE_SMOOTH_S = 0.2
"""Pose is averaged over this long before its speed is taken (delta-P over 5 frames at
25 fps), so landmark jitter in extracted motion does not count as movement."""
MIN_BLINK_GAP = 0.75
"""Seconds between blink starts when blinks are added."""
GAIN_LIMITS = (0.25, 4.0)
"""Head and brow rescaling stays within these factors."""
MOUTH_LIMITS = (0.6, 1.6)
"""Mouth amplitude is only nudged: the audio-driven lip shapes must stay readable."""

_LO = np.array([RANGES[c][0] for c in CHANNELS], np.float32)
_HI = np.array([RANGES[c][1] for c in CHANNELS], np.float32)


@dataclass(frozen=True)
class MotionStyle:
    """A speaker's motion style. Angles in degrees."""

    yaw_std: float
    pitch_std: float
    roll_std: float
    delta_p: float
    """Mean head-rotation change per frame at 25 fps, degrees (VASA-1's delta-P), of the
    pose averaged over ``POSE_SMOOTH_S``."""
    blink_rate: float
    """Blinks per minute."""
    brow_activity: float
    """Standard deviation of brow_raise + brow_inner_up + brow_furrow (code units)."""
    mouth_amplitude: float
    """90th percentile of jaw_open (code units): how wide this speaker opens."""

    def lines(self) -> list[str]:
        return [
            f"head std yaw/pitch/roll  {self.yaw_std:.2f} / {self.pitch_std:.2f} / "
            f"{self.roll_std:.2f} deg",
            f"delta-P                  {self.delta_p:.3f} deg/frame @25fps",
            f"blinks                   {self.blink_rate:.1f} /min",
            f"brow activity            {self.brow_activity:.3f}",
            f"mouth amplitude          {self.mouth_amplitude:.3f} (jaw_open p90)",
        ]


def _rotation(motion: Motion) -> np.ndarray:
    return np.stack([motion.channel(c) for c in ROTATION], axis=1).astype(np.float64)


def _delta_p(rot: np.ndarray, fps: float) -> float:
    if len(rot) < 2:
        return 0.0
    size = max(1, round(POSE_SMOOTH_S * fps))
    smooth = uniform_filter1d(rot, size, axis=0, mode="nearest")
    return float(np.linalg.norm(np.diff(smooth, axis=0), axis=1).mean() * fps / 25.0)


def _brow_signal(motion: Motion) -> np.ndarray:
    return sum(motion.channel(c).astype(np.float64) for c in BROWS)


def style_of(motion: Motion) -> MotionStyle:
    """The style of a clip of motion (extracted from a real video, or generated)."""
    rot = _rotation(motion)
    std = rot.std(axis=0) if len(rot) else np.zeros(3)
    minutes = motion.duration / 60.0
    rate = len(blink_events(motion)) / minutes if minutes > 0 else 0.0
    jaw = motion.channel("jaw_open")
    return MotionStyle(
        yaw_std=float(std[0]),
        pitch_std=float(std[1]),
        roll_std=float(std[2]),
        delta_p=_delta_p(rot, motion.fps),
        blink_rate=float(rate),
        brow_activity=float(_brow_signal(motion).std()) if len(motion) else 0.0,
        mouth_amplitude=float(np.percentile(jaw, 90)) if len(motion) else 0.0,
    )


def style_from_video(
    path: str | os.PathLike[str], *, max_seconds: float = 60.0, progress: bool = False
) -> MotionStyle:
    """The style of the speaker in a video (its first ``max_seconds``), smoothed extraction."""
    from parlante.drive.extract import extract_motion
    from parlante.drive.video import probe_driver

    video = probe_driver(path)
    frames = max(1, round(max_seconds * video.fps))
    perf = extract_motion(path, smooth=True, max_frames=frames, progress=progress)
    valid = perf.valid
    motion = perf.motion
    if valid.mean() < 1.0 and valid.any():  # held frames are not the speaker's motion
        motion = Motion(motion.values[valid], motion.fps)
    return style_of(motion)


def _gain(target: float, current: float, limits: tuple[float, float] = GAIN_LIMITS) -> float:
    if current <= 1e-6:
        return 1.0
    return float(np.clip(target / current, *limits))


def _style_head(values: np.ndarray, fps: float, style: MotionStyle) -> None:
    """Rescale the head channels of (T, C) ``values`` in place to the style's spread and speed."""
    cols = [INDEX[c] for c in ROTATION]
    rot = values[:, cols].astype(np.float64)
    mean = rot.mean(axis=0)
    x = rot - mean
    std = x.std(axis=0)
    targets = np.array([style.yaw_std, style.pitch_std, style.roll_std])
    gains = np.array([_gain(t, s) for t, s in zip(targets, std, strict=True)])
    x *= gains
    # Speed: rebalance slow sway and quick accents, keeping the spread.
    slow = gaussian_filter1d(x, SLOW_S * fps, axis=0, mode="nearest")
    fast = x - slow
    current = _delta_p(x, fps)
    if current > 1e-6 and style.delta_p > 0 and len(x) > 2:
        ratio = style.delta_p / current
        var_s, var_f = float((slow**2).sum()), float((fast**2).sum())
        vel_s = float((np.diff(slow, axis=0) ** 2).sum())
        vel_f = float((np.diff(fast, axis=0) ** 2).sum())
        a = np.array([[var_s, var_f], [vel_s, vel_f]])
        b = np.array([var_s + var_f, ratio**2 * (vel_s + vel_f)])
        try:
            sq = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            sq = np.array([1.0, ratio**2])
        lo, hi = GAIN_LIMITS
        alpha, beta = np.sqrt(np.clip(sq, lo**2, hi**2))
        x = alpha * slow + beta * fast
        # the balance is approximate (speed is not quadratic): finish with a plain rescale
        done = _delta_p(x, fps)
        if done > 1e-6:
            x *= float(np.clip(style.delta_p / done, 0.7, 1.4))
    values[:, cols] = (x + mean).astype(np.float32)
    move = float(np.mean(gains))
    for name in ("tx", "ty", "scale"):
        c = INDEX[name]
        col = values[:, c].astype(np.float64)
        values[:, c] = (col.mean() + move * (col - col.mean())).astype(np.float32)


def _blink_shape(fps: float) -> np.ndarray:
    """A typical blink (~0.18 s): fast close (1/3), slower opening (2/3)."""
    dur = 0.18
    t = np.arange(math.ceil(dur * fps) + 2) / fps
    close, open_ = dur / 3.0, 2.0 * dur / 3.0
    up = np.clip(t / close, 0, 1)
    down = np.clip(1.0 - (t - close) / open_, 0, 1)
    shape = np.where(t <= close, up * up * (3 - 2 * up), down * down * (3 - 2 * down))
    return shape[shape > BLINK_FLOOR] if (shape > BLINK_FLOOR).any() else np.ones(1)


def _style_blinks(values: np.ndarray, fps: float, rate: float, rng: np.random.Generator) -> None:
    """Add or remove blinks of (T, C) ``values`` in place to reach ``rate`` per minute."""
    motion = Motion(values, fps)
    events = blink_events(motion)
    minutes = len(values) / fps / 60.0
    want = round(rate * minutes)
    cl, cr = INDEX["blink_l"], INDEX["blink_r"]
    if want < len(events):
        drop = rng.choice(len(events), size=len(events) - want, replace=False)
        for k in drop:
            e = events[int(k)]
            a = int(round(e.start * fps))
            b = a + max(1, int(math.ceil(e.duration * fps))) + 2
            values[a:b, cl] = 0.0
            values[a:b, cr] = 0.0
        return
    shape = _blink_shape(fps)
    starts = [e.start for e in events]
    gap = MIN_BLINK_GAP
    duration = len(values) / fps
    for _ in range(want - len(events)):
        for _attempt in range(50):
            t0 = float(rng.uniform(0.2, max(0.3, duration - 0.3)))
            if all(abs(t0 - s) >= gap for s in starts):
                break
        else:
            break  # no room left at this rate
        starts.append(t0)
        a = int(round(t0 * fps))
        b = min(len(values), a + len(shape))
        values[a:b, cl] = np.maximum(values[a:b, cl], shape[: b - a])
        values[a:b, cr] = np.maximum(values[a:b, cr], shape[: b - a] * float(rng.uniform(0.95, 1)))


def apply_style(motion: Motion, style: MotionStyle, seed: int = 0) -> Motion:
    """``motion`` (audio-driven) reshaped to ``style``; same length and timing.

    seed: where added blinks fall (same seed, same result).
    """
    values = motion.values.astype(np.float32, copy=True)
    if len(values) < 2:
        return Motion(values, motion.fps)
    fps = motion.fps
    rng = np.random.default_rng(np.random.SeedSequence([seed % (1 << 32), 0x5717E]))
    before = values[:, [INDEX["yaw"], INDEX["pitch"]]].copy()
    _style_head(values, fps, style)
    # the eyes counter-rotate part of the head's turn, as the generator has them do
    turned = values[:, [INDEX["yaw"], INDEX["pitch"]]] - before
    values[:, INDEX["gaze_x"]] -= GAZE_COMPENSATION * turned[:, 0]
    values[:, INDEX["gaze_y"]] -= GAZE_COMPENSATION * turned[:, 1]
    _style_blinks(values, fps, style.blink_rate, rng)
    current = style_of(Motion(values, fps))
    brow_gain = _gain(style.brow_activity, current.brow_activity)
    for name in BROWS:
        c = INDEX[name]
        base = float(np.median(values[:, c]))
        values[:, c] = base + brow_gain * (values[:, c] - base)
    mouth_gain = _gain(style.mouth_amplitude, current.mouth_amplitude, MOUTH_LIMITS)
    for name in MOUTH:
        values[:, INDEX[name]] *= mouth_gain
    return Motion(np.clip(values, _LO, _HI), fps)
