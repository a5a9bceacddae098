"""``evaluate_video``: measure any talking-face video from its decoded frames and audio alone."""

from __future__ import annotations

import os
from pathlib import Path

import mediapipe as mp
import numpy as np
from PIL import Image, UnidentifiedImageError
from tqdm import tqdm

from parlante.errors import PortraitError
from parlante.eval.blinks import eye_aspect_ratio, find_blinks, relative_openness
from parlante.eval.decode import Audio, iter_frames, probe_video, read_audio
from parlante.eval.identity import INSTALL_HINT, SAME_PERSON, FaceEmbedder, identity_available
from parlante.eval.points import LIPS
from parlante.eval.pose import angular_speed, head_angles, smoothed_angles
from parlante.eval.report import (
    EvalReport,
    Eyes,
    HeadMotion,
    Identity,
    LipSync,
    Mouth,
    ReferenceMatch,
    Series,
    Stability,
    VideoSummary,
)
from parlante.eval.signals import (
    correlation,
    detrend,
    inter_ocular,
    lagged_correlation,
    mouth_opening,
    speech_envelope,
    voice_band,
)
from parlante.eval.track import FaceAnalyzer, FaceCrop, FaceTrack, face_crop

MAX_OFFSET_FRAMES = 15
PORTRAIT_DETECT_SIDE = 1024

PathLike = str | os.PathLike[str]


def evaluate_video(
    video: PathLike,
    *,
    portrait: PathLike | None = None,
    audio: PathLike | None = None,
    reference: PathLike | None = None,
    identity: bool = True,
    progress: bool = False,
) -> EvalReport:
    """Measure lip sync, mouth, head motion, blinks, identity and stability of ``video``.

    portrait: image the identity is compared against (default: the video's first face).
    audio: speech to sync against (default: the video's own audio track).
    reference: a real video of the same audio to compare mouth motion with.
    identity: measure identity (~2.5 s with dlib); False leaves ``report.identity`` None.
    progress: show a progress bar on stderr.
    Raises VideoError / AudioError / PortraitError (one line, naming the file) on bad input.
    """
    info = probe_video(video)
    notes: list[str] = []
    # Check every input first so a bad one fails before the long pass.
    speech = read_audio(audio, required=True) if audio is not None else None
    ref_info = probe_video(reference) if reference is not None else None
    use_dlib = identity and identity_available()
    portrait_crop = load_portrait(portrait) if identity and portrait is not None else None
    if identity and not use_dlib:
        notes.append(INSTALL_HINT)

    track = analyse(
        video, info.frames, progress=progress, desc="eval", crop_samples=16 if use_dlib else 0
    )
    fps = track.fps or info.fps or 25.0
    if speech is None:
        speech = read_audio(video, required=False)
    elif len(track.times):
        speech = Audio(speech.samples, speech.rate, float(track.times[0]), speech.source)

    summary = VideoSummary(
        path=str(video),
        width=track.size[0],
        height=track.size[1],
        fps=fps,
        frames=len(track.times),
        duration_s=len(track.times) / fps if fps else 0.0,
        audio=speech.source if speech is not None else None,
    )
    report = EvalReport(video=summary, stability=measure_stability(track), notes=notes)
    if len(track.times) == 0:
        notes.append("no frames decoded")
        return report
    if not track.detected.any():
        notes.append("no face found in any frame")
        return report
    if track.detection_rate < 1.0:
        notes.append(f"face found in {100 * track.detection_rate:.0f}% of frames")

    loudness = voice = None
    if speech is None:
        notes.append("no audio: lip sync not measured")
    else:
        loudness = speech_envelope(speech, track.times, fps)
        voice = speech_envelope(voice_band(speech), track.times, fps)
    opening = mouth_opening(track.landmarks)
    angles = smoothed_angles(head_angles(track.landmarks))
    openness = relative_openness(eye_aspect_ratio(track.landmarks), fps)
    report.series = Series(
        times=track.times,
        detected=track.detected,
        mouth_opening=opening,
        head_angles=angles,
        eye_openness=openness,
        background_change=track.background_change,
        loudness_db=loudness,
        voice_db=voice,
    )
    report.mouth = measure_mouth(opening)
    if voice is not None:
        report.lip_sync = measure_lip_sync(opening, voice, fps)
        if report.lip_sync is None:
            notes.append("audio silent or too short: lip sync not measured")
    report.head = measure_head(angles, fps, loudness)
    report.eyes = measure_eyes(track.landmarks, openness, fps)
    if use_dlib:
        report.identity = measure_identity(FaceEmbedder(), track, portrait_crop)
    if reference is not None and ref_info is not None:
        ref_track = analyse(
            reference,
            ref_info.frames,
            progress=progress,
            desc="reference",
            crop_samples=0,
        )
        report.reference = compare_reference(track, ref_track, str(reference))
    return report


