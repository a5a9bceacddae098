"""Statistics of a Motion clip comparable with measurements of real speakers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parlante.motion.codes import Motion

BLINK_FLOOR = 0.02  # eye closure above which a frame belongs to a blink
CLOSED_LIPS = 0.04  # lip gap (see ``lip_gap``) below which the lips count as closed


@dataclass(frozen=True)
class BlinkEvent:
    """start: s; duration: s, area-equivalent (twice the closure integral: exact for the
    symmetric-area close/open profile, robust to frame sampling); peak: 0..1."""

    start: float
    duration: float
    peak: float


def blink_events(motion: Motion, min_peak: float = 0.5) -> list[BlinkEvent]:
    """Blinks as runs of frames with mean eye closure above ``BLINK_FLOOR``."""
    closure = 0.5 * (motion.channel("blink_l") + motion.channel("blink_r")).astype(np.float64)
    on = closure > BLINK_FLOOR
    edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(np.int8), [0]])))
    events = []
    for s, e in zip(edges[::2], edges[1::2], strict=True):
        run = closure[s:e]
        if run.max() >= min_peak:
            events.append(
                BlinkEvent(s / motion.fps, 2.0 * run.sum() / motion.fps, float(run.max()))
            )
    return events


def blinks_per_minute(motion: Motion) -> float:
    return 60.0 * len(blink_events(motion)) / motion.duration if len(motion) else 0.0


def head_delta_p(motion: Motion) -> float:
    """VASA-1's delta-P: mean rotation change between frames, degrees, at 25 fps.

    The per-frame change is the Euclidean norm of (d yaw, d pitch, d roll), scaled to a
    25 fps frame interval so clips at other rates compare.
    """
    if len(motion) < 2:
        return 0.0
    rot = np.stack([motion.channel(c) for c in ("yaw", "pitch", "roll")], axis=1).astype(np.float64)
    step = np.linalg.norm(np.diff(rot, axis=0), axis=1)
    return float(step.mean() * motion.fps / 25.0)


def lip_gap(motion: Motion) -> np.ndarray:
    """(T,) effective opening between the lips, 0..1: the jaw opening unless pressed or
    tucked shut."""
    jaw = motion.channel("jaw_open").astype(np.float64)
    press = motion.channel("lip_press").astype(np.float64)
    tuck = motion.channel("lip_tuck").astype(np.float64)
    return jaw * (1.0 - press) * (1.0 - 0.6 * tuck)


@dataclass(frozen=True)
class MotionStats:
    """Summary of a clip. Angles in degrees; blink durations in seconds."""

    seconds: float
    blinks_per_min: float
    blink_dur_median: float
    blink_dur_min: float
    blink_dur_max: float
    yaw_std: float
    pitch_std: float
    roll_std: float
    delta_p: float
    jaw_mean: float
    jaw_p95: float
    closed_lips_fraction: float

    def lines(self) -> list[str]:
        return [
            f"duration            {self.seconds:8.1f} s",
            f"blinks/min          {self.blinks_per_min:8.1f}",
            f"blink duration      {1e3 * self.blink_dur_median:8.0f} ms median "
            f"({1e3 * self.blink_dur_min:.0f}-{1e3 * self.blink_dur_max:.0f})",
            f"yaw / pitch / roll  {self.yaw_std:5.2f} / {self.pitch_std:.2f} / "
            f"{self.roll_std:.2f} deg std",
            f"delta-P             {self.delta_p:8.3f} deg/frame @25fps",
            f"jaw_open            {self.jaw_mean:8.3f} mean, {self.jaw_p95:.3f} p95",
            f"closed lips         {100 * self.closed_lips_fraction:8.1f} % of frames",
        ]


def summarize(motion: Motion) -> MotionStats:
    blinks = blink_events(motion)
    durs = np.array([b.duration for b in blinks]) if blinks else np.zeros(1)
    jaw = motion.channel("jaw_open")
    return MotionStats(
        seconds=motion.duration,
        blinks_per_min=blinks_per_minute(motion),
        blink_dur_median=float(np.median(durs)),
        blink_dur_min=float(durs.min()),
        blink_dur_max=float(durs.max()),
        yaw_std=float(np.std(motion.channel("yaw"))),
        pitch_std=float(np.std(motion.channel("pitch"))),
        roll_std=float(np.std(motion.channel("roll"))),
        delta_p=head_delta_p(motion),
        jaw_mean=float(jaw.mean()),
        jaw_p95=float(np.percentile(jaw, 95)),
        closed_lips_fraction=float(np.mean(lip_gap(motion) < CLOSED_LIPS)),
    )
