"""Sanity of ``parlante eval`` on real talking videos: do the measures give human-like values?

    .venv/bin/python bench/eval_real.py [--videos DIR] [--match grid_] [--identity]

Runs evaluate_video over every .mp4 in ../shared/media/videos (or --videos) and prints one row
per clip: lip-sync correlation / offset (frames, positive = video lags audio) / confidence,
mouth opening mean and std, delta-P (deg/frame), yaw std, blinks per minute, face detection
rate, background change, and the analysis cost per frame; then medians over the clips.
Real speakers should show a positive sync peak near offset 0, delta-P ~0.1-1, blinks 5-40/min.
Not a test: the folder is optional and the figures depend on the clips.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

DEFAULT_VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "media" / "videos"
COLUMNS = (
    ("clip", 34, "s"),
    ("fps", 4, ".0f"),
    ("frames", 6, "d"),
    ("sync r", 6, ".2f"),
    ("offset", 6, "+d"),
    ("conf", 5, ".2f"),
    ("mouth", 5, ".3f"),
    ("m std", 5, ".3f"),
    ("dP", 5, ".2f"),
    ("yaw sd", 6, ".1f"),
    ("blink/min", 9, ".1f"),
    ("det", 5, ".2f"),
    ("bg", 5, ".2f"),
    ("id dist", 7, ".2f"),
    ("ms/fr", 5, ".1f"),
)


def cell(value: object, width: int, fmt: str) -> str:
    text = "-" if value is None else format(value, fmt)
    return text[:width].rjust(width) if fmt != "s" else text[:width].ljust(width)


def row_of(name: str, report, seconds: float) -> list[object]:  # noqa: ANN001
    sync, head, eyes, mouth = report.lip_sync, report.head, report.eyes, report.mouth
    return [
        name,
        report.video.fps,
        report.video.frames,
        sync.correlation if sync else None,
        sync.offset_frames if sync else None,
        sync.confidence if sync else None,
        mouth.opening_mean if mouth else None,
        mouth.opening_std if mouth else None,
        head.delta_p if head else None,
        head.yaw_std if head else None,
        eyes.blinks_per_minute if eyes else None,
        report.stability.face_detection_rate,
        report.stability.background_change,
        report.identity.worst_distance if report.identity else None,
        1000 * seconds / max(1, report.video.frames),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--videos", type=Path, default=DEFAULT_VIDEOS)
    parser.add_argument("--match", default="", help="only clips whose name contains this")
    parser.add_argument("--identity", action="store_true", help="also the dlib identity check")
    args = parser.parse_args(argv)
    if not args.videos.is_dir():
        print(f"{args.videos}: no such folder (real media are optional)", file=sys.stderr)
        return 0

    from parlante.eval import evaluate_video

    clips = sorted(p for p in args.videos.glob("*.mp4") if args.match in p.name)
    print(" ".join(cell(title, w, "s") if f == "s" else title.rjust(w) for title, w, f in COLUMNS))
    rows = []
    for clip in clips:
        start = time.perf_counter()
        report = evaluate_video(clip, identity=args.identity)
        row = row_of(clip.stem, report, time.perf_counter() - start)
        rows.append(row)
        print(" ".join(cell(v, w, f) for v, (_, w, f) in zip(row, COLUMNS, strict=True)))
    medians: list[object] = ["median"]
    for k, (_, _, fmt) in enumerate(COLUMNS[1:], start=1):
        values = [r[k] for r in rows if r[k] is not None]
        med = statistics.median(values) if values else None
        medians.append(round(med) if med is not None and fmt.endswith("d") else med)
    print(" ".join(cell(v, w, f) for v, (_, w, f) in zip(medians, COLUMNS, strict=True)))
    offsets = [r[4] for r in rows if r[4] is not None]
    if offsets:
        near = sum(abs(o) <= 2 for o in offsets)
        print(f"lip-sync peak within +-2 frames of 0: {near}/{len(offsets)} clips")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
