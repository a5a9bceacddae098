"""Video-driven animation: a portrait performs a driving video's (or a motion file's) motion.

The driver's sound is kept (or ``audio`` replaces it; a silent driver gets a silent track),
and whatever ``parts`` do not transfer comes from the audio-driven generator, so a
portrait can take only the head motion of a video and still speak its audio.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

from parlante.audio import frame_count, load_audio
from parlante.drive.extract import extract_motion
from parlante.drive.retarget import ALL_PARTS, retarget
from parlante.drive.style import MotionStyle, apply_style
from parlante.drive.video import probe_driver
from parlante.errors import AudioError
from parlante.motion.codes import Motion
from parlante.motion.motion_file import SUFFIX, load_motion
from parlante.motion.resample import resample_motion
from parlante.options import AnimateOptions
from parlante.pipeline import PortraitSource, Voice, animate, plan_motion, prepare_portrait

SILENT_RATE = 16000
"""Hz of the silent track written for a driver without sound."""


def is_motion_file(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() == SUFFIX


def driver_motion(
    driver: str | os.PathLike[str],
    *,
    smooth: bool = False,
    driver_face: int = 0,
    neutral: str | int = "auto",
    progress: bool = False,
) -> Motion:
    """The motion of a driving video (extracted now) or of a ``.motion`` file."""
    if is_motion_file(driver):
        return load_motion(driver)
    perf = extract_motion(
        driver, neutral=neutral, smooth=smooth, face=driver_face, progress=progress
    )
    return perf.motion


def _voice(
    driver: str | os.PathLike[str] | None,
    audio: str | os.PathLike[str] | None,
    seconds: float,
    options: AnimateOptions,
) -> tuple[np.ndarray, int]:
    """The sound track: ``audio``, else the driving video's, else silence of ``seconds``."""
    if audio is not None:
        return load_audio(audio, max_seconds=options.max_audio_seconds)
    if driver is not None and not is_motion_file(driver) and probe_driver(driver).has_audio:
        try:
            return load_audio(driver, max_seconds=options.max_audio_seconds)
        except AudioError as exc:
            warnings.warn(f"{exc}; using silence", stacklevel=3)
    n = max(1, round(seconds * SILENT_RATE))
    return np.zeros(n, np.float32), SILENT_RATE


def drive(
    portrait: PortraitSource,
    driver: str | os.PathLike[str] | None,
    output: str | os.PathLike[str],
    options: AnimateOptions | None = None,
    *,
    audio: str | os.PathLike[str] | None = None,
    parts: tuple[str, ...] = ALL_PARTS,
    smooth: bool = False,
    driver_face: int = 0,
    neutral: str | int = "auto",
    motion: Motion | None = None,
    progress: bool = False,
    **overrides,
) -> Path:
    """Make ``portrait`` perform ``driver`` (a video, or a ``.motion`` file); returns the path.

    audio: sound to use instead of the driver's. parts: what to transfer (see
    ``retarget.PARTS``); the other channels follow the audio (the driver's, ``audio``, or
    silence: idle motion). smooth: zero-phase jitter removal when extracting. driver_face:
    which face of the driving video (0 = largest). neutral: the driver's rest frame
    ("auto", "first" or a frame number). motion: an already extracted driver motion (then
    ``driver``, which may be None, only supplies the sound). Keyword overrides are
    AnimateOptions fields.
    The output lasts as long as the sound.
    """
    options = replace(options or AnimateOptions(), **overrides)
    if motion is None:  # cheap checks of the driver first, then the portrait, then the work
        if driver is None:
            raise ValueError("drive needs a driving video, a .motion file or a motion")
        if is_motion_file(driver):
            motion = load_motion(driver)
        else:
            probe_driver(driver)
    rig = prepare_portrait(portrait, options)
    if motion is None:
        motion = driver_motion(
            driver, smooth=smooth, driver_face=driver_face, neutral=neutral, progress=progress
        )
    samples, rate = _voice(driver, audio, motion.duration, options)
    fps = options.fps
    n_frames = frame_count(len(samples), rate, fps)
    voice = Voice(samples, rate, "")
    base = None
    if set(parts) != set(ALL_PARTS) or resample_motion(motion, fps).values.shape[0] < n_frames:
        base = plan_motion(rig, voice, options)
    performed = retarget(motion, n_frames, fps, parts=parts, base=base)
    return animate(rig, (samples, rate), output, options, motion=performed, progress=progress)


def animate_styled(
    portrait: PortraitSource,
    audio: str | os.PathLike[str],
    output: str | os.PathLike[str],
    style: MotionStyle,
    options: AnimateOptions | None = None,
    *,
    progress: bool = False,
    **overrides,
) -> Path:
    """``parlante.animate`` with the audio-driven motion reshaped to a speaker's ``style``."""
    options = replace(options or AnimateOptions(), **overrides)
    rig = prepare_portrait(portrait, options)
    samples, rate = load_audio(audio, max_seconds=options.max_audio_seconds)
    voice = Voice(samples, rate, "")
    motion = apply_style(plan_motion(rig, voice, options), style, seed=options.seed)
    return animate(rig, audio, output, options, motion=motion, progress=progress)
