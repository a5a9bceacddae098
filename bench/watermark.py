"""Watermark figures: embed speed, detection speed, PSNR, robustness, false positives.

    .venv/bin/python bench/watermark.py [--videos DIR] [--quick]

Robustness is measured on 2 s clips (50 frames at 25 fps): synthetic talking-head clips
(a still skimage background with a swaying face-like disc and a moving mouth, like
Parlante's output), a whole-frame pan (every pixel moves: the hard case for a static mark
under H.264), and the first 2 s of each real video of at least 448 px in ``--videos``,
marked. False positives: every unmarked video in ``--videos`` (sampled as
``parlante verify`` does) and generated unmarked clips.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np
import skimage.data
from PIL import Image

from parlante.provenance import Watermark, detect_watermark, detect_watermark_in_file
from parlante.provenance.media import read_frames

DEFAULT_VIDEOS = Path(__file__).resolve().parents[2] / "shared" / "media" / "videos"
PAYLOAD = 0x2468ACE1
BACKGROUNDS = ("astronaut", "coffee", "chelsea", "camera", "rocket", "immunohistochemistry")


def still(name: str) -> np.ndarray:
    image = getattr(skimage.data, name)()
    return np.stack([image] * 3, -1) if image.ndim == 2 else np.ascontiguousarray(image[..., :3])


def square(image: np.ndarray, size: int) -> np.ndarray:
    scale = size / min(image.shape[:2])
    image = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)))
    return np.ascontiguousarray(image[:size, :size])


def talk_clip(background: str, n: int = 50, size: int = 512) -> list[np.ndarray]:
    bg = square(still(background), size)
    frames = []
    for t in range(n):
        f = bg.copy()
        cx, cy = int(size / 2 + size * 0.06 * np.sin(t / 5)), size // 2
        cv2.circle(f, (cx, cy), int(size * 0.18), (196, 150, 128), -1, cv2.LINE_AA)
        mouth = (size // 16, int(size / 100 + size / 40 * abs(np.sin(t / 2))))
        cv2.ellipse(f, (cx, cy + size // 12), mouth, 0, 0, 360, (90, 30, 40), -1, cv2.LINE_AA)
        frames.append(f)
    return frames


def pan_clip(background: str, n: int = 50, size: int = 512) -> list[np.ndarray]:
    big = square(still(background), int(size * 1.25))
    return [
        np.ascontiguousarray(big[oy : oy + size, ox : ox + size])
        for t in range(n)
        for ox, oy in [(int(30 + 25 * np.sin(t / 12)), int(30 + 20 * np.cos(t / 15)))]
    ]


def h264(frames: list[np.ndarray], crf: int) -> list[np.ndarray]:
    h, w = (frames[0].shape[0] // 2) * 2, (frames[0].shape[1] // 2) * 2
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"crf": str(crf), "preset": "veryfast"}
        for f in frames:
            rgb = np.ascontiguousarray(f[:h, :w])
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode(None))
    buffer.seek(0)
    with av.open(buffer) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def jpeg(frame: np.ndarray, quality: int = 75) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def down(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    return cv2.resize(frame, (w // 2, h // 2), interpolation=cv2.INTER_AREA)


def crop(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    return frame[int(h * 0.03) + 1 : int(h * 0.93), int(w * 0.07) + 3 : int(w * 0.97)]


def bright(frame: np.ndarray) -> np.ndarray:
    return np.clip(frame.astype(np.float32) * 0.8 + 20.5, 0, 255).astype(np.uint8)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * np.log10(255.0**2 / mse)


TRANSFORMS: dict[str, Callable[[list[np.ndarray]], list[np.ndarray]]] = {
    "none (1 frame)": lambda c: c[:1],
    "H.264 crf 28": lambda c: h264(c, 28),
    "H.264 crf 28, 1 frame": lambda c: h264(c[:12], 28)[10:11],
    "JPEG q75, 1 frame": lambda c: [jpeg(h264(c[:8], 20)[5])],
    "50% downscale": lambda c: [down(f) for f in c],
    "50% downscale, 1 frame": lambda c: [down(c[0])],
    "50% downscale + crf 23": lambda c: h264([down(f) for f in c], 23),
    "10% crop": lambda c: [crop(f) for f in c],
    "10% crop + crf 28": lambda c: h264([crop(f) for f in c], 28),
    "brightness/contrast": lambda c: [bright(f) for f in c],
    "brightness/contrast + crf 28": lambda c: h264([bright(f) for f in c], 28),
}


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed(mark: Watermark) -> None:
    print("== speed (one core)")
    for size in (512, 1024):
        frame = square(still("astronaut"), size)
        out = np.empty_like(frame)
        ms = 1e3 * timed(lambda f=frame, o=out: mark.embed(f, PAYLOAD, out=o), 200)
        print(f"embed {size}x{size}: {ms:.2f} ms/frame")
    clip = [mark.embed(f, PAYLOAD) for f in talk_clip("coffee")]
    seconds = timed(lambda: detect_watermark(clip), 3)
    print(f"detect 2 s clip (50 frames 512x512, in memory): {seconds:.2f} s")


def quality(mark: Watermark) -> None:
    print("== invisibility")
    for name in BACKGROUNDS:
        image = still(name)
        print(f"PSNR {name:22s} {psnr(mark.embed(image, PAYLOAD), image):.1f} dB")
    grey = np.full((512, 512, 3), 128, np.uint8)
    change = np.abs(mark.embed(grey, PAYLOAD).astype(int) - 128)
    print(f"flat grey: max change {change.max()} levels, mean {change.mean():.2f}")


def real_clips(folder: Path, limit: int) -> dict[str, list[np.ndarray]]:
    clips = {}
    for path in sorted(folder.glob("*.mp4")):
        frames = [np.ascontiguousarray(f) for f in read_frames(path, 50)][:50]
        h, w = frames[0].shape[:2]
        if min(h, w) >= 448 and len(frames) == 50:
            clips[path.stem] = [np.ascontiguousarray(f[: h - h % 2, : w - w % 2]) for f in frames]
        if len(clips) >= limit:
            break
    return clips


def robustness(mark: Watermark, clips: dict[str, list[np.ndarray]]) -> None:
    print(f"== detection over {len(clips)} clips: found / payload read")
    marked = {name: [mark.embed(f, PAYLOAD) for f in frames] for name, frames in clips.items()}
    mean_psnr = np.mean([psnr(marked[n][0], clips[n][0]) for n in clips])
    print(f"mean PSNR of the clips: {mean_psnr:.1f} dB")
    for label, transform in TRANSFORMS.items():
        found = read = 0
        zs = []
        for frames in marked.values():
            report = detect_watermark(transform(frames))
            found += report.found
            read += report.payload == PAYLOAD
            zs.append(report.confidence)
        n = len(marked)
        print(f"{label:30s} {found:2d}/{n} {read:2d}/{n}  median z {np.median(zs):.1f}")


def _fp_summary(reports: list) -> str:
    found = sum(r.found for r in reports)
    z = max(r.confidence for r in reports)
    p = min(r.p_value for r in reports)
    return f"{found}/{len(reports)} found, max z {z:.1f}, min p {p:.2g}"


def false_positives(folder: Path | None, quick: bool) -> None:
    print("== false positives (unmarked)")
    rng = np.random.default_rng(0)
    generated = [h264(talk_clip(b, 25), 28) for b in BACKGROUNDS]
    generated += [h264(pan_clip(b, 25), 23) for b in BACKGROUNDS[:3]]
    noise = [rng.integers(0, 256, (512, 512, 3), dtype=np.uint8) for _ in range(25)]
    generated.append(noise)
    reports = [detect_watermark(c) for c in generated]
    print(f"generated clips: {_fp_summary(reports)}")
    if folder is None or not folder.is_dir():
        print(f"(no videos folder: {folder})")
        return
    paths = sorted(folder.glob("*.mp4"))[: 8 if quick else None]
    start = time.perf_counter()
    reports = [detect_watermark_in_file(p) for p in paths]
    took = (time.perf_counter() - start) / max(1, len(paths))
    print(f"real videos ({folder}): {_fp_summary(reports)}, {took:.2f} s per file with decoding")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=Path, default=DEFAULT_VIDEOS)
    parser.add_argument("--quick", action="store_true", help="fewer clips and videos")
    args = parser.parse_args()
    mark = Watermark(size=512)
    speed(mark)
    quality(mark)
    clips = {f"talk/{b}": talk_clip(b) for b in BACKGROUNDS[: 3 if args.quick else None]}
    if args.videos.is_dir():
        clips.update(real_clips(args.videos, 3 if args.quick else 12))
    robustness(mark, clips)
    robustness(mark, {f"pan/{b}": pan_clip(b) for b in BACKGROUNDS[:3]})
    false_positives(args.videos, args.quick)


if __name__ == "__main__":
    main()
