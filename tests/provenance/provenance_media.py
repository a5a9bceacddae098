"""Media made by the provenance tests themselves: sample stills, a talking-head-like clip,
and the transformations the watermark must survive."""

from __future__ import annotations

import io
from pathlib import Path

import av
import cv2
import numpy as np
import skimage.data
from PIL import Image

STILLS = ("astronaut", "coffee", "chelsea", "camera")
PAYLOAD = 0x5EED1234
"""The video id the tests embed."""


def still(name: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB skimage sample image (grey ones stacked to RGB)."""
    image = getattr(skimage.data, name)()
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3])


def talk_clip(n: int = 50, size: int = 512, background: str = "coffee") -> list[np.ndarray]:
    """(size, size, 3) uint8 frames like Parlante's output: a still background with a
    face-like disc that sways and a mouth that opens and closes (25 fps: n=50 is 2 s)."""
    bg = still(background)
    scale = size / min(bg.shape[:2])
    bg = cv2.resize(bg, (round(bg.shape[1] * scale), round(bg.shape[0] * scale)))
    bg = np.ascontiguousarray(bg[:size, :size])
    frames = []
    for t in range(n):
        f = bg.copy()
        cx = int(size / 2 + size * 0.06 * np.sin(t / 5))
        cy = int(size * 0.5)
        cv2.circle(f, (cx, cy), int(size * 0.18), (196, 150, 128), -1, cv2.LINE_AA)
        for ex in (-1, 1):
            cv2.circle(f, (cx + ex * size // 14, cy - size // 20), size // 60, (40, 30, 30), -1)
        mouth = (size // 16, int(size / 100 + size / 40 * abs(np.sin(t / 2))))
        cv2.ellipse(f, (cx, cy + size // 12), mouth, 0, 0, 360, (90, 30, 40), -1, cv2.LINE_AA)
        frames.append(f)
    return frames


def h264(frames: list[np.ndarray], crf: int = 28) -> list[np.ndarray]:
    """Encode with libx264 (yuv420p) at ``crf`` and decode back to RGB."""
    buffer = io.BytesIO()
    write_mp4(buffer, frames, crf)
    buffer.seek(0)
    with av.open(buffer) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def write_mp4(target: Path | io.BytesIO, frames: list[np.ndarray], crf: int = 20) -> None:
    """H.264 yuv420p MP4 at 25 fps (frames cropped to even sizes)."""
    h, w = (frames[0].shape[0] // 2) * 2, (frames[0].shape[1] // 2) * 2
    with av.open(target, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"crf": str(crf), "preset": "veryfast"}
        for frame in frames:
            rgb = np.ascontiguousarray(frame[:h, :w])
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode(None))


def jpeg(frame: np.ndarray, quality: int = 75) -> np.ndarray:
    """A JPEG screenshot at ``quality``, decoded back."""
    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def downscale(frame: np.ndarray, factor: float = 0.5) -> np.ndarray:
    h, w = frame.shape[:2]
    size = (round(w * factor), round(h * factor))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


def crop_borders(frame: np.ndarray, fraction: float = 0.1) -> np.ndarray:
    """Cut ``fraction`` of each dimension off, unevenly between the sides (so that the
    tile grid shifts by an odd amount)."""
    h, w = frame.shape[:2]
    top, left = int(h * fraction * 0.3) + 1, int(w * fraction * 0.7) + 3
    return frame[top : top + int(h * (1 - fraction)), left : left + int(w * (1 - fraction))]


def brightness_contrast(frame: np.ndarray, gain: float = 0.8, offset: float = 20) -> np.ndarray:
    return np.clip(frame.astype(np.float32) * gain + offset + 0.5, 0, 255).astype(np.uint8)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * np.log10(255.0**2 / mse)
