"""The inside of the mouth, seen where the lips part: cavity, tongue, teeth.

Layers drawn behind the face mesh (back to front), each a small mesh in face coordinates
attached to the skull (angle weight 0) or to the jaw (1) or in between:

- cavity: dark, brightest near the lips and darkest deep inside (shaded per frame);
- tongue: jaw; a little above the lower teeth, so a small opening shows its top, and
  behind them in a wide one (it drops with the jaw, the teeth less);
- lower teeth: jaw, at a smaller share than the lower lip, so their tips show as the
  mouth opens;
- upper teeth: skull; the row does not move with the jaw, its edge curves up towards the
  corners and recedes (the dental arch), in the shadow of the upper lip;
- when the portrait shows its own mouth interior (teeth), its pixels: the part under the
  upper lip rides with the skull, the rest with the jaw; painted layers only show where the
  mouth opens further than in the portrait.

Real speakers' openings are mostly teeth and tongue, not a dark hole: over the real clips,
the opening's mean brightness is 0.61-0.84 of the lips' from its top band to its bottom
band, the bottom band the brightest (the lower teeth; the mouth-light table of
``bench/reenact.py``, measured by ``parlante.eval.mouth_light``).

Textures are painted once per portrait at the portrait's scale with its colours, grain and
softness (``appearance.Palette``).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from parlante.render.appearance import Palette
from parlante.render.fields import smoothstep

ARCH_RADIUS_UPPER = 0.33
"""D: radius of the upper dental arch (frontal teeth recede and narrow towards the corners)."""
ARCH_RADIUS_LOWER = 0.29
UPPER_TEETH_SHOW = 0.03
"""D: how far the upper incisors reach below the resting lip line (closed-mouth portraits)."""
LOWER_TEETH_BELOW = 0.006
"""D: lower incisor tips sit this far above the lower lip's inner line."""
UPPER_WIDTHS = (0.088, 0.07, 0.062, 0.058, 0.055, 0.055)
"""D: arch-length widths of the upper teeth from the midline out (incisors to molars)."""
LOWER_ARCH_DROP = 0.05
"""D: how far the lower teeth row drops behind the lip from the midline to the corners."""
LOWER_TEETH_JAW = 0.7
"""Share of the jaw rotation the lower teeth follow. Below 1 the lower lip drops further
than the teeth it rests on, baring their tips as the mouth opens."""
CAVITY_TINT = (0.4, 0.28, 0.27)
"""Mouth cavity colour as a fraction of the lip colour, per RGB channel."""
TONGUE_TINT = (0.7, 0.55, 0.57)
"""Tongue colour as a fraction of the lip colour."""
TONGUE_LIGHT = 0.9
"""Tongue shading on top of the light through the opening."""
TONGUE_RADIUS = 0.8
"""D: radius of the tongue's front arch (flatter than the teeth: a wider visible top)."""
TONGUE_TOP = 0.03
"""D: how far the tongue's top rises above the lower incisor tips."""
LOWER_WIDTHS = (0.056, 0.06, 0.062, 0.06, 0.058)
LIP_SHADOW = 0.38
"""Darkening just under the upper lip (it shades what is behind it)."""
LIP_SHADOW_REACH = 0.02
"""D: how far down that shadow reaches."""
DIM_FLOOR = 0.62
"""Light let in by a barely open mouth, as a fraction of a wide one's (every layer)."""
TEETH_LIGHT = 1.1
"""Teeth catch more light than the cavity shading around them gives (the brightest tenth of
a real speaker's opening is 1.2x the lips' brightness, median over 42 clips). 1.35 suited the
earlier, darker interior; with the interior lit as real openings are, 1.3 changed
self-reenactment identity by nothing (0.262 both, 42 clips), so it stays at 1.1."""


@dataclass
class InteriorPart:
    """One layer: a small mesh with its own texture (or the portrait's pixels)."""

    name: str
    q: np.ndarray
    """(K, 3) rest face coordinates."""
    jaw: np.ndarray
    """(K,) share of the jaw rotation each vertex follows."""
    uv: np.ndarray
    """(K, 2) pixel coordinates in ``texture`` (or in the portrait if texture is None)."""
    tris: np.ndarray
    """(T, 3) int32 local vertex indices."""
    texture: np.ndarray | None
    """(h, w, 3) uint8, or None: reads the portrait."""
    shaded: bool
    """Whether per-frame interior shading applies (not to the portrait's own pixels)."""
    tone: np.ndarray | None = None
    """(K,) fixed shading of an unshaded part (None: 1 everywhere)."""


