"""AudioTrack: frame-rate acoustic features, the audio/ -> motion/ interface."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class PhoneSegment:
    """One aligned phone (ARPAbet, e.g. ``"P"``, ``"AA"``, ``"SIL"``) with times in seconds."""

    phone: str
    start: float
    end: float


@dataclass
class AudioTrack:
    """Features of a voice recording, one row per video frame.

    Every per-frame array has shape (T,), T = number of video frames, frame i covering
    the audio around time ``i / fps`` seconds.
    """

    fps: float
    samples: np.ndarray
    """(N,) float32 mono waveform in [-1, 1]."""
    sample_rate: int
    """Hz of ``samples``."""
    loudness: np.ndarray
    """Loudness in dB relative to full scale (RMS), floored at -80."""
    voicing: np.ndarray
    """Probability that the frame is voiced, 0..1."""
    pitch: np.ndarray
    """Fundamental frequency in Hz; 0 where unvoiced."""
    f1: np.ndarray
    """First formant in Hz (jaw opening cue); 0 where unknown."""
    f2: np.ndarray
    """Second formant in Hz (front/back, spread/round cue); 0 where unknown."""
    centroid: np.ndarray
    """Spectral centroid in Hz (fricatives are high)."""
    flatness: np.ndarray
    """Spectral flatness 0..1 (noise-like fricatives near 1)."""
    phones: list[PhoneSegment] = field(default_factory=list)
    """Aligned phones when a transcript was given; empty otherwise."""

    def __len__(self) -> int:
        return int(self.loudness.shape[0])

    @property
    def duration(self) -> float:
        """Seconds of audio."""
        return len(self.samples) / self.sample_rate
