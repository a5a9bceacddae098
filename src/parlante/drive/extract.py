"""Driving video -> a Performance: per-frame motion codes relative to the driver's neutral.

Offline (``extract_motion``): track the driver's landmarks through the whole clip, choose
the neutral frame, fit each frame's head pose against it, measure the expression in the
head's frame, encode codes, bridge frames without a face, and optionally smooth with a
zero-phase filter. Live (``LiveExtractor``): the same per frame, with the first frame that
shows a face as the neutral, and causal gap handling.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from parlante.drive.encode import clip_codes, encode_expression, hold_gaze_in_blinks
from parlante.drive.follow import FaceFollower
from parlante.drive.measure import MEASURES, measure
from parlante.drive.neutral import calm_frames, choose_neutral, neutral_scores
from parlante.drive.pose import HeadPose, Neutral, fit_pose, unpose
from parlante.drive.shapefit import FIT_POINTS, ShapeFitter, fit_points
from parlante.drive.smooth import EASE_S, bridge_gaps, smooth_codes
from parlante.drive.video import DriveError, file_sha256, iter_driver_frames, probe_driver
from parlante.motion.channels import CHANNELS, HEAD_CHANNELS, INDEX
from parlante.motion.codes import Motion, MotionFrame
from parlante.motion.motion_file import MotionNeutral, MotionSource

MAX_POSE_ERROR = 0.06
"""RMS misfit (in D) of the skull points above which a frame's landmarks are not trusted
(a tracker that slid onto something else, a face half out of the picture)."""
_HEAD_IDX = np.array([INDEX[c] for c in HEAD_CHANNELS])


@dataclass
class Performance:
    """A driving video's motion, extracted once."""

    motion: Motion
    """Codes at the video's frame rate, clipped to ``RANGES``."""
    valid: np.ndarray
    """(T,) bool: the driver's face was seen (elsewhere the codes are held / eased)."""
    neutral: MotionNeutral
    """The frame the codes are relative to (landmarks in video pixels)."""
    source: MotionSource | None = None
    measures: np.ndarray | None = None
    """(T, len(MEASURES)) raw measurements (NaN where not seen), for inspection."""


def track_landmarks(
    frames: Iterable[np.ndarray],
    fps: float,
    *,
    face: int = 0,
    progress: bool = False,
    total: int | None = None,
) -> np.ndarray:
    """(T, 478, 3) float32 landmarks of the driver in each frame; NaN where not seen."""
    rows = []
    with FaceFollower(fps, face) as follower:
        for frame in tqdm(frames, desc="tracking", unit="frame", disable=not progress, total=total):
            lm = follower.push(frame)
            rows.append(lm if lm is not None else np.full((478, 3), np.nan, np.float32))
    if not rows:
        return np.zeros((0, 478, 3), np.float32)
    return np.stack(rows).astype(np.float32)