def _grid_tris(rows: int, cols: int) -> np.ndarray:
    tris = []
    for r in range(rows - 1):
        for c in range(cols - 1):
            a, b = r * cols + c, r * cols + c + 1
            d, e = (r + 1) * cols + c, (r + 1) * cols + c + 1
            tris += [(a, b, e), (a, e, d)]
    return np.asarray(tris, np.int32)


def _noise(shape: tuple[int, int], palette: Palette, seed: int) -> np.ndarray:
    """Grain like the portrait's: white noise softened like the picture, (h, w) float32."""
    rng = np.random.default_rng(seed)
    n = rng.standard_normal(shape).astype(np.float32)
    if palette.blur > 0.3:
        n = cv2.GaussianBlur(n, (0, 0), palette.blur)
        n /= max(float(n.std()), 1e-6)
    return n * palette.grain


def _finish(rgb: np.ndarray, palette: Palette, seed: int) -> np.ndarray:
    rgb = rgb + _noise(rgb.shape[:2], palette, seed)[..., None]
    if palette.blur > 0.3:
        rgb = cv2.GaussianBlur(rgb, (0, 0), palette.blur)
    return np.clip(np.round(rgb), 0, 255).astype(np.uint8)


def _cavity_colour(palette: Palette) -> np.ndarray:
    return (palette.lip * np.array(CAVITY_TINT)).astype(np.float32)


def teeth_texture(
    half_span: float,
    height: float,
    px: float,
    widths: tuple[float, ...],
    palette: Palette,
    upper: bool,
    seed: int,
    crown: float | None = None,
) -> np.ndarray:
    """(h, w, 3) uint8 teeth row: columns = arch length -half_span..half_span (D), rows =
    height above the biting edge 0..height (D) (upper: edge at the bottom; lower: at the top)."""
    w = max(int(np.ceil(2 * half_span * px)) + 2, 4)
    h = max(int(np.ceil(height * px)) + 2, 4)
    s = (np.arange(w, dtype=np.float32) - 1 + 0.5) / px - half_span
    d = (np.arange(h, dtype=np.float32) - 1 + 0.5) / px  # from the texture's first row
    rise = height - d if upper else d  # distance from the biting edge
    s2, r2 = np.meshgrid(s, rise)
    edges = np.concatenate([[0.0], np.cumsum(widths)]).astype(np.float32)
    a = np.abs(s2)
    k = np.clip(np.searchsorted(edges, a) - 1, 0, len(widths) - 1)
    lo, hi = edges[k], edges[np.minimum(k + 1, len(edges) - 1)]
    t = np.clip((a - lo) / np.maximum(hi - lo, 1e-6) * 2.0 - 1.0, -1.0, 1.0)  # -1..1 across
    crown = (crown or (0.1 if upper else 0.075)) * (1.0 - 0.12 * k)
    # Rounded corners, back teeth shorter; the lower row's edge is worn flatter and its
    # separations fainter (seen at a bare lip's distance, notches read as a comb).
    worn = 1.0 if upper else 0.4
    edge_rise = worn * (0.007 * np.abs(t) ** 8 + 0.004 * k)
    gum_line = crown * (1.0 - 0.22 * t**2)
    tooth = (r2 >= edge_rise) & (r2 <= gum_line)
    gum = r2 > gum_line
    cavity = _cavity_colour(palette)
    base = palette.teeth.astype(np.float32)
    bright = (1.0 - 0.07 * k) * (0.9 + 0.1 * np.cos(t * np.pi / 2))
    gap_px = np.minimum(1.0 - np.abs(t), 1.0) * (hi - lo) * 0.5 * px  # pixels to the border
    # Separations: faint, clearer towards the biting edge; each tooth a little different.
    rng = np.random.default_rng(seed)
    jitter = 1.0 + 0.035 * rng.standard_normal(len(widths) * 2)
    bright = bright * jitter[k + len(widths) * (s2 > 0)]
    sep = worn * (0.08 + 0.12 * np.exp(-np.clip(r2, 0, None) / 0.02))
    bright = bright * (1.0 - sep * np.exp(-0.5 * (gap_px / 0.55) ** 2))
    bright = bright * (1.0 - 0.06 * np.clip(r2 / np.maximum(gum_line, 1e-3), 0, 1))
    rgb = base[None, None, :] * bright[..., None]
    near_edge = np.exp(-np.clip(r2 - edge_rise, 0, None) / 0.008)[..., None]
    translucent = base * np.array([0.72, 0.76, 0.84], np.float32)
    rgb = rgb * (1 - 0.55 * near_edge) + translucent * 0.55 * near_edge
    gum_rgb = palette.lip * np.array([1.0, 0.82, 0.84], np.float32) * 0.9
    rgb = np.where(gum[..., None], gum_rgb, rgb)
    rgb = np.where((~tooth & ~gum)[..., None], cavity, rgb)
    if not upper:
        rgb *= 0.8
    return _finish(rgb.astype(np.float32), palette, seed)


