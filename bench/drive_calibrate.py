"""Calibration check of video-driven extraction: render known codes, extract them back.

    .venv/bin/python bench/drive_calibrate.py [--size 512]

Renders skimage's astronaut with one channel at a time set to a few levels (neutral frames
between), extracts codes from the frames with ``parlante.drive`` (first frame neutral), and
prints, per channel, the extracted value against the true one and the largest crosstalk
into other channels. The gains in ``parlante.drive.encode`` are right when the slope is ~1.
"""

from __future__ import annotations

import argparse

import numpy as np
import skimage.data

from parlante.drive.extract import codes_from_landmarks, track_landmarks
from parlante.face import analyze_portrait
from parlante.motion.channels import CHANNELS, INDEX
from parlante.motion.codes import MotionFrame
from parlante.render.renderer import Renderer

LEVELS = {
    "yaw": (-12.0, -6.0, 6.0, 12.0),
    "pitch": (-8.0, -4.0, 4.0, 8.0),
    "roll": (-8.0, 8.0),
    "tx": (-0.05, 0.05),
    "ty": (-0.05, 0.05),
    "scale": (-0.06, 0.06),
    "gaze_x": (-15.0, -7.0, 7.0, 15.0),
    "gaze_y": (-10.0, 10.0),
}
DEFAULT_LEVELS = (0.25, 0.5, 0.75, 1.0)
RAMP = 4  # frames to reach a level
HOLD = 3  # frames at the level
SKIP = ("lip_tuck", "upper_lip_raise")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--channels", default="", help="comma-separated subset")
    args = parser.parse_args()
    rig = analyze_portrait(skimage.data.astronaut(), size=args.size)
    renderer = Renderer(rig)
    rest = renderer.render(MotionFrame.neutral())
    names = [c for c in CHANNELS if c not in SKIP]
    if args.channels:
        names = args.channels.split(",")
    frames = [rest, rest]
    truth: list[tuple[str | None, float]] = [(None, 0.0), (None, 0.0)]
    ramp = np.sin(0.5 * np.pi * np.arange(1, RAMP + 1) / RAMP)
    for name in names:
        for v in LEVELS.get(name, DEFAULT_LEVELS):
            # as in a video: ease in, hold (the last held frame is scored), ease out, rest
            steps = [*(v * ramp), *([v] * (HOLD - 1)), *(v * ramp[::-1][1:]), 0.0, 0.0]
            for k, x in enumerate(steps):
                frames.append(renderer.render(MotionFrame.of(**{name: float(x)})))
                scored = k == RAMP + HOLD - 2
                truth.append((name, v) if scored else ("", float(x)) if x else (None, 0.0))
    lm = track_landmarks(frames, 25.0)
    codes, valid, _, _ = codes_from_landmarks(lm, 25.0, neutral="first")
    print(f"{'channel':16s} {'true':>7s} {'got':>7s}  crosstalk")
    for name in names:
        rows = [i for i, (n, _) in enumerate(truth) if n == name]
        got = codes[rows, INDEX[name]]
        true = np.array([truth[i][1] for i in rows])
        slope = float(np.dot(got, true) / np.dot(true, true))
        for i, g, t in zip(rows, got, true, strict=True):
            others = codes[i].copy()
            others[INDEX[name]] = 0.0
            j = int(np.argmax(np.abs(others)))
            print(f"{name:16s} {t:7.3f} {g:7.3f}  {CHANNELS[j]}={others[j]:+.3f}")
        print(f"{name:16s} slope {slope:.2f}")
    neutral_rows = [i for i, (n, _) in enumerate(truth) if n is None]
    noise = np.abs(codes[neutral_rows]).max(axis=0)
    print(
        "largest code on neutral frames:",
        ", ".join(f"{c}={noise[INDEX[c]]:.3f}" for c in CHANNELS if noise[INDEX[c]] > 0.02),
    )


if __name__ == "__main__":
    main()
