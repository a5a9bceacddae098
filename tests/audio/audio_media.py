"""Test media written on the fly with PyAV (no files are shipped with the tests)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def write_audio(
    path: Path, samples: np.ndarray, rate: int, codec: str, *, video: bool = False
) -> Path:
    """Encode (n, channels) float samples in [-1, 1] at ``rate`` Hz into ``path``.

    The container follows the file suffix. With ``video`` a small black video stream is added
    first, so the audio is the second stream, as in a phone recording.
    """
    x = np.asarray(samples, np.float32)
    if x.ndim == 1:
        x = x[:, None]
    layout = {1: "mono", 2: "stereo"}[x.shape[1]]
    with av.open(str(path), "w") as out:
        vstream = None
        if video:
            vstream = out.add_stream("libx264", rate=25)
            vstream.width = vstream.height = 64
            vstream.pix_fmt = "yuv420p"
        stream = out.add_stream(codec, rate=rate, layout=layout)
        fmt = stream.codec_context.codec.audio_formats[0].name
        frame_size = stream.codec_context.frame_size or 1024
        resampler = av.AudioResampler(format=fmt, layout=layout, rate=rate)
        pts = 0
        for start in range(0, len(x), frame_size):
            block = np.ascontiguousarray(x[start : start + frame_size].T)
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
            frame.sample_rate = rate
            frame.pts = pts
            frame.time_base = Fraction(1, rate)
            pts += block.shape[1]
            for f in resampler.resample(frame):
                out.mux(stream.encode(f))
        for f in resampler.resample(None):
            out.mux(stream.encode(f))
        out.mux(stream.encode(None))
        if vstream is not None:
            n_video = int(len(x) / rate * 25)
            for i in range(n_video):
                vf = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
                vf.pts = i
                out.mux(vstream.encode(vf))
            out.mux(vstream.encode(None))
    return path


def tone(seconds: float, rate: int, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    """(n,) float32 sine."""
    t = np.arange(int(round(seconds * rate))) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