def tongue_texture(
    half_span: float, height: float, px: float, palette: Palette, seed: int
) -> np.ndarray:
    """(h, w, 3) uint8 tongue seen from the front: an arched top fading into the dark."""
    w = max(int(np.ceil(2 * half_span * px)) + 2, 4)
    h = max(int(np.ceil(height * px)) + 2, 4)
    s = (np.arange(w, dtype=np.float32) - 1 + 0.5) / px - half_span
    d = (np.arange(h, dtype=np.float32) - 1 + 0.5) / px  # depth below the top
    s2, d2 = np.meshgrid(s, d)
    top = 0.03 * (s2 / half_span) ** 2
    colour = palette.lip * np.array(TONGUE_TINT, np.float32)
    below = d2 - top
    # The top slopes back into shadow: fade in over ~0.03 D, brightest a little lower.
    rise = smoothstep(-0.005, 0.03, below)
    light = 0.65 + 0.35 * np.exp(-np.clip(below - 0.03, 0, None) / 0.05)
    groove = 1.0 - 0.1 * np.exp(-0.5 * (s2 / 0.015) ** 2)
    t = (rise * light * groove)[..., None]
    rgb = _cavity_colour(palette) * (1 - t) + colour * t
    return _finish(rgb.astype(np.float32), palette, seed)


def cavity_texture(
    width: float, height: float, px: float, palette: Palette, seed: int
) -> np.ndarray:
    """(h, w, 3) uint8 dark mouth cavity (its depth shading is per vertex, per frame)."""
    w = max(int(np.ceil(width * px)) + 2, 4)
    h = max(int(np.ceil(height * px)) + 2, 4)
    rgb = np.broadcast_to(_cavity_colour(palette), (h, w, 3)).astype(np.float32).copy()
    return _finish(rgb, palette, seed)


def _strip(
    centre_x: float,
    edge_y: np.ndarray,
    xs: np.ndarray,
    z_front: float,
    radius: float,
    half_span: float,
    rows: np.ndarray,
    upward: bool,
    px: float,
) -> tuple[np.ndarray, np.ndarray]:
    """A row of teeth (or a tongue) as a grid on an arch. Returns (K, 3) rest face
    coordinates and (K, 2) texture pixels. edge_y(x) via (xs, edge_y) samples."""
    cols = np.linspace(-half_span, half_span, 15)
    ang = np.clip(cols / radius, -1.45, 1.45)
    x = centre_x + radius * np.sin(ang)
    z = z_front + radius * (1.0 - np.cos(ang))
    ey = np.interp(x, xs, edge_y)
    q, uv = [], []
    height = float(rows[-1])
    for r in rows:
        y = ey - r if upward else ey + r
        q.append(np.stack([x, y, z], axis=1))
        v = (height - r) if upward else r
        uv.append(
            np.stack([(cols + half_span) * px + 1.0, np.full_like(cols, v * px + 1.0)], axis=1)
        )
    return np.concatenate(q).astype(np.float32), np.concatenate(uv).astype(np.float32)


