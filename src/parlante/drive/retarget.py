"""Putting a driver's codes on a portrait: choosing parts, filling the rest, fitting length.

Codes from a driving video are already relative (changes from the driver's own neutral,
in the portrait-independent units of ``parlante.motion.channels``), so retargeting is a
selection and a clip: the portrait's renderer applies each change to its own face.
"""

from __future__ import annotations

import numpy as np

from parlante.motion.channels import CHANNELS, HEAD_CHANNELS, INDEX, RANGES
from parlante.motion.codes import Motion
from parlante.motion.resample import fit_length, resample_motion
from parlante.motion.stream import GAZE_COMPENSATION

PARTS: dict[str, tuple[str, ...]] = {
    "pose": HEAD_CHANNELS,
    "eyes": ("blink_l", "blink_r", "eye_wide", "squint", "gaze_x", "gaze_y"),
    "mouth": (
        "jaw_open", "lip_round", "lip_spread", "lip_press", "lip_tuck", "upper_lip_raise",
        "smile", "mouth_down",
    ),
    "brows": ("brow_raise", "brow_inner_up", "brow_furrow"),
}  # fmt: skip
"""What ``--parts`` can transfer, and the channels of each part."""
ALL_PARTS: tuple[str, ...] = tuple(PARTS)

_LO = np.array([RANGES[c][0] for c in CHANNELS], np.float32)
_HI = np.array([RANGES[c][1] for c in CHANNELS], np.float32)


def parse_parts(text: str) -> tuple[str, ...]:
    """``"pose,eyes"`` -> ("pose", "eyes"); "all" -> every part. Raises ValueError."""
    names = [p.strip().lower() for p in text.split(",") if p.strip()]
    if names == ["all"]:
        return ALL_PARTS
    unknown = [p for p in names if p not in PARTS]
    if unknown or not names:
        raise ValueError(
            f"unknown part {', '.join(unknown) or '(none)'}: choose from {', '.join(PARTS)}"
        )
    return tuple(p for p in ALL_PARTS if p in names)


def part_mask(parts: tuple[str, ...]) -> np.ndarray:
    """(C,) bool: the channels that the given parts transfer."""
    mask = np.zeros(len(CHANNELS), bool)
    for part in parts:
        mask[[INDEX[c] for c in PARTS[part]]] = True
    return mask


def retarget(
    driven: Motion,
    n_frames: int,
    fps: float,
    *,
    parts: tuple[str, ...] = ALL_PARTS,
    base: Motion | None = None,
) -> Motion:
    """The motion a portrait performs: ``n_frames`` at ``fps``.

    driven: the driver's codes (any fps; resampled). Channels of ``parts`` come from it,
    the others from ``base`` (e.g. the audio-driven motion; rest if None). A driver
    shorter than ``n_frames`` hands over to ``base`` (or holds) over half a second.
    Everything is clipped to ``RANGES``.
    """
    if base is not None and (len(base) < n_frames or abs(base.fps - fps) > 1e-6 * fps):
        raise ValueError(f"base motion must have {n_frames} frames at {fps} fps")
    rest = base if base is not None else Motion.zeros(n_frames, fps)
    moving = fit_length(resample_motion(driven, fps), n_frames, fallback=base)
    mask = part_mask(parts)
    values = np.where(mask[None, :], moving.values, rest.values[:n_frames])
    if base is not None and "pose" in parts and "eyes" not in parts:
        # the generated eyes counter-rotate part of the generated head's turn: make them
        # counter-rotate the driver's instead, so they keep looking where they looked
        for head, eye in (("yaw", "gaze_x"), ("pitch", "gaze_y")):
            turned = moving.values[:, INDEX[head]] - base.values[:n_frames, INDEX[head]]
            values[:, INDEX[eye]] -= GAZE_COMPENSATION * turned
    return Motion(np.clip(values, _LO, _HI).astype(np.float32), fps)
