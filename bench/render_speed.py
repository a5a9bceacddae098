"""Renderer speed: ms per frame (mean, p95; wall and CPU) on one thread, 256/512/1024 px.

Scenarios: neutral, mouth only, blink, head turn, and a generated talking sequence
(smooth head motion of a few degrees, speech-like jaw and lips, blinks, gaze shifts).
Run: .venv/bin/python bench/render_speed.py [portrait image] [--sizes 256,512,1024]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import skimage.data  # noqa: E402

from parlante.motion.channels import CHANNELS, INDEX  # noqa: E402
from parlante.render import Renderer  # noqa: E402


def talking(n: int, fps: float = 25.0, seed: int = 0) -> np.ndarray:
    """(n, C) codes shaped like real speech: small jaw openings, lip shapes, blinks ~20/min,
    head rotation changing by ~0.25 degrees per frame within a few degrees."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fps
    codes = np.zeros((n, len(CHANNELS)), np.float32)

    def smooth(scale: float, cutoff_hz: float) -> np.ndarray:
        x = rng.standard_normal(n + 64)
        k = max(int(fps / cutoff_hz), 1)
        x = np.convolve(x, np.hanning(2 * k + 1), mode="same")[32 : 32 + n]
        return scale * x / max(float(np.std(x)), 1e-6)

    syll = 0.5 + 0.5 * np.sin(2 * np.pi * 4.0 * t + smooth(1.0, 1.0))
    codes[:, INDEX["jaw_open"]] = np.clip(0.08 + 0.22 * syll + smooth(0.05, 3.0), 0, 0.6)
    codes[:, INDEX["lip_round"]] = np.clip(smooth(0.3, 2.0), 0, 1)
    codes[:, INDEX["lip_spread"]] = np.clip(smooth(0.3, 2.0), 0, 1)
    codes[:, INDEX["lip_press"]] = (rng.random(n) < 0.06).astype(np.float32)
    codes[:, INDEX["yaw"]] = smooth(3.0, 0.5)
    codes[:, INDEX["pitch"]] = smooth(2.0, 0.5)
    codes[:, INDEX["roll"]] = smooth(1.0, 0.5)
    codes[:, INDEX["gaze_x"]] = smooth(4.0, 0.3)
    codes[:, INDEX["brow_raise"]] = np.clip(smooth(0.25, 0.7), 0, 1)
    blink = np.zeros(n, np.float32)
    for start in np.flatnonzero(rng.random(n) < 20 / 60 / fps):
        shape = np.array([0.4, 1.0, 1.0, 0.6, 0.25])
        end = min(start + len(shape), n)
        blink[start:end] = np.maximum(blink[start:end], shape[: end - start])
    codes[:, INDEX["blink_l"]] = codes[:, INDEX["blink_r"]] = blink
    return codes


def scenarios(n: int) -> dict[str, np.ndarray]:
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    out = {}
    for name, channel, scale in (
        ("neutral", None, 0.0),
        ("mouth only", "jaw_open", 0.5),
        ("blink", "blink_l", 1.0),
        ("head turn (yaw 0..8)", "yaw", 8.0),
    ):
        c = np.zeros((n, len(CHANNELS)), np.float32)
        if channel:
            c[:, INDEX[channel]] = scale * ramp
            if channel == "blink_l":
                c[:, INDEX["blink_r"]] = scale * ramp
        out[name] = c
    out["talking sequence"] = talking(n)
    return out


def measure(renderer: Renderer, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    wall, cpu = [], []
    for row in codes:
        w0, c0 = time.perf_counter(), time.process_time()
        renderer.render(row)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return 1000 * np.array(wall), 1000 * np.array(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("portrait", nargs="?", help="image file (default: skimage astronaut)")
    ap.add_argument("--sizes", default="256,512,1024")
    ap.add_argument("--frames", type=int, default=150)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    from parlante.face import analyze_portrait

    source = args.portrait or skimage.data.astronaut()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (CPU ms is the")
    print("fairer figure when the machine is shared)")
    for size in (int(s) for s in args.sizes.split(",")):
        rig = analyze_portrait(source, size=size)
        t0 = time.perf_counter()
        renderer = Renderer(rig)
        build = 1000 * (time.perf_counter() - t0)
        renderer.render(talking(2)[1])  # JIT / cache warm-up
        print(f"\n{size}x{size}: construction {build:.0f} ms")
        print(f"  {'scenario':24s} {'wall mean':>9s} {'p95':>6s} {'cpu mean':>9s} {'p95':>6s}")
        for name, codes in scenarios(args.frames).items():
            wall, cpu = measure(renderer, codes)
            print(
                f"  {name:24s} {wall.mean():9.2f} {np.percentile(wall, 95):6.2f}"
                f" {cpu.mean():9.2f} {np.percentile(cpu, 95):6.2f}"
            )


if __name__ == "__main__":
    main()
