"""Reading a driving video: its header, and its frames one by one (RGB, downscaled if large)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from parlante.errors import ParlanteError
from parlante.io.video import probe_video

ANALYSIS_SIDE = 1280
"""Frames with a longer side are downscaled to this before face tracking: MediaPipe works
on a 256 px face crop anyway, and codes are ratios, so nothing is lost but time."""


class DriveError(ParlanteError):
    """A driving video (or motion) cannot be used: unreadable, no video, no face, ..."""


@dataclass(frozen=True)
class DriverVideo:
    """Header facts of a driving video."""

    path: Path
    width: int
    height: int
    """Pixels of the decoded frames (before any analysis downscaling)."""
    fps: float
    frames: int
    """Frame count from the container (an estimate; 0 if unknown)."""
    has_audio: bool

    @property
    def analysis_scale(self) -> float:
        """Analysis pixels per video pixel (<= 1)."""
        return min(1.0, ANALYSIS_SIDE / max(self.width, self.height))


def probe_driver(path: str | os.PathLike[str]) -> DriverVideo:
    """Header of a driving video; raises DriveError naming the file if it has no usable video."""
    info = probe_video(path, DriveError)
    fps = info.fps if 1.0 <= info.fps <= 240.0 else 25.0  # broken headers: assume the usual
    return DriverVideo(Path(path), info.width, info.height, fps, info.frames, info.has_audio)


def iter_driver_frames(
    video: DriverVideo, *, max_frames: int | None = None, full_size: bool = False
) -> Iterator[np.ndarray]:
    """Yield frames as (H, W, 3) uint8 RGB, at ``analysis_scale`` unless ``full_size``."""
    scale = 1.0 if full_size else video.analysis_scale
    size = (round(video.width * scale), round(video.height * scale))
    count = 0
    try:
        with av.open(str(video.path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                if max_frames is not None and count >= max_frames:
                    return
                rgb = frame.to_ndarray(format="rgb24")
                if scale < 1.0:
                    rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
                count += 1
                yield rgb
    except av.FFmpegError as exc:
        raise DriveError(f"{video.path}: video decoding failed ({_one_line(exc)})") from None


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
