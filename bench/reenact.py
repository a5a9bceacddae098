"""Self-reenactment: each real clip drives a portrait made from its own first frame.

    .venv/bin/python bench/reenact.py [--videos DIR] [--frames 75] [--size 384] [--match grid_]

For every .mp4 in ../shared/media/videos (skipped when absent): the first frame becomes the
portrait (``analyze_portrait``), the clip the driver (``parlante.drive``, neutral = the first
frame); every frame is rendered and compared with the real frame cut to the rig's square
(``rig.crop``): PSNR and SSIM over the whole frame and over the face (hull of the real
frame's landmarks), mouth and eye landmark distance per inter-ocular distance (a fresh
face-mesh pass on both), and identity distance (dlib, when ``parlante[eval]`` is installed;
every 5th frame, each embedding averaged over four half-pixel shifts: a single one jitters by
about the size of the gaps measured). The same figures for the baseline "first frame held
still" follow each of Parlante's. Writes bench/RESULTS-reenact.md and contact sheets (real |
Parlante | baseline) under /tmp/parlante-reenact/ (never commit frames of ../shared media).
Clips run in ``--jobs`` worker processes (2); --frames and --match trade depth for time.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image
from skimage.metrics import structural_similarity

from parlante.drive.extract import codes_from_landmarks
from parlante.drive.follow import FaceFollower
from parlante.drive.video import iter_driver_frames, probe_driver
from parlante.errors import ParlanteError
from parlante.eval.blinks import eye_aspect_ratio, relative_openness
from parlante.eval.mouth_light import opening_profile
from parlante.eval.points import LIPS
from parlante.face import FaceMeshDetector, FaceRig, analyze_portrait
from parlante.face.framing import Square, cut_square
from parlante.motion.channels import INDEX
from parlante.motion.codes import MotionFrame
from parlante.render.renderer import Renderer

if TYPE_CHECKING:
    from parlante.eval.identity import FaceEmbedder

DEFAULT_VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "media" / "videos"
RESULTS = Path(__file__).resolve().parent / "RESULTS-reenact.md"
SHEETS = Path("/tmp/parlante-reenact")
MOUTH = LIPS
EYES = (
    33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173,
    362, 382, 381, 380, 374, 373, 390, 249, 263, 398, 384, 385, 386, 387, 388, 466,
)  # fmt: skip
IRIS = (468, 473)
"""Iris centres: gaze, which the eye-contour points do not see."""
OPEN_EYED = 0.8
"""A frame counts for iris LMD when the real eyes are at least this open relative to their
running open-eye baseline (``parlante.eval.blinks.relative_openness``; a blink starts below
0.7). Chosen from the real landmarks so that a change to the blink codes does not change
which frames are scored: on the 42 clips it keeps 2594 frames, and "both blink codes under
0.3" would keep 2483, 2364 of them the same."""
ID_EVERY = 5
MIN_SIDE = 256
METRICS = (
    "psnr", "ssim", "psnr_face", "ssim_face", "lmd_mouth", "lmd_eyes", "lmd_iris", "identity",
)  # fmt: skip
LOWER_IS_BETTER = ("lmd_mouth", "lmd_eyes", "lmd_iris", "identity")


@dataclass
class Scores:
    """Per-frame figures of one candidate (Parlante or the baseline) on one clip."""

    values: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METRICS})
    mouth_light: list[np.ndarray] = field(default_factory=list)
    """(2, 6) ``opening_profile`` of each frame where both it and the real mouth are open."""

    def add(self, name: str, value: float) -> None:
        if np.isfinite(value):
            self.values[name].append(float(value))

    def mean(self, name: str) -> float:
        v = self.values[name]
        return float(np.mean(v)) if v else float("nan")


def face_mask(landmarks: np.ndarray, size: int) -> np.ndarray:
    hull = cv2.convexHull(np.round(landmarks[:468, :2]).astype(np.int32))
    mask = np.zeros((size, size), np.uint8)
    cv2.fillConvexPoly(mask, hull, 1)
    return mask.astype(bool)


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    d = (a.astype(np.float64) - b.astype(np.float64)) ** 2
    mse = d[mask].mean() if mask is not None else d.mean()
    return float(10 * np.log10(255.0**2 / max(mse, 1e-10)))


def lmd(a: np.ndarray, b: np.ndarray, idx: tuple[int, ...], iod: float) -> float:
    return float(np.linalg.norm(a[list(idx), :2] - b[list(idx), :2], axis=1).mean() / iod)


