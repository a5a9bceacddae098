"""Self-reenactment on sampled frames, fast enough to try a renderer change in 2 minutes.

    .venv/bin/python bench/reenact_sample.py cache    # once: decode, embed the real frames
    .venv/bin/python bench/reenact_sample.py run base
    .venv/bin/python bench/reenact_sample.py run half --gain smile=0.5 --compare base
    .venv/bin/python bench/reenact_sample.py run teeth --hook my_change.py --compare base

``bench/reenact.py`` measures every frame (about 10 min for the 42 clips); this measures the
frames it takes identity on (every ``ID_EVERY``th), from a cache of what does not change
between variants (the rig, the driver's landmarks, the real frames' landmarks and
embeddings), in under 2 minutes on 2 cores. It prints median identity distance (Parlante and
the still first frame), the mean over frames, the clips that beat the still, and mouth and
eye LMD; ``--compare`` lists the clips that changed most against an earlier run. Figures
here are for choosing what to run in full: only ``bench/reenact.py`` goes in RESULTS.

A hook is a Python file run once in each worker before any renderer is built: it may patch
the renderer's modules (constants, functions) and define ``codes(codes, clip) -> codes`` to
change a clip's (T, C) codes (``clip`` is the cached ``SampleClip``; the codes it is given
are already extracted with the patched model, so a changed shape fit is seen). Caches and
results live under /tmp/parlante-reenact/sample (never commit frames of ../shared media).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import pickle
import runpy
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from reenact import DEFAULT_VIDEOS, EYES, ID_EVERY, MOUTH, apply_gains, decode_clip, lmd

from parlante.drive.extract import codes_from_landmarks
from parlante.eval.track import FaceCrop
from parlante.face import FaceMeshDetector, FaceRig
from parlante.motion.codes import MotionFrame

ROOT = Path("/tmp/parlante-reenact/sample")


@dataclass
class SampleClip:
    """What every variant of one clip shares."""

    rig: FaceRig
    landmarks: np.ndarray
    """(T, 478, 3) driver landmarks, NaN where no face was found."""
    fps: float
    real: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]
    """Sampled frame index -> (real crop (S, S, 3), its landmarks (478, 3), its embedding)."""
    still_embedding: np.ndarray
    """(128,) the portrait's embedding."""


def refit(clip: SampleClip) -> np.ndarray:
    """(T, C) codes as ``bench/reenact.py`` extracts them, with the model as patched now."""
    return codes_from_landmarks(clip.landmarks, clip.fps, neutral="first", turn="render")[0]


def cache_clip(path: Path, out: Path, frames: int, size: int) -> str:
    from parlante.eval.identity import FaceEmbedder

    clip = decode_clip(path, frames, size)
    if isinstance(clip, str):
        return f"{path.stem}: skipped ({clip})"
    embedder = FaceEmbedder()
    real = {}
    with FaceMeshDetector() as mesh:
        found = mesh.detect_large(clip.rig.image)
        if not found:
            return f"{path.stem}: skipped (no face in the portrait)"
        still = embedder.embed(FaceCrop(-1, clip.rig.image, found[0].landmarks))
        for t in range(ID_EVERY, len(clip.crops), ID_EVERY):
            det = mesh.detect_large(clip.crops[t])
            if det:
                lm = det[0].landmarks
                real[t] = (clip.crops[t], lm, embedder.embed(FaceCrop(t, clip.crops[t], lm)))
    sample = SampleClip(clip.rig, clip.landmarks, clip.fps, real, still)
    with open(out, "wb") as f:
        pickle.dump(sample, f)
    return f"{path.stem}: {len(real)} sampled frames"


def run_share(
    paths: list[Path], hook: str | None, gains: list[str]
) -> dict[str, dict[str, list[float]]]:
    """Scores of one worker's share of the clips. Each share runs in a fresh process, so a
    hook patches the renderer exactly once."""
    from parlante.eval.identity import FaceEmbedder

    patch = runpy.run_path(hook) if hook else {}
    embedder = FaceEmbedder()
    with FaceMeshDetector() as mesh:
        return {p.stem: _scores(p, patch, gains, embedder, mesh) for p in paths}


