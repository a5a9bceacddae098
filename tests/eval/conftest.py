"""Session-wide synthetic videos for the eval tests (made once, a few seconds each)."""

from __future__ import annotations

import pytest
from eval_media import (
    AUDIO_LAG,
    MAX_DROP,
    TALK_FRAMES,
    VIDEO_LAG,
    Face,
    Talking,
    base_face,
    landmarks_of,
    modulated_noise,
    mouth_signal,
    open_mouth,
    write_video,
    write_wav,
)


@pytest.fixture(scope="session")
def face() -> Face:
    image = base_face()
    return Face(image, landmarks_of(image))


@pytest.fixture(scope="session")
def talking(face: Face, tmp_path_factory: pytest.TempPathFactory) -> Talking:
    folder = tmp_path_factory.mktemp("talking")
    signal = mouth_signal(TALK_FRAMES, seed=1)
    frames = [open_mouth(face.image, face.points, MAX_DROP * s) for s in signal]
    other_signal = mouth_signal(TALK_FRAMES, seed=7)
    other = [open_mouth(face.image, face.points, MAX_DROP * s) for s in other_signal]
    return Talking(
        signal=signal,
        with_audio=write_video(
            folder / "talk.mp4", frames, modulated_noise(signal, AUDIO_LAG, seed=2)
        ),
        silent=write_video(folder / "talk_silent.mp4", frames),
        wav=write_wav(folder / "speech.wav", modulated_noise(signal, -VIDEO_LAG, seed=3)),
        other=write_video(folder / "other.mp4", other),
    )
