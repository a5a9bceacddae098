"""Renderer: FaceRig + one frame of motion codes -> one photorealistic RGB frame (CPU).

Per frame: the expression model moves the face points (face coordinates), the rings and
interior layers follow, the head pose moves everything by its weight, and the mesh is
rasterised into a backward map; only pixels of triangles that moved are redrawn, so what
does not move (body, background, and the whole frame at neutral codes) stays bit-identical
to the portrait.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import cv2
import numpy as np

from parlante.face.rig import FaceRig
from parlante.motion.channels import CHANNELS, INDEX
from parlante.motion.codes import MotionFrame
from parlante.render import topology as tp
from parlante.render.expression import JAW_GAP_FULL
from parlante.render.eyes import EYEBALL_RADIUS
from parlante.render.fields import rotate_x
from parlante.render.head import head_transform
from parlante.render.model import PortraitModel, build_model
from parlante.render.mouth import interior_shade
from parlante.render.raster import Canvas, soften_edges

_HEAD = np.array([INDEX[c] for c in ("yaw", "pitch", "roll", "tx", "ty", "scale")])
_MOVED = 0.02  # pixels / shading units below which a vertex counts as still
_EYE_REST = (0.0, 0.0, 1.0) + (0.0,) * 18
"""An eyeball image's state at rest: iris shift (dx, dy), squash, the lid margins' rise."""
_LOWER_MARGIN = (np.array(tp.EYE_L_LOWER), np.array(tp.EYE_R_LOWER))
LASH_WIDTH = 0.025
"""D: thickness of the lash line drawn along a closed upper lid. Real closed lids show a
thick dark line; on frames with shut eyes in self-reenactment, 0.025 / 0.9 brought the
identity distance to the real frame from 0.323 to 0.313 (median, 8 clips) vs 0.012 / 0.75."""
LASH_STRENGTH = 0.9
"""Opacity of that line at full closure."""


class Renderer:
    """Renders frames of one portrait, one at a time (stream) or from an iterable of codes.

    Construction precomputes the mesh, weights and textures (``model``: ~60-140 ms at 512
    px; pass a ``PortraitModel`` from ``build_model`` to reuse one). Not thread-safe (it
    reuses scratch buffers): make one per thread. The speed figures assume one OpenCV
    thread (``cv2.setNumThreads(1)``): OpenCV's worker threads only add contention here.
    """

    def __init__(self, rig: FaceRig, model: PortraitModel | None = None) -> None:
        self.rig = rig
        self.model = model if model is not None else build_model(rig)
        self._jaw_table: tuple[np.ndarray, np.ndarray] | None = None
        self.size = rig.size
        self._canvas = Canvas(self.size)
        self._source = self.model.source.copy()  # eye slots are rewritten per frame
        self._eye_state: list[tuple[float, ...]] = [_EYE_REST, _EYE_REST]
        self._n_under = int(np.count_nonzero(self.model.kind == 1))
        self._blink = (0.0, 0.0)
        self._lid_state = [0.0, 0.0]
        self._lash_colour = self.model.palette.lash

    @property
    def rest_openness(self) -> float:
        """Inner-lip gap of the portrait itself, in outer-eye-corner distances (0 for a closed
        mouth). Codes are relative to the portrait: jaw_open < 0 closes an open mouth (-1 shut),
        which a motion generator may want for portraits that show their teeth."""
        return self.model.expression.rest_gap

    def from_closed_mouth(self, values: np.ndarray) -> np.ndarray:
        """(T, C) codes whose ``jaw_open`` is measured from a closed mouth (as the audio-driven
        generator makes them: inner-lip gap = jaw_open * JAW_GAP_FULL) -> this portrait's
        relative codes.

        Identity for a closed-mouth portrait. For a portrait that shows an open mouth, a
        quiet frame closes it (negative codes) and speech opens it from there, so a shouting
        portrait does not keep shouting through every pause. The inverse is read off the
        renderer's own deformation (gap as a function of the code), so it stays exact
        whatever the jaw model does.
        """
        out = np.array(values, np.float32, copy=True)
        if self.rest_openness <= 0.0:
            return out
        if self._jaw_table is None:
            e = self.model.expression
            codes = np.linspace(-1.0, 1.5, 61, dtype=np.float32)
            gaps = []
            for c in codes:
                q = e.deform(MotionFrame.of(jaw_open=float(c)).vector).q
                gaps.append(float(q[e.hole_lower[5], 1] - q[e.hole_upper[5], 1]))
            self._jaw_table = (np.maximum.accumulate(np.maximum(gaps, 0.0)), codes)
        gaps, codes = self._jaw_table
        target = np.maximum(out[:, INDEX["jaw_open"]], 0.0) * JAW_GAP_FULL
        first = int(np.searchsorted(gaps, gaps[0], side="right")) - 1  # last code still shut
        out[:, INDEX["jaw_open"]] = np.interp(target, gaps[first:], codes[first:])
        return out

    def frames(self, codes: Iterable[np.ndarray | MotionFrame]) -> Iterator[np.ndarray]:
        """(S, S, 3) uint8 frames for a stream (or a (T, C) array) of codes, lazily."""
        for row in codes:
            yield self.render(row)

    def render(self, frame: MotionFrame | np.ndarray) -> np.ndarray:
        """(S, S, 3) uint8 RGB frame for one frame of codes (``CHANNELS`` order)."""
        codes = frame.vector if isinstance(frame, MotionFrame) else np.asarray(frame, np.float32)
        if codes.shape != (len(CHANNELS),):
            raise ValueError(f"codes must have shape ({len(CHANNELS)},), got {codes.shape}")
        codes = np.nan_to_num(codes.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        out = self.rig.image.copy()
        if not codes.any():
            return out
        m = self.model
        dst, src, shade, eyes_changed, lids_moved = self._geometry(codes)
        rest = m.rest
        moved = (
            (np.abs(dst[:, 0] - rest[:, 0]) > _MOVED)
            | (np.abs(dst[:, 1] - rest[:, 1]) > _MOVED)
            | (np.abs(src[:, 0] - m.src_rest[:, 0]) > _MOVED)
            | (np.abs(src[:, 1] - m.src_rest[:, 1]) > _MOVED)
        )
        moved[: m.n_deform] |= np.abs(shade[: m.n_deform] - 1.0) > _MOVED
        moved[m.interior_first :] |= (
            np.abs(shade[m.interior_first :] - m.interior_rest_shade) > _MOVED
        )
        for k, changed in enumerate(eyes_changed):
            if changed:
                a, b = m.eye_ranges[k]
                moved[a:b] = True
            if self._lid_state[k] > 0.0:
                a, b = m.lid_ranges[k]
                moved[a:b] = True
        active = moved[m.tris].any(axis=1)
        hole = np.concatenate([m.hole_upper, m.hole_lower])
        n_under = self._n_under
        mouth_open = bool(moved[hole].any() or moved[m.interior_first :].any())
        if mouth_open:
            active |= m.mouth_support
        active[:n_under] = mouth_open
        if not active.any():
            return out
        box = self._canvas.draw(
            np.ascontiguousarray(dst[:, :2]),
            np.ascontiguousarray(dst[:, 2]),
            src,
            shade,
            m.tris[active],
            m.kind[active],
            m.tri_label[active],
            self._source,
            m.plate,
            out,
        )
        if mouth_open:
            self._soften_edges(out, dst[hole, :2])
        for k, (a, b) in enumerate(m.eye_ranges):
            if lids_moved[k]:
                self._soften_edges(out, dst[a:b, :2])
                if self._blink[k] > 0.2:
                    self._lash_line(out, dst[m.lid_margin[k], :2], self._blink[k])
        self._canvas.clear_labels(box)
        return out

    def _lash_line(self, out: np.ndarray, margin: np.ndarray, amount: float) -> None:
        """A thin dark lash line along a closing upper lid (its own lashes are stretched
        away): (9, 2) margin pixels, corner to corner."""
        m = self.model
        unit = m.frame.unit
        pad = int(np.ceil(0.05 * unit)) + 2
        x0 = max(int(np.floor(margin[:, 0].min())) - pad, 0)
        y0 = max(int(np.floor(margin[:, 1].min())) - pad, 0)
        x1 = min(int(np.ceil(margin[:, 0].max())) + pad, self.size)
        y1 = min(int(np.ceil(margin[:, 1].max())) + pad, self.size)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return
        alpha8 = np.zeros((y1 - y0, x1 - x0), np.uint8)  # LINE_AA needs 8-bit images
        pts = np.round((margin - [x0 + 0.5, y0 + 0.5]) * 16).astype(np.int32)
        width = max(1, round(LASH_WIDTH * unit))
        cv2.polylines(alpha8, [pts], False, 150, width, cv2.LINE_AA, shift=4)
        cv2.polylines(alpha8, [pts[2:-2]], False, 255, width, cv2.LINE_AA, shift=4)
        alpha = cv2.GaussianBlur(alpha8, (3, 3), 0.5).astype(np.float32) / 255.0
        strength = LASH_STRENGTH * float(np.clip((amount - 0.2) / 0.7, 0.0, 1.0)) ** 1.5
        a = (alpha * strength)[..., None]
        patch = out[y0:y1, x0:x1].astype(np.float32)
        out[y0:y1, x0:x1] = np.round(patch * (1.0 - a) + self._lash_colour * a).astype(np.uint8)

    def _soften_edges(self, out: np.ndarray, hole_xy: np.ndarray) -> None:
        """Anti-alias the edges of an opening (lips over the mouth interior, lids over an
        eyeball, and between interior layers): pixels on such an edge take a slightly
        blurred value."""
        size = self.size
        x0 = max(int(np.floor(hole_xy[:, 0].min())) - 3, 0)
        y0 = max(int(np.floor(hole_xy[:, 1].min())) - 3, 0)
        x1 = min(int(np.ceil(hole_xy[:, 0].max())) + 4, size)
        y1 = min(int(np.ceil(hole_xy[:, 1].max())) + 4, size)
        soften_edges(out, self._canvas.label, x0, y0, x1, y1)

    def _geometry(
        self, codes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[bool], list[bool]]:
        """Screen positions (V, 3), source positions (V, 2) and shading (V,) of all vertices;
        per eye, whether its eyeball image changed and whether its lids moved over it.

        Only lids that moved over the eyeball make an edge to soften: under gaze alone or
        head motion alone the lid and the eyeball image it meets are the portrait's own
        continuous pixels, and blurring them would soften the lash line for nothing."""
        m = self.model
        fr = m.frame
        deformed = m.expression.deform(codes)
        self._blink = deformed.blink
        pre = np.empty_like(m.rest)
        nd = m.n_deform
        pre[:nd] = fr.to_image(deformed.q)
        # Rings follow their oval point's expression displacement in part.
        r0, r1 = m.ring_first, m.eye_first
        disp = pre[m.ring_oval] - m.rest[m.ring_oval]
        pre[r0:r1] = m.rest[r0:r1] + m.ring_follow[:, None] * disp
        # Eye holes copy the lid margins; they read the eyeball at their unmoved place.
        r2 = m.lid_ranges[0][0]
        pre[r1:r2] = pre[m.eye_parent]
        pre[r2 : m.interior_first] = pre[m.lid_parent]
        src = m.src_rest.copy()
        for (a, b), eye, slot in zip(m.eye_ranges, m.eyeballs, m.eye_slots, strict=True):
            src[a:b] = pre[a:b, :2] - np.array(eye.box[:2], np.float32) + [slot.x0, slot.y0]
        # Lid margins read a little higher up the (lash-free) lid as they close.
        axis_y = fr.axes[:2, 1]
        for k in range(2):
            lift = deformed.lid_lift[k]
            if lift.any():
                src[m.lid_margin_copy[k]] -= (lift * fr.unit)[:, None] * axis_y[None, :]
        shade = np.ones(len(m.rest), np.float32)
        shade[:nd] = deformed.shade
        # A closing lid shades the eyeball; slivers left read as lashes.
        for (a, b), blink in zip(m.eye_ranges, deformed.blink, strict=True):
            if blink > 0.0:
                shade[a:b] = 1.0 - 0.75 * blink**3
        hu = deformed.q[m.hole_upper]
        hl = deformed.q[m.hole_lower]
        pivot = m.expression.jaw_pivot
        # Mouth interior layers: jaw rotation by each vertex's share.
        for part, (a, b) in zip(m.parts, m.part_ranges, strict=True):
            q = part.q
            if deformed.jaw_angle != 0.0:
                q = rotate_x(q, deformed.jaw_angle * part.jaw, *pivot)
            pre[a:b] = fr.to_image(q)
            shade[a:b] = interior_shade(part, q, hu, hl, m.expression.half_width)
        dst = head_transform(pre, m.head_weight, m.pivot, codes[_HEAD], m.face_height)
        rise = [
            np.stack([np.round(m.rest[i, 1] - pre[i, 1], 2).clip(0.0, None) for i in margins])
            for margins in zip(m.lid_margin, _LOWER_MARGIN, strict=True)
        ]
        eyes_changed = self._update_eyes(codes, rise)
        self._update_lids(deformed.blink)
        lids_moved = []
        for k, (a, b) in enumerate(m.eye_ranges):
            shifted = np.abs(pre[a:b, :2] - m.rest[a:b, :2]).max() > _MOVED
            lids_moved.append(bool(shifted) or self._lid_state[k] > 0.0)
        return dst, src, shade, eyes_changed, lids_moved

    def _update_lids(self, blink: tuple[float, float]) -> None:
        """Blend each lid image towards its lash-free version as the lid closes."""
        m = self.model
        for k, (patch, slot) in enumerate(zip(m.lids, m.lid_slots, strict=True)):
            amount = float(np.clip((blink[k] - 0.1) / 0.6, 0.0, 1.0)) ** 1.5
            if amount != self._lid_state[k]:
                img = patch.compose(amount)
                self._source[slot.y0 : slot.y0 + slot.h, slot.x0 : slot.x0 + slot.w, :3] = img
                self._lid_state[k] = amount

    def _update_eyes(self, codes: np.ndarray, rise: list[np.ndarray]) -> list[bool]:
        """Recompose the eyeball images for the gaze and the lid margins' (2, 9) rise in pixels
        (rounded: the image is rebuilt only when they change); returns which ones differ
        from rest."""
        m = self.model
        gx, gy = float(codes[INDEX["gaze_x"]]), float(codes[INDEX["gaze_y"]])
        changed = []
        for k, (eye, slot) in enumerate(zip(m.eyeballs, m.eye_slots, strict=True)):
            reach = EYEBALL_RADIUS * eye.iris_radius
            state = (
                reach * float(np.sin(np.radians(gx))),
                reach * float(np.sin(np.radians(gy))),
                float(np.cos(np.radians(min(abs(gx), 60.0))) ** 0.5),
                *rise[k].ravel().tolist(),
            )
            if state != self._eye_state[k]:
                img = eye.compose(state[:2], state[2], rise[k])
                self._source[slot.y0 : slot.y0 + slot.h, slot.x0 : slot.x0 + slot.w, :3] = img
                self._eye_state[k] = state
            changed.append(state != _EYE_REST)
        return changed


__all__ = ["Renderer"]
