"""Analyse every portrait in ../shared/media/portraits: found?, face fraction, time.

Writes a contact sheet (framed square with the person mask overlaid, then the background
plate, per portrait) to /tmp/face_sheet.png.

    .venv/bin/python bench/face_portraits.py [portrait_dir] [--size 512] [--head-distance 1.0]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from parlante.errors import PortraitError
from parlante.face import analyze_portrait
from parlante.face.framing import face_fraction
from parlante.face.rig import FaceRig

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "media" / "portraits"
TILE = 256


def overlay(rig: FaceRig) -> np.ndarray:
    """Framed square with the background dimmed and tinted blue, mask edge in yellow."""
    img = rig.image.astype(np.float32)
    m = rig.person_mask[:, :, None]
    tint = img * 0.45 + np.array([0, 40, 120], np.float32)
    out = img * m + tint * (1 - m)
    edge = cv2.Canny((rig.person_mask > 0.5).astype(np.uint8) * 255, 50, 150) > 0
    out[edge] = (255, 230, 0)
    for x, y in rig.landmarks[[10, 152, 33, 263], :2]:
        cv2.circle(out, (round(float(x)), round(float(y))), 3, (255, 0, 0), -1)
    return np.clip(out, 0, 255).astype(np.uint8)


def tile(image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, (TILE, TILE), interpolation=cv2.INTER_AREA)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--head-distance", type=float, default=1.0)
    parser.add_argument("--sheet", type=Path, default=Path("/tmp/face_sheet.png"))
    args = parser.parse_args()
    files = sorted(p for p in args.folder.iterdir() if p.is_file())
    if not files:
        raise SystemExit(f"no portraits in {args.folder}")
    analyze_portrait(files[0], size=args.size)  # warm-up: first MediaPipe load
    cells = []
    times = []
    print(f"{'portrait':40s} {'found':>5s} {'face%':>6s} {'mask%':>6s} {'ms':>6s}")
    for path in files:
        start = time.perf_counter()
        try:
            rig = analyze_portrait(path, size=args.size, head_distance=args.head_distance)
        except PortraitError as err:
            print(f"{path.name:40s} {'no':>5s} {'':>6s} {'':>6s} {'':>6s}  {err}")
            continue
        ms = (time.perf_counter() - start) * 1e3
        times.append(ms)
        frac = face_fraction(rig.landmarks, rig.size)
        print(
            f"{path.name:40s} {'yes':>5s} {100 * frac:6.1f} "
            f"{100 * rig.person_mask.mean():6.1f} {ms:6.0f}"
        )
        cell = Image.fromarray(np.hstack([tile(overlay(rig)), tile(rig.background)]))
        ImageDraw.Draw(cell).text((4, 4), path.name[:36], fill=(255, 255, 0))
        cells.append(np.asarray(cell))
    print(f"median {np.median(times):.0f} ms, max {np.max(times):.0f} ms over {len(times)}")
    cols = 3
    rows = -(-len(cells) // cols)
    sheet = np.full((rows * TILE, cols * 2 * TILE, 3), 255, np.uint8)
    for i, cell in enumerate(cells):
        r, c = divmod(i, cols)
        sheet[r * TILE : (r + 1) * TILE, c * 2 * TILE : (c + 1) * 2 * TILE] = cell
    Image.fromarray(sheet).save(args.sheet)
    print(f"contact sheet: {args.sheet}")


if __name__ == "__main__":
    main()
