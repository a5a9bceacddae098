"""The evaluation report: one dataclass per measured aspect, None where it was not measured."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np


@dataclass
class VideoSummary:
    path: str
    width: int
    height: int
    fps: float
    """From the frame times (median interval)."""
    frames: int
    duration_s: float
    audio: str | None
    """File the audio was taken from (the video itself or --audio), None without audio."""


@dataclass
class Stability:
    face_detection_rate: float
    """Fraction of frames in which a face was found (0-1)."""
    background_change: float | None
    """Mean absolute grey-level change between consecutive frames (0-255 scale) outside the
    dilated head region (background and body), measured at <= 640 px. ~0-1 for a still
    background after H.264; None if there were not two frames."""
    background_change_p95: float | None
    """95th percentile over frames of the same change: catches short jumps the mean hides."""


@dataclass
class Mouth:
    """Inner-lip gap (points 13-14) over outer-eye-corner distance (points 33-263).
    Real speakers: mean 0.06-0.12, std median 0.05 (up to 0.11)."""

    opening_mean: float
    opening_std: float
    opening_p95: float


@dataclass
class LipSync:
    """Mouth opening vs speech loudness, the best over offsets within +-max_offset_frames."""

    correlation: float
    """Pearson r at the best offset, of the detrended mouth opening with the detrended
    1-4 kHz voice loudness (see signals.py). 38 real clips: 0.11-0.69, median 0.44;
    GRID (frontal, clean) 0.51-0.69 at offset 0 or -1."""
    offset_frames: int
    """Positive: the video lags the audio (the mouth moves after the sound). Real clips:
    within +-2 frames for 23 of 38; on short or noisy clips the peak can land far off."""
    offset_ms: float
    confidence: float
    """Best correlation minus the median correlation over all offsets (SyncNet-style): a
    sharp peak near 0 means synced, a flat curve means the mouth does not follow the voice."""
    correlation_at_zero: float | None
    max_offset_frames: int


@dataclass
class HeadMotion:
    """Head rotation from a rigid fit of the 3D face points, smoothed over 5 frames.
    yaw > 0 turns toward the image's left, pitch > 0 down, roll > 0 clockwise; means are
    approximate (a few degrees of bias per face), spreads and speeds are precise."""

    delta_p: float
    """Mean rotation between consecutive frames, degrees per frame (VASA-1's delta-P).
    38 real clips here: 0.13-2.3, median 0.52 (GRID 0.13-0.26); a still video ~0.01."""
    fps: float
    yaw_mean: float
    pitch_mean: float
    roll_mean: float
    yaw_std: float
    """Real speakers: 1-2 degrees calm, up to 10 lively."""
    pitch_std: float
    roll_std: float
    speed_loudness_correlation: float | None
    """Pearson r of head angular speed with speech loudness (dB); None without audio."""


@dataclass
class Eyes:
    blinks: int
    blinks_per_minute: float
    """Over the frames where a face was found. Real clips: 0-84, median 17-20."""
    mean_blink_ms: float | None
    """Mean time below 70% of the open-eye baseline; None without blinks."""
    open_eye_ratio: float
    """Median open-eye baseline of the eye aspect ratio (lid gap / eye width)."""


@dataclass
class Identity:
    against: str
    """"portrait" (the --portrait image) or "first frame" of the video."""
    mean_distance: float
    worst_distance: float
    """dlib 128-D embedding distance; below ``threshold`` = same person."""
    same_person: bool
    """The mean distance is within ``threshold``. Real clips (one person each) gave worst
    distances of 0.22-0.60 for frontal faces, up to 0.78 for a low-resolution 3/4 view, so a
    single far frame is a hint, not a verdict."""
    threshold: float
    frames_compared: int


@dataclass
class ReferenceMatch:
    """The video's mouth against a reference video of the same audio, on a common time base
    (both clocks start at their first frame)."""

    path: str
    mouth_correlation: float | None
    """Pearson r of the two mouth-opening trajectories."""
    lmd: float | None
    """Mean distance of the 40 lip points after aligning each face by its eye corners
    (translate, rotate, scale), in units of the outer-eye-corner distance."""
    frames_compared: int


@dataclass
class Series:
    """The per-frame signals behind the summary (for plots and comparisons). N frames."""

    times: np.ndarray
    """(N,) float64 frame times in seconds."""
    detected: np.ndarray
    """(N,) bool: a face was found."""
    mouth_opening: np.ndarray
    """(N,) inner-lip gap over outer-eye-corner distance; NaN without a face."""
    head_angles: np.ndarray
    """(N, 3) yaw, pitch, roll in degrees, smoothed over 5 frames; NaN without a face."""
    eye_openness: np.ndarray
    """(N,) eye aspect ratio over its open-eye baseline (1 = open); NaN without a face."""
    background_change: np.ndarray
    """(N,) grey-level change outside the head (0-255); NaN for the first frame."""
    loudness_db: np.ndarray | None
    """(N,) speech loudness in dB around each frame; None without audio."""
    voice_db: np.ndarray | None
    """(N,) loudness of the 1-4 kHz voice band (the lip-sync leader); None without audio."""


@dataclass
class EvalReport:
    video: VideoSummary
    stability: Stability
    mouth: Mouth | None = None
    lip_sync: LipSync | None = None
    head: HeadMotion | None = None
    eyes: Eyes | None = None
    identity: Identity | None = None
    reference: ReferenceMatch | None = None
    notes: list[str] = field(default_factory=list)
    series: Series | None = field(default=None, repr=False)
    """Per-frame signals; left out of ``to_dict`` unless asked for, and of ``to_table``."""

    def to_dict(self, *, series: bool = False) -> dict[str, Any]:
        """JSON-ready: nested dicts, floats rounded to 4 decimals, NaN as None; per-frame
        signals as lists when ``series``."""
        out = {
            f.name: _clean(asdict(getattr(self, f.name)))
            if getattr(self, f.name) is not None and f.name not in ("notes", "series")
            else None
            for f in fields(self)
        }
        out["notes"] = list(self.notes)
        if series and self.series is not None:
            out["series"] = {
                f.name: _clean(np.asarray(v).tolist())
                if (v := getattr(self.series, f.name)) is not None
                else None
                for f in fields(self.series)
            }
        else:
            del out["series"]
        return out

    def to_table(self) -> str:
        """Aligned human-readable table, one measure per line, sections in report order."""
        lines = []
        for f in fields(self):
            if f.name in ("notes", "series"):
                continue
            section = getattr(self, f.name)
            title = f.name.replace("_", " ")
            if section is None:
                lines.append(f"{title}: -")
                continue
            lines.append(f"{title}:")
            for name, value in _clean(asdict(section)).items():
                lines.append(f"  {name.replace('_', ' '):<28} {_fmt(value)}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(float(value), 4)
    if hasattr(value, "item"):  # numpy scalar
        return _clean(value.item())
    return value


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)
