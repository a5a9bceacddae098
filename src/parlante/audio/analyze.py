"""Whole-recording analysis: samples -> AudioTrack."""

from __future__ import annotations

import numpy as np

from parlante.audio.stream import AudioFeatureStream, _as_mono_float
from parlante.audio.track import AudioTrack


def analyze_audio(
    samples: np.ndarray,
    sample_rate: int,
    fps: float = 25.0,
    *,
    transcript: str | None = None,
) -> AudioTrack:
    """Frame-rate features of a mono recording.

    Parameters
    ----------
    samples : (N,) mono waveform in [-1, 1] (integer PCM is scaled), N > 0.
    sample_rate : Hz.
    fps : video frames per second; frame i describes the audio around time i / fps.
    transcript : English text said in the recording; when given, ``phones`` holds its
        forced alignment (empty if alignment fails).

    Returns an AudioTrack of T = max(1, floor(N * fps / sample_rate + 0.5)) frames (see
    ``frame_count``). It is computed by an ``AudioFeatureStream`` fed the whole signal at once,
    so streamed and whole-file features cannot disagree.
    """
    x = _as_mono_float(samples, "samples")
    if x.size == 0:
        raise ValueError("analyze_audio() needs at least one sample")
    stream = AudioFeatureStream(sample_rate, fps)
    head = stream.push(x)
    tail = stream.flush()
    track = AudioTrack(
        fps=float(fps),
        samples=x,
        sample_rate=int(sample_rate),
        loudness=np.concatenate([head.loudness, tail.loudness]),
        voicing=np.concatenate([head.voicing, tail.voicing]),
        pitch=np.concatenate([head.pitch, tail.pitch]),
        f1=np.concatenate([head.f1, tail.f1]),
        f2=np.concatenate([head.f2, tail.f2]),
        centroid=np.concatenate([head.centroid, tail.centroid]),
        flatness=np.concatenate([head.flatness, tail.flatness]),
    )
    if transcript is not None and transcript.strip():
        from parlante.audio.align import align_transcript

        track.phones = align_transcript(x, sample_rate, transcript)
    return track
