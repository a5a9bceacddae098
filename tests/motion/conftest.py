import pytest

from parlante.motion import Controls, generate_motion
from parlante.motion.synthetic import speech_like_track


@pytest.fixture(scope="session")
def speech60():
    """60 s of speech-like features at 25 fps."""
    return speech_like_track(60.0, fps=25.0, seed=7)


@pytest.fixture(scope="session")
def speech60_motion(speech60):
    return generate_motion(speech60, Controls(seed=3))
