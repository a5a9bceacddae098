"""Everything the renderer precomputes for one portrait: the full mesh and its textures.

Vertex layout (V vertices, in this order):

=============  =====================================================================
face           the 468 face-mesh points
lip extras     closed-mouth portraits only: 2 x 9 points on the lips' contact line, one
               copy riding with each lip, so that the lips can part there
rings          4 rings x 36 points around the face oval, 36 border points, 4 corners
eye holes      2 x 16 copies of the lid-margin points that read the eyeball images
lid patches    copies of the points of each upper-lid patch, which read a lid image that
               loses its lashes as the lid closes (``lids``)
interior       the mouth-interior layers (``mouth``)
=============  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parlante.errors import PortraitError
from parlante.face.rig import FaceRig
from parlante.render import topology as tp
from parlante.render.appearance import Palette, sample_palette
from parlante.render.expression import ExpressionModel
from parlante.render.eyes import Eyeball, build_eyeball
from parlante.render.frame import FaceFrame, smooth_depth
from parlante.render.layers import split_layers
from parlante.render.lids import LidPatch, build_lid_patch
from parlante.render.mouth import InteriorPart, build_interior, source_split
from parlante.render.raster import KIND_FACE, KIND_UNDER
from parlante.render.rings import RING_COUNT, build_rings
from parlante.render.topology import signed_areas

OPEN_MOUTH_GAP = 0.035
"""Inner-lip gap (D) above which the portrait's own mouth interior is reused."""
ATLAS_GAP = 2
"""Pixels between textures in the atlas (bilinear reads must not bleed across)."""
EYE_LABEL = 200
"""tri_label of the eyeball triangles (the face is 1, mouth-interior parts 2, 3, ...)."""


@dataclass
class Slot:
    """A rectangle of the atlas: pixel (r, c) of a texture is source pixel (y0 + r, x0 + c)."""

    x0: int
    y0: int
    w: int
    h: int


class _Shelf:
    """Shelf packer for the texture atlas (rows of the source below the portrait)."""

    def __init__(self, width: int, top: int) -> None:
        self.width, self.top = width, top
        self.x = 0
        self.y = top
        self.row_h = 0

    def place(self, w: int, h: int) -> Slot:
        if w > self.width:
            raise PortraitError(f"face too large for a {self.width} px frame")
        if self.x + w > self.width:
            self.y += self.row_h + ATLAS_GAP
            self.x, self.row_h = 0, 0
        slot = Slot(self.x, self.y, w, h)
        self.x += w + ATLAS_GAP
        self.row_h = max(self.row_h, h)
        return slot

    @property
    def bottom(self) -> int:
        return self.y + self.row_h


@dataclass
class PortraitModel:
    size: int
    frame: FaceFrame
    expression: ExpressionModel
    palette: Palette
    rest: np.ndarray
    """(V, 3) float32 image positions at rest (x, y, smoothed depth)."""
    src_rest: np.ndarray
    """(V, 2) float32 source positions at rest."""
    head_weight: np.ndarray
    """(V,) float32."""
    tris: np.ndarray
    """(M, 3) int32, interior layers first (back to front), then the face."""
    kind: np.ndarray
    """(M,) int8."""
    tri_label: np.ndarray
    """(M,) uint8: 1 for the face, 2 + k for interior part k, EYE_LABEL for the eyeballs
    (edges between labels are where the renderer anti-aliases)."""
    source: np.ndarray
    """(S + A, S, 4) uint8: foreground RGB + alpha, then the texture atlas."""
    plate: np.ndarray
    """(S, S, 3) uint8."""
    n_deform: int
    """Points moved by the expression model (face + lip extras)."""
    ring_first: int
    ring_oval: np.ndarray
    """(R,) face-mesh index of the oval point of each ring/border point's ray."""
    ring_follow: np.ndarray
    """(R,) how much each ring point follows its oval point's expression displacement."""
    eye_first: int
    eye_parent: np.ndarray
    """(32,) deformable index each eye-hole vertex copies."""
    eye_ranges: list[tuple[int, int]]
    """Per eye (image-left first), the vertex range of its eye-hole copies."""
    eyeballs: tuple[Eyeball, Eyeball]
    eye_slots: tuple[Slot, Slot]
    lid_margin: np.ndarray
    """(2, 9) vertex indices of the upper lid margins (image-left eye first)."""
    lid_ranges: list[tuple[int, int]]
    """Per eye, the vertex range of the copies that draw the upper-lid patch."""
    lid_parent: np.ndarray
    """(L,) deformable index each lid-patch vertex copies (both eyes)."""
    lid_margin_copy: np.ndarray
    """(2, 9) indices of the lid-patch copies of the upper lid margins."""
    lids: tuple[LidPatch, LidPatch]
    lid_slots: tuple[Slot, Slot]
    interior_first: int
    parts: list[InteriorPart]
    part_ranges: list[tuple[int, int]]
    interior_rest_shade: np.ndarray
    """(K,) shading of the interior vertices at neutral codes."""
    mouth_support: np.ndarray
    """(M,) bool: face triangles to redraw whenever the interior layers are drawn."""
    hole_upper: np.ndarray
    hole_lower: np.ndarray
    pivot: np.ndarray
    """(3,) image position of the head's rotation pivot."""
    face_height: float
    """Forehead-to-chin distance, pixels (unit of tx, ty)."""
    open_mouth: bool