def _scores(path: Path, patch: dict, gains: list[str], embedder, mesh) -> dict[str, list[float]]:
    from parlante.render.renderer import Renderer  # after the hook's patches

    with open(path, "rb") as f:
        clip: SampleClip = pickle.load(f)
    codes = patch["codes"](refit(clip), clip) if "codes" in patch else refit(clip)
    apply_gains(codes, gains)
    renderer = Renderer(clip.rig)
    scores: dict[str, list[float]] = {"identity": [], "still": [], "mouth": [], "eyes": []}
    for t in range(1, len(codes)):
        out = renderer.render(MotionFrame(codes[t]))  # every frame: the renderer has state
        if t not in clip.real:
            continue
        _, real_lm, real_emb = clip.real[t]
        found = mesh.detect_large(out)
        if not found:
            continue
        lm = found[0].landmarks
        iod = float(np.linalg.norm(real_lm[263, :2] - real_lm[33, :2]))
        emb = embedder.embed(FaceCrop(t, out, lm))
        scores["identity"].append(float(np.linalg.norm(emb - real_emb)))
        scores["still"].append(float(np.linalg.norm(clip.still_embedding - real_emb)))
        scores["mouth"].append(lmd(lm, real_lm, MOUTH, iod))
        scores["eyes"].append(lmd(lm, real_lm, EYES, iod))
    return scores


def summary(name: str, results: dict[str, dict[str, list[float]]]) -> str:
    per = {k: v for k, v in results.items() if v["identity"]}
    med = {
        m: statistics.median(float(np.mean(v[m])) for v in per.values())
        for m in next(iter(per.values()))
    }
    frames = {
        m: float(np.mean(np.concatenate([v[m] for v in per.values()])))
        for m in ("identity", "still")
    }
    wins = sum(np.mean(v["identity"]) < np.mean(v["still"]) for v in per.values())
    return (
        f"{name}: {len(per)} clips  identity {med['identity']:.4f} (still {med['still']:.4f})  "
        f"frame mean {frames['identity']:.4f} (still {frames['still']:.4f})  "
        f"{wins} clips beat the still  mouth LMD {med['mouth']:.4f}  eyes LMD {med['eyes']:.4f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("cache", "run"))
    parser.add_argument("name", nargs="?", default="base", help="variant name (run)")
    parser.add_argument("--videos", type=Path, default=DEFAULT_VIDEOS)
    parser.add_argument("--frames", type=int, default=75, help="frames per clip (cap)")
    parser.add_argument("--size", type=int, default=384, help="rig size in pixels")
    parser.add_argument("--hook", type=Path, help="Python file patching the renderer")
    parser.add_argument("--gain", action="append", default=[], metavar="CHANNEL=X")
    parser.add_argument("--compare", help="an earlier variant: list the clips that moved most")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    cache = ROOT / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    if args.command == "cache":
        if not args.videos.is_dir():
            print(f"skipped: {args.videos} not found", file=sys.stderr)
            return 0
        todo = [
            p for p in sorted(args.videos.glob("*.mp4")) if not (cache / f"{p.stem}.pkl").exists()
        ]
        outs = [cache / f"{p.stem}.pkl" for p in todo]
        jobs = [(p, o, args.frames, args.size) for p, o in zip(todo, outs, strict=True)]
        with multiprocessing.get_context("fork").Pool(args.jobs) as workers:
            for line in workers.starmap(cache_clip, jobs):
                print(line, file=sys.stderr)
        return 0
    files = sorted(cache.glob("*.pkl"))
    if not files:
        print(f"no cache in {cache}: run `cache` first", file=sys.stderr)
        return 1
    hook = str(args.hook.resolve()) if args.hook else None
    shares = [(files[k :: args.jobs], hook, args.gain) for k in range(args.jobs)]
    with multiprocessing.get_context("fork").Pool(args.jobs, maxtasksperchild=1) as workers:
        results = {k: v for part in workers.starmap(run_share, shares) for k, v in part.items()}
    (ROOT / f"{args.name}.json").write_text(json.dumps(results))
    print(summary(args.name, results))
    if args.compare:
        before = json.loads((ROOT / f"{args.compare}.json").read_text())
        moved = sorted(
            (np.mean(results[k]["identity"]) - np.mean(before[k]["identity"]), k)
            for k in results
            if k in before and results[k]["identity"] and before[k]["identity"]
        )
        for delta, k in moved if len(moved) <= 10 else moved[:5] + moved[-5:]:
            print(f"  {k}: {delta:+.3f} identity against {args.compare}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