@dataclass
class Clip:
    """One decoded clip: the portrait made from its first frame and the real frames."""

    rig: FaceRig
    crops: list[np.ndarray]
    """(S, S, 3) uint8 real frames cut to the rig's square."""
    landmarks: np.ndarray
    """(T, 478, 3) driver landmarks at analysis scale, NaN where no face was found."""
    fps: float


def decode_clip(path: Path, frames: int, size: int) -> Clip | str:
    """The clip's first ``frames`` frames, or why it cannot be measured."""
    video = probe_driver(path)
    scale = video.analysis_scale
    # clips smaller than a portrait may be (LRS2's 160 px) are upscaled as they decode
    up = max(1, int(np.ceil(MIN_SIDE / min(video.width, video.height))))
    crops: list[np.ndarray] = []
    lms: list[np.ndarray | None] = []
    rig = None
    square = None
    with FaceFollower(video.fps) as follower:
        for frame in iter_driver_frames(video, max_frames=frames, full_size=True):
            if up > 1:
                frame = cv2.resize(frame, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC)
            if rig is None:
                try:
                    rig = analyze_portrait(frame, size=size)
                except ParlanteError as exc:
                    return f"portrait: {exc}"
                x0, y0, side = rig.crop
                square = Square(round(x0), round(y0), round(side))
            small = frame
            if scale < 1:
                small_size = (round(frame.shape[1] * scale), round(frame.shape[0] * scale))
                small = cv2.resize(frame, small_size, interpolation=cv2.INTER_AREA)
            lms.append(follower.push(small))
            crops.append(cut_square(frame, square, size)[0])
    if rig is None or len(crops) < 2:
        return "fewer than 2 frames"
    landmarks = np.stack([lm if lm is not None else np.full((478, 3), np.nan) for lm in lms])
    if np.isnan(landmarks[0, 0, 0]):
        return "driver face not found in the first frame"
    return Clip(rig, crops, landmarks.astype(np.float32), video.fps)


def apply_gains(codes: np.ndarray, gains: list[str]) -> None:
    """Scale (T, C) codes in place by ``CHANNEL=X`` items (tuning experiments)."""
    for item in gains:
        name, factor = item.split("=")
        codes[:, INDEX[name]] *= float(factor)


@functools.cache
def worker_embedder() -> FaceEmbedder:
    """The identity embedder of this process: loading dlib's models takes ~1.3 s, so each
    worker loads them once, not once per clip."""
    from parlante.eval.identity import FaceEmbedder

    return FaceEmbedder()


def run_clip(
    path: Path, args: argparse.Namespace, identity: bool
) -> tuple[Scores, Scores, int] | str:
    """Scores of one clip (Parlante, the still baseline, frames), or why it was skipped."""
    embedder = worker_embedder() if identity else None
    clip = decode_clip(path, args.frames, args.size)
    if isinstance(clip, str):
        return clip
    rig, crops, landmarks = clip.rig, clip.crops, clip.landmarks
    codes, valid, _, _ = codes_from_landmarks(
        landmarks, clip.fps, neutral="first", smooth=args.smooth,
        turn=args.turn,
    )  # fmt: skip
    apply_gains(codes, args.gain)
    eyes_open = relative_openness(eye_aspect_ratio(landmarks), clip.fps) >= OPEN_EYED
    renderer = Renderer(rig)
    still = rig.image
    ours, base = Scores(), Scores()
    real_light = base.mouth_light  # the baseline's mouth is shut: it keeps the real profiles
    sheet_rows = []
    pick = set(np.linspace(1, len(crops) - 1, 6).round().astype(int).tolist())
    with FaceMeshDetector() as mesh:
        still_lm = mesh.detect_large(still)
        still_lm = still_lm[0].landmarks if still_lm else None
        still_emb = None
        for t in range(1, len(crops)):
            real = crops[t]
            real_emb = None
            out = renderer.render(MotionFrame(codes[t]))
            found = mesh.detect_large(real)
            real_lm = found[0].landmarks if found else None
            mask = face_mask(real_lm, args.size) if real_lm is not None else None
            grey_real = cv2.cvtColor(real, cv2.COLOR_RGB2GRAY)
            for cand, img, cand_lm_fn in (
                (ours, out, lambda im: mesh.detect_large(im)),
                (base, still, None),
            ):
                cand.add("psnr", psnr(real, img))
                grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
                _, smap = structural_similarity(grey_real, grey, data_range=255, full=True)
                cand.add("ssim", float(smap.mean()))
                if mask is not None and mask.any():
                    cand.add("psnr_face", psnr(real, img, mask))
                    cand.add("ssim_face", float(smap[mask].mean()))
                if real_lm is None:
                    continue
                if cand_lm_fn is not None:
                    det = cand_lm_fn(img)
                    lm = det[0].landmarks if det else None
                else:
                    lm = still_lm
                if lm is None:
                    continue
                if cand is ours:
                    pair = (opening_profile(real, real_lm), opening_profile(img, lm))
                    if pair[0] is not None and pair[1] is not None:
                        real_light.append(pair[0])
                        ours.mouth_light.append(pair[1])
                iod = float(np.linalg.norm(real_lm[263, :2] - real_lm[33, :2]))
                cand.add("lmd_mouth", lmd(lm, real_lm, MOUTH, iod))
                cand.add("lmd_eyes", lmd(lm, real_lm, EYES, iod))
                if eyes_open[t]:
                    cand.add("lmd_iris", lmd(lm, real_lm, IRIS, iod))
                if embedder is not None and t % ID_EVERY == 0:
                    from parlante.eval.track import FaceCrop

                    if real_emb is None:
                        real_emb = embedder.embed(FaceCrop(t, real, real_lm))
                    if cand is base:
                        if still_emb is None:
                            still_emb = embedder.embed(FaceCrop(-1, still, lm))
                        e = still_emb
                    else:
                        e = embedder.embed(FaceCrop(t, img, lm))
                    cand.add("identity", float(np.linalg.norm(e - real_emb)))
            if t in pick:
                sheet_rows.append(np.concatenate([real, out, still], axis=1))
    if sheet_rows:
        SHEETS.mkdir(parents=True, exist_ok=True)
        sheet = np.concatenate(sheet_rows, axis=0)
        Image.fromarray(sheet).save(SHEETS / f"{path.stem}.png", compress_level=1)
    return ours, base, len(crops)


