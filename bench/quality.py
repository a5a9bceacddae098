"""Quality benchmark: Parlante vs real talking videos, and a portraits x languages grid.

    .venv/bin/python bench/quality.py [--media ../shared/media] [--max-seconds 10] [--out bench/out]
                                      [--only PATTERN] [--skip-grid] [--skip-real]

Part 1, for every real talking video with its own voice in MEDIA/videos: Parlante animates the
video's first frame with the video's audio; ``parlante eval`` measures the real video and
Parlante's (the real one as ``--reference``), and a table compares them per metric, with the
median over videos. Part 2, portraits x voices: pass/fail on face found in every frame,
identity kept, mouth moving, blink and head-motion rates in the human range.

Writes OUT/quality.md (the tables; copy into bench/RESULTS.md), OUT/quality.json, and contact
sheets OUT/sheet_*.png. OUT holds frames of the shared media: it is git-ignored, never commit it.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

EXCLUDE_WORDS = ("SILENT", "NO audio", "MUSIC, not spe", "instrumental")

GRID_PORTRAITS = (
    "monalisa_painting_halfbody.jpg",
    "musk_looking_up_nonfrontal.jpg",
    "man_glasses_curly_real.jpg",
    "anime_girl_painted.png",
    "einstein_bw_archival_photo.jpg",
)
GRID_VOICES = ("en_female_hdtf_radio36_8s.wav", "zh_news_8s.wav", "singing_imagine_female_6s.wav")

# Human ranges (../shared/RENDERING-NOTES.md, 50 real clips): blinks 0-84/min, median 20;
# delta-P 0.04-1.08 deg/frame, median 0.24; mouth-opening std median 0.05.
BLINK_RANGE = (4.0, 60.0)
DELTA_P_RANGE = (0.04, 1.1)
MOUTH_STD_MIN = 0.015


@dataclass
class Clip:
    name: str
    video: Path


def talking_videos(media: Path) -> list[Clip]:
    """Real talking videos with their own voice, from the manifest."""
    clips = []
    with open(media / "MANIFEST.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            path = row["local_file"]
            if not path.startswith("videos/") or not path.endswith(".mp4"):
                continue
            text = row["kind"] + " " + row["description"]
            if any(w in text for w in EXCLUDE_WORDS):
                continue
            with av.open(str(media / path)) as c:
                if not c.streams.audio:
                    continue
            clips.append(Clip(Path(path).stem, media / path))
    return clips


def cut_clip(src: Path, dst: Path, max_seconds: float) -> tuple[Path, np.ndarray]:
    """Copy of the first ``max_seconds`` of ``src`` (video re-encoded near-losslessly, audio
    kept), and its first frame (RGB)."""
    from parlante.audio import load_audio
    from parlante.io.video import VideoWriter

    samples, rate = load_audio(src)
    first = None
    with av.open(str(src)) as c:
        stream = c.streams.video[0]
        fps = float(stream.average_rate)
        n_max = int(round(max_seconds * fps))
        frames = []
        for frame in c.decode(stream):
            frames.append(frame.to_ndarray(format="rgb24"))
            if len(frames) >= n_max:
                break
    first = frames[0]
    h, w = first.shape[:2]
    h2, w2 = h - h % 2, w - w % 2
    n_audio = min(len(samples), int(round(len(frames) / fps * rate)))
    with VideoWriter(dst, (w2, h2), fps, rate, crf=12) as writer:
        writer.write_audio(samples[:n_audio])
        for fr in frames:
            writer.write_frame(fr[:h2, :w2])
    return dst, first


def sample_frames(path: Path, n: int = 5, height: int = 160) -> np.ndarray:
    """A row of ``n`` evenly spaced frames, each scaled to ``height``."""
    with av.open(str(path)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    idx = np.linspace(0, len(frames) - 1, n).round().astype(int)
    row = []
    for i in idx:
        fr = frames[i]
        scale = height / fr.shape[0]
        row.append(cv2.resize(fr, (int(fr.shape[1] * scale), height), interpolation=cv2.INTER_AREA))
    return np.concatenate(row, axis=1)


def write_sheet(rows: list[tuple[str, np.ndarray]], path: Path) -> None:
    width = max(r.shape[1] for _, r in rows)
    canvas = []
    for label, r in rows:
        pad = np.zeros((r.shape[0], width, 3), np.uint8)
        pad[:, : r.shape[1]] = r
        cv2.putText(pad, label[:60], (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 0), 1)
        canvas.append(pad)
    cv2.imwrite(str(path), cv2.cvtColor(np.concatenate(canvas, axis=0), cv2.COLOR_RGB2BGR))


def metric_row(report) -> dict[str, float | None]:
    d = report.to_dict()

    def get(section, key):
        return (d.get(section) or {}).get(key)

    return {
        "sync r": get("lip_sync", "correlation"),
        "sync offset ms": get("lip_sync", "offset_ms"),
        "sync conf": get("lip_sync", "confidence"),
        "mouth mean": get("mouth", "opening_mean"),
        "mouth std": get("mouth", "opening_std"),
        "delta-P": get("head", "delta_p"),
        "yaw std": get("head", "yaw_std"),
        "pitch std": get("head", "pitch_std"),
        "blinks/min": get("eyes", "blinks_per_minute"),
        "blink ms": get("eyes", "mean_blink_ms"),
        "id dist": get("identity", "mean_distance"),
        "id worst": get("identity", "worst_distance"),
        "bg change": get("stability", "background_change"),
        "detect": get("stability", "face_detection_rate"),
        "ref mouth r": get("reference", "mouth_correlation"),
        "ref LMD": get("reference", "lmd"),
    }


def fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"


def median(values) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def run_real(clips, out: Path, max_seconds: float) -> tuple[str, list[dict]]:
    from PIL import Image

    from parlante.eval import evaluate_video
    from parlante.options import AnimateOptions
    from parlante.pipeline import animate

    work = out / "real"
    work.mkdir(parents=True, exist_ok=True)
    results = []
    sheet = []
    for clip in clips:
        t0 = time.perf_counter()
        try:
            real, first = cut_clip(clip.video, work / f"{clip.name}.real.mp4", max_seconds)
            portrait = work / f"{clip.name}.first.png"
            if min(first.shape[:2]) < 200:  # LRS2's 160 px crops: below the portrait minimum
                scale = 200 / min(first.shape[:2])
                size = (round(first.shape[1] * scale), round(first.shape[0] * scale))
                first = cv2.resize(first, size, interpolation=cv2.INTER_CUBIC)
            Image.fromarray(first).save(portrait)
            ours = work / f"{clip.name}.parlante.mp4"
            animate(portrait, real, ours, AnimateOptions(size=512))
            rep_real = evaluate_video(real, portrait=portrait)
            rep_ours = evaluate_video(ours, portrait=portrait, audio=real, reference=real)
        except Exception as exc:  # noqa: BLE001 - one failing clip must not stop the table
            print(f"{clip.name}: FAILED {type(exc).__name__}: {exc}", file=sys.stderr)
            results.append({"clip": clip.name, "error": f"{type(exc).__name__}: {exc}"})
            continue
        results.append(
            {"clip": clip.name, "real": metric_row(rep_real), "parlante": metric_row(rep_ours)}
        )
        sheet.append((f"{clip.name} real", sample_frames(real)))
        sheet.append((f"{clip.name} parlante", sample_frames(ours)))
        print(f"{clip.name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    for k in range(0, len(sheet), 16):
        write_sheet(sheet[k : k + 16], out / f"sheet_real_{k // 16}.png")

    ok = [r for r in results if "error" not in r]
    metrics = list(ok[0]["real"]) if ok else []
    lines = ["| clip | " + " | ".join(f"{m} real / ours" for m in metrics) + " |"]
    lines.append("|---" * (len(metrics) + 1) + "|")
    for r in ok:
        cells = [f"{fmt(r['real'][m])} / {fmt(r['parlante'][m])}" for m in metrics]
        lines.append(f"| {r['clip']} | " + " | ".join(cells) + " |")
    med = [
        f"**{fmt(median(r['real'][m] for r in ok))} / {fmt(median(r['parlante'][m] for r in ok))}**"
        for m in metrics
    ]
    lines.append("| **median** | " + " | ".join(med) + " |")
    for r in results:
        if "error" in r:
            lines.append(f"\nFAILED {r['clip']}: {r['error']}")
    summary = ["| metric | real (median) | Parlante (median) |", "|---|---|---|"]
    for m in metrics:
        real_med = fmt(median(r["real"][m] for r in ok))
        ours_med = fmt(median(r["parlante"][m] for r in ok))
        summary.append(f"| {m} | {real_med} | {ours_med} |")
    text = (
        f"### Real vs Parlante ({len(ok)} clips, first {max_seconds:g} s each)\n\n"
        + "\n".join(summary)
        + "\n\nPer clip (real / Parlante):\n\n"
        + "\n".join(lines)
        + "\n"
    )
    return text, results


def run_grid(media: Path, out: Path) -> tuple[str, list[dict]]:
    from parlante.eval import evaluate_video
    from parlante.options import AnimateOptions
    from parlante.pipeline import animate

    work = out / "grid"
    work.mkdir(parents=True, exist_ok=True)
    rows, sheet = [], []
    for p in GRID_PORTRAITS:
        portrait = media / "portraits" / p
        for v in GRID_VOICES:
            voice = media / "audio" / v
            if not (portrait.exists() and voice.exists()):
                continue
            name = f"{Path(p).stem}__{Path(v).stem}"
            ours = work / f"{name}.mp4"
            try:
                animate(portrait, voice, ours, AnimateOptions(size=512))
                rep = evaluate_video(ours, portrait=portrait)
            except Exception as exc:  # noqa: BLE001
                rows.append({"run": name, "error": f"{type(exc).__name__}: {exc}"})
                continue
            m = metric_row(rep)
            checks = {
                "face every frame": m["detect"] is not None and m["detect"] >= 1.0,
                "identity kept": rep.identity.same_person if rep.identity else None,
                "mouth moving": m["mouth std"] is not None and m["mouth std"] >= MOUTH_STD_MIN,
                "blinks human": m["blinks/min"] is not None
                and BLINK_RANGE[0] <= m["blinks/min"] <= BLINK_RANGE[1],
                "head human": m["delta-P"] is not None
                and DELTA_P_RANGE[0] <= m["delta-P"] <= DELTA_P_RANGE[1],
            }
            rows.append({"run": name, "metrics": m, "checks": checks})
            sheet.append((name, sample_frames(ours)))
    for k in range(0, len(sheet), 16):
        write_sheet(sheet[k : k + 16], out / f"sheet_grid_{k // 16}.png")
    names = ["face every frame", "identity kept", "mouth moving", "blinks human", "head human"]
    lines = [
        "| portrait x voice | "
        + " | ".join(names)
        + " | mouth std | blinks/min | delta-P | id dist |",
        "|---" * (len(names) + 5) + "|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['run']} | FAILED: {r['error']} |")
            continue
        c, m = r["checks"], r["metrics"]
        lines.append(
            f"| {r['run']} | "
            + " | ".join(fmt(c[n]) for n in names)
            + " | "
            + " | ".join(fmt(m[k]) for k in ("mouth std", "blinks/min", "delta-P", "id dist"))
            + " |"
        )
    passed = sum(
        1 for r in rows if "checks" in r and all(v is not False for v in r["checks"].values())
    )
    text = (
        f"### Portraits x voices ({passed}/{len(rows)} runs pass every check)\n\n"
        f"Human ranges: blinks {BLINK_RANGE[0]:g}-{BLINK_RANGE[1]:g}/min, delta-P "
        f"{DELTA_P_RANGE[0]:g}-{DELTA_P_RANGE[1]:g} deg/frame, "
        f"mouth-opening std >= {MOUTH_STD_MIN:g}; "
        "identity: dlib distance < 0.6 on every sampled frame.\n\n" + "\n".join(lines) + "\n"
    )
    return text, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--media", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "media"
    )
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    ap.add_argument("--max-seconds", type=float, default=10.0)
    ap.add_argument("--only", help="only clips whose name contains this")
    ap.add_argument("--skip-grid", action="store_true")
    ap.add_argument("--skip-real", action="store_true")
    args = ap.parse_args()
    if not (args.media / "MANIFEST.tsv").exists():
        print(f"no media at {args.media}: nothing to benchmark", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    parts, data = [], {}
    if not args.skip_real:
        clips = [c for c in talking_videos(args.media) if not args.only or args.only in c.name]
        text, data["real"] = run_real(clips, args.out, args.max_seconds)
        parts.append(text)
    if not args.skip_grid:
        text, data["grid"] = run_grid(args.media, args.out)
        parts.append(text)
    report = "\n".join(parts)
    (args.out / "quality.md").write_text(report)
    (args.out / "quality.json").write_text(json.dumps(data, indent=1))
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