@dataclass(frozen=True)
class Deformable:
    """The points the expression model moves, and the model itself."""

    frame: FaceFrame
    """Face coordinates of the rest face."""
    points: np.ndarray
    """(N, 3) float32 rest positions (pixels, renderer depth): the 468 mesh points, then,
    for a closed mouth, 2 x 9 lip-contact copies (upper lip's, then lower lip's)."""
    expression: ExpressionModel
    open_mouth: bool
    """The inner lips part at rest (the mouth's own interior shows)."""
    sliver: list[tuple[int, int, int]]
    """Zero-area triangles joining each lip to its contact copies (closed mouth only)."""


def build_deformable(face: np.ndarray) -> Deformable:
    """Expression model of a face from its (468, 3) points: pixel x, y and the renderer's
    smoothed depth. Shared by the renderer and by video-driven extraction, which fits the
    same model to a driver's face."""
    frame = FaceFrame.of(face)
    iu, il = np.array(tp.LIP_INNER_UPPER), np.array(tp.LIP_INNER_LOWER)
    q_face = frame.to_face(face)
    rest_gap = float(max(q_face[14, 1] - q_face[13, 1], 0.0))
    open_mouth = rest_gap >= OPEN_MOUTH_GAP
    if open_mouth:
        extras = np.zeros((0, 3), np.float32)
        hole_upper, hole_lower = iu, il
        upper_extra = lower_extra = np.zeros(0, np.int64)
        sliver: list[tuple[int, int, int]] = []
    else:
        mid = 0.5 * (face[iu[1:-1]] + face[il[1:-1]])
        extras = np.concatenate([mid, mid]).astype(np.float32)
        n0 = tp.N_FACE
        up_copy = np.arange(n0, n0 + 9)
        lo_copy = np.arange(n0 + 9, n0 + 18)
        hole_upper = np.concatenate([[iu[0]], up_copy, [iu[-1]]])
        hole_lower = np.concatenate([[il[0]], lo_copy, [il[-1]]])
        upper_extra, lower_extra = up_copy, lo_copy
        sliver = _band(iu, hole_upper) + _band(hole_lower, il)
    points = np.concatenate([face, extras]).astype(np.float32)
    expression = ExpressionModel(
        frame.to_face(points),
        hole_upper,
        hole_lower,
        upper_extra,
        lower_extra,
        rest_gap if open_mouth else 0.0,
    )
    return Deformable(frame, points, expression, open_mouth, sliver)


