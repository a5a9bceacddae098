"""Person mask and background plate of a framed portrait.

The mask comes from MediaPipe selfie segmentation, its edges snapped to the picture with a
guided filter, then forced to cover the face: paintings and drawings can fool the segmenter,
and a face that leaks into the background layer tears when the head moves. The plate is the
picture with the person region painted over from the surrounding background: a smooth fill
at low resolution, and next to the silhouette (the strip a moving head uncovers, the only
part ever seen) the background itself, mirrored across the silhouette, so that a patterned
background (a flag, shelves, foliage) continues instead of showing a flat smear.
"""

from __future__ import annotations

import cv2
import numpy as np

from parlante.face.framing import FACE_OVAL

SEGMENTER_MODEL = 0
"""MediaPipe selfie-segmentation model: 0 = general (256x256 input, suits square frames),
1 = landscape (144x256)."""
PLATE_SIDE = 256
"""Resolution, in pixels, at which the person region of the background plate is filled."""
MIRROR_BAND = 0.07
"""Fraction of the side: depth of the strip inside the silhouette filled by mirroring the
background across it (a head turn of 20-30 degrees uncovers 3-6 %). Deeper, the smooth fill.
Self-reenactment on a flag backdrop showed a flat lavender band beside a turning head
without it."""


def person_mask(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """(S, S) float32 in [0, 1], 1 on the person, for an (S, S, 3) uint8 RGB framed portrait.

    ``landmarks``: (478, 3) face-mesh points in the image's pixels.
    """
    return refine_mask(image, person_probability(image), landmarks)


def person_probability(image: np.ndarray) -> np.ndarray:
    """(H, W) float32 in [0, 1]: MediaPipe selfie segmentation of an (H, W, 3) RGB image."""
    from mediapipe.python.solutions import selfie_segmentation

    with selfie_segmentation.SelfieSegmentation(model_selection=SEGMENTER_MODEL) as graph:
        raw = graph.process(np.ascontiguousarray(image)).segmentation_mask
    return np.clip(np.asarray(raw, dtype=np.float32), 0.0, 1.0)


def refine_mask(image: np.ndarray, raw: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Snap a coarse (S, S) person probability to image edges and make it cover the face."""
    side = image.shape[0]
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    radius = max(2, round(side / 96))
    refined = cv2.ximgproc.guidedFilter(grey, raw, radius, 1e-3)
    # A steeper ramp than the segmenter's own: crisper edge, still soft over ~2 pixels.
    refined = np.clip((refined - 0.5) * 1.6 + 0.5, 0.0, 1.0)
    face = face_hull_mask(landmarks, side)
    if float((refined * face).sum()) < 0.6 * float(face.sum()):
        # The segmenter missed the face (a painting, a drawing): trust a head-and-shoulders
        # silhouette built from the landmarks instead of the model around the face.
        refined = np.maximum(refined, silhouette_prior(landmarks, side))
    soft = max(0.7, side / 512)
    refined = cv2.GaussianBlur(refined, (0, 0), soft)
    # The face hull is always person: 1 inside, a ramp of a few pixels outside.
    grown = cv2.dilate(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    face = np.maximum(face, cv2.GaussianBlur(grown, (0, 0), 2 * soft))
    return np.clip(np.maximum(refined, face), 0.0, 1.0)


def face_hull_mask(landmarks: np.ndarray, side: int) -> np.ndarray:
    """(side, side) float32: 1 inside the convex hull of the face oval (with the forehead)."""
    pts = landmarks[list(FACE_OVAL), :2].astype(np.float64)
    hull = cv2.convexHull(np.round(pts * 4).astype(np.int32))
    mask = np.zeros((side, side), np.uint8)
    cv2.fillConvexPoly(mask, hull, 255, lineType=cv2.LINE_AA, shift=2)
    return mask.astype(np.float32) / 255.0


def silhouette_prior(landmarks: np.ndarray, side: int) -> np.ndarray:
    """(side, side) float32 rough person shape: a head ellipse with hair room, neck, shoulders.

    Used only where the segmenter failed; soft-edged so it reads as a shape, not a cut-out.
    """
    pts = landmarks[:468, :2].astype(np.float64)
    top, chin = landmarks[10, :2].astype(np.float64), landmarks[152, :2].astype(np.float64)
    length = float(np.hypot(*(chin - top)))
    x_min, x_max = pts[:, 0].min(), pts[:, 0].max()
    cx = 0.5 * (x_min + x_max)
    width = x_max - x_min
    mask = np.zeros((side, side), np.uint8)
    centre = (round(cx * 4), round((top[1] + chin[1]) / 2 * 4 - length * 0.12 * 4))
    axes = (round(width * 0.62 * 4), round(length * 0.68 * 4))
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, -1, cv2.LINE_AA, shift=2)
    neck = np.array(
        [
            (cx - 0.3 * width, chin[1] - 0.2 * length),
            (cx + 0.3 * width, chin[1] - 0.2 * length),
            (cx + 0.35 * width, chin[1] + 0.35 * length),
            (cx + 1.6 * width, chin[1] + 0.6 * length),
            (cx + 1.8 * width, side + length),
            (cx - 1.8 * width, side + length),
            (cx - 1.6 * width, chin[1] + 0.6 * length),
            (cx - 0.35 * width, chin[1] + 0.35 * length),
        ]
    )
    cv2.fillPoly(mask, [np.round(neck * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
    blurred = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), length * 0.04)
    return np.clip(blurred, 0.0, 1.0)


def background_plate(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(S, S, 3) uint8: ``image`` with the person (``mask`` > ~0) painted over.

    Pixels well outside the person keep their real values; the person region and a margin
    around it (hair fringe, halo) are filled from the surrounding background by a
    pyramid push-pull at ``PLATE_SIDE`` px, upsampled and blurred (a smooth continuation of
    the nearby background), and within ``MIRROR_BAND`` of the outline by the background
    mirrored across it (its texture, for the strip a moving head uncovers).
    """
    side = image.shape[0]
    margin = max(3, round(side * 0.02))
    person = (mask > 0.05).astype(np.uint8)
    hole = cv2.dilate(person, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1,) * 2))
    if not hole.any():
        return image.copy()
    low = (PLATE_SIDE, PLATE_SIDE)
    small = cv2.resize(image, low, interpolation=cv2.INTER_AREA).astype(np.float32)
    known = cv2.resize(hole.astype(np.float32), low, interpolation=cv2.INTER_AREA) == 0
    if known.any():
        fill_small = push_pull(small, known.astype(np.float32))
    else:  # nothing but person: a flat plate of the picture's median colour
        fill_small = np.broadcast_to(np.median(small.reshape(-1, 3), axis=0), small.shape)
    fill = cv2.resize(np.ascontiguousarray(fill_small), (side, side), interpolation=cv2.INTER_CUBIC)
    fill = cv2.GaussianBlur(fill, (0, 0), side / 160)
    if not hole.all():
        mirrored, share = mirror_across(image, hole, MIRROR_BAND * side)
        fill = fill * (1.0 - share[:, :, None]) + mirrored * share[:, :, None]
    weight = cv2.GaussianBlur(hole.astype(np.float32), (0, 0), margin / 2)
    weight = np.maximum(weight, person.astype(np.float32))[:, :, None]
    plate = image.astype(np.float32) * (1.0 - weight) + fill * weight
    return np.clip(plate + 0.5, 0, 255).astype(np.uint8)


