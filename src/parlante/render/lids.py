"""Upper eyelids that can close: the lid skin without its lashes, for blinks.

A closing lid stretches the thin band of lid skin over the eyeball; stretched as it is, the
lashes smear into dark streaks. The triangles of each upper-lid patch therefore read an
atlas copy of the portrait's lid region in which the lashes and the eye are painted out
(skin continued from around them); the copy is blended in as the lid closes (exactly the
portrait when open), and a thin lash line is drawn along the closed lid instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class LidPatch:
    box: tuple[int, int, int, int]
    """(x0, y0, x1, y1) pixel bounds of the lid region in the portrait."""
    region: np.ndarray
    """(h, w, 3) float32 portrait pixels."""
    bare: np.ndarray
    """(h, w, 3) float32 the region with lashes and eye painted out (soft-edged)."""

    def compose(self, amount: float) -> np.ndarray:
        """(h, w, 3) uint8: the portrait (0) .. the bare lid (1)."""
        out = self.region + float(amount) * (self.bare - self.region)
        return np.clip(np.round(out), 0, 255).astype(np.uint8)


def build_lid_patch(
    image: np.ndarray, box: tuple[int, int, int, int], upper: np.ndarray, lower: np.ndarray
) -> LidPatch:
    """Lid patch of an (S, S, 3) uint8 portrait over ``box``; upper / lower: (9, 2) lid-margin
    pixels (landmark coordinates)."""
    x0, y0, x1, y1 = box
    region = image[y0:y1, x0:x1].astype(np.float32)
    h, w = region.shape[:2]
    height = max(float(np.max(lower[:, 1] - upper[:, 1])), 2.0)
    offset = np.array([x0 + 0.5, y0 + 0.5], np.float32)
    # Paint out the opening and the lashes above it (a band ~0.45 of the opening high).
    mask = np.zeros((h, w), np.uint8)
    outline = np.concatenate([upper, lower[::-1]]) - offset
    cv2.fillPoly(mask, [np.round(outline * 4).astype(np.int32)], 255, cv2.LINE_8, shift=2)
    reach = max(int(round(0.45 * height)), 2)
    kernel = np.zeros((2 * reach + 1, 3), np.uint8)
    kernel[reach:, :] = 1  # dilating with it grows the mask upwards (lashes above)
    mask = cv2.dilate(mask, kernel, anchor=(1, reach))
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    # Paint the lid skin in from above and the sides only: below the painted-out area is
    # treated as unknown too, so the lower lid does not bleed in.
    cover = mask > 0
    first = np.where(cover.any(axis=0), cover.argmax(axis=0), h)
    below = (np.arange(h)[:, None] >= first[None, :]) & cover.any(axis=0)[None, :]
    unknown = (below | cover).astype(np.uint8)
    src8 = np.clip(np.round(region), 0, 255).astype(np.uint8)
    painted = cv2.inpaint(src8, unknown, max(reach, 3), cv2.INPAINT_TELEA).astype(np.float32)
    # Over the eye itself, continue each column's lid skin (just above the lashes) down,
    # smoothed across columns: a closed lid has the tone of the lid above its lashes, not of
    # the cheek or temple beside the eye. Towards the corners, blend to the painted skin.
    cols = np.flatnonzero(cover.any(axis=0))
    if len(cols) >= 2:
        above = np.zeros((w, 3), np.float32)
        lum = region @ np.array([0.3, 0.59, 0.11], np.float32)
        band = max(int(round(1.0 * height)), 3)
        for x in cols:
            # Skin above the lashes: the brighter part of a band above them (lashes, liner
            # and the crease are darker).
            y1 = max(int(first[x]) - 1, 0)
            y0 = max(y1 - band, 0)
            seg = lum[y0 : y1 + 1, x]
            pick = seg >= np.percentile(seg, 60)
            above[x] = region[y0 : y1 + 1, x][pick].mean(axis=0)
        xs = np.arange(w)
        above = np.stack([np.interp(xs, cols, above[cols, k]) for k in range(3)], axis=1)
        above = cv2.GaussianBlur(above[None], (0, 0), max(0.12 * len(cols), 1.0))[0]
        span = (xs - cols[0]) / max(cols[-1] - cols[0], 1)
        centre_w = np.clip(1.0 - np.abs(2.0 * span - 1.0) ** 4, 0.0, 1.0)[None, :, None]
        painted = painted + centre_w * (above[None, :, :] - painted)
    painted = cv2.GaussianBlur(painted, (0, 0), 1.0)
    # A closed lid curves away from the light towards its lashes; give it the picture's grain.
    depth = np.clip((np.arange(h)[:, None] - first[None, :]) / max(1.2 * height, 1.0), 0, 1)
    painted *= (1.0 - 0.15 * depth)[..., None]
    grey = cv2.cvtColor(src8, cv2.COLOR_RGB2GRAY).astype(np.float32)
    detail = grey - cv2.GaussianBlur(grey, (0, 0), 1.5)
    grain = float(np.std(detail[~(below | cover)])) if (~(below | cover)).any() else 1.0
    noise = np.random.default_rng(7).standard_normal((h, w)).astype(np.float32)
    painted += 0.8 * grain * cv2.GaussianBlur(noise, (0, 0), 0.6)[..., None]
    painted = np.where(cover[..., None], painted, region)
    soft = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), 1.0)[..., None]
    bare = region + soft * (painted - region)
    return LidPatch(box, region, bare.astype(np.float32))