def build_model(rig: FaceRig) -> PortraitModel:
    """Precompute the renderer's mesh, weights and textures for one FaceRig."""
    from parlante.render.mouth import interior_shade

    _check_rig(rig)
    size = rig.size
    image = np.ascontiguousarray(rig.image)
    lm = np.asarray(rig.landmarks, np.float32)
    face_tris = tp.face_triangles()
    neighbours = tp.vertex_neighbours(face_tris, tp.N_FACE)
    depth = smooth_depth(lm, neighbours)
    face = np.concatenate([lm[: tp.N_FACE, :2], depth[:, None]], axis=1).astype(np.float32)
    deform = build_deformable(face)
    frame = deform.frame
    unit = frame.unit
    if unit < 8.0:
        raise PortraitError(
            f"{_name(rig)}: face too small to animate ({unit:.1f} px between the eyes)"
        )

    iu, il = np.array(tp.LIP_INNER_UPPER), np.array(tp.LIP_INNER_LOWER)
    open_mouth, expression, sliver = deform.open_mouth, deform.expression, deform.sliver
    hole_upper, hole_lower = expression.hole_upper, expression.hole_lower
    deform_rest = deform.points
    n_deform = len(deform_rest)
    palette = sample_palette(image, lm[:, :2], float(rig.crop[2]), open_mouth)

    # --- Rings ---------------------------------------------------------------------
    oval = np.array(tp.FACE_OVAL)
    down = frame.axes[:2, 1] / float(np.linalg.norm(frame.axes[:2, 1]))
    ring_first = n_deform
    rings = build_rings(face[oval, :2], down, np.asarray(rig.person_mask, np.float32), ring_first)
    pivot = np.array(
        [
            0.5 * (face[234, 0] + face[454, 0]),
            0.5 * (face[13, 1] + face[14, 1]),
            0.5 * (face[234, 2] + face[454, 2]) + 0.15 * unit,
        ],
        np.float32,
    )
    n_ring = len(rings.points)
    ring_oval = np.concatenate([np.tile(oval, RING_COUNT), oval, np.full(4, oval[0])])
    oval_z = face[ring_oval, 2]
    ring_z = (1.0 - rings.depth_blend) * oval_z + rings.depth_blend * pivot[2]
    ring_pts = np.concatenate([rings.points, ring_z[:, None]], axis=1)
    ring_tris = rings.triangles.copy()
    tmp = np.concatenate([deform_rest, ring_pts]).astype(np.float32)
    flip = signed_areas(tmp[:, :2], ring_tris) < 0
    ring_tris[flip] = ring_tris[flip][:, [0, 2, 1]]

    # --- Eye holes -----------------------------------------------------------------
    eye_first = ring_first + n_ring
    eye_parent = []
    eye_ranges = []
    eye_tris: list[tuple[int, int, int]] = []
    lid_margin = []
    eyeballs = []
    for up, lo, iris in (
        (tp.EYE_L_UPPER, tp.EYE_L_LOWER, tp.IRIS_L),
        (tp.EYE_R_UPPER, tp.EYE_R_LOWER, tp.IRIS_R),
    ):
        base = eye_first + len(eye_parent)
        ids = list(up) + list(lo[1:-1])
        eye_parent += ids
        eye_ranges.append((base, base + len(ids)))
        local = {v: base + k for k, v in enumerate(ids)}
        eye_tris += _band(np.array(up), np.array(lo), local)
        lid_margin.append(np.array(up))
        eyeballs.append(
            build_eyeball(
                image, lm[list(up), :2], lm[list(lo), :2], lm[list(iris), :2], palette.sclera
            )
        )
    eye_parent_arr = np.array(eye_parent)

    # --- Upper-lid patches (read a lash-free copy of the lid while blinking) ----------
    lid_first = eye_first + len(eye_parent_arr)
    lid_parent: list[int] = []
    lid_ranges = []
    lid_tris: list[np.ndarray] = []
    lid_boxes = []
    lid_margin_copy = []
    in_patch = np.zeros(len(face_tris), bool)
    for eye in expression.eyes:
        member = np.zeros(tp.N_FACE, bool)
        member[eye.follow_up[: tp.N_FACE] > 0.03] = True
        member[eye.upper] = True
        tri_in = member[face_tris].all(axis=1) & ~in_patch
        in_patch |= tri_in
        verts = np.unique(face_tris[tri_in])
        base = lid_first + len(lid_parent)
        rename = np.full(tp.N_FACE, -1, np.int64)
        rename[verts] = base + np.arange(len(verts))
        lid_tris.append(rename[face_tris[tri_in]])
        lid_ranges.append((base, base + len(verts)))
        lid_parent += verts.tolist()
        lid_margin_copy.append(rename[eye.upper])
        lo_xy = np.floor(face[verts, :2].min(axis=0) - 3).astype(int)
        hi_xy = np.ceil(face[verts, :2].max(axis=0) + 3).astype(int)
        lid_boxes.append(
            (
                max(int(lo_xy[0]), 0),
                max(int(lo_xy[1]), 0),
                min(int(hi_xy[0]), size),
                min(int(hi_xy[1]), size),
            )
        )
    lid_parent_arr = np.array(lid_parent, np.int64)
    ups = ((tp.EYE_L_UPPER, tp.EYE_L_LOWER), (tp.EYE_R_UPPER, tp.EYE_R_LOWER))
    lids = tuple(
        build_lid_patch(image, box, lm[list(up), :2], lm[list(lo), :2])
        for box, (up, lo) in zip(lid_boxes, ups, strict=True)
    )
    face_tris = face_tris[~in_patch]

    # --- Mouth interior --------------------------------------------------------------
    own = None
    if open_mouth:
        split = source_split(image, lm[iu, :2], lm[il, :2])
        own = (lm[iu, :2].astype(np.float32), lm[il, :2].astype(np.float32), split)
    parts = build_interior(expression.q0, hole_upper, hole_lower, unit, palette, own)

    # --- Atlas -------------------------------------------------------------------------
    top = size + ATLAS_GAP
    shelf = _Shelf(size, top)
    eye_slots = tuple(shelf.place(e.plate.shape[1], e.plate.shape[0]) for e in eyeballs)
    lid_slots = tuple(shelf.place(p.region.shape[1], p.region.shape[0]) for p in lids)
    part_slots: list[Slot | None] = []
    for part in parts:
        if part.texture is None:
            part_slots.append(None)
        else:
            part_slots.append(shelf.place(part.texture.shape[1], part.texture.shape[0]))
    layers = split_layers(
        image, np.asarray(rig.person_mask, np.float32), np.asarray(rig.background)
    )
    source = np.zeros((shelf.bottom + ATLAS_GAP, size, 4), np.uint8)
    source[:size] = layers.source
    source[size:top] = layers.source[size - 1]
    source[size:, :, 3] = 255
    source[:size, :, 3] = layers.source[:, :, 3]
    for eye, slot in zip(eyeballs, eye_slots, strict=True):
        source[slot.y0 : slot.y0 + slot.h, slot.x0 : slot.x0 + slot.w, :3] = eye.compose(
            (0.0, 0.0), 1.0
        )
    for patch, slot in zip(lids, lid_slots, strict=True):
        source[slot.y0 : slot.y0 + slot.h, slot.x0 : slot.x0 + slot.w, :3] = patch.compose(0.0)
    for part, slot in zip(parts, part_slots, strict=True):
        if slot is not None and part.texture is not None:
            source[slot.y0 : slot.y0 + slot.h, slot.x0 : slot.x0 + slot.w, :3] = part.texture

    # --- Assemble ------------------------------------------------------------------------
    interior_first = lid_first + len(lid_parent_arr)
    eye_rest = deform_rest[eye_parent_arr]
    lid_rest = deform_rest[lid_parent_arr]
    lid_src = np.zeros((len(lid_parent_arr), 2), np.float32)
    for (a, b), patch, slot in zip(lid_ranges, lids, lid_slots, strict=True):
        sl = slice(a - lid_first, b - lid_first)
        lid_src[sl] = lid_rest[sl, :2] - np.array(patch.box[:2], np.float32) + [slot.x0, slot.y0]
    eye_src = np.zeros((len(eye_parent_arr), 2), np.float32)
    for (a, b), eye, slot in zip(eye_ranges, eyeballs, eye_slots, strict=True):
        sl = slice(a - eye_first, b - eye_first)
        eye_src[sl] = eye_rest[sl, :2] - np.array(eye.box[:2], np.float32) + [slot.x0, slot.y0]
    part_ranges = []
    inner_rest, inner_src, inner_tris, inner_shade = [], [], [], []
    inner_labels: list[np.ndarray] = []
    start = interior_first
    hole_u_q, hole_l_q = expression.q0[hole_upper], expression.q0[hole_lower]
    for part, slot in zip(parts, part_slots, strict=True):
        part_ranges.append((start, start + len(part.q)))
        inner_rest.append(frame.to_image(part.q))
        uv = part.uv if slot is None else part.uv + np.array([slot.x0, slot.y0], np.float32)
        inner_src.append(uv)
        inner_tris.append(part.tris + start)
        inner_labels.append(np.full(len(part.tris), 2 + len(inner_labels), np.uint8))
        inner_shade.append(interior_shade(part, part.q, hole_u_q, hole_l_q, expression.half_width))
        start += len(part.q)
    rest = np.concatenate([deform_rest, ring_pts, eye_rest, lid_rest] + inner_rest).astype(
        np.float32
    )
    src_rest = np.concatenate(
        [deform_rest[:, :2], ring_pts[:, :2], eye_src, lid_src] + inner_src
    ).astype(np.float32)
    head_weight = np.concatenate(
        [np.ones(n_deform), rings.head_weight, np.ones(len(rest) - eye_first)]
    ).astype(np.float32)
    under = np.concatenate(inner_tris) if inner_tris else np.zeros((0, 3), np.int32)
    face_all = np.concatenate(
        [
            face_tris,
            np.asarray(sliver, np.int32).reshape(-1, 3),
            ring_tris,
            *lid_tris,
            np.asarray(eye_tris, np.int32).reshape(-1, 3),
        ]
    )
    tris = np.concatenate([under, face_all]).astype(np.int32)
    kind = np.concatenate(
        [np.full(len(under), KIND_UNDER, np.int8), np.full(len(face_all), KIND_FACE, np.int8)]
    )
    face_labels = np.ones(len(face_all), np.uint8)
    face_labels[len(face_all) - len(eye_tris) :] = EYE_LABEL
    tri_label = np.concatenate(inner_labels + [face_labels])
    # Face triangles near the mouth, redrawn over the interior layers whenever they are drawn.
    inner_box = rest[interior_first:, :2]
    lo_xy = inner_box.min(axis=0) - 0.05 * unit
    hi_xy = inner_box.max(axis=0) + 0.05 * unit
    tri_lo = rest[tris, :2].min(axis=1)
    tri_hi = rest[tris, :2].max(axis=1)
    mouth_support = (
        (kind == KIND_FACE) & np.all(tri_hi >= lo_xy, axis=1) & np.all(tri_lo <= hi_xy, axis=1)
    )
    face_height = float(np.linalg.norm(face[tp.CHIN, :2] - face[tp.FOREHEAD_TOP, :2]))
    return PortraitModel(
        size=size,
        frame=frame,
        expression=expression,
        palette=palette,
        rest=rest,
        src_rest=src_rest,
        head_weight=head_weight,
        tris=tris,
        kind=kind,
        tri_label=tri_label,
        source=np.ascontiguousarray(source),
        plate=layers.plate,
        n_deform=n_deform,
        ring_first=ring_first,
        ring_oval=ring_oval.astype(np.int64),
        ring_follow=rings.expression_weight,
        eye_first=eye_first,
        eye_parent=eye_parent_arr,
        eye_ranges=eye_ranges,
        eyeballs=(eyeballs[0], eyeballs[1]),
        eye_slots=(eye_slots[0], eye_slots[1]),
        lid_margin=np.stack(lid_margin),
        lid_ranges=lid_ranges,
        lid_parent=lid_parent_arr,
        lid_margin_copy=np.stack(lid_margin_copy),
        lids=(lids[0], lids[1]),
        lid_slots=(lid_slots[0], lid_slots[1]),
        interior_first=interior_first,
        parts=parts,
        part_ranges=part_ranges,
        interior_rest_shade=np.concatenate(inner_shade).astype(np.float32),
        mouth_support=mouth_support,
        hole_upper=hole_upper,
        hole_lower=hole_lower,
        pivot=pivot,
        face_height=face_height,
        open_mouth=open_mouth,
    )


