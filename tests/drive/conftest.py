"""Driving videos made by Parlante itself from known motion, so extraction can be checked.

Two portraits: skimage's astronaut and a second identity made from it (mirrored, warmer
and darker, different background tint). Each scripted clip is rendered with
``parlante.render.Renderer`` and written with ``parlante.io.video.VideoWriter`` (H.264),
as a real driving video would arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import skimage.data

from parlante.face import FaceRig, analyze_portrait
from parlante.io.video import VideoWriter
from parlante.motion.channels import INDEX
from parlante.motion.codes import Motion
from parlante.render.renderer import Renderer

FPS = 25.0
SIZE = 256
N_FRAMES = 100
REST = 10
"""Frames at rest at the start of every scripted clip (the driver's neutral)."""
BLINK_FRAMES = (32, 72)
"""Frames where scripted blinks are fully shut."""
GAZE_RIGHT = (42, 58)
GAZE_LEFT = (80, 92)
"""[start, end) frames holding a gaze of +12 / -12 degrees."""


@dataclass
class Clip:
    motion: Motion
    path: Path
    frames: list[np.ndarray]


def scripted_motion(n: int = N_FRAMES) -> Motion:
    """Head swings of a few degrees, jaw open/close, two blinks and two gaze shifts."""
    m = Motion.zeros(n, FPS)
    t = np.arange(n) / FPS
    on = np.clip((np.arange(n) - REST) / 5.0, 0.0, 1.0)  # ease in after the rest
    m.channel("yaw")[:] = on * 6.0 * np.sin(2 * np.pi * (t - REST / FPS) / 2.0)
    m.channel("pitch")[:] = on * 4.0 * np.sin(2 * np.pi * (t - REST / FPS) / 2.6)
    m.channel("jaw_open")[:] = on * 0.45 * np.maximum(0.0, np.sin(2 * np.pi * t / 0.9)) ** 1.5
    for f in BLINK_FRAMES:
        for k, v in zip(range(f - 2, f + 3), (0.3, 0.8, 1.0, 0.7, 0.25), strict=True):
            m.values[k, INDEX["blink_l"]] = m.values[k, INDEX["blink_r"]] = v
    gaze = np.zeros(n)
    for (a, b), v in ((GAZE_RIGHT, 12.0), (GAZE_LEFT, -12.0)):
        gaze[a:b] = v
        gaze[a - 1] = gaze[b] = v / 2
    m.channel("gaze_x")[:] = gaze
    return m


def write_clip(frames: list[np.ndarray], path: Path) -> Path:
    with VideoWriter(path, (frames[0].shape[1], frames[0].shape[0]), FPS, None) as w:
        for f in frames:
            w.write_frame(f)
    return path


def render_clip(rig: FaceRig, motion: Motion, path: Path) -> Clip:
    renderer = Renderer(rig)
    frames = [renderer.render(motion.frame(i)) for i in range(len(motion))]
    return Clip(motion, write_clip(frames, path), frames)


def second_identity(image: np.ndarray) -> np.ndarray:
    """Another portrait from the astronaut: mirrored, skin and background re-toned."""
    out = image[:, ::-1].astype(np.float32)
    out = out * np.array([0.82, 0.9, 1.08]) ** 1.0
    out = 255.0 * (out / 255.0) ** 1.25
    return np.clip(out, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def rig_a() -> FaceRig:
    return analyze_portrait(skimage.data.astronaut(), size=SIZE)


@pytest.fixture(scope="session")
def rig_b() -> FaceRig:
    return analyze_portrait(second_identity(skimage.data.astronaut()), size=SIZE)


@pytest.fixture(scope="session")
def clip_a(rig_a: FaceRig, tmp_path_factory) -> Clip:
    path = tmp_path_factory.mktemp("drive") / "scripted_a.mp4"
    return render_clip(rig_a, scripted_motion(), path)


@pytest.fixture(scope="session")
def clip_b(rig_b: FaceRig, tmp_path_factory) -> Clip:
    path = tmp_path_factory.mktemp("drive") / "scripted_b.mp4"
    return render_clip(rig_b, scripted_motion(), path)


@pytest.fixture(scope="session")
def performance_a(clip_a: Clip):
    from parlante.drive import extract_motion

    return extract_motion(clip_a.path, neutral="first")
