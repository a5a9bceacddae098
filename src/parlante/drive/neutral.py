"""Choosing the driver's neutral frame: eyes open, mouth closed, head near frontal, still.

Every code is relative to this frame, and the portrait is assumed to be at rest, so the
frame that looks most like a portrait at rest makes the transfer most faithful. The score
is a sum of penalties, each 1 at a clearly non-neutral value; the lowest wins.
"""

from __future__ import annotations

import numpy as np

from parlante.drive.measure import EYE_LOWER, EYE_UPPER

MOUTH_OPEN = 0.05
"""Inner-lip gap, in D, scored 1 (speech openings are 0.05-0.2 D)."""
EYES_ODD = 0.15
"""Eye opening off the clip's median by this fraction (blinking, widened) scored 1."""
BROWS_ODD = 0.08
"""Brow-to-eye distance off the clip's median by this fraction scored 1."""
TURNED = 10.0
"""Degrees of head rotation away from the clip's median pose scored 1."""
MOVING = 0.01
"""Landmark speed, in D per frame, scored 1 (blur, mid-gesture)."""
CALM_SHARE = 0.15
"""Share of the best-scored frames whose median measures serve as the neutral's."""

_BROWS = (np.array([46, 53, 52, 65, 55, 70, 63, 105, 66, 107]),
          np.array([276, 283, 282, 295, 285, 300, 293, 334, 296, 336]))  # fmt: skip
_EYE_TOPS = (np.array([33, 160, 159, 158, 133]), np.array([362, 385, 386, 387, 263]))


def neutral_scores(landmarks: np.ndarray) -> np.ndarray:
    """(T,) penalty of each frame of (T, 478, 3) landmarks (NaN rows: no face -> inf).

    A neutral frame is a typical one at rest: mouth closed, eyes and brows at the clip's
    usual place (not blinking, not raised), head at its usual pose, not moving. Absolute
    head angles are judged against the clip's median: MediaPipe's depth gives each face a
    bias of a few degrees, and a driver who always sits a little turned is at rest there.
    """
    lm = np.asarray(landmarks, np.float64)
    found = ~np.isnan(lm[:, 0, 0])
    scores = np.full(len(lm), np.inf)
    if not found.any():
        return scores
    p = lm[found]
    d = np.linalg.norm(p[:, 263] - p[:, 33], axis=1)
    gap = np.linalg.norm(p[:, 14] - p[:, 13], axis=1) / d
    pen = gap / MOUTH_OPEN
    for k in range(2):
        opening = np.linalg.norm(p[:, EYE_LOWER[k]] - p[:, EYE_UPPER[k]], axis=2).mean(axis=1)
        opening = np.maximum(opening / d, 1e-6)
        pen += np.abs(np.log(opening / np.median(opening))) / EYES_ODD
        brow = np.linalg.norm(
            p[:, _BROWS[k]].mean(axis=1) - p[:, _EYE_TOPS[k]].mean(axis=1), axis=1
        )
        brow = np.maximum(brow / d, 1e-6)
        pen += np.abs(np.log(brow / np.median(brow))) / BROWS_ODD
    x = (p[:, 263] - p[:, 33]) / d[:, None]
    y = p[:, 152] - p[:, 10]
    y = y / np.linalg.norm(y, axis=1)[:, None]
    yaw = np.degrees(np.arcsin(np.clip(x[:, 2], -1, 1)))
    pitch = np.degrees(np.arcsin(np.clip(y[:, 2], -1, 1)))
    roll = np.degrees(np.arctan2(x[:, 1], x[:, 0]))
    turn = np.hypot(
        np.hypot(yaw - np.median(yaw), pitch - np.median(pitch)), roll - np.median(roll)
    )
    pen += turn / TURNED
    speed = np.zeros(len(p))
    if len(p) > 1:
        step = np.linalg.norm(np.diff(p[:, :468, :2], axis=0), axis=2).mean(axis=1) / d[1:]
        speed[1:] = step
        speed[:-1] = np.maximum(speed[:-1], step)
    scores[found] = pen + speed / MOVING
    return scores


def calm_frames(scores: np.ndarray) -> np.ndarray:
    """Indices of the best-scored ``CALM_SHARE`` of the frames with a face (at least one)."""
    finite = np.flatnonzero(np.isfinite(scores))
    count = max(1, round(CALM_SHARE * len(finite)))
    return finite[np.argsort(scores[finite], kind="stable")[:count]]


def choose_neutral(landmarks: np.ndarray, mode: str | int = "auto") -> int:
    """Index of the neutral frame: ``"auto"`` (lowest score), ``"first"`` (first frame with
    a face) or a frame number (which must show a face). Raises ValueError if none can be."""
    found = np.flatnonzero(~np.isnan(np.asarray(landmarks)[:, 0, 0]))
    if found.size == 0:
        raise ValueError("no face in any frame")
    if mode == "first":
        return int(found[0])
    if mode == "auto":
        return int(np.argmin(neutral_scores(landmarks)))
    index = int(mode)
    if index not in set(found.tolist()):
        raise ValueError(f"no face in frame {index} (asked for as the neutral frame)")
    return index
