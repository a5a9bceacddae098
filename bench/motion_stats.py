"""Motion statistics and generation speed, to compare with real speakers.

Usage: .venv/bin/python bench/motion_stats.py [AUDIO ...] [--fps 25] [--seed 0]

Without AUDIO it uses ../shared/media/audio/*.wav when present (through
parlante.audio.load_audio / analyze_audio), and always a synthetic 60 s speech-like track
and 60 s of silence. Real speakers (shared RENDERING-NOTES): blinks median 20/min,
delta-P 0.04-1.08 deg/frame (median 0.24), yaw std 1-2 deg calm to 10 deg lively.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from parlante.audio.track import AudioTrack
from parlante.motion import Controls, MotionStream, generate_motion
from parlante.motion.stats import summarize
from parlante.motion.synthetic import chunked, constant_track, silence, speech_like_track

SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "media" / "audio"


def tracks(paths: list[str], fps: float) -> list[tuple[str, AudioTrack]]:
    out = [
        ("synthetic speech 60 s", speech_like_track(60.0, fps=fps, seed=1)),
        ("silence 60 s", constant_track([silence(60.0)], fps=fps)),
    ]
    files = [Path(p) for p in paths] or sorted(SHARED_AUDIO.glob("*.wav"))
    if not files:
        return out
    try:
        from parlante.audio import analyze_audio, load_audio
    except ImportError:
        print("(parlante.audio.analyze_audio not available: synthetic tracks only)")
        return out
    for f in files:
        samples, rate = load_audio(f)
        out.append((f.name, analyze_audio(samples, rate, fps)))
    return out


def stream_latency(track: AudioTrack, controls: Controls) -> tuple[float, float]:
    """Mean and max milliseconds per push of one frame."""
    stream = MotionStream(controls, track.fps)
    times = []
    for piece in chunked(track, [1] * len(track)):
        t0 = time.perf_counter()
        stream.push(piece)
        times.append(time.perf_counter() - t0)
    stream.flush()
    return 1e3 * float(np.mean(times)), 1e3 * float(np.max(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("audio", nargs="*")
    ap.add_argument("--fps", type=float, default=25.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    controls = Controls(seed=args.seed)
    header = (
        f"{'track':34s} {'sec':>5s} {'blk/min':>7s} {'blk ms':>11s} {'yaw sd':>6s} "
        f"{'pit sd':>6s} {'dP':>5s} {'jaw':>5s} {'jaw95':>5s} {'closed':>6s} {'frames/s':>8s}"
    )
    print(header)
    print("-" * len(header))
    totals = []
    for name, track in tracks(args.audio, args.fps):
        t0 = time.perf_counter()
        motion = generate_motion(track, controls)
        elapsed = time.perf_counter() - t0
        s = summarize(motion)
        totals.append((len(motion), elapsed))
        print(
            f"{name[:34]:34s} {s.seconds:5.1f} {s.blinks_per_min:7.1f} "
            f"{1e3 * s.blink_dur_min:4.0f}-{1e3 * s.blink_dur_max:4.0f}  "
            f"{s.yaw_std:6.2f} {s.pitch_std:6.2f} {s.delta_p:5.3f} {s.jaw_mean:5.3f} "
            f"{s.jaw_p95:5.3f} {100 * s.closed_lips_fraction:5.1f}% "
            f"{len(motion) / elapsed:8.0f}"
        )
    frames = sum(n for n, _ in totals)
    seconds = sum(e for _, e in totals)
    print(f"\noffline: {frames / seconds:.0f} frames/s overall ({frames} frames)")
    mean_ms, max_ms = stream_latency(speech_like_track(20.0, fps=args.fps, seed=2), controls)
    lookahead = MotionStream(controls, args.fps).lookahead_frames
    print(
        f"stream, one frame per push: {mean_ms:.3f} ms mean, {max_ms:.2f} ms max per push; "
        f"look-ahead {lookahead} frames = {1e3 * lookahead / args.fps:.0f} ms latency"
    )


if __name__ == "__main__":
    main()
