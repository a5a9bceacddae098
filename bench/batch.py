"""Batch throughput: seconds of video made per wall-clock second, local pool vs local Ray.

    .venv/bin/python bench/batch.py [--jobs 8] [--seconds 4] [--size 256] [--workers 1 2]
                                    [--no-ray]

Makes a job file of ``--jobs`` videos (two portraits, a generated voice of ``--seconds``),
runs it with each worker count locally and on a local Ray, each in a fresh output folder
(portrait analysis included), and prints a table: throughput, scaling efficiency (throughput
/ (workers x one-worker throughput)), peak memory per worker, and the time spent once per
portrait vs per job. Not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np


def make_media(folder: Path, jobs: int, seconds: float) -> Path:
    """Two portraits, one voice, a job file; returns the job file."""
    from PIL import Image
    from skimage.data import astronaut

    from parlante.demo import DEMO_TEXT

    Image.fromarray(astronaut()).save(folder / "a.png")
    Image.fromarray(np.ascontiguousarray(astronaut()[:, ::-1])).save(folder / "b.png")
    try:
        from parlante.audio import speak

        samples, rate = speak(DEMO_TEXT)
    except Exception:  # noqa: BLE001 - any voice will do for a speed figure
        rate = 16000
        t = np.arange(int(seconds * rate)) / rate
        samples = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))
    while len(samples) < seconds * rate:
        samples = np.concatenate([samples, samples])
    pcm = (np.clip(samples[: int(seconds * rate)], -1, 1) * 32767).astype("<i2")
    with wave.open(str(folder / "voice.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    lines = ["portrait,audio,output,seed"]
    lines += [f"{'ab'[i % 2]}.png,voice.wav,v{i:03d},{i}" for i in range(jobs)]
    path = folder / "jobs.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(jobs_file: Path, out: Path, size: int, workers: int, ray: bool):
    """(report, batch wall seconds, Ray start seconds): a Ray started here, not by the batch,
    so that its start-up (about 10 s here) is shown apart from the batch's throughput."""
    from parlante.batch import run_batch
    from parlante.options import AnimateOptions

    ray_start = 0.0
    if ray:
        import logging

        import ray as ray_module

        from parlante.batch.work import THREAD_ENV

        t0 = time.perf_counter()
        ray_module.init(
            num_cpus=workers, include_dashboard=False, log_to_driver=False,
            logging_level=logging.WARNING, runtime_env={"env_vars": dict(THREAD_ENV)},
        )  # fmt: skip
        ray_start = time.perf_counter() - t0
    start = time.perf_counter()
    report = run_batch(
        jobs_file,
        out,
        options=AnimateOptions(size=size),
        workers=workers,
        ray_address="" if ray else None,
        progress=False,
    )
    wall = time.perf_counter() - start
    if ray:
        ray_module.shutdown()
    if not report.ok:
        bad = next(j for j in report.jobs if j.status != "done")
        sys.exit(f"batch failed: {bad.job}: {bad.error}")
    return report, wall, ray_start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=4.0, help="video length per job")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    try:
        import ray  # noqa: F401

        modes = [False] if args.no_ray else [False, True]
    except ImportError:
        modes = [False]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        jobs_file = make_media(folder, args.jobs, args.seconds)
        for use_ray in modes:
            for n in args.workers:
                name = f"{'ray' if use_ray else 'local'}-{n}"
                report, wall, ray_start = run(jobs_file, folder / name, args.size, n, use_ray)
                done = [j for j in report.jobs if j.status == "done"]
                rows.append(
                    {
                        "mode": "Ray (local)" if use_ray else "local pool",
                        "workers": n,
                        "wall": wall,
                        "video": report.video_seconds_made,
                        "throughput": report.video_seconds_made / wall,
                        "peak_mb": max(j.worker_peak_mb for j in done),
                        "portrait_s": statistics.mean(p.seconds for p in report.portraits),
                        "portrait_cpu": statistics.mean(p.cpu_seconds for p in report.portraits),
                        "job_s": statistics.mean(j.seconds for j in done),
                        "job_cpu": statistics.mean(j.cpu_seconds for j in done),
                        "job_video_s": statistics.mean(j.video_seconds for j in done),
                        "load": os.getloadavg()[0],
                        "ray_start": ray_start,
                    }
                )
                print(f"{name}: {report.summary()}", file=sys.stderr)

    base = {r["mode"]: r["throughput"] for r in rows if r["workers"] == 1}
    print(
        f"\nParlante batch: {args.jobs} jobs x {args.seconds:g} s of video, {args.size} px, "
        f"2 portraits, fresh output folder per run, {os.cpu_count()} cores\n"
    )
    print(
        "| mode | workers | wall s | video-s per wall s | scaling eff. | peak MiB/worker "
        "| analyse s (CPU s) per portrait | render s (CPU s) per job | load avg |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    # wall s: the batch alone (a Ray's own start-up is printed below the table)
    for r in rows:
        one = base.get(r["mode"])
        eff = f"{r['throughput'] / (r['workers'] * one):.2f}" if one else "-"
        print(
            f"| {r['mode']} | {r['workers']} | {r['wall']:.1f} | {r['throughput']:.2f} | {eff} "
            f"| {r['peak_mb']:.0f} | {r['portrait_s']:.2f} ({r['portrait_cpu']:.2f}) "
            f"| {r['job_s']:.2f} ({r['job_cpu']:.2f}) | {r['load']:.1f} |"
        )
    starts = [r["ray_start"] for r in rows if r["ray_start"]]
    if starts:
        print(f"\nRay start-up (ray.init, local): {statistics.mean(starts):.1f} s, not in wall s")
    local = [r for r in rows if r["mode"] == "local pool"]
    cpu_per_video_s = statistics.mean(r["job_cpu"] / r["job_video_s"] for r in local)
    analyse_cpu = statistics.mean(r["portrait_cpu"] for r in local)
    print(
        f"\nCPU cost (load-independent): {cpu_per_video_s:.3f} CPU s per second of video, "
        f"{analyse_cpu:.2f} CPU s once per distinct portrait"
    )
    for minutes in (0.5, 1, 5):
        per_video = cpu_per_video_s * minutes * 60
        print(
            f"  {minutes:g}-minute videos: {3600 / per_video:.0f} per hour per core "
            f"(+ {analyse_cpu:.1f} CPU s per new portrait)"
        )


if __name__ == "__main__":
    main()