def analyse(
    video: PathLike, frames: int, *, progress: bool, desc: str, crop_samples: int = 16
) -> FaceTrack:
    """Run the per-frame pass over a whole file."""
    with FaceAnalyzer(crop_samples=crop_samples) as analyzer:
        for frame, time in tqdm(
            iter_frames(video), total=frames or None, desc=desc, disable=not progress, leave=False
        ):
            analyzer.feed(frame, time)
        return analyzer.finish()


def load_portrait(path: PathLike) -> FaceCrop:
    """The face crop of a portrait image; PortraitError if unreadable or faceless."""
    path = Path(path)
    if not path.is_file():
        raise PortraitError(f"{path}: file not found")
    try:
        with Image.open(path) as img:
            image = np.asarray(img.convert("RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise PortraitError(f"{path}: not a readable image ({exc})") from None
    height, width = image.shape[:2]
    scale = min(1.0, PORTRAIT_DETECT_SIDE / max(width, height))
    small = (
        np.asarray(
            Image.fromarray(image).resize(
                (max(1, round(width * scale)), max(1, round(height * scale))), Image.LANCZOS
            )
        )
        if scale < 1.0
        else image
    )
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, refine_landmarks=True, max_num_faces=1
    ) as mesh:
        result = mesh.process(np.ascontiguousarray(small))
    if not result.multi_face_landmarks:
        raise PortraitError(f"{path}: no face found")
    marks = result.multi_face_landmarks[0].landmark
    points = np.array([(p.x, p.y, p.z) for p in marks], np.float32)[:478]
    points *= np.array([width, height, width], np.float32)
    return face_crop(image, points, -1)


def measure_stability(track: FaceTrack) -> Stability:
    change = track.background_change
    change = change[np.isfinite(change)]
    return Stability(
        face_detection_rate=track.detection_rate,
        background_change=float(change.mean()) if change.size else None,
        background_change_p95=float(np.percentile(change, 95)) if change.size else None,
    )


def measure_mouth(opening: np.ndarray) -> Mouth:
    ok = opening[np.isfinite(opening)]
    return Mouth(float(ok.mean()), float(ok.std()), float(np.percentile(ok, 95)))


def measure_lip_sync(
    opening: np.ndarray, envelope: np.ndarray, fps: float, max_lag: int = MAX_OFFSET_FRAMES
) -> LipSync | None:
    """Best-offset correlation of mouth opening (follower) with voice loudness (leader), both
    detrended (see signals.TREND_SECONDS)."""
    max_lag = max(0, min(max_lag, len(opening) // 3))
    lags, corr = lagged_correlation(detrend(opening, fps), detrend(envelope, fps), max_lag)
    if not np.isfinite(corr).any():
        return None
    best = int(np.nanargmax(corr))
    zero = corr[lags == 0][0]
    return LipSync(
        correlation=float(corr[best]),
        offset_frames=int(lags[best]),
        offset_ms=float(lags[best] * 1000.0 / fps),
        confidence=float(corr[best] - np.nanmedian(corr)),
        correlation_at_zero=float(zero) if np.isfinite(zero) else None,
        max_offset_frames=max_lag,
    )


def measure_head(angles: np.ndarray, fps: float, envelope: np.ndarray | None) -> HeadMotion | None:
    """Summary of (N, 3) smoothed yaw, pitch, roll; ``envelope`` (N,) loudness in dB."""
    speed = angular_speed(angles)
    if not np.isfinite(speed).any():
        return None
    ok = np.all(np.isfinite(angles), axis=1)
    mean = angles[ok].mean(axis=0)
    std = angles[ok].std(axis=0)
    loud = None
    if envelope is not None:
        r = correlation(speed, envelope)
        loud = r if np.isfinite(r) else None
    return HeadMotion(
        delta_p=float(np.nanmean(speed)),
        fps=fps,
        yaw_mean=float(mean[0]),
        pitch_mean=float(mean[1]),
        roll_mean=float(mean[2]),
        yaw_std=float(std[0]),
        pitch_std=float(std[1]),
        roll_std=float(std[2]),
        speed_loudness_correlation=loud,
    )


def measure_eyes(landmarks: np.ndarray, openness: np.ndarray, fps: float) -> Eyes | None:
    """Blinks in (N,) relative eye openness; the open-eye baseline from (N, 478, 3) landmarks."""
    ear = eye_aspect_ratio(landmarks)
    measured = np.isfinite(openness)
    if measured.sum() < 2:
        return None
    blinks = find_blinks(openness, fps)
    minutes = measured.sum() / fps / 60.0
    with np.errstate(invalid="ignore", divide="ignore"):
        baseline = ear / openness
    return Eyes(
        blinks=len(blinks),
        blinks_per_minute=len(blinks) / minutes,
        mean_blink_ms=float(np.mean([b.frames for b in blinks]) * 1000.0 / fps) if blinks else None,
        open_eye_ratio=float(np.nanmedian(baseline)),
    )


def measure_identity(
    embedder: FaceEmbedder, track: FaceTrack, portrait: FaceCrop | None
) -> Identity | None:
    crops = list(track.crops)
    if portrait is None:
        if len(crops) < 2:
            return None
        anchor, against = crops[0], "first frame"
        crops = crops[1:]
    else:
        anchor, against = portrait, "portrait"
    if not crops:
        return None
    ref = embedder.embed(anchor)
    dist = np.array([np.linalg.norm(embedder.embed(c) - ref) for c in crops])
    return Identity(
        against=against,
        mean_distance=float(dist.mean()),
        worst_distance=float(dist.max()),
        same_person=bool(dist.mean() < SAME_PERSON),
        threshold=SAME_PERSON,
        frames_compared=len(crops),
    )


def normalised_lips(landmarks: np.ndarray) -> np.ndarray:
    """(N, 40, 2) lip points with the eye-corner midpoint at 0, the eye line along +x and the
    outer-eye-corner distance as unit; NaN without a face."""
    right, left = landmarks[:, 33, :2], landmarks[:, 263, :2]
    axis = (left - right) / inter_ocular(landmarks)[:, None]
    centre = (left + right) / 2
    rel = landmarks[:, LIPS, :2] - centre[:, None, :]
    x = rel[..., 0] * axis[:, None, 0] + rel[..., 1] * axis[:, None, 1]
    y = -rel[..., 0] * axis[:, None, 1] + rel[..., 1] * axis[:, None, 0]
    return np.stack([x, y], axis=-1) / inter_ocular(landmarks)[:, None, None]


def _resample(values: np.ndarray, times: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Linear interpolation of (M, ...) ``values`` at ``at``; NaN outside ``times`` or next to
    a frame without a face."""
    flat = values.reshape(len(values), -1)
    out = np.stack(
        [np.interp(at, times, flat[:, k], left=np.nan, right=np.nan) for k in range(flat.shape[1])],
        axis=1,
    )
    return out.reshape((len(at),) + values.shape[1:])


def compare_reference(track: FaceTrack, ref: FaceTrack, path: str) -> ReferenceMatch:
    if not ref.detected.any() or len(ref.times) < 2:
        return ReferenceMatch(path, None, None, 0)
    at = track.times - track.times[0]
    ref_times = ref.times - ref.times[0]
    ref_open = _resample(mouth_opening(ref.landmarks), ref_times, at)
    ref_lips = _resample(normalised_lips(ref.landmarks), ref_times, at)
    lips = normalised_lips(track.landmarks)
    dist = np.linalg.norm(lips - ref_lips, axis=-1).mean(axis=-1)
    ok = np.isfinite(dist)
    r = correlation(mouth_opening(track.landmarks), ref_open)
    return ReferenceMatch(
        path=path,
        mouth_correlation=r if np.isfinite(r) else None,
        lmd=float(dist[ok].mean()) if ok.any() else None,
        frames_compared=int(ok.sum()),
    )
