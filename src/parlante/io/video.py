"""MP4 writing: H.264 yuv420p + AAC, written to a hidden temporary file and renamed when complete.

Frames and audio may arrive in any interleaving (whole file or a live stream); the writer
buffers audio into AAC-sized frames and lets the muxer interleave.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from parlante.errors import ParlanteError

AAC_FRAME = 1024  # samples per AAC frame


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video stream (before decoding)."""

    path: str
    width: int
    height: int
    """Pixels of the decoded frames."""
    fps: float
    """Average frame rate from the container (0 if unknown)."""
    frames: int
    """Frame count from the container, or an estimate from duration x fps (0 if unknown)."""
    has_audio: bool


def probe_video(
    path: str | os.PathLike[str], error: type[ParlanteError] = ParlanteError
) -> VideoInfo:
    """Header of a video file; raises ``error`` (one line naming the file) when it is missing,
    not a media file, or has no video stream with a frame size."""
    p = Path(path)
    if not p.is_file():
        raise error(f"{p}: file not found")
    try:
        container = av.open(str(p))
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise error(f"{p}: cannot open as a media file ({exc})") from None
    with container:
        if not container.streams.video:
            raise error(f"{p}: no video stream")
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 0.0
        frames = int(stream.frames or 0)
        if frames == 0 and container.duration and fps > 0:
            frames = round(container.duration / av.time_base * fps)
        width, height = stream.codec_context.width, stream.codec_context.height
        has_audio = bool(container.streams.audio)
    if width <= 0 or height <= 0:
        raise error(f"{p}: video stream has no frame size")
    return VideoInfo(str(p), width, height, fps, frames, has_audio)


def partial_path(path: Path) -> Path:
    """Hidden sibling of ``path`` that a failed run may leave behind but never as ``path``."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial{path.suffix}")


class VideoWriter:
    """Incremental MP4 writer: ``write_frame`` / ``write_audio`` in any order, then ``close``.

    path: final output path; nothing appears there until ``close`` succeeds.
    size: (width, height) in pixels, even numbers.
    fps: frames per second (constant frame rate).
    sample_rate: Hz of the mono float32 audio given to ``write_audio``; None for no audio.
    crf, preset: libx264 quality and speed (crf 18-23 is visually clean; ``veryfast``
        encodes 512x512 at ~190 fps on this class of CPU).
    finalize: called with the completed temporary file before it is renamed into place
        (e.g. to sign it); an exception there aborts the write.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        size: tuple[int, int],
        fps: float,
        sample_rate: int | None,
        *,
        crf: int = 20,
        preset: str = "veryfast",
        metadata: dict[str, str] | None = None,
        finalize: Callable[[Path], None] | None = None,
    ) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() not in (".mp4", ".m4v", ".mov"):
            raise ValueError(f"{self.path}: output must be an .mp4 file")
        if not self.path.parent.is_dir():
            raise FileNotFoundError(f"{self.path.parent}: output folder does not exist")
        self.temp = partial_path(self.path)
        self._finalize = finalize
        self._frames = 0
        self._closed = False
        w, h = size
        self._container = av.open(str(self.temp), mode="w", format="mp4")
        for key, value in (metadata or {}).items():
            self._container.metadata[key] = value
        rate = Fraction(fps).limit_denominator(1001)
        self._video = self._container.add_stream("libx264", rate=rate)
        self._video.width, self._video.height = w, h
        self._video.pix_fmt = "yuv420p"
        self._video.options = {"crf": str(crf), "preset": preset, "movflags": "+faststart"}
        self._video.codec_context.options = {"crf": str(crf), "preset": preset}
        self._audio = None
        self._pending = np.zeros(0, np.float32)
        self._audio_pts = 0
        if sample_rate is not None:
            self._audio = self._container.add_stream("aac", rate=int(sample_rate))
            self._audio.layout = "mono"
            self._audio.bit_rate = 128_000

    @property
    def frames_written(self) -> int:
        return self._frames

    def write_frame(self, frame: np.ndarray) -> None:
        """frame: (H, W, 3) uint8 RGB."""
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        vf.pts = self._frames
        self._frames += 1
        self._container.mux(self._video.encode(vf))

    def write_audio(self, samples: np.ndarray) -> None:
        """samples: (N,) float32 mono in [-1, 1] at the writer's sample rate."""
        if self._audio is None:
            raise RuntimeError("this writer was opened without audio")
        self._pending = np.concatenate([self._pending, np.asarray(samples, np.float32)])
        n_full = len(self._pending) // AAC_FRAME * AAC_FRAME
        if n_full:
            self._encode_audio(self._pending[:n_full])
            self._pending = self._pending[n_full:]

    def _encode_audio(self, samples: np.ndarray) -> None:
        assert self._audio is not None
        for start in range(0, len(samples), AAC_FRAME):
            chunk = np.clip(samples[start : start + AAC_FRAME], -1.0, 1.0)
            af = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
            af.sample_rate = self._audio.rate
            af.pts = self._audio_pts
            self._audio_pts += len(chunk)
            self._container.mux(self._audio.encode(af))

    def close(self) -> Path:
        """Flush encoders, finalize, and rename into place. Returns the final path."""
        if self._closed:
            return self.path
        try:
            if self._audio is not None:
                if len(self._pending):
                    self._encode_audio(self._pending)
                    self._pending = np.zeros(0, np.float32)
                self._container.mux(self._audio.encode(None))
            self._container.mux(self._video.encode(None))
            self._container.close()
            self._closed = True
            if self._finalize is not None:
                self._finalize(self.temp)
            os.replace(self.temp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        """Drop everything written so far; the final path is never touched."""
        if not self._closed:
            self._closed = True
            with contextlib.suppress(Exception):  # the file is being thrown away anyway
                self._container.close()
        self.temp.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def probe_duration(path: str | os.PathLike[str]) -> tuple[float, float | None, int]:
    """(video seconds, audio seconds or None, video frame count) of a media file.

    Audio seconds come from the container (edit lists applied, as players do), so the AAC
    encoder's priming and padding samples do not count.
    """
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        frames = sum(1 for packet in c.demux(v) if packet.size)
        vdur = frames / float(v.average_rate)
        if not c.streams.audio:
            return vdur, None, frames
        a = c.streams.audio[0]
        return vdur, float(a.duration * a.time_base), frames