def mirror_across(
    image: np.ndarray, hole: np.ndarray, band: float
) -> tuple[np.ndarray, np.ndarray]:
    """Reflect the background into a hole: each hole pixel p reads ``2 q - p``, q its nearest
    pixel outside the hole (that map smoothed, so concave outlines give no streaks).

    image: (S, S, 3) uint8; hole: (S, S) uint8, 1 = unknown; band: depth in pixels over
    which the reflection fades out. Returns (S, S, 3) float32 reflected colours and (S, S)
    float32 share in [0, 1] to give them (0 outside the hole, and where the reflection would
    land in the hole again).
    """
    side = image.shape[0]
    dist, labels = cv2.distanceTransformWithLabels(
        hole, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    outside = hole == 0
    ys, xs = np.nonzero(outside)  # each outside pixel carries its own label: label -> (x, y)
    nearest = np.zeros((int(labels.max()) + 1, 2), np.float32)
    nearest[labels[outside]] = np.column_stack([xs, ys])
    q = nearest[labels]
    sigma = max(1.0, side / 128)
    qx = cv2.GaussianBlur(q[:, :, 0], (0, 0), sigma)
    qy = cv2.GaussianBlur(q[:, :, 1], (0, 0), sigma)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    rx = np.clip(2.0 * qx - xx, 0, side - 1)
    ry = np.clip(2.0 * qy - yy, 0, side - 1)
    mirrored = cv2.remap(image, rx, ry, cv2.INTER_LINEAR).astype(np.float32)
    lands_outside = cv2.remap(outside.astype(np.float32), rx, ry, cv2.INTER_LINEAR)
    share = np.clip(1.0 - dist / max(band, 1.0), 0.0, 1.0) * np.clip(lands_outside, 0.0, 1.0)
    share = cv2.GaussianBlur(share, (0, 0), sigma) * (hole > 0)
    return mirrored, share.astype(np.float32)


def push_pull(colour: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill unknown pixels of (H, W, 3) float32 ``colour`` from (H, W) 0/1 ``known`` ones.

    Known pixels are averaged down an image pyramid, and each finer level takes the coarser
    estimate wherever it has no data of its own: holes get a smooth blend of the colours
    around them, with no streaks. Returns (H, W, 3) float32.
    """
    levels = []
    premult, weight = colour * known[:, :, None], known.astype(np.float32)
    while min(premult.shape[:2]) > 4:
        levels.append((premult, weight))
        premult, weight = cv2.pyrDown(premult), cv2.pyrDown(weight)
    total = max(float(weight.sum()), 1e-6)
    estimate = premult / np.maximum(weight, 1e-6)[:, :, None]
    estimate[weight < 1e-6] = premult.reshape(-1, 3).sum(axis=0) / total
    for depth, (premult, weight) in reversed(list(enumerate(levels))):
        coarse = cv2.pyrUp(estimate, dstsize=(premult.shape[1], premult.shape[0]))
        # At the finest level a known pixel keeps its own value; above it, partial
        # coverage already gives a usable average.
        own = weight if depth == 0 else np.clip(2.0 * weight, 0.0, 1.0)
        mean = premult / np.maximum(weight, 1e-6)[:, :, None]
        estimate = mean * own[:, :, None] + coarse * (1.0 - own[:, :, None])
    return estimate
