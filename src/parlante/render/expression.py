"""Expression model: motion codes -> displaced face-mesh points (face coordinates, units D).

Most channels are linear shapes (a displacement and a shading change per point, precomputed
once per portrait from smooth fields around the mouth corners, lips, lids and brows). Three
things are not linear and are applied afterwards, in this order:

1. the jaw, a rotation about an axis through both jaw joints (near the ears), each point
   rotated by its own weight: 1 on the lower lip and chin, fading across the cheeks along the
   line from the mouth corner to the ear, 0 on the upper lip and above;
2. lip press (p/b/m) and lip tuck (f/v), which close the lips whatever the jaw does: the gap
   between the lips is measured column by column and shut by moving the lips' regions;
3. blinks, which bring each upper lid down to just above the lower lid wherever the other
   channels have put them, the skin above following part of the way.

Upper and lower lip points are assigned to their lip by index (``topology``), never by a
geometric inside/outside test on the inner lip line: with the mouth closed the two inner
lines coincide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parlante.motion.channels import CHANNELS, INDEX
from parlante.render import topology as tp
from parlante.render.fields import curve_y, gauss, polygon_inside, rotate_x, smoothstep, window

LINEAR_CHANNELS: tuple[str, ...] = (
    "lip_round",
    "lip_spread",
    "upper_lip_raise",
    "smile",
    "mouth_down",
    "eye_wide",
    "squint",
    "brow_raise",
    "brow_inner_up",
    "brow_furrow",
)

JAW_GAP_FULL = 0.45
"""Inner-lip gap at jaw_open = 1, in D (outer-eye-corner distances): the widest plausible."""
JAW_LIP_LIFT = 0.02
"""Upper-lip lift at jaw_open = 1, D: the upper lip follows the opening a little."""
BLINK_MEET = 0.88
"""Where closed lids meet, as a fraction of the opening from the upper lid down."""
PRESS_UPPER_SHARE = 0.35
"""Share of a gap the upper lip covers when the lips press shut (the lower lip does more)."""
ROUND_OPENING = 0.07
"""D: height of the small round opening of fully rounded lips."""


@dataclass(frozen=True)
class EyeRig:
    """One eye's lid margins and how the skin around it follows them."""

    upper: np.ndarray
    """(9,) vertex indices of the upper lid margin, corner to corner, image left to right."""
    lower: np.ndarray
    """(9,) lower lid margin, same corners."""
    follow_up: np.ndarray
    """(N,) how much each point follows the upper margin when the lid closes."""
    follow_down: np.ndarray
    """(N,) how much each point follows the lower margin when it rises."""
    band: np.ndarray
    """(9,) D: height of the lid band above each upper-margin point (a closing margin reads
    a little way up it)."""
    height: float
    """D: largest opening of this eye at rest."""


@dataclass
class Deformed:
    """One frame's face shape."""

    q: np.ndarray
    """(N, 3) face coordinates of the deformable points."""
    shade: np.ndarray
    """(N,) shading factor (1 = as in the portrait)."""
    lid_lift: np.ndarray
    """(2, 9) D: upward source shift of the upper lid margins (image-left eye first)."""
    jaw_angle: float
    """Radians of jaw rotation."""
    blink: tuple[float, float]
    """Closure of the (image-left, image-right) eye actually applied, 0..1."""


