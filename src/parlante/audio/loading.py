"""Decode any audio or video file's sound to mono float32 with PyAV."""

from __future__ import annotations

import os
from pathlib import Path

import av
import numpy as np

from parlante.errors import AudioError

MIN_RATE = 16000
"""Hz; lower-rate sources are resampled up to this (feature analysis runs at 16 kHz)."""
MAX_RATE = 48000
"""Hz; higher-rate sources are resampled down to this."""


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())  # one line


def load_audio(
    path: str | os.PathLike[str], *, max_seconds: float | None = None
) -> tuple[np.ndarray, int]:
    """Decode the first audio stream of ``path`` (wav, mp3, m4a, flac, ogg, opus, webm, mp4...).

    Channels are averaged to mono. The source rate is kept when it lies in 16..48 kHz, else
    the audio is resampled to the nearer bound.

    Returns
    -------
    samples : (N,) float32 in [-1, 1], N > 0 (digital silence is fine).
    sample_rate : Hz.

    Raises AudioError (one line naming the file) if the file is missing or not decodable, has
    no audio stream or no samples, or lasts longer than ``max_seconds``.
    """
    p = Path(path)
    if not p.exists():
        raise AudioError(f"{p}: file not found")
    if p.is_dir():
        raise AudioError(f"{p}: is a directory, not an audio file")
    if p.stat().st_size == 0:
        raise AudioError(f"{p}: file is empty")
    try:
        container = av.open(str(p), mode="r")
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(f"{p}: cannot decode as audio ({_reason(exc)})") from exc
    with container:
        if not container.streams.audio:
            raise AudioError(f"{p}: has no audio stream")
        stream = container.streams.audio[0]
        if max_seconds is not None:
            declared = _declared_seconds(container, stream)
            if declared is not None and declared > max_seconds + 0.5:
                raise AudioError(
                    f"{p}: audio lasts {declared:.1f} s, more than the {max_seconds:g} s limit"
                )
        try:
            samples, rate = _decode(container, stream, max_seconds, p)
        except av.FFmpegError as exc:
            raise AudioError(f"{p}: cannot decode audio ({_reason(exc)})") from exc
    if samples.size == 0:
        raise AudioError(f"{p}: audio is empty")
    if max_seconds is not None and samples.size > max_seconds * rate:
        raise AudioError(
            f"{p}: audio lasts {samples.size / rate:.1f} s, more than the {max_seconds:g} s limit"
        )
    return samples, rate


def _declared_seconds(container: av.container.InputContainer, stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _decode(container, stream, max_seconds: float | None, p: Path) -> tuple[np.ndarray, int]:
    resampler = None
    rate = 0
    pieces: list[np.ndarray] = []
    count = 0
    for frame in container.decode(stream):
        if resampler is None:
            rate = int(min(max(frame.sample_rate, MIN_RATE), MAX_RATE))
            # Planar float keeps every channel apart, so the mono mix is a plain mean.
            resampler = av.AudioResampler(format="fltp", rate=rate)
        for out in resampler.resample(frame):
            pieces.append(_mono(out.to_ndarray()))
            count += pieces[-1].size
        if max_seconds is not None and count > (max_seconds + 1.0) * rate:
            break  # already too long; the caller reports it
    if resampler is not None:
        for out in resampler.resample(None):
            pieces.append(_mono(out.to_ndarray()))
    if not pieces:
        return np.zeros(0, np.float32), rate
    samples = np.concatenate(pieces)
    np.clip(samples, -1.0, 1.0, out=samples)
    return samples, rate


def _mono(planes: np.ndarray) -> np.ndarray:
    """(channels, n) planar float -> (n,) float32 mean of the channels."""
    x = planes.astype(np.float32, copy=False)
    return x.mean(axis=0, dtype=np.float32) if x.ndim == 2 else x.reshape(-1)
