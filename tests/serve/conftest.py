"""Shared media for the live-stream and server tests: one portrait, one spoken sentence."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

SIZE = 256  # small frames keep the suite fast; the code paths are the same at 512
TEXT = "Hello there. My mouth moves when I speak."


@pytest.fixture(scope="session")
def portrait_rgb() -> np.ndarray:
    from skimage.data import astronaut

    return astronaut()


@pytest.fixture(scope="session")
def portrait_png(portrait_rgb) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(portrait_rgb).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def rig(portrait_rgb):
    from parlante.face import analyze_portrait

    return analyze_portrait(portrait_rgb, size=SIZE)


@pytest.fixture(scope="session")
def voice() -> tuple[np.ndarray, int]:
    """About 2.5 s of generated English speech, (samples float32, rate)."""
    from parlante.audio import speak

    samples, rate = speak(TEXT, voice="en")
    samples = np.asarray(samples, np.float32)
    assert 1.0 < len(samples) / rate < 6.0
    return samples, int(rate)


@pytest.fixture(scope="session")
def voice_wav(voice) -> bytes:
    """The voice as a 16-bit WAV file."""
    import wave

    samples, rate = voice
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def mouth_box(rig, margin: float = 0.25) -> tuple[slice, slice]:
    """(rows, cols) around the lips of the rig's portrait."""
    lips = rig.landmarks[[13, 14, 61, 291, 0, 17], :2]
    (x0, y0), (x1, y1) = lips.min(0), lips.max(0)
    w = x1 - x0
    pad = margin * w
    return (
        slice(int(y0 - pad), int(y1 + pad) + 1),
        slice(int(x0 - pad), int(x1 + pad) + 1),
    )
