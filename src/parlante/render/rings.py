"""Rings of points around the face oval out to the image border, and how they follow the head.

The face mesh ends at the face oval; hair, ears, neck, body and background are carried by
rings of points on rays from the face centre through each oval point, then by points on the
image border (still). Above and beside the face, the rings reach past the hair silhouette
(found in the person mask) and move rigidly with the head, so hair does not stretch; below
the face they fade from following the head to staying still across the neck, so the
deformation is spread over the neck/shoulder band and the body stays still.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parlante.render.topology import FACE_OVAL

RING_COUNT = 4


@dataclass(frozen=True)
class Rings:
    points: np.ndarray
    """(R * 36 + 36 + 4, 2) image pixels: ring 1..R (36 points each), the border ring, the
    four image corners."""
    head_weight: np.ndarray
    """(n,) how much each point follows the head, 0..1."""
    expression_weight: np.ndarray
    """(n,) how much each point follows the face's expression displacement at the oval."""
    depth_blend: np.ndarray
    """(n,) 0 = depth of the oval point of its ray, 1 = depth of the head's pivot."""
    triangles: np.ndarray
    """(m, 3) int32 triangles over [oval points (face-mesh indices) | these points], where
    these points are numbered from ``first`` (see ``build_rings``)."""


def _smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _border_hit(c: np.ndarray, d: np.ndarray, side: int) -> np.ndarray:
    """(n, 2) where rays from c along unit d leave the square [0, side]^2."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(
            d[:, 0] > 0, (side - c[0]) / d[:, 0], np.where(d[:, 0] < 0, -c[0] / d[:, 0], np.inf)
        )
        ty = np.where(
            d[:, 1] > 0, (side - c[1]) / d[:, 1], np.where(d[:, 1] < 0, -c[1] / d[:, 1], np.inf)
        )
    t = np.minimum(tx, ty)
    return c + d * t[:, None]


def _silhouette(
    mask: np.ndarray, c: np.ndarray, d: np.ndarray, r0: np.ndarray, rb: np.ndarray
) -> np.ndarray:
    """(n,) distance from c, along each ray, of the outer edge of the person blob (mask > 0.5)."""
    side = mask.shape[0]
    out = r0.copy()
    steps = np.linspace(0.0, 1.0, 96)
    for i in range(len(d)):
        r = r0[i] + steps * (rb[i] - r0[i])
        xy = c + d[i] * r[:, None]
        xi = np.clip(xy[:, 0].astype(int), 0, side - 1)
        yi = np.clip(xy[:, 1].astype(int), 0, side - 1)
        inside = mask[yi, xi] > 0.5
        if inside[0]:
            gone = np.flatnonzero(~inside)
            out[i] = r[gone[0]] if len(gone) else rb[i]
    return out


def build_rings(oval: np.ndarray, down: np.ndarray, mask: np.ndarray, first: int) -> Rings:
    """Rings for the (36, 2) oval points (in ``FACE_OVAL`` order), the face's downward unit
    vector ``down`` (2,), the (S, S) person mask; their indices start at ``first``."""
    side = mask.shape[0]
    n = len(FACE_OVAL)
    c = oval.mean(axis=0)
    vec = oval - c
    r0 = np.linalg.norm(vec, axis=1)
    d = vec / r0[:, None]
    border = _border_hit(c, d, side)
    rb = np.linalg.norm(border - c, axis=1)
    r0 = np.minimum(r0, rb - 1.0)
    scale = float(np.median(r0))
    downness = d @ down  # +1: straight down the neck, -1: top of the head
    # Outer edge of head + hair along each ray (meaningless below the face: the body).
    sil = _silhouette(mask, c, d, r0, rb)
    upper = 1.0 - _smoothstep(0.1, 0.55, downness)  # 1 above/beside the face, 0 at the neck
    hair = np.clip(sil - r0, 0.08 * scale, 0.9 * scale)
    radii_up = np.stack(
        [
            r0 + 0.5 * hair,
            r0 + hair + 0.06 * scale,
            r0 + hair + 0.3 * scale,
            r0 + hair + 0.7 * scale,
        ]
    )
    radii_down = np.stack([r0 + k * scale for k in (0.12, 0.4, 0.75, 1.15)])
    radii = upper * radii_up + (1.0 - upper) * radii_down
    # Keep every ring inside the image and strictly ordered along its ray.
    fractions = np.array([0.3, 0.55, 0.78, 0.92])[:, None]
    radii = np.minimum(radii, r0 + fractions * (rb - r0))
    for k in range(1, RING_COUNT):
        radii[k] = np.maximum(radii[k], radii[k - 1] + 0.5)
    radii = np.minimum(radii, rb - 0.25)
    pts = [c + d * radii[k][:, None] for k in range(RING_COUNT)]
    head_up = np.array([1.0, 1.0, 0.0, 0.0])
    head_down = np.array([0.8, 0.45, 0.15, 0.0])
    expr = np.array([0.35, 0.0, 0.0, 0.0])
    head = upper[None, :] * head_up[:, None] + (1.0 - upper[None, :]) * head_down[:, None]
    depth = np.array([0.5, 0.85, 1.0, 1.0])
    corners = np.array([[0.0, 0.0], [side, 0.0], [side, side], [0.0, side]], np.float64)
    points = np.concatenate(pts + [border, corners]).astype(np.float32)
    head_weight = np.concatenate([head.ravel(), np.zeros(n + 4)]).astype(np.float32)
    # Only the skin under the chin follows the face's expressions (the jaw); beside the jaw
    # the first ring may already be background or collar, which must not be dragged.
    under_chin = _smoothstep(0.6, 0.9, downness)
    expression_weight = np.concatenate(
        [(expr[:, None] * under_chin[None, :]).ravel(), np.zeros(n + 4)]
    ).astype(np.float32)
    depth_blend = np.concatenate([np.repeat(depth, n), np.ones(n + 4)]).astype(np.float32)

    # Triangles: quads between consecutive rings (ring 0 = the oval itself).
    def ring_index(k: int, i: int) -> int:
        i %= n
        return FACE_OVAL[i] if k == 0 else first + (k - 1) * n + i

    tris = []
    for k in range(RING_COUNT + 1):
        for i in range(n):
            a, b = ring_index(k, i), ring_index(k, i + 1)
            c2, d2 = ring_index(k + 1, i + 1), ring_index(k + 1, i)
            tris += [(a, b, c2), (a, c2, d2)]
    border_first = first + RING_COUNT * n
    ang = np.arctan2(d[:, 1], d[:, 0])
    for k, corner in enumerate(corners):
        ca = np.arctan2(corner[1] - c[1], corner[0] - c[0])
        for i in range(n):
            a0, a1 = ang[i], ang[(i + 1) % n]
            span = (a1 - a0) % (2 * np.pi)
            if (ca - a0) % (2 * np.pi) < span:
                tris.append((border_first + i, border_first + n + k, border_first + (i + 1) % n))
                break
    return Rings(points, head_weight, expression_weight, depth_blend, np.asarray(tris, np.int32))
