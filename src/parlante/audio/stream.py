"""Chunk-in, frames-out audio analysis; ``analyze_audio`` is this stream fed in one push."""

from __future__ import annotations

import math

import numpy as np

from parlante.audio.kernel import (
    ANALYSIS_RATE,
    HALF_WINDOW,
    WINDOW,
    FrameFeatures,
    frame_features,
)
from parlante.audio.resample import StreamResampler
from parlante.audio.track import AudioTrack

_FRAMES_PER_CALL = 1024  # bounds the (F, WINDOW) window matrix to ~5 MB


def frame_count(n_samples: int, sample_rate: int, fps: float) -> int:
    """Video frames for ``n_samples`` of audio: T = max(1, round(N * fps / sr)).

    Halves round up (floor(x + 0.5)), so the video lasts as long as the audio to within half
    a frame; any non-empty audio gives at least one frame, empty audio gives none.
    """
    if n_samples <= 0:
        return 0
    return max(1, math.floor(n_samples * fps / sample_rate + 0.5))


def _centre(i: int | np.ndarray, rate: float, fps: float) -> int | np.ndarray:
    """Sample index (at ``rate``) of frame i's time i / fps, rounded half up."""
    return np.floor(np.asarray(i) * rate / fps + 0.5).astype(np.int64)


def _as_mono_float(samples: np.ndarray, what: str) -> np.ndarray:
    x = np.asarray(samples)
    if x.ndim != 1:
        raise ValueError(f"{what} must be mono with shape (n,), got shape {x.shape}")
    if np.issubdtype(x.dtype, np.integer):
        scale = float(np.iinfo(x.dtype).max) + 1.0
        return (x.astype(np.float64) / scale).astype(np.float32)
    x = x.astype(np.float32, copy=False)
    if not np.isfinite(x).all():  # a NaN would poison every window it touches
        x = np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0)
    return x


class AudioFeatureStream:
    """Analyse audio as it arrives: ``push`` chunks of any length, get the finished frames.

    Frame i (time i / fps) is emitted once the audio up to ``i / fps + lookahead_seconds``
    has been pushed. Each returned ``AudioTrack`` holds the new frames and, as ``samples``,
    the input audio that plays with them (from frame i0's time to frame i1's time), so the
    samples of all returned tracks concatenate to exactly the input. ``flush`` ends the stream;
    the total is identical to ``analyze_audio`` on the whole signal.
    """

    def __init__(self, sample_rate: int, fps: float = 25.0) -> None:
        if sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {sample_rate}")
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.sample_rate = int(sample_rate)
        self.fps = float(fps)
        self._resampler = StreamResampler(self.sample_rate, ANALYSIS_RATE)
        # 16 kHz history; zeros stand in for the audio before time 0.
        self._a16 = np.zeros(HALF_WINDOW)
        self._a16_start = -HALF_WINDOW
        self._raw = np.zeros(0, np.float32)  # input not yet returned, from _raw_start
        self._raw_start = 0
        self._n_in = 0
        self._next_frame = 0
        self._flushed = False

    @property
    def lookahead_seconds(self) -> float:
        """Audio needed after a frame's time before the frame is emitted (an upper bound).

        Half the analysis window plus the resampler's kernel, or half a frame period (the
        frame must be certain to exist), whichever is longer: about 21 ms at 25 fps.
        """
        window = (HALF_WINDOW + 0.5) / ANALYSIS_RATE + self._resampler.delay_seconds
        return max(window, 0.5 / self.fps) + 1.0 / self.sample_rate

    @property
    def frames_emitted(self) -> int:
        """Frames returned so far; the next frame's index."""
        return self._next_frame

    def push(self, chunk: np.ndarray) -> AudioTrack:
        """Add (n,) samples at ``sample_rate``; return the frames they complete (maybe none)."""
        if self._flushed:
            raise RuntimeError("push() after flush()")
        x = _as_mono_float(chunk, "chunk")
        self._n_in += x.size
        self._raw = np.concatenate([self._raw, x])
        self._a16 = np.concatenate([self._a16, self._resampler.push(x)])
        # A frame must exist in the final count, whatever follows, and have its full window.
        limit = frame_count(self._n_in, self.sample_rate, self.fps)
        return self._emit(limit, end_of_input=False)

    def flush(self) -> AudioTrack:
        """End of input: return every remaining frame (the audio is padded with silence)."""
        if self._flushed:
            return self._track(FrameFeatures.empty(), np.zeros(0, np.float32))
        self._flushed = True
        self._a16 = np.concatenate([self._a16, self._resampler.flush()])
        total = frame_count(self._n_in, self.sample_rate, self.fps)
        if total > 0:
            last_end = int(_centre(total - 1, ANALYSIS_RATE, self.fps)) + HALF_WINDOW
            missing = last_end - (self._a16_start + self._a16.size)
            if missing > 0:
                self._a16 = np.concatenate([self._a16, np.zeros(missing)])
        return self._emit(total, end_of_input=True)

    def _emit(self, limit: int, end_of_input: bool) -> AudioTrack:
        available_end = self._a16_start + self._a16.size
        # Frames whose window [c - H, c + H) lies inside the 16 kHz audio received so far.
        bound = math.floor((available_end - HALF_WINDOW + 0.5) * self.fps / ANALYSIS_RATE) + 1
        stop = min(limit, bound)
        while stop > self._next_frame and self._window_end(stop - 1) > available_end:
            stop -= 1  # the bound is loose by at most a frame or two
        first = self._next_frame
        parts = []
        for lo in range(first, stop, _FRAMES_PER_CALL):
            idx = np.arange(lo, min(stop, lo + _FRAMES_PER_CALL))
            starts = _centre(idx, ANALYSIS_RATE, self.fps) - HALF_WINDOW - self._a16_start
            windows = self._a16[starts[:, None] + np.arange(WINDOW)[None, :]]
            parts.append(frame_features(windows))
        self._next_frame = max(first, stop)
        # Forget 16 kHz audio that no later frame's window reaches.
        keep = min(self._window_end(self._next_frame) - WINDOW, available_end)
        if keep > self._a16_start:
            self._a16 = self._a16[keep - self._a16_start :]
            self._a16_start = keep
        # The input audio that plays with the emitted frames.
        if end_of_input:
            cut = self._n_in
        else:
            cut = min(int(_centre(self._next_frame, self.sample_rate, self.fps)), self._n_in)
        samples = self._raw[: max(cut - self._raw_start, 0)]
        self._raw = self._raw[samples.size :]
        self._raw_start += samples.size
        return self._track(FrameFeatures.concat(parts), samples)

    def _window_end(self, i: int) -> int:
        return int(_centre(i, ANALYSIS_RATE, self.fps)) + HALF_WINDOW

    def _track(self, feats: FrameFeatures, samples: np.ndarray) -> AudioTrack:
        return AudioTrack(
            fps=self.fps,
            samples=samples,
            sample_rate=self.sample_rate,
            loudness=feats.loudness,
            voicing=feats.voicing,
            pitch=feats.pitch,
            f1=feats.f1,
            f2=feats.f2,
            centroid=feats.centroid,
            flatness=feats.flatness,
        )
