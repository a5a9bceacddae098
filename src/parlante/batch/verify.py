"""Is an output already finished? The full check, for files the batch manifest does not vouch
for (e.g. a run stopped between a video's rename and its record)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

FRAME_SLACK = 2
"""Frames of difference allowed between the video and its audio's duration."""


@dataclass
class Expected:
    """What a job's finished video must show."""

    seconds: float
    """Duration of its audio; 0 when unknown (then not checked)."""
    fps: float
    settings: dict[str, str]
    """``AnimateOptions.settings()`` as recorded in the C2PA manifest."""
    audio_sha256: str
    portrait_sha256: str | None
    """SHA-256 of the portrait image; None when the row names a saved rig."""


def expected_seconds(audio: Path) -> float:
    """Duration of an audio (or video) file from its container, 0 if it cannot be read."""
    try:
        with av.open(str(audio)) as container:
            if container.duration:
                return container.duration / 1_000_000
            stream = container.streams.audio[0]
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
    except (av.FFmpegError, OSError, IndexError, ValueError):
        pass
    return 0.0


def verify_output(path: Path, expected: Expected) -> float | None:
    """Video seconds of ``path`` if it is this job's complete video, else None.

    Complete: it opens, has frames, lasts as long as the audio (within two frames), and its
    C2PA manifest is valid (so the file is unchanged since signing), names Parlante, and
    records this job's portrait, audio and settings.
    """
    from parlante.io.video import probe_duration
    from parlante.provenance import read_manifest

    try:
        video_seconds, _, frames = probe_duration(path)
    except (av.FFmpegError, OSError, IndexError, ValueError, ZeroDivisionError):
        return None
    if frames == 0:
        return None
    if expected.seconds > 0 and abs(video_seconds - expected.seconds) > FRAME_SLACK / expected.fps:
        return None
    try:
        manifest = read_manifest(path)
    except Exception:  # noqa: BLE001 - unreadable means not verified
        return None
    info = manifest.info
    if not manifest.from_parlante or info is None:
        return None
    same = info.settings == expected.settings and info.audio_sha256 == expected.audio_sha256
    if expected.portrait_sha256 is not None:
        same = same and info.source_sha256 == expected.portrait_sha256
    return video_seconds if same else None
