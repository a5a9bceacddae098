"""The offline pipeline: portrait + voice recording -> talking-face MP4.

face/ -> FaceRig, audio/ -> AudioTrack, motion/ -> Motion, render/ -> frames, io/ -> MP4,
with the provenance watermark on every frame and a signed C2PA manifest on the file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from parlante import __version__
from parlante.audio import analyze_audio, load_audio, read_transcript
from parlante.errors import ParlanteError
from parlante.face import FaceRig, analyze_portrait, load_rig
from parlante.io.video import VideoWriter
from parlante.motion import Motion, generate_motion
from parlante.options import AnimateOptions
from parlante.provenance import ProvenanceInfo, Watermark, add_label, sign_file
from parlante.render import Renderer

PortraitSource = str | os.PathLike[str] | np.ndarray | FaceRig
AudioSource = str | os.PathLike[str] | tuple[np.ndarray, int]
RIG_SUFFIXES = (".npz", ".rig")


@dataclass
class Voice:
    """A mono recording: samples (N,) float32 in [-1, 1] at ``sample_rate`` Hz."""

    samples: np.ndarray
    sample_rate: int
    sha256: str


def prepare_portrait(source: PortraitSource, options: AnimateOptions) -> FaceRig:
    """A FaceRig from an image (path, bytes or RGB array), a saved rig, or a rig itself."""
    if isinstance(source, FaceRig):
        rig = source
    elif isinstance(source, str | os.PathLike) and Path(source).suffix.lower() in RIG_SUFFIXES:
        rig = load_rig(source)
    else:
        rig = analyze_portrait(
            source, size=options.size, face_index=options.face, head_distance=options.head_distance
        )
    if rig.size != options.size:
        raise ParlanteError(
            f"the saved face rig is {rig.size} px but --size is {options.size}: "
            "analyse the portrait again at that size"
        )
    return rig


def prepare_voice(source: AudioSource, options: AnimateOptions) -> Voice:
    if isinstance(source, tuple):
        samples, rate = source
        samples = np.asarray(samples, np.float32)
        digest = hashlib.sha256(samples.tobytes()).hexdigest()
        return Voice(samples, int(rate), digest)
    samples, rate = load_audio(source, max_seconds=options.max_audio_seconds)
    digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
    return Voice(samples, rate, digest)


def video_id(rig: FaceRig, voice: Voice, options: AnimateOptions) -> int:
    """32-bit id carried by the watermark: reproducible for the same inputs and options."""
    text = f"{rig.source_sha256}|{voice.sha256}|{sorted(options.settings().items())}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def plan_motion(
    rig: FaceRig, voice: Voice, options: AnimateOptions, *, renderer: Renderer | None = None
) -> Motion:
    """Audio features -> motion codes for the whole recording, fitted to this portrait's
    resting mouth (``Renderer.from_closed_mouth``); pass the renderer if you have one."""
    text = read_transcript(options.transcript) if options.transcript else None
    track = analyze_audio(voice.samples, voice.sample_rate, options.fps, transcript=text)
    motion = generate_motion(track, options.controls())
    renderer = renderer or Renderer(rig)
    return Motion(renderer.from_closed_mouth(motion.values), motion.fps)


def animate(
    portrait: PortraitSource,
    audio: AudioSource,
    output: str | os.PathLike[str],
    options: AnimateOptions | None = None,
    *,
    progress: bool = False,
    motion: Motion | None = None,
    **overrides,
) -> Path:
    """Make a talking-face MP4 of ``portrait`` speaking ``audio``; returns the output path.

    Keyword overrides are AnimateOptions fields (``emotion="happy"``, ``seed=3``, ...), the
    same as the CLI flags. ``motion`` replaces the audio-driven motion (it must have as many
    frames as the audio at ``options.fps``, e.g. from a driving video). The file appears at
    ``output`` only once complete, watermarked and signed.
    """
    options = replace(options or AnimateOptions(), **overrides)
    rig = prepare_portrait(portrait, options)
    voice = prepare_voice(audio, options)
    renderer = Renderer(rig)
    if motion is None:
        motion = plan_motion(rig, voice, options, renderer=renderer)
    return render_video(rig, voice, motion, output, options, renderer=renderer, progress=progress)


def render_video(
    rig: FaceRig,
    voice: Voice,
    motion: Motion,
    output: str | os.PathLike[str],
    options: AnimateOptions,
    *,
    renderer: Renderer | None = None,
    progress: bool = False,
    on_frame: Callable[[int, int], None] | None = None,
) -> Path:
    """Render ``motion`` on ``rig``, watermark every frame, mux ``voice``, sign, and rename
    into ``output``. ``on_frame(done, total)`` runs after each frame (progress reports,
    throttling); an exception it raises cancels the video and leaves no file behind."""
    renderer = renderer or Renderer(rig)
    n_frames = len(motion)
    mark = Watermark(size=rig.size)
    payload = video_id(rig, voice, options)
    info = ProvenanceInfo(
        tool="Parlante",
        version=__version__,
        settings=options.settings(),
        source_sha256=rig.source_sha256,
        audio_sha256=voice.sha256,
        watermark_payload=payload,
    )
    writer = VideoWriter(
        output,
        (rig.size, rig.size),
        options.fps,
        voice.sample_rate,
        crf=options.crf,
        metadata={"comment": f"Made by Parlante {__version__}: AI-generated talking face"},
        finalize=lambda temp: sign_file(temp, info),
    )
    with writer:
        writer.write_audio(voice.samples)
        for i in tqdm(range(n_frames), desc="rendering", unit="frame", disable=not progress):
            frame = renderer.render(motion.frame(i))
            if options.label:
                frame = add_label(frame, options.label)
            writer.write_frame(mark.embed(frame, payload))
            if on_frame is not None:
                on_frame(i + 1, n_frames)
    return writer.path
