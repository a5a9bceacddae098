"""Eyeballs: what shows between the lids, with the iris free to move for gaze.

The eye opening is a hole in the face mesh; the renderer closes it with triangles that read
an eyeball image, rigid with the head (the lids slide over it). Per eye, that image is
rebuilt for each gaze from a clean model of the eye:

- a sclera plate: per column, the colour of the whites seen beside the iris, carried across
  the iris and beyond the lids (shaded darker under the upper lid), and
- an iris disc: the portrait's iris where it shows, completed where the lids hid it by
  mirroring its visible half,

as ``portrait + model(gaze) - model(no gaze)`` inside the opening (the portrait's own detail,
lash shadows and catch-lights stay, only the iris moves) and ``model(gaze)`` outside it
(seen when the lids open wider). With no gaze the image is exactly the portrait.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

EYEBALL_RADIUS = 2.0
"""Eyeball radius in iris radii (12 mm / 6 mm): a gaze angle moves the iris by R sin(angle)."""
LASH_BAND = (0.2, 0.35)
"""Band under the upper lid margin, in eye openings (whole to none), whose pixels belong to
the lid (its lashes and their shadow), not to the eyeball. MediaPipe's margin points sit on
the lash line, so the dark lower half of that line lies inside the opening: read from the
rigid eyeball, it stayed put as the lid rose, and the eye looked (and read: +4 % opening
for the mesh's +37 %) hardly any wider, with a grey band of lid over it."""
LOWER_LASH_BAND = (0.1, 0.2)
"""The same above the lower margin (its lash line and wet rim), carried up as the lower lid
rises (squint): else the rising lid covered it with plain skin."""


@dataclass
class Eyeball:
    box: tuple[int, int, int, int]
    """(x0, y0, x1, y1) pixel bounds of the eye region in the portrait."""
    region: np.ndarray
    """(h, w, 3) float32 portrait pixels of the region."""
    opening: np.ndarray
    """(h, w) float32 in [0, 1]: where the portrait shows the eyeball."""
    plate: np.ndarray
    """(h, w, 3) float32 sclera plate."""
    iris: np.ndarray
    """(h, w, 3) float32 completed iris colour (meaningful inside the disc)."""
    iris_alpha: np.ndarray
    """(h, w) float32 soft disc."""
    centre: np.ndarray
    """(2,) iris centre, pixels of the region (array indices)."""
    radius: float
    """Radius, pixels, of the iris disc that moves (the visible iris and its dark rim)."""
    iris_radius: float
    """Iris radius, pixels, as the landmarks give it (sets how far a gaze angle moves it)."""
    limits: np.ndarray
    """(2, 2) [[dx_min, dx_max], [dy_min, dy_max]] allowed iris shift, pixels."""
    lash: np.ndarray
    """(2, h, w) float32 in [0, 1]: the bands of the opening under the upper margin and above
    the lower one that move with their lid (``LASH_BAND``, ``LOWER_LASH_BAND``)."""
    margin_x: np.ndarray
    """(2, 9) x of the upper and lower margin points, pixels of the region (array indices)."""

    def _model(self, dx: float, dy: float, squash: float) -> np.ndarray:
        if dx == 0.0 and dy == 0.0 and squash == 1.0:
            col, a = self.iris, self.iris_alpha
        else:
            cx, cy = self.centre
            m = np.array([[squash, 0.0, cx + dx - squash * cx], [0.0, 1.0, dy]], np.float32)
            h, w = self.iris_alpha.shape
            col = cv2.warpAffine(
                self.iris, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
            )
            a = cv2.warpAffine(
                self.iris_alpha, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
            )
        return self.plate + a[..., None] * (col - self.plate)

    def compose(
        self, shift: tuple[float, float], squash: float, lift: np.ndarray | None = None
    ) -> np.ndarray:
        """(h, w, 3) uint8 eyeball with the iris moved by ``shift`` (dx, dy) pixels (clipped to
        stay in the eye) and narrowed to ``squash`` of its width (an eye turned sideways).

        lift: (2, 9) how far each upper and lower margin point has risen, pixels: a rising
        upper lid (widened eyes) carries its lash band up and uncovers the clean eyeball, a
        rising lower lid (squint) carries its own band up over the ball."""
        dx = float(np.clip(shift[0], *self.limits[0]))
        dy = float(np.clip(shift[1], *self.limits[1]))
        o = self.opening[..., None]
        moved = self._model(dx, dy, squash)
        if dx == 0.0 and dy == 0.0 and squash == 1.0:
            out = o * self.region + (1.0 - o) * moved
        else:
            still = self._model(0.0, 0.0, 1.0)
            out = o * (self.region + moved - still) + (1.0 - o) * moved
        if lift is not None and float(np.max(lift)) > 0.0:
            h, w = self.opening.shape
            grid = np.mgrid[0:h, 0:w].astype(np.float32)
            for k, clean in ((1, None), (0, moved)):  # lower first: the upper band is over it
                if float(np.max(lift[k])) > 0.0:
                    out = self._carry(out, k, np.clip(lift[k], 0.0, None), clean, grid)
        return np.clip(np.round(out), 0, 255).astype(np.uint8)

    def _carry(
        self,
        out: np.ndarray,
        k: int,
        lift: np.ndarray,
        clean: np.ndarray | None,
        grid: np.ndarray,
    ) -> np.ndarray:
        """``out`` with lash band ``k`` carried up by ``lift`` (over ``clean`` where it was, if
        given); blended in over the first pixel of lift so that the image is continuous from
        rest. grid: (2, h, w) float32 row and column of each pixel."""
        band_w = self.lash[k]
        yy, xx = grid
        up = np.interp(xx[0], self.margin_x[k], lift).astype(np.float32)
        ys = yy + up[None, :]
        band = cv2.remap(out, xx, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        weight = cv2.remap(band_w, xx, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        under = out if clean is None else out + band_w[..., None] * (clean - out)
        layered = under + weight[..., None] * (band - under)
        ramp = np.clip(up, 0.0, 1.0)[None, :, None]
        return out + ramp * (layered - out)


def _poly(shape: tuple[int, int], pts: np.ndarray, offset: np.ndarray) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round((pts - offset) * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
    return m.astype(np.float32) / 255.0


def build_eyeball(
    image: np.ndarray, upper: np.ndarray, lower: np.ndarray, iris: np.ndarray, sclera: np.ndarray
) -> Eyeball:
    """Eyeball of one eye of an (S, S, 3) uint8 portrait.

    upper / lower: (9, 2) lid-margin pixels (shared corners); iris: (5, 2) centre then rim
    points; sclera: (3,) fallback white colour.
    """
    size = image.shape[0]
    width = float(upper[-1, 0] - upper[0, 0])
    height = float(np.max(lower[:, 1] - upper[:, 1]))
    height = max(height, 2.0, 0.15 * width)
    x0 = int(np.floor(min(upper[:, 0].min(), lower[:, 0].min()) - 0.15 * width - 2))
    x1 = int(np.ceil(max(upper[:, 0].max(), lower[:, 0].max()) + 0.15 * width + 2))
    y0 = int(np.floor(upper[:, 1].min() - 0.7 * height - 2))
    y1 = int(np.ceil(lower[:, 1].max() + 0.4 * height + 2))
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = max(min(x1, size), x0 + 4), max(min(y1, size), y0 + 4)
    offset = np.array([x0, y0], np.float32) + 0.5  # landmark position of pixel (0, 0)'s centre
    region = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
    crop = image[y0:y1, x0:x1].astype(np.float32)
    region[: crop.shape[0], : crop.shape[1]] = crop
    h, w = region.shape[:2]
    outline = np.concatenate([upper, lower[::-1]])
    opening = _poly((h, w), outline, offset)
    centre = (iris[0] - offset).astype(np.float32)
    # MediaPipe's iris rim sits a little inside the dark limbal ring: take that in too.
    iris_radius = max(float(np.mean(np.linalg.norm(iris[1:] - iris[0], axis=1))), 1.0)
    radius = 1.1 * iris_radius + 0.3
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dist = np.hypot(xx - centre[0], yy - centre[1])
    alpha = np.clip((radius + 0.75 - dist) / 1.5, 0.0, 1.0).astype(np.float32)
    inner = cv2.erode(opening, np.ones((3, 3), np.uint8)) > 0.99

    # Sclera plate: the clear whites as they are; across the iris, row by row, the whites
    # beside it; beyond the lids the nearest row's whites, darker (the lids shade the ball).
    lum = region @ np.array([0.3, 0.59, 0.11], np.float32)
    candidates = (opening > 0.5) & (dist > radius + 1.0)
    fallback = np.asarray(sclera, np.float32) * 0.85
    plate = np.broadcast_to(fallback, (h, w, 3)).astype(np.float32).copy()
    if candidates.sum() >= 3:
        # Whites are picked on each side of the iris by that side's own brightness: the
        # side the light comes from can be twice as bright, and a shared threshold kept
        # only its whites, which then filled the shaded side's strip a moving iris uncovers
        # with a bright crescent.
        whites = np.zeros_like(candidates)
        for side in (xx < centre[0], xx >= centre[0]):
            pick = candidates & side
            if pick.sum() >= 3:
                whites |= pick & (lum >= 0.7 * np.percentile(lum[pick], 90))
        rows = [y for y in range(h) if whites[y].any()]
        xs = np.arange(w)
        for y in rows:
            cols = np.flatnonzero(whites[y])
            for k in range(3):
                plate[y, :, k] = np.interp(xs, cols, region[y, cols, k])
        if rows:
            rows_arr = np.array(rows)
            for y in range(h):
                if not whites[y].any():
                    near = rows_arr[np.argmin(np.abs(rows_arr - y))]
                    plate[y] = plate[near]
        plate = np.where(whites[..., None], region, cv2.GaussianBlur(plate, (0, 0), 0.8))
    away = cv2.distanceTransform((opening < 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    outside = np.clip(away / max(0.35 * height, 1.0), 0.0, 1.0)
    plate = plate * (1.0 - 0.25 * outside[..., None])
    # Iris: the portrait's where it shows; hidden parts mirrored top/bottom, else left/right,
    # else the mean iris colour.
    seen = inner & (dist <= radius)
    # Fallback for iris parts hidden top and bottom: the visible iris's colour at the same
    # distance from the centre (irises are radially patterned), else its mean.
    mean_iris = region[seen].mean(axis=0) if seen.any() else fallback * 0.35
    ring = np.clip(np.round(dist).astype(int), 0, int(np.ceil(radius)) + 1)
    radial = np.tile(mean_iris, (int(np.ceil(radius)) + 2, 1)).astype(np.float32)
    for k in range(len(radial)):
        sel = seen & (ring == k)
        if sel.sum() >= 2:
            radial[k] = region[sel].mean(axis=0)
    xi = np.clip(np.round(xx).astype(int), 0, w - 1)
    my = np.clip(np.round(2 * centre[1] - yy).astype(int), 0, h - 1)
    mx = np.clip(np.round(2 * centre[0] - xx).astype(int), 0, w - 1)
    fill = np.where(seen[my, mx][..., None], region[my, mx], radial[ring])
    fill = np.where(seen[my, xi][..., None], region[my, xi], fill)
    col = np.where(seen[..., None], region, fill).astype(np.float32)
    # Keep the iris inside the eye: its centre may travel to ~0.75 radius from the corners.
    lo_x = float(upper[0, 0] - offset[0] + 0.75 * radius - centre[0])
    hi_x = float(upper[-1, 0] - offset[0] - 0.75 * radius - centre[0])
    if lo_x > hi_x:
        lo_x = hi_x = 0.0
    limits = np.array(
        [[min(lo_x, 0.0), max(hi_x, 0.0)], [-0.45 * radius, 0.45 * radius]], np.float32
    )
    # The lash bands: depth under the upper margin / above the lower one, in openings.
    bands = []
    for margin, sign, (near, far) in ((upper, 1.0, LASH_BAND), (lower, -1.0, LOWER_LASH_BAND)):
        edge = np.interp(xx[0], margin[:, 0] - offset[0], margin[:, 1] - offset[1])
        depth = sign * (yy - edge[None, :]) / height
        bands.append(np.clip((far - depth) / (far - near), 0.0, 1.0) * (opening > 0.0))
    lash = np.stack(bands).astype(np.float32)
    # Within the opening keep the portrait exactly; its edge is softened over ~1 px.
    grown = cv2.dilate((opening > 0.0).astype(np.float32), np.ones((3, 3), np.uint8))
    keep = np.maximum(cv2.GaussianBlur(grown, (0, 0), 0.7), (opening > 0.0).astype(np.float32))
    return Eyeball(
        (x0, y0, x1, y1),
        region,
        np.clip(keep, 0, 1),
        plate,
        col,
        alpha,
        centre,
        radius,
        iris_radius,
        limits,
        lash,
        np.stack([upper[:, 0], lower[:, 0]]).astype(np.float32) - offset[0],
    )