def _name(rig: FaceRig) -> str:
    return f"portrait {rig.source_sha256[:12]}"


def _check_rig(rig: FaceRig) -> None:
    """One-line PortraitError for a FaceRig the renderer cannot use."""
    image = np.asarray(rig.image)
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] != image.shape[1]:
        raise PortraitError(f"{_name(rig)}: image must be (S, S, 3), got {image.shape}")
    if image.dtype != np.uint8:
        raise PortraitError(f"{_name(rig)}: image must be uint8, got {image.dtype}")
    size = image.shape[0]
    if not 64 <= size <= 4096:
        raise PortraitError(f"{_name(rig)}: frame side {size} px is out of range 64..4096")
    if np.asarray(rig.person_mask).shape != (size, size):
        raise PortraitError(f"{_name(rig)}: person mask must be ({size}, {size})")
    if np.asarray(rig.background).shape != (size, size, 3):
        raise PortraitError(f"{_name(rig)}: background must be ({size}, {size}, 3)")
    lm = np.asarray(rig.landmarks)
    if lm.shape != (478, 3) or not np.isfinite(lm).all():
        raise PortraitError(f"{_name(rig)}: landmarks must be 478 finite (x, y, z) points")


def _band(
    upper: np.ndarray, lower: np.ndarray, rename: dict[int, int] | None = None
) -> list[tuple[int, int, int]]:
    """Triangles between two lines of points (upper above lower, image left to right);
    equal indices at the ends are shared corners. Positive area when upper is above."""
    r = rename or {}
    u = [r.get(int(v), int(v)) for v in upper]
    lo = [r.get(int(v), int(v)) for v in lower]
    out = []
    for k in range(len(u) - 1):
        for t in ((u[k], u[k + 1], lo[k + 1]), (u[k], lo[k + 1], lo[k])):
            if len(set(t)) == 3:
                out.append(t)
    return out
