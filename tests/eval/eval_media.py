"""Synthetic talking-face media for the eval tests, made from skimage's astronaut photo.

Real detectors must find the changes, so the face is edited as a camera would see it: the jaw
is dropped by moving pixels (cv2.remap) with the gap painted as a dark mouth, the eyes are
covered with skin from the cheek below them, and the head is moved with affine warps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import mediapipe as mp
import numpy as np
from scipy.ndimage import gaussian_filter1d
from skimage.data import astronaut

FPS = 25
RATE = 16_000
RIGHT_EYE_RING = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)
LEFT_EYE_RING = (362, 398, 384, 385, 386, 387, 388, 466, 263, 249, 390, 373, 374, 380, 381, 382)


TALK_FRAMES = 75  # 3 s at 25 fps
MAX_DROP = 12.0  # pixels of jaw drop at full openness (inner-lip gap ~0.3 eye distances)
AUDIO_LAG = 3  # frames the embedded audio lags the video
VIDEO_LAG = 2  # frames the video lags the separate WAV


@dataclass(frozen=True)
class Face:
    image: np.ndarray
    points: np.ndarray


@dataclass(frozen=True)
class Talking:
    signal: np.ndarray  # (TALK_FRAMES,) mouth openness 0-1 drawn in the video
    with_audio: Path  # audio = signal delayed by AUDIO_LAG frames
    silent: Path  # the same frames without audio
    wav: Path  # signal advanced by VIDEO_LAG frames (the video lags it)
    other: Path  # silent, another mouth signal


def base_face() -> np.ndarray:
    """(256, 256, 3) uint8 RGB: the astronaut's head and shoulders, face centred."""
    return np.ascontiguousarray(astronaut()[10:266, 96:352])


def landmarks_of(image: np.ndarray) -> np.ndarray:
    """(478, 3) face-mesh points of a still image in pixels."""
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        result = mesh.process(image)
    h, w = image.shape[:2]
    marks = result.multi_face_landmarks[0].landmark
    return np.array([(p.x * w, p.y * h, p.z * w) for p in marks])


def open_mouth(image: np.ndarray, points: np.ndarray, drop: float) -> np.ndarray:
    """Drop the jaw by ``drop`` pixels: lower lip and chin move down between the mouth
    corners, and the gap that opens between the lips is painted dark."""
    if drop <= 0:
        return image.copy()
    h, w = image.shape[:2]
    left, right = points[78, 0], points[308, 0]
    lips = 0.5 * (points[13, 1] + points[14, 1])
    chin = points[152, 1]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    across = np.clip(np.sin(np.pi * np.clip((xx - left) / (right - left), 0, 1)), 0, 1) ** 0.7
    down = np.where(yy < lips, 0.0, np.where(yy < chin, 1.0, np.clip(1 - (yy - chin) / 25, 0, 1)))
    src_y = (yy - drop * across * down).astype(np.float32)
    out = cv2.remap(image, xx, src_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    out[(yy >= lips) & (src_y < lips)] = (40, 15, 20)
    return out


def close_eyes(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Cover both eyes with the skin just below them and draw a lash line."""
    out = image.astype(np.float32)
    for ring in (RIGHT_EYE_RING, LEFT_EYE_RING):
        xy = points[list(ring), :2]
        centre = xy.mean(axis=0)
        width = np.ptp(xy[:, 0])
        height = np.ptp(xy[:, 1])
        mask = np.zeros(image.shape[:2], np.uint8)
        axes = (int(width * 0.65), int(height * 0.9 + 3))
        cv2.ellipse(mask, (int(centre[0]), int(centre[1])), axes, 0, 0, 360, 255, -1)
        alpha = cv2.GaussianBlur(mask, (5, 5), 0).astype(np.float32)[..., None] / 255
        skin = np.roll(image, -int(round(2.2 * height + 4)), axis=0)
        out = out * (1 - alpha) + skin * alpha
        y = int(centre[1] + 1)
        cv2.line(out, (int(xy[:, 0].min()), y), (int(xy[:, 0].max()), y), (60, 40, 35), 1)
    return np.clip(out, 0, 255).astype(np.uint8)


def place(
    image: np.ndarray,
    size: tuple[int, int],
    scale: float,
    offset: tuple[float, float],
    angle: float = 0.0,
    centre: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """``image`` rotated by ``angle`` degrees (counter-clockwise in the image, as cv2) about
    ``centre`` (image pixels), then scaled about the origin and moved by ``offset``, on a grey
    canvas of ``size`` (width, height): without rotation pixel p lands at scale * p + offset."""
    affine = cv2.getRotationMatrix2D(centre, angle, 1.0) * scale
    affine[:, 2] += offset
    return cv2.warpAffine(
        image,
        affine,
        size,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(128, 128, 128),
    )


def mouth_signal(frames: int, seed: int) -> np.ndarray:
    """(frames,) smooth random openness in [0, 1] at syllable rate (a few Hz at 25 fps)."""
    rng = np.random.default_rng(seed)
    raw = gaussian_filter1d(rng.standard_normal(frames), 1.5)
    return np.clip((raw - raw.min()) / np.ptp(raw), 0, 1)


def modulated_noise(envelope: np.ndarray, delay_frames: float, seed: int) -> np.ndarray:
    """(n,) float32 white noise whose amplitude follows ``envelope`` (one value per video frame)
    delayed by ``delay_frames``: the audio lags the video when positive."""
    n = int(len(envelope) / FPS * RATE)
    frame_pos = np.arange(n) / RATE * FPS - delay_frames
    amplitude = np.interp(frame_pos, np.arange(len(envelope)), envelope)
    noise = np.random.default_rng(seed).standard_normal(n)
    return (0.3 * noise * (0.02 + amplitude)).astype(np.float32)


def write_video(
    path: Path, frames: Iterable[np.ndarray], audio: np.ndarray | None = None, fps: int = FPS
) -> Path:
    """H.264 (crf 16) + AAC mp4 of RGB frames and optional mono float audio at RATE."""
    with av.open(str(path), mode="w") as container:
        video = container.add_stream("libx264", rate=Fraction(fps))
        video.pix_fmt = "yuv420p"
        video.options = {"crf": "16", "preset": "veryfast"}
        sound = None
        if audio is not None:
            sound = container.add_stream("aac", rate=RATE)
            sound.layout = "mono"
        first = True
        for frame in frames:
            if first:
                video.height, video.width = frame.shape[:2]
                first = False
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        if sound is not None:
            samples = audio.astype(np.float32)
            for start in range(0, len(samples), 1024):
                chunk = samples[start : start + 1024][None, :]
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(chunk), format="flt", layout="mono"
                )
                frame.sample_rate = RATE
                frame.pts = start
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode(None):
                container.mux(packet)
    return path


def write_wav(path: Path, audio: np.ndarray) -> Path:
    """16-bit mono WAV at RATE."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("pcm_s16le", rate=RATE)
        stream.layout = "mono"
        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)[None, :]
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path