def timed_clip(
    job: tuple[Path, argparse.Namespace, bool],
) -> tuple[tuple[Scores, Scores, int] | str, float]:
    """``run_clip(*job)`` and its wall time in seconds."""
    t0 = time.time()
    return run_clip(*job), time.time() - t0


def mouth_light_lines(rows: list[tuple[str, int, Scores, Scores]]) -> list[str]:
    """Markdown: the mouth opening's light by band, real vs Parlante (median over clips of
    each clip's median frame; clips with at least 3 open-mouth frames)."""
    real, ours = [], []
    for _, _, o, b in rows:
        if len(o.mouth_light) >= 3:
            ours.append(np.nanmedian(np.stack(o.mouth_light), axis=0))
            real.append(np.nanmedian(np.stack(b.mouth_light), axis=0))
    if not real:
        return []
    r, p = np.nanmedian(np.stack(real), axis=0), np.nanmedian(np.stack(ours), axis=0)
    cells = lambda a: " | ".join(f"{x:.2f}" for x in a)  # noqa: E731
    n = r.shape[1]
    return [
        f"Mouth opening, upper lip (band 1) to lower lip (band {n}), over {len(real)} clips "
        "(frames where both mouths are open; `parlante.eval.mouth_light`): grey level over "
        "the lips' and the fraction brighter than the lips (teeth).",
        "",
        "| | " + " | ".join(f"band {k + 1}" for k in range(n)) + " |",
        "|---|" + "---|" * n,
        f"| level, real | {cells(r[0])} |",
        f"| level, Parlante | {cells(p[0])} |",
        f"| teeth-bright, real | {cells(r[1])} |",
        f"| teeth-bright, Parlante | {cells(p[1])} |",
        "",
    ]


