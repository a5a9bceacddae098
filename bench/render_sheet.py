"""Contact sheet of the renderer's channels on one portrait, for looking at (not a test).

Run: .venv/bin/python bench/render_sheet.py [portrait image] [-o /tmp/render_sheet.png]
Tiles: neutral, jaw 0.3, jaw 0.6, round, spread, press (+jaw 0.5), tuck, blink, gaze left,
gaze right, yaw +8, yaw -8, pitch +8, roll +8, smile, sad, surprised, speech mix; each
cropped to the head at the frame's own scale.
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np
import skimage.data
from PIL import Image

from parlante.motion.codes import MotionFrame
from parlante.render import Renderer

TILES: tuple[tuple[str, dict[str, float]], ...] = (
    ("neutral", {}),
    ("jaw 0.3", {"jaw_open": 0.3}),
    ("jaw 0.6", {"jaw_open": 0.6}),
    ("round", {"lip_round": 1.0}),
    ("spread", {"lip_spread": 1.0}),
    ("press+jaw", {"lip_press": 1.0, "jaw_open": 0.5}),
    ("tuck", {"lip_tuck": 1.0}),
    ("blink", {"blink_l": 1.0, "blink_r": 1.0}),
    ("gaze left", {"gaze_x": -20.0}),
    ("gaze right", {"gaze_x": 20.0}),
    ("yaw +8", {"yaw": 8.0}),
    ("yaw -8", {"yaw": -8.0}),
    ("pitch +8", {"pitch": 8.0}),
    ("roll +8", {"roll": 8.0}),
    ("smile", {"smile": 1.0, "squint": 0.3}),
    ("sad", {"mouth_down": 0.8, "brow_inner_up": 1.0}),
    ("surprised", {"eye_wide": 1.0, "brow_raise": 1.0, "jaw_open": 0.35}),
    ("speech", {"jaw_open": 0.2, "lip_round": 0.4, "yaw": 3, "pitch": -2, "blink_r": 0.4}),
)


def sheet(renderer: Renderer, tile: int = 256, cols: int = 6) -> np.ndarray:
    """(rows * tile, cols * tile, 3) uint8 sheet of ``TILES`` cropped around the head."""
    rig = renderer.rig
    lm = rig.landmarks
    top, chin = lm[10, :2], lm[152, :2]
    height = float(np.linalg.norm(chin - top))
    centre = 0.5 * (top + chin)
    half = int(0.95 * height)
    x0, y0 = int(centre[0]) - half, int(centre[1]) - half
    rows = -(-len(TILES) // cols)
    out = np.zeros((rows * tile, cols * tile, 3), np.uint8)
    for k, (name, codes) in enumerate(TILES):
        frame = renderer.render(MotionFrame.of(**codes))
        pad = np.pad(frame, ((2 * half, 2 * half), (2 * half, 2 * half), (0, 0)))
        crop = pad[y0 + 2 * half : y0 + 4 * half, x0 + 2 * half : x0 + 4 * half]
        crop = cv2.resize(crop, (tile, tile), interpolation=cv2.INTER_AREA)
        cv2.putText(crop, name, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 0), 1)
        r, c = divmod(k, cols)
        out[r * tile : (r + 1) * tile, c * tile : (c + 1) * tile] = crop
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("portrait", nargs="?", help="image file (default: skimage astronaut)")
    ap.add_argument("-o", "--output", default="/tmp/render_sheet.png")
    ap.add_argument("--size", type=int, default=512)
    args = ap.parse_args()
    from parlante.face import analyze_portrait

    rig = analyze_portrait(args.portrait or skimage.data.astronaut(), size=args.size)
    Image.fromarray(sheet(Renderer(rig))).save(args.output)
    print(args.output)


if __name__ == "__main__":
    main()
