"""Frames from a file for watermark detection: videos via PyAV, stills via Pillow.

A long video is sampled: its first seconds, then a few frames after each of several seeks
spread over its length (a seek lands on a keyframe, the best-preserved kind of frame).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
from PIL import Image, UnidentifiedImageError

from .detect import WatermarkReport, detect_watermark
from .errors import ProvenanceError
from .patterns import PARLANTE_KEY

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"})
MAX_FRAMES = 100
"""Frames sampled from a video by default (~0.6 s of detection at 512x512)."""
HEAD_FRAMES = 50
"""Consecutive frames taken from the start of a video."""
PER_SEEK = 10
"""Consecutive frames taken after each seek further into a video."""


def _image(path: Path, gray: bool) -> np.ndarray:
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("L" if gray else "RGB"))
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise ProvenanceError(f"{path}: not a readable image ({e})") from e


def _video_frames(path: Path, max_frames: int, gray: bool) -> Iterator[np.ndarray]:
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as e:
        raise ProvenanceError(f"{path}: not a readable image or video ({e})") from e
    with container:
        if not container.streams.video:
            raise ProvenanceError(f"{path}: has no video stream")
        stream = container.streams.video[0]
        fmt = "gray" if gray else "rgb24"
        head = min(max_frames, HEAD_FRAMES)
        taken = 0
        try:
            for frame in container.decode(stream):
                yield frame.to_ndarray(format=fmt)
                taken += 1
                if taken >= head:
                    break
            seconds = float(stream.duration * stream.time_base) if stream.duration else 0.0
            if not seconds and container.duration:
                seconds = container.duration / av.time_base
            seeks = (max_frames - taken) // PER_SEEK
            rate = float(stream.average_rate or 25)
            if seconds * rate <= taken + PER_SEEK or seeks <= 0:
                return
            for i in range(1, seeks + 1):
                at = seconds * i / (seeks + 1)
                if at * rate < taken:
                    continue
                container.seek(int(at / stream.time_base), stream=stream)
                for n, frame in enumerate(container.decode(stream)):
                    if n >= PER_SEEK:
                        break
                    yield frame.to_ndarray(format=fmt)
        except av.error.FFmpegError as e:
            if taken == 0:
                raise ProvenanceError(f"{path}: video cannot be decoded ({e})") from e


def read_frames(
    path: str | os.PathLike[str], max_frames: int = MAX_FRAMES, *, gray: bool = False
) -> Iterator[np.ndarray]:
    """(H, W, 3) uint8 RGB frames of an image (one) or a video (up to ``max_frames``, sampled).

    gray: (H, W) uint8 luma instead (a video's Y plane, no colour conversion: faster).
    Raises ProvenanceError (naming the file) if it is missing or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise ProvenanceError(f"{path}: no such file")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        yield _image(path, gray)
        return
    yield from _video_frames(path, max_frames, gray)


def detect_watermark_in_file(
    path: str | os.PathLike[str], key: bytes = PARLANTE_KEY, *, max_frames: int = MAX_FRAMES
) -> WatermarkReport:
    """Look for the mark in an MP4 (or any video PyAV reads) or a JPEG/PNG/WebP still."""
    return detect_watermark(read_frames(path, max_frames, gray=True), key)
