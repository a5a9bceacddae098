"""Decoding for evaluation: video frames with their true times, audio as mono float samples.

Times come from each frame's presentation timestamp, so variable frame rates and audio that
starts later than the video are measured as they play, not as their headers claim.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from parlante.errors import AudioError, ParlanteError
from parlante.io.video import VideoInfo
from parlante.io.video import probe_video as io_probe_video

AUDIO_RATE = 16_000
"""Hz of the decoded mono audio: enough for a speech envelope."""


class VideoError(ParlanteError):
    """The video cannot be evaluated: missing, not a video, undecodable."""


@dataclass(frozen=True)
class Audio:
    """Mono audio placed on the video's clock."""

    samples: np.ndarray
    """(n,) float32 in [-1, 1] at ``rate`` Hz."""
    rate: int
    start: float
    """Time in seconds of ``samples[0]`` on the video's clock."""
    source: str
    """File the audio came from."""


def _open(path: Path, error: type[ParlanteError]) -> av.container.InputContainer:
    if not path.is_file():
        raise error(f"{path}: file not found")
    try:
        return av.open(str(path))
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise error(f"{path}: cannot open as a media file ({exc})") from None


def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Read the header of ``path``; raises VideoError when there is no decodable video."""
    return io_probe_video(path, VideoError)


def iter_frames(path: str | os.PathLike[str]) -> Iterator[tuple[np.ndarray, float]]:
    """Yield ``(frame, time)`` for each decoded frame: (H, W, 3) uint8 RGB, seconds.

    Frames without a timestamp get the previous time + 1/fps.
    """
    path = Path(path)
    with _open(path, VideoError) as container:
        if not container.streams.video:
            raise VideoError(f"{path}: no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = stream.average_rate or stream.guessed_rate
        step = 1.0 / float(rate) if rate else 0.04
        last = -step
        try:
            for frame in container.decode(stream):
                t = frame.time if frame.time is not None else last + step
                last = t
                yield frame.to_ndarray(format="rgb24"), float(t)
        except av.FFmpegError as exc:
            raise VideoError(f"{path}: video decoding failed ({exc})") from None


def read_audio(
    path: str | os.PathLike[str], *, required: bool, rate: int = AUDIO_RATE
) -> Audio | None:
    """Decode the first audio stream of ``path`` (a video or an audio file) to mono.

    required: raise AudioError if there is no audio; otherwise return None.
    """
    path = Path(path)
    with _open(path, AudioError if required else VideoError) as container:
        if not container.streams.audio:
            if required:
                raise AudioError(f"{path}: no audio stream")
            return None
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        chunks: list[np.ndarray] = []
        start: float | None = None
        try:
            for frame in container.decode(stream):
                if start is None and frame.time is not None:
                    start = float(frame.time)
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError as exc:
            raise AudioError(f"{path}: audio decoding failed ({exc})") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if samples.size == 0:
        if required:
            raise AudioError(f"{path}: audio stream is empty")
        return None
    return Audio(samples, rate, start or 0.0, str(path))
