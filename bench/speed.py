"""End-to-end speed at 512x512: per-stage cost, render fps and real-time factor, on ONE core.

    .venv/bin/python bench/speed.py [--seconds 30] [--size 512] [--portrait P] [--audio A]

Pins itself to one CPU core and one thread per library, then prints a table. The real-time
factor is seconds of video made per wall-clock second (2.0 = twice faster than real time).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="length of the generated voice")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--portrait", help="image (default: the demo portrait)")
    ap.add_argument("--audio", help="voice file (default: a generated voice)")
    args = ap.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)

    from parlante import AnimateOptions
    from parlante.audio import analyze_audio, load_audio
    from parlante.demo import DEMO_TEXT, demo_portrait, demo_voice
    from parlante.face import analyze_portrait
    from parlante.io.video import VideoWriter
    from parlante.motion import generate_motion
    from parlante.pipeline import animate
    from parlante.provenance import Watermark
    from parlante.render import Renderer

    portrait = args.portrait or demo_portrait()
    if args.audio:
        samples, rate = load_audio(args.audio)
    else:
        text = DEMO_TEXT
        samples, rate, _ = demo_voice(text)
        while len(samples) / rate < args.seconds:
            samples = np.concatenate([samples, samples])
        samples = samples[: int(args.seconds * rate)]
    seconds = len(samples) / rate
    opts = AnimateOptions(size=args.size)
    rows: list[tuple[str, float, str]] = []

    def timed(name, fn, per=None, unit=""):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        rows.append((name, dt, f"{per / dt:8.1f} {unit}" if per else ""))
        return out

    # Warm-up: numba compilation and caches are paid once per install, not per video.
    warm = analyze_portrait(portrait, size=args.size)
    Renderer(warm).render(np.zeros(23, np.float32))

    rig = timed(
        "analyse portrait (once per portrait)", lambda: analyze_portrait(portrait, size=args.size)
    )
    track = timed(
        "audio features", lambda: analyze_audio(samples, rate, opts.fps), seconds, "x real time"
    )
    motion = timed(
        "motion", lambda: generate_motion(track, opts.controls()), len(track), "frames/s"
    )
    renderer = timed("renderer setup", lambda: Renderer(rig))
    frames = timed(
        "render",
        lambda: [renderer.render(motion.frame(i)) for i in range(len(motion))],
        len(motion),
        "fps",
    )
    mark = Watermark(size=args.size)
    timed("watermark", lambda: [mark.embed(f, 1234) for f in frames], len(frames), "fps")

    def encode():
        with (
            tempfile.TemporaryDirectory() as tmp,
            VideoWriter(Path(tmp) / "e.mp4", (args.size,) * 2, opts.fps, rate) as w,
        ):
            w.write_audio(samples)
            for f in frames:
                w.write_frame(f)

    timed("encode H.264 + AAC", encode, len(frames), "fps")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        animate(rig, (samples, rate), Path(tmp) / "out.mp4", opts)
        total = time.perf_counter() - t0

    size = f"{args.size}x{args.size}"
    print(f"\nParlante speed, {size}, {opts.fps:g} fps, {seconds:.1f} s of audio, 1 core\n")
    print(f"| {'stage':40s} | {'seconds':>8s} | {'rate':>20s} |")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 22}|")
    for name, dt, rate_text in rows:
        print(f"| {name:40s} | {dt:8.3f} | {rate_text:>20s} |")
    e2e = f"{len(motion) / total:8.1f} fps"
    print(f"| {'animate() end to end (rig reused)':40s} | {total:8.3f} | {e2e:>20s} |")
    print(
        f"\nreal-time factor end to end: {seconds / total:.2f}x  "
        f"(render alone: {1000 * rows[4][1] / len(motion):.1f} ms/frame)"
    )


if __name__ == "__main__":
    main()