def poses_and_measures(
    landmarks: np.ndarray, neutral: Neutral, turn: str = "render"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per frame: (T, 6) head codes, (T, K) measures, (T, P, 2) ``FIT_POINTS`` in the
    neutral's face coordinates (NaN where not seen) and (T,) validity.

    turn: "render" -> head codes that move a portrait's features as far across the image
    as the driver's move; "real" -> the driver's real head angles."""
    n = len(landmarks)
    head = np.zeros((n, len(HEAD_CHANNELS)))
    meas = np.full((n, len(MEASURES)), np.nan)
    pts = np.full((n, len(FIT_POINTS), 2), np.nan)
    valid = ~np.isnan(landmarks[:, 0, 0])
    last: HeadPose | None = None
    for t in range(n):
        if not valid[t]:
            last = None
            continue
        pose = fit_pose(neutral, landmarks[t], last)
        if pose.error > MAX_POSE_ERROR:
            valid[t] = False
            last = None
            continue
        last = pose
        head[t] = pose.codes if turn == "render" else pose.real_codes(neutral)
        q = neutral.face.to_face(unpose(neutral, landmarks[t], pose))
        meas[t] = measure(q)
        pts[t] = fit_points(q)
    return head, meas, pts, valid


def codes_from_landmarks(
    landmarks: np.ndarray,
    fps: float,
    *,
    neutral: str | int = "auto",
    smooth: bool = False,
    turn: str = "render",
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """(T, 478, 3) landmarks -> ((T, C) clipped codes, (T,) validity, neutral index,
    (T, K) measures). Raises ValueError when no frame shows a face."""
    k = choose_neutral(landmarks, neutral)
    ref = Neutral.of(landmarks[k], k)
    head, meas, pts, valid = poses_and_measures(landmarks, ref, turn)
    if not valid[k]:
        raise ValueError(f"the neutral frame {k} could not be fitted")
    m0 = meas[k]
    if neutral == "auto":
        # The driver's rest: the median over the calmest frames, not one frame's quirks.
        calm = [t for t in calm_frames(neutral_scores(landmarks)) if valid[t]]
        m0 = np.median(meas[calm], axis=0) if calm else m0
    codes = encode_expression(np.nan_to_num(meas), m0)
    codes = ShapeFitter(ref, pts[k]).fit_all(pts, valid, codes)
    codes[valid] = hold_gaze_in_blinks(codes[valid])
    codes[:, _HEAD_IDX] = head
    codes = bridge_gaps(codes, valid, fps)
    if smooth:
        codes = smooth_codes(codes, fps)
    return clip_codes(codes), valid, k, meas


def extract_motion(
    path: str | os.PathLike[str],
    *,
    neutral: str | int = "auto",
    smooth: bool = False,
    face: int = 0,
    max_frames: int | None = None,
    progress: bool = False,
) -> Performance:
    """Extract the performance of a driving video (any size and frame rate).

    neutral: "auto" (the most neutral frame by ``neutral_scores``), "first", or a frame
    number. smooth: zero-phase jitter removal. face: which face drives (0 = largest).
    Raises DriveError naming the file if it is unreadable or shows no usable face.
    """
    video = probe_driver(path)
    frames = iter_driver_frames(video, max_frames=max_frames)
    total = video.frames if max_frames is None else min(video.frames or max_frames, max_frames)
    landmarks = track_landmarks(frames, video.fps, face=face, progress=progress, total=total)
    if len(landmarks) == 0:
        raise DriveError(f"{video.path}: no frames decoded")
    try:
        codes, valid, k, meas = codes_from_landmarks(
            landmarks, video.fps, neutral=neutral, smooth=smooth
        )
    except ValueError as exc:
        raise DriveError(f"{video.path}: {exc}") from None
    scale = video.analysis_scale
    neutral_lm = landmarks[k].copy()
    neutral_lm[:, :3] /= scale
    source = MotionSource(
        path=str(video.path.name),
        sha256=file_sha256(video.path),
        width=video.width,
        height=video.height,
        fps=video.fps,
        frames=len(landmarks),
        face=face,
    )
    return Performance(Motion(codes, video.fps), valid, MotionNeutral(k, neutral_lm), source, meas)


class LiveExtractor:
    """Frames in, motion frames out, one at a time (a webcam or any stream).

    The first frame that shows a face is the neutral (pass ``neutral_landmarks`` to fix it
    beforehand). Frames without a face hold the last codes; on recovery the codes glide
    back over ``EASE_S``. No smoothing (it would lag); no look-ahead.
    """

    def __init__(
        self, fps: float, *, face: int = 0, neutral_landmarks: np.ndarray | None = None
    ) -> None:
        self.fps = fps
        self._follower = FaceFollower(fps, face)
        self._neutral = Neutral.of(neutral_landmarks) if neutral_landmarks is not None else None
        self._m0: np.ndarray | None = None
        self._shapes: ShapeFitter | None = None
        self._gaze = np.zeros(2)
        self._last_pose: HeadPose | None = None
        self._held = np.zeros(len(CHANNELS))
        self._offset = np.zeros(len(CHANNELS))
        self._since = 0
        self._ease = max(1, round(EASE_S * fps))
        self._missing = False

    def close(self) -> None:
        self._follower.close()

    def push(self, frame: np.ndarray) -> MotionFrame:
        lm = self._follower.push(frame)
        codes = self._codes(lm) if lm is not None else None
        if codes is None:
            self._missing = True
            self._last_pose = None
            return MotionFrame(clip_codes(self._held[None])[0])
        if self._missing:
            self._offset = self._held - codes
            self._since = 0
            self._missing = False
        x = min(self._since / self._ease, 1.0)
        out = codes + (1.0 - x * x * (3.0 - 2.0 * x)) * self._offset
        self._since += 1
        self._held = out
        return MotionFrame(clip_codes(out[None])[0])

    def _codes(self, lm: np.ndarray) -> np.ndarray | None:
        if self._neutral is None:
            self._neutral = Neutral.of(lm)
        pose = fit_pose(self._neutral, lm, self._last_pose)
        if pose.error > MAX_POSE_ERROR:
            return None
        self._last_pose = pose
        q = self._neutral.face.to_face(unpose(self._neutral, lm, pose))
        m = measure(q)
        if self._m0 is None or self._shapes is None:
            self._m0 = m
            self._shapes = ShapeFitter(self._neutral, fit_points(q))
        codes = encode_expression(m[None], self._m0)
        codes = self._shapes.fit(fit_points(q), codes[0])[None]
        codes = hold_gaze_in_blinks(codes, self._gaze)[0]
        self._gaze = codes[[INDEX["gaze_x"], INDEX["gaze_y"]]]
        codes[_HEAD_IDX] = pose.codes
        return codes