def source_split(image: np.ndarray, upper_px: np.ndarray, lower_px: np.ndarray) -> float:
    """Where to cut a portrait's own open mouth between skull and jaw, as a fraction of the
    gap from the upper lip down: at a dark band with teeth below it, else all to the skull."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    ts = np.linspace(0.0, 1.0, 13)
    prof = []
    for k in range(3, 8):
        p = upper_px[k][None, :] * (1 - ts[:, None]) + lower_px[k][None, :] * ts[:, None]
        xi = np.clip(np.round(p[:, 0] - 0.5).astype(int), 0, grey.shape[1] - 1)
        yi = np.clip(np.round(p[:, 1] - 0.5).astype(int), 0, grey.shape[0] - 1)
        prof.append(grey[yi, xi])
    prof = np.mean(prof, axis=0)
    k = int(np.argmin(prof[1:-1])) + 1
    top, low = float(prof[: k + 1].max()), float(prof[k + 1 :].max())
    if prof[k] < 0.6 * top and low > prof[k] + 0.25 * (top - prof[k]):
        return float(ts[k])
    return 1.0


def build_interior(
    q: np.ndarray,
    hole_upper: np.ndarray,
    hole_lower: np.ndarray,
    px: float,
    palette: Palette,
    own: tuple[np.ndarray, np.ndarray, float] | None,
) -> list[InteriorPart]:
    """Interior layers, back to front.

    q: (N, 3) rest face coordinates of the face points; hole_upper / hole_lower: (11,)
    indices of the mouth-opening boundary (corners shared); px: pixels per D.
    own: for a portrait with an open mouth, ((11, 2), (11, 2)) pixel positions of its upper
    and lower inner lip lines and the skull/jaw split fraction; None otherwise.
    """
    hu = q[hole_upper]
    hl = q[hole_lower]
    mx = float(0.5 * (hu[0, 0] + hu[-1, 0]))
    half_w = float(0.5 * (hu[-1, 0] - hu[0, 0]))
    xs = hu[:, 0]
    z_lip = float(min(hu[5, 2], hl[5, 2]))
    parts: list[InteriorPart] = []

    # Cavity: rows hang from the skull (top) to the jaw (bottom), evenly, so they never fold.
    cols = np.linspace(mx - half_w - 0.14, mx + half_w + 0.14, 11)
    top = np.interp(cols, xs, hu[:, 1]) - 0.16
    offsets = np.array([0.0, 0.12, 0.22, 0.32, 0.45, 0.62])
    weights = np.array([0.0, 0.2, 0.45, 0.7, 0.9, 1.0])
    cq, cuv, cw = [], [], []
    width = float(cols[-1] - cols[0])
    for off, wgt in zip(offsets, weights, strict=True):
        cq.append(np.stack([cols, top + off, np.full_like(cols, z_lip + 0.3)], axis=1))
        cuv.append(
            np.stack([(cols - cols[0]) * px + 1.0, np.full_like(cols, off * px + 1.0)], axis=1)
        )
        cw.append(np.full_like(cols, wgt))
    parts.append(
        InteriorPart(
            "cavity",
            np.concatenate(cq).astype(np.float32),
            np.concatenate(cw).astype(np.float32),
            np.concatenate(cuv).astype(np.float32),
            _grid_tris(len(offsets), len(cols)),
            cavity_texture(width, float(offsets[-1]), px, palette, 11),
            True,
        )
    )

    across = ((hu[:, 0] - mx) / half_w) ** 2
    if own is None:
        upper_edge = hu[:, 1] + UPPER_TEETH_SHOW * (1.0 - across) + 0.004
    else:
        upper_edge = hu[:, 1] + own[2] * (hl[:, 1] - hu[:, 1])
    # Lower incisor tips peek over the lower lip in the middle; the arch drops out of
    # sight behind the lip towards the corners.
    lower_tip = hl[:, 1] - LOWER_TEETH_BELOW + LOWER_ARCH_DROP * across
    # Tongue (jaw): top a little above the lower teeth tips.
    span_t = min(half_w * 0.9, ARCH_RADIUS_LOWER * 1.2)
    rows_t = np.array([0.0, 0.02, 0.05, 0.1, 0.18])
    tq, tuv = _strip(
        mx, lower_tip - TONGUE_TOP, xs, z_lip + 0.1, TONGUE_RADIUS, span_t, rows_t, False, px
    )
    parts.append(
        InteriorPart(
            "tongue",
            tq,
            np.ones(len(tq), np.float32),
            tuv,
            _grid_tris(len(rows_t), 15),
            tongue_texture(span_t, float(rows_t[-1]), px, palette, 12),
            True,
        )
    )
    # Lower teeth (jaw).
    span_l = min(half_w * 1.05, sum(LOWER_WIDTHS))
    rows_l = np.array([0.0, 0.012, 0.03, 0.06, 0.1])
    lq, luv = _strip(mx, lower_tip, xs, z_lip + 0.05, ARCH_RADIUS_LOWER, span_l, rows_l, False, px)
    parts.append(
        InteriorPart(
            "lower_teeth",
            lq,
            np.full(len(lq), LOWER_TEETH_JAW, np.float32),
            luv,
            _grid_tris(len(rows_l), 15),
            teeth_texture(span_l, float(rows_l[-1]), px, LOWER_WIDTHS, palette, False, 13),
            True,
        )
    )
    # Upper teeth (skull).
    span_u = min(half_w * 1.1, sum(UPPER_WIDTHS))
    # A portrait showing its teeth shows how long they are: the painted row continues them
    # up to the gum under the lip.
    shown = 0.0 if own is None else float(np.max(upper_edge - hu[:, 1]))
    crown = max(0.1, shown + 0.05)
    rows_u = np.array([0.0, 0.008, 0.02, 0.04, 0.07, 0.11, 0.16, 0.24]) * max(
        1.0, (crown + 0.14) / 0.24
    )
    uq, uuv = _strip(mx, upper_edge, xs, z_lip + 0.03, ARCH_RADIUS_UPPER, span_u, rows_u, True, px)
    parts.append(
        InteriorPart(
            "upper_teeth",
            uq,
            np.zeros(len(uq), np.float32),
            uuv,
            _grid_tris(len(rows_u), 15),
            teeth_texture(span_u, float(rows_u[-1]), px, UPPER_WIDTHS, palette, True, 14, crown),
            True,
        )
    )
    if own is not None:
        up_px, lo_px, split = own
        cut_q = hu + split * (hl - hu)
        cut_px = up_px + split * (lo_px - up_px)
        # Skull part: the portrait's teeth, continued up under the lip (seen when the lip
        # lifts) by re-reading their own upper part, darker towards the gum.
        above_q = hu - np.array([0.0, 0.07, 0.0], np.float32)
        above_px = up_px + 0.15 * (lo_px - up_px)
        pq = np.concatenate([above_q, hu, cut_q]).astype(np.float32)
        puv = np.concatenate([above_px, up_px, cut_px]).astype(np.float32)
        tone = np.concatenate([np.full(len(hu), 0.7), np.ones(2 * len(hu))]).astype(np.float32)
        parts.append(
            InteriorPart(
                "own_upper",
                pq,
                np.zeros(len(pq), np.float32),
                puv,
                _grid_tris(3, len(hu)),
                None,
                False,
                tone,
            )
        )
        if split < 0.999:
            pq = np.concatenate([cut_q, hl]).astype(np.float32)
            puv = np.concatenate([cut_px, lo_px]).astype(np.float32)
            parts.append(
                InteriorPart(
                    "own_lower",
                    pq,
                    np.ones(len(pq), np.float32),
                    puv,
                    _grid_tris(2, len(hu)),
                    None,
                    False,
                )
            )
    return parts


def interior_shade(
    part: InteriorPart,
    q: np.ndarray,
    hole_upper_q: np.ndarray,
    hole_lower_q: np.ndarray,
    half_width: float,
) -> np.ndarray:
    """(K,) shading of one part's vertices at their current face coordinates ``q``.

    Light comes in through the opening: the upper lip shadows what is just under it, the
    cheeks darken the sides, small openings let little light in, and deep is dark.
    """
    if not part.shaded:
        return np.ones(len(q), np.float32) if part.tone is None else part.tone
    xs = hole_upper_q[:, 0]
    hu = np.interp(q[:, 0], xs, hole_upper_q[:, 1])
    hl = np.interp(q[:, 0], xs, hole_lower_q[:, 1])
    mx = float(0.5 * (xs[0] + xs[-1]))
    gap_c = float(np.interp(mx, xs, hole_lower_q[:, 1]) - np.interp(mx, xs, hole_upper_q[:, 1]))
    d_up = np.clip(q[:, 1] - hu, 0.0, None)
    d_low = np.clip(hl - q[:, 1], 0.0, None)
    shadow = 1.0 - LIP_SHADOW * np.exp(-d_up / LIP_SHADOW_REACH)
    side = 1.0 - 0.6 * np.clip(np.abs(q[:, 0] - mx) / max(half_width, 1e-3), 0, 1.2) ** 2
    openness = DIM_FLOOR + (1.0 - DIM_FLOOR) * smoothstep(0.02, 0.22, np.array(gap_c))
    shade = shadow * np.clip(side, 0.2, 1.0) * float(openness)
    if part.name == "cavity":
        depth = np.minimum(d_up, d_low)
        shade *= 0.55 + 0.9 * np.exp(-depth / 0.03)
    elif part.name == "tongue":
        shade *= TONGUE_LIGHT
    elif part.name.endswith("teeth"):
        shade *= TEETH_LIGHT
    return shade.astype(np.float32)