class ExpressionModel:
    """Precomputed per portrait; ``deform`` maps a frame's codes to points, cheaply."""

    def __init__(
        self,
        q: np.ndarray,
        hole_upper: np.ndarray,
        hole_lower: np.ndarray,
        upper_extra: np.ndarray,
        lower_extra: np.ndarray,
        rest_gap: float,
    ) -> None:
        """q: (N, 3) rest face coordinates: the 468 mesh points, then any extra points.

        hole_upper / hole_lower: (11,) indices of the points bounding the mouth opening from
        above / below (corners shared), image left to right. upper_extra / lower_extra:
        indices of extra points that belong to the upper / lower lip. rest_gap: D, the
        portrait's own inner-lip gap at the centre.
        """
        self.q0 = q.astype(np.float32)
        n = len(q)
        self.n = n
        self.hole_upper = hole_upper
        self.hole_lower = hole_lower
        self.rest_gap = float(rest_gap)
        p = self.q0
        corner_l, corner_r = p[tp.LIP_OUTER_UPPER[0]], p[tp.LIP_OUTER_UPPER[-1]]
        self.mouth_centre = 0.5 * (p[13] + p[14])
        half_w = 0.5 * float(corner_r[0] - corner_l[0])
        self.half_width = half_w
        mx = float(self.mouth_centre[0])
        u = np.clip(np.abs(p[:, 0] - mx) / half_w, 0.0, 1.5)
        side = np.sign(p[:, 0] - mx)

        # Lip membership, by index (contours) and by lip area (points inside each lip).
        contour = set(
            tp.LIP_OUTER_UPPER + tp.LIP_INNER_UPPER + tp.LIP_OUTER_LOWER + tp.LIP_INNER_LOWER
        )
        poly_u = np.concatenate(
            [p[list(tp.LIP_OUTER_UPPER), :2], p[list(tp.LIP_INNER_UPPER[::-1]), :2]]
        )
        poly_l = np.concatenate(
            [p[list(tp.LIP_OUTER_LOWER), :2], p[list(tp.LIP_INNER_LOWER[::-1]), :2]]
        )
        free = np.array([i < tp.N_FACE and i not in contour for i in range(n)])
        lip_u = np.zeros(n, bool)
        lip_l = np.zeros(n, bool)
        lip_u[list(tp.LIP_OUTER_UPPER[1:-1] + tp.LIP_INNER_UPPER[1:-1])] = True
        lip_l[list(tp.LIP_OUTER_LOWER[1:-1] + tp.LIP_INNER_LOWER[1:-1])] = True
        lip_u |= free & polygon_inside(p[:, :2], poly_u)
        lip_l |= free & polygon_inside(p[:, :2], poly_l)
        lip_u[upper_extra] = True
        lip_l[lower_extra] = True
        corners = list(tp.LIP_OUTER_UPPER[::10] + tp.LIP_INNER_UPPER[::10])
        self.lip_u, self.lip_l = lip_u, lip_l
        # Thickness parameter tau: 0 on the inner lip line, 1 on the outer one.
        y_in_u = curve_y(p[list(tp.LIP_INNER_UPPER), :2], p[:, 0])
        y_out_u = curve_y(p[list(tp.LIP_OUTER_UPPER), :2], p[:, 0])
        y_in_l = curve_y(p[list(tp.LIP_INNER_LOWER), :2], p[:, 0])
        y_out_l = curve_y(p[list(tp.LIP_OUTER_LOWER), :2], p[:, 0])
        tau_u = np.clip((y_in_u - p[:, 1]) / np.maximum(y_in_u - y_out_u, 1e-3), 0, 1) * lip_u
        tau_l = np.clip((p[:, 1] - y_in_l) / np.maximum(y_out_l - y_in_l, 1e-3), 0, 1) * lip_l
        # Regions that move with each lip: the lip, then fading skin above / below it.
        above = np.clip(y_out_u - p[:, 1], 0.0, None)
        below = np.clip(p[:, 1] - y_out_l, 0.0, None)
        span = window(p[:, 0], float(corner_l[0]), float(corner_r[0]), 0.12)
        lip_side_u = p[:, 1] < 0.5 * (y_in_u + y_in_l)
        self.w_upper = np.where(
            lip_u, 1.0, np.where(lip_side_u & ~lip_l, np.exp(-above / 0.07) * span, 0.0)
        ).astype(np.float32)
        self.w_lower = np.where(
            lip_l, 1.0, np.where(~lip_side_u & ~lip_u, np.exp(-below / 0.14) * span, 0.0)
        ).astype(np.float32)
        for c in corners:
            self.w_upper[c] = self.w_lower[c] = 0.5
        # Near the corners both lips are held together.
        taper = (1.0 - np.clip(u, 0.0, 1.0) ** 3).astype(np.float32)
        self.w_upper_c = self.w_upper * taper
        self.w_lower_c = self.w_lower * taper

        # --- Jaw weights --------------------------------------------------------------
        ear_l, ear_r = p[234], p[454]
        jaw = np.zeros(n, np.float32)
        for s, c, e in ((-1.0, corner_l, ear_l), (1.0, corner_r, ear_r)):
            e = e.copy()
            e[1] += 0.12
            d = e[:2] - c[:2]
            length = float(np.hypot(*d))
            t = np.clip(((p[:, :2] - c[:2]) @ d) / length**2, 0.0, 1.0)
            normal = np.array([-d[1], d[0]]) / length * s  # points down, into the jaw
            dist = (p[:, :2] - c[:2]) @ normal
            soft = 0.03 + 0.3 * t
            w_line = smoothstep(-1.0, 1.0, dist / soft)
            beyond = side == s
            w_mid = smoothstep(-0.03, 0.03, p[:, 1] - 0.5 * (y_in_u + y_in_l))
            # Blend from the mouth-width rule to the line rule across the corner.
            k = smoothstep(0.85, 1.1, u)
            jaw = np.where(beyond, (1.0 - k) * w_mid + k * w_line, jaw)
        jaw[lip_u] = 0.5 * np.clip(u[lip_u], 0.0, 1.0) ** 4
        jaw[lip_l] = 1.0 - 0.5 * np.clip(u[lip_l], 0.0, 1.0) ** 4
        for c in corners:
            jaw[c] = 0.5
        self.w_jaw = jaw.astype(np.float32)
        self.jaw_pivot = (
            float(0.5 * (ear_l[1] + ear_r[1]) + 0.1),
            float(0.5 * (ear_l[2] + ear_r[2]) + 0.15),
        )
        # Jaw angle per unit of jaw_open: the lower hole line's centre drops by the target
        # gap (less what the upper lip lift adds), relative to the portrait's own gap.
        lo_c = self.q0[hole_lower[5]]
        test = rotate_x(lo_c[None, :], np.array([0.1]), *self.jaw_pivot)[0]
        drop_per_rad = float(test[1] - lo_c[1]) / 0.1
        target = max(JAW_GAP_FULL - self.rest_gap, 0.12) - JAW_LIP_LIFT * (self.rest_gap == 0.0)
        self.jaw_full = target / max(drop_per_rad, 0.2)

        # --- Linear shapes ------------------------------------------------------------
        basis = np.zeros((len(LINEAR_CHANNELS), n, 3), np.float32)
        shade = np.zeros((len(LINEAR_CHANNELS), n), np.float32)
        li = {name: k for k, name in enumerate(LINEAR_CHANNELS)}
        kl = gauss(p, corner_l, 0.5 * half_w, 0.14)
        kr = gauss(p, corner_r, 0.5 * half_w, 0.14)
        lips = (lip_u | lip_l).astype(np.float32)
        mouth = p[:, :2] - self.mouth_centre[:2]
        # lip_spread: corners out, lips a little thinner.
        b = basis[li["lip_spread"]]
        b[:, 0] = 0.065 * (kr - kl)
        b[:, 1] = 0.012 * tau_u - 0.012 * tau_l
        # lip_round: the mouth gathers towards its centre (corners in, lips bunched), the
        # lips evert (outer edges out) and come forward, a small round opening; light
        # catches the lower lip, which shades the skin under it, the corners fold in.
        b = basis[li["lip_round"]]
        gather = np.exp(-0.5 * (np.clip(np.abs(mouth[:, 1]) - 0.03, 0, None) / 0.16) ** 2)
        gather *= np.exp(-0.5 * (np.clip(np.abs(mouth[:, 0]) - half_w, 0, None) / 0.2) ** 2)
        b[:, 0] = -0.38 * mouth[:, 0] * gather
        b[:, 1] = -0.06 * mouth[:, 1] * gather
        full = np.clip(1.0 - u**2, 0.0, 1.0)
        b[:, 1] += -0.02 * tau_u * full + 0.025 * tau_l * full
        ring_open = np.sqrt(np.clip(1.0 - (u / 0.5) ** 2, 0.0, 1.0))
        b[:, 1] += -0.022 * ring_open * self.w_upper_c + 0.03 * ring_open * self.w_lower_c
        b[:, 2] = -0.06 * gather
        sh = shade[li["lip_round"]]
        lower_lip = np.array([mx, float(0.5 * (p[14, 1] + p[17, 1]))])
        sh += 0.06 * gauss(p, lower_lip, 0.45 * half_w, 0.03)
        sh -= 0.1 * gauss(p, lower_lip + [0, 0.07], 0.5 * half_w, 0.035)
        sh -= 0.1 * (
            gauss(p, corner_l + [0.3 * half_w, 0, 0], 0.06, 0.05)
            + gauss(p, corner_r - [0.3 * half_w, 0, 0], 0.06, 0.05)
        )
        # upper_lip_raise: the upper lip lifts, more beside the centre, baring teeth.
        b = basis[li["upper_lip_raise"]]
        prof = np.clip(1.0 - u**4, 0.0, 1.0) * (0.8 + 0.2 * np.clip(u * 2, 0, 1))
        b[:, 1] = -0.055 * self.w_upper_c * prof
        sh = shade[li["upper_lip_raise"]]
        nasolabial_l = np.array([float(corner_l[0]) - 0.03, float(corner_l[1]) - 0.16])
        nasolabial_r = np.array([float(corner_r[0]) + 0.03, float(corner_r[1]) - 0.16])
        fold = gauss(p, nasolabial_l, 0.05, 0.12) + gauss(p, nasolabial_r, 0.05, 0.12)
        sh -= 0.06 * fold * (1 - lips)
        # smile: corners up and back, cheeks up, the lower lids rise a little.
        b = basis[li["smile"]]
        b[:, 0] = 0.05 * (kr - kl)
        b[:, 1] = -0.065 * (kr + kl)
        cheek_l = np.array([float(corner_l[0]) - 0.05, float(corner_l[1]) - 0.3])
        cheek_r = np.array([float(corner_r[0]) + 0.05, float(corner_r[1]) - 0.3])
        ck_l, ck_r = gauss(p, cheek_l, 0.17, 0.2), gauss(p, cheek_r, 0.17, 0.2)
        b[:, 0] += 0.012 * (ck_r - ck_l)
        b[:, 1] -= 0.035 * (ck_l + ck_r)
        shade[li["smile"]] += -0.1 * fold * (1 - lips) + 0.04 * (ck_l + ck_r) * (1 - lips)
        # mouth_down: corners down, lower lip pulled down and out a little.
        b = basis[li["mouth_down"]]
        b[:, 0] = 0.012 * (kr - kl)
        b[:, 1] = 0.05 * (kr + kl) + 0.015 * tau_l * (1 - u**2).clip(0)
        shade[li["mouth_down"]] -= 0.05 * (
            gauss(p, corner_l + [0, 0.1, 0], 0.06, 0.1)
            + gauss(p, corner_r + [0, 0.1, 0], 0.06, 0.1)
        )

        # --- Eyes -------------------------------------------------------------------
        self.eyes = (
            self._eye(p, np.array(tp.EYE_L_UPPER), np.array(tp.EYE_L_LOWER)),
            self._eye(p, np.array(tp.EYE_R_UPPER), np.array(tp.EYE_R_LOWER)),
        )
        for eye in self.eyes:
            up_y = curve_y(p[eye.upper, :2], p[:, 0])
            lo_y = curve_y(p[eye.lower, :2], p[:, 0])
            opening = np.clip(lo_y - up_y, 0.0, None)
            above = np.clip(up_y - p[:, 1], 0.0, None)
            below = np.clip(p[:, 1] - lo_y, 0.0, None)
            x0, x1 = float(p[eye.upper[0], 0]), float(p[eye.upper[-1], 0])
            win = window(p[:, 0], x0, x1, 0.06)
            is_up = p[:, 1] <= up_y + 1e-6
            is_lo = (p[:, 1] >= lo_y - 1e-6) & ~is_up
            up_w = np.where(is_up, np.exp(-above / (0.3 * eye.height)), 0.0) * win
            lo_w = np.where(is_lo, np.exp(-below / (0.45 * eye.height)), 0.0) * win
            up_w[eye.upper] = 1.0
            lo_w[eye.lower] = 1.0
            up_w[eye.upper[[0, -1]]] = lo_w[eye.lower[[0, -1]]] = 0.0
            basis[li["eye_wide"], :, 1] -= 0.32 * opening * up_w
            basis[li["eye_wide"], :, 1] += 0.05 * opening * lo_w
            basis[li["squint"], :, 1] -= 0.3 * opening * lo_w
            basis[li["squint"], :, 1] += 0.1 * opening * up_w
            basis[li["smile"], :, 1] -= 0.08 * opening * lo_w
        # --- Brows ------------------------------------------------------------------
        eye_top = np.concatenate([p[list(tp.EYE_L_UPPER), :2], p[list(tp.EYE_R_UPPER), :2]])
        brow = np.concatenate([p[list(tp.BROW_L), :2], p[list(tp.BROW_R), :2]])
        ref_y = curve_y(eye_top, p[:, 0])
        brow_y = curve_y(_column_means(brow), p[:, 0])
        t = np.clip((ref_y - p[:, 1]) / np.maximum(ref_y - brow_y, 0.05), 0.0, None)
        vertical = np.where(
            t <= 1.0, t**1.6, np.exp(-(t - 1.0) * np.maximum(ref_y - brow_y, 0.05) / 0.4)
        )
        outer = float(max(abs(p[46, 0]), abs(p[276, 0])))
        horiz = window(p[:, 0], -outer - 0.02, outer + 0.02, 0.2)
        f_brow = (vertical * horiz).astype(np.float32)
        for eye in self.eyes:  # lid margins belong to the lid channels
            f_brow[eye.upper] = f_brow[eye.lower] = 0.0
        inner = float(0.5 * (abs(p[55, 0]) + abs(p[285, 0])))
        ax = np.abs(p[:, 0])
        h_in = np.where(ax <= inner, 1.0, np.exp(-0.5 * ((ax - inner) / 0.13) ** 2))
        basis[li["brow_raise"], :, 1] = -0.085 * f_brow
        basis[li["brow_inner_up"], :, 1] = -0.07 * f_brow * h_in
        basis[li["brow_inner_up"], :, 0] = -0.012 * np.clip(p[:, 0] / inner, -1, 1) * f_brow * h_in
        basis[li["brow_furrow"], :, 1] = 0.04 * f_brow * h_in
        basis[li["brow_furrow"], :, 0] = -0.04 * np.clip(p[:, 0] / inner, -1, 1) * f_brow * h_in
        glabella = np.array([0.0, float(np.mean(brow_y[[55, 285]])) + 0.02])
        shade[li["brow_furrow"]] -= 0.1 * gauss(p, glabella, 0.05, 0.08)
        shade[li["brow_inner_up"]] -= 0.04 * gauss(p, glabella - [0, 0.2], 0.15, 0.05)
        self.basis = basis.reshape(len(LINEAR_CHANNELS), n * 3)
        self.shade_basis = shade
        self.linear_index = np.array([INDEX[c] for c in LINEAR_CHANNELS])
        self._tau_u, self._tau_l = tau_u.astype(np.float32), tau_l.astype(np.float32)

    @staticmethod
    def _eye(p: np.ndarray, upper: np.ndarray, lower: np.ndarray) -> EyeRig:
        up_y = curve_y(p[upper, :2], p[:, 0])
        lo_y = curve_y(p[lower, :2], p[:, 0])
        height = float(np.max(p[lower, 1] - p[upper, 1]))
        height = max(height, 0.05)
        above = np.clip(up_y - p[:, 1], 0.0, None)
        below = np.clip(p[:, 1] - lo_y, 0.0, None)
        x0, x1 = float(p[upper[0], 0]), float(p[upper[-1], 0])
        win = window(p[:, 0], x0, x1, 0.05)
        is_up = p[:, 1] < up_y - 1e-6
        is_lo = p[:, 1] > lo_y + 1e-6
        follow_up = np.where(is_up, 0.85 * np.exp(-above / (0.9 * height)), 0.0) * win
        follow_down = np.where(is_lo, 0.7 * np.exp(-below / (0.4 * height)), 0.0) * win
        follow_up[upper] = 1.0
        follow_down[lower] = 1.0
        follow_up[upper[[0, -1]]] = follow_down[lower[[0, -1]]] = 0.0
        # Lid band: distance up to the nearest point above each margin point.
        band = np.empty(len(upper), np.float32)
        for k, i in enumerate(upper):
            d = p[:, :2] - p[i, :2]
            cand = (d[:, 1] < -0.01) & (np.abs(d[:, 0]) < 0.06) & (np.arange(len(p)) < tp.N_FACE)
            band[k] = float(-d[cand, 1].max()) if cand.any() else 0.05
        band = np.clip(band, 0.01, 0.12)
        return EyeRig(
            upper, lower, follow_up.astype(np.float32), follow_down.astype(np.float32), band, height
        )

    def deform(self, codes: np.ndarray) -> Deformed:
        """(C,) codes in ``CHANNELS`` order -> the face shape of this frame."""
        lin = codes[self.linear_index].astype(np.float32)
        # Sum only the active shapes (few per frame), without BLAS: its threads cost more
        # than they save on vectors this small.
        flat = self.q0.reshape(-1).copy()
        shade = np.ones(self.n, np.float32)
        for k in np.flatnonzero(lin):
            flat += lin[k] * self.basis[k]
            shade += lin[k] * self.shade_basis[k]
        q = flat.reshape(self.n, 3)
        c = {name: float(codes[INDEX[name]]) for name in CHANNELS[6:]}
        # 1. Jaw.
        # Below 0 the jaw closes a mouth open at rest; a closed mouth cannot close further.
        jaw = float(np.clip(c["jaw_open"], -1.0 if self.rest_gap > 0.0 else 0.0, 1.5))
        angle = jaw * self.jaw_full
        if angle != 0.0:
            q = rotate_x(q, angle * self.w_jaw, *self.jaw_pivot)
            if self.rest_gap == 0.0:  # a closed mouth: the upper lip follows a little
                q[:, 1] -= JAW_LIP_LIFT * max(jaw, 0.0) * self.w_upper_c
        # 2. Lip press and tuck: close the measured gap column by column.
        press = float(np.clip(c["lip_press"], 0.0, 1.0))
        tuck = float(np.clip(c["lip_tuck"], 0.0, 1.0))
        round_ = float(np.clip(c["lip_round"], 0.0, 1.0))
        if press > 0.0 or tuck > 0.0 or jaw < 0.0 or round_ > 0.0:
            q = self._close_lips(q, press, tuck, jaw, round_)
        # 3. Blinks.
        lid_lift = np.zeros((2, 9), np.float32)
        closure = []
        for k, (eye, name) in enumerate(zip(self.eyes, ("blink_l", "blink_r"), strict=True)):
            amount = float(np.clip(c[name], 0.0, 1.0))
            closure.append(amount)
            if amount <= 0.0:
                continue
            gap = np.clip(q[eye.lower, 1] - q[eye.upper, 1], 0.0, None)
            x = q[eye.upper, 0]
            gap_at = np.interp(q[:, 0], x, gap).astype(np.float32)
            q[:, 1] += amount * BLINK_MEET * gap_at * eye.follow_up
            q[:, 1] -= amount * (1.0 - BLINK_MEET) * gap_at * eye.follow_down
            lid_lift[k] = amount * 0.2 * eye.band
            shade -= amount * 0.04 * eye.follow_up * (eye.follow_up < 1.0)
        return Deformed(q, shade.astype(np.float32), lid_lift, angle, (closure[0], closure[1]))

    def _close_lips(
        self, q: np.ndarray, press: float, tuck: float, jaw: float, round_: float
    ) -> np.ndarray:
        hu, hl = self.hole_upper, self.hole_lower
        x = 0.5 * (q[hu, 0] + q[hl, 0])
        if tuck > 0.0:
            # Lower lip up under the upper teeth (just below the resting lip line), rolled
            # in (thinner), upper lip a little up to show the teeth on it.
            target = self.q0[hu, 1] + 0.03 + 0.5 * self.rest_gap
            rise = np.clip(q[hl, 1] - target, 0.0, None) * tuck
            q[:, 1] -= np.interp(q[:, 0], x, rise) * self.w_lower
            q[:, 1] -= tuck * (0.03 * self._tau_l + 0.02 * self.w_upper_c)
            q[:, 2] += tuck * 0.03 * self.w_lower
        # Gap per column, then what each closing channel leaves of it.
        gap = np.clip(q[hl, 1] - q[hu, 1], 0.0, None)
        left = gap.copy()
        if round_ > 0.0:  # a rounded mouth opens only a little, round, in the middle
            u = np.abs(x - float(self.mouth_centre[0])) / self.half_width
            target = ROUND_OPENING * np.clip(1.0 - (u / 0.55) ** 2, 0.0, 1.0)
            left -= 0.85 * round_ * np.clip(left - target, 0.0, None)
        closing = press if jaw >= 0.0 else max(press, min(-jaw, 1.0))
        left -= closing * left
        shut = (gap - left).astype(np.float32)
        if shut.any():
            # Close in 3D (on a turned face the jaw also moved the lower lip sideways on
            # screen): each column's lower point moves towards its upper point.
            frac = shut / np.maximum(gap, 1e-6)
            vec = (q[hl] - q[hu]) * frac[:, None]
            at = np.stack([np.interp(q[:, 0], x, vec[:, k]) for k in range(3)], axis=1)
            q += PRESS_UPPER_SHARE * at * self.w_upper[:, None]
            q -= (1.0 - PRESS_UPPER_SHARE) * at * self.w_lower[:, None]
            thin = 0.012 * press
            q[:, 1] += thin * self._tau_u - thin * self._tau_l
        return q


def _column_means(points: np.ndarray) -> np.ndarray:
    """Brow points (two rows) -> one (K, 2) line: each point averaged with its neighbours in x."""
    order = np.argsort(points[:, 0])
    pts = points[order]
    out = pts.copy()
    for i in range(len(pts)):
        near = np.abs(pts[:, 0] - pts[i, 0]) < 0.05
        out[i, 1] = pts[near, 1].mean()
    return out
