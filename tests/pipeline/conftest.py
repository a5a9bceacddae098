import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="session")
def portrait_png(tmp_path_factory):
    from skimage.data import astronaut

    path = tmp_path_factory.mktemp("portrait") / "astronaut.png"
    Image.fromarray(astronaut()).save(path)
    return path


@pytest.fixture(scope="session")
def voice_wav(tmp_path_factory):
    """About 3 s of generated speech as a 22.05 kHz stereo WAV (any rate/channels must work)."""
    import wave

    from parlante.audio import speak

    samples, rate = speak("Papa bought a big blue map. Look at me now!")
    path = tmp_path_factory.mktemp("voice") / "voice.wav"
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(pcm, 2).tobytes())
    return path
