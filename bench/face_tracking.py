"""Per-frame cost of FaceMeshDetector on video-like frames: tracking vs still mode.

Frames pan across skimage's astronaut (512x512 crops of a 1.5x upscale), so the face moves.

    .venv/bin/python bench/face_tracking.py [--frames 100]
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np
import skimage.data

from parlante.face import FaceMeshDetector


def frames(count: int) -> list[np.ndarray]:
    big = cv2.resize(skimage.data.astronaut(), (768, 768), interpolation=cv2.INTER_CUBIC)
    out = []
    for i in range(count):
        t = i / max(1, count - 1)
        dx = round(60 + 60 * np.sin(2 * np.pi * t))
        dy = round(60 + 30 * np.cos(2 * np.pi * t))
        out.append(np.ascontiguousarray(big[dy : dy + 512, dx + 60 : dx + 572]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=100)
    args = parser.parse_args()
    clip = frames(args.frames)
    for tracking in (True, False):
        with FaceMeshDetector(tracking=tracking) as detector:
            detector.detect(clip[0])  # load the graphs
            found = 0
            start = time.perf_counter()
            for frame in clip:
                found += bool(detector.detect(frame))
            ms = (time.perf_counter() - start) / len(clip) * 1e3
        mode = "tracking" if tracking else "still"
        print(f"{mode:8s}: {ms:6.1f} ms/frame, face found in {found}/{len(clip)} frames (512x512)")


if __name__ == "__main__":
    main()