def fmt(x: float, spec: str) -> str:
    return format(x, spec) if np.isfinite(x) else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=Path, default=DEFAULT_VIDEOS)
    parser.add_argument("--frames", type=int, default=75, help="frames per clip (cap)")
    parser.add_argument("--size", type=int, default=384, help="rig size in pixels")
    parser.add_argument(
        "--match", default="", help="only clips whose name contains one of these (comma list)"
    )
    parser.add_argument("--smooth", action="store_true", help="zero-phase smoothing")
    parser.add_argument("--turn", choices=("render", "real"), default="render")
    parser.add_argument("--no-identity", action="store_true")
    parser.add_argument(
        "--gain", action="append", default=[], metavar="CHANNEL=X",
        help="scale one channel's codes (tuning experiments)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (clips in parallel)")
    args = parser.parse_args()
    if not args.videos.is_dir():
        print(f"skipped: {args.videos} not found", file=sys.stderr)
        return 0
    identity = False
    if not args.no_identity:
        from parlante.eval.identity import identity_available

        identity = identity_available()
    keys = [k for k in args.match.split(",") if k] or [""]
    clips = sorted(p for p in args.videos.glob("*.mp4") if any(k in p.name for k in keys))
    rows: list[tuple[str, int, Scores, Scores]] = []
    skipped: list[tuple[str, str]] = []
    start = time.time()
    jobs = [(path, args, identity) for path in clips]
    with multiprocessing.get_context("fork").Pool(args.jobs) as workers:
        for path, (result, seconds) in zip(clips, workers.imap(timed_clip, jobs), strict=True):
            if isinstance(result, str):
                skipped.append((path.stem, result))
                print(f"{path.stem}: skipped ({result})", file=sys.stderr)
                continue
            ours, base, n = result
            rows.append((path.stem, n, ours, base))
            print(
                f"{path.stem}: {n} frames {seconds:.0f}s  "
                + "  ".join(f"{m} {ours.mean(m):.3f}/{base.mean(m):.3f}" for m in METRICS),
                file=sys.stderr,
            )
    if not rows:
        print("no clip could be measured", file=sys.stderr)
        return 1
    header = (
        "| clip | frames | PSNR | SSIM | PSNR face | SSIM face | mouth LMD | eyes LMD | iris LMD "
        "| ID dist |"
    )
    lines = [
        "# Self-reenactment (bench/reenact.py)",
        "",
        f"Each clip's first frame is the portrait ({args.size} px rig), the clip itself the "
        f"driver (first {args.frames} frames, neutral = first frame, smoothing "
        f"{'on' if args.smooth else 'off'}, head codes: {args.turn}). Cells: Parlante / "
        "baseline (first frame held still). PSNR in dB, SSIM on grey levels; face = hull of "
        "the real frame's landmarks; LMD = mean landmark distance per inter-ocular distance "
        "(lower is better; iris = the two iris centres, open-eyed frames); ID = dlib "
        f"embedding distance to the real frame (every {ID_EVERY}th frame; each embedding the "
        "mean over four half-pixel shifts, `STEADY_SHIFTS`; < 0.6 = same person).",
        "",
        header,
        "|" + "---|" * 10,
    ]
    specs = {"psnr": ".1f", "ssim": ".3f", "psnr_face": ".1f", "ssim_face": ".3f",
             "lmd_mouth": ".3f", "lmd_eyes": ".3f", "lmd_iris": ".3f",
             "identity": ".3f"}  # fmt: skip
    for name, n, ours, base in rows:
        cells = [f"{fmt(ours.mean(m), specs[m])} / {fmt(base.mean(m), specs[m])}" for m in METRICS]
        lines.append(f"| {name} | {n} | " + " | ".join(cells) + " |")
    med = []
    wins = []
    for m in METRICS:
        o = [r[2].mean(m) for r in rows if np.isfinite(r[2].mean(m))]
        b = [r[3].mean(m) for r in rows if np.isfinite(r[3].mean(m))]
        mo = statistics.median(o) if o else float("nan")
        mb = statistics.median(b) if b else float("nan")
        med.append(f"**{fmt(mo, specs[m])} / {fmt(mb, specs[m])}**")
        better = (mo < mb) if m in LOWER_IS_BETTER else (mo > mb)
        wins.append(f"{m}: {'Parlante' if better else 'baseline'}")
    lines.append(f"| **median** ({len(rows)} clips) | | " + " | ".join(med) + " |")
    lines += ["", "Better median: " + ", ".join(wins) + ".", ""]
    short = []
    for m in METRICS:
        lost = [
            r[0]
            for r in rows
            if np.isfinite(r[2].mean(m))
            and np.isfinite(r[3].mean(m))
            and (
                (r[2].mean(m) > r[3].mean(m))
                if m in LOWER_IS_BETTER
                else (r[2].mean(m) < r[3].mean(m))
            )
        ]
        if lost:
            short.append(f"- {m}: baseline better on {len(lost)} clip(s): {', '.join(lost)}")
    if short:
        lines += ["Where Parlante falls short of the still first frame:", "", *short, ""]
    if skipped:
        lines += ["Skipped: " + "; ".join(f"{n} ({why})" for n, why in skipped) + ".", ""]
    lines += mouth_light_lines(rows)
    lines.append(f"Run time {time.time() - start:.0f} s on this machine.")
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
