"""Mouth and brow codes of a driver: the renderer's own model, fitted to the driver's points.

Per-measure inversion (corner height -> smile, width -> round, brow heights -> raise) read
a real mouth's articulation as contradictory shapes at full strength (smile and pucker at
once), which the renderer then stacked: the self-reenactment benchmark measured identity
distance 0.30 against 0.25 for the still first frame, with the mouth shapes the cause and
the brows next. Here the driver's neutral face becomes an ``ExpressionModel`` (the one the
renderer builds for a portrait), and each frame's mouth and brow channels are the bounded
least-squares fit of the model's points to the driver's, with a ridge so that the smallest
combination of shapes that explains the points wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from parlante.drive.pose import Neutral
from parlante.motion.channels import CHANNELS, INDEX
from parlante.render import topology as tp
from parlante.render.model import build_deformable


@dataclass(frozen=True)
class FitPart:
    """A group of channels fitted together to the points they move."""

    channels: tuple[str, ...]
    points: tuple[int, ...]
    """Face-mesh indices the fit matches."""


MOUTH = FitPart(
    ("jaw_open", "lip_round", "lip_spread", "lip_press", "smile", "mouth_down",
     "upper_lip_raise"),
    tuple(sorted(set(tp.LIP_OUTER_UPPER + tp.LIP_OUTER_LOWER + tp.LIP_INNER_UPPER
                     + tp.LIP_INNER_LOWER))),
)  # fmt: skip
"""The 40 lip-contour points (lip_tuck is not observable from the contours alone)."""
BROWS = FitPart(("brow_raise", "brow_inner_up", "brow_furrow"), tp.BROW_L + tp.BROW_R)
PARTS: tuple[FitPart, ...] = (MOUTH, BROWS)
FIT_POINTS = np.array(sorted({i for part in PARTS for i in part.points}))
"""Every point some part matches: what extraction keeps of each frame."""
FITTED = np.array([INDEX[c] for part in PARTS for c in part.channels])
"""Channel indices this module sets."""
RIDGE = 0.1
"""Ridge on the codes, each weighted by how far it moves its points (RMS per coordinate at
code 1), per fitted coordinate: one shape alone is read back at 1 / (1 + RIDGE) = 0.91 of
its size, whichever shape it is; what the ridge removes is the shapes the points barely
need, stacked against each other. Median identity distance / mouth LMD on ten
self-reenactment clips, mouth only: 0.05 -> 0.299 / 0.015, 0.1 -> 0.297 / 0.015, 0.25 ->
0.292 / 0.017 (an unweighted ridge gave 0.308 / 0.014)."""
DIFF_STEP = 5e-3
"""Finite-difference step of the codes: the model runs in float32, so tiny steps are noise."""


class _PartFit:
    def __init__(self, model, part: FitPart, rows: np.ndarray, ref: np.ndarray) -> None:
        self.model = model
        self.idx = np.array([INDEX[c] for c in part.channels])
        self.rows = rows
        self.points = np.array(part.points)
        self.rest = model.q0[self.points, :2].astype(np.float64)
        self.ref = ref[rows]
        self.x = np.zeros(len(self.idx))
        self.codes = np.zeros(len(CHANNELS), np.float32)
        # A neutral with an open mouth can close it: the jaw goes below 0.
        self.low = np.array(
            [-1.0 if c == "jaw_open" and model.rest_gap > 0.0 else 0.0 for c in part.channels]
        )
        reach = np.empty(len(self.idx))
        for k, i in enumerate(self.idx):
            self.codes[i] = 1.0
            moved = model.deform(self.codes).q[self.points, :2] - self.rest
            reach[k] = float(np.sqrt(np.mean(moved**2)))
            self.codes[i] = 0.0
        self.ridge = np.sqrt(RIDGE * self.rest.size) * reach

    def fit(self, pts: np.ndarray, base: np.ndarray) -> np.ndarray:
        target = self.rest + (pts[self.rows] - self.ref)
        codes, model, points, ridge = self.codes, self.model, self.points, self.ridge
        codes[:] = base

        def residual(x: np.ndarray) -> np.ndarray:
            codes[self.idx] = x
            q = model.deform(codes).q[points, :2]
            return np.concatenate([(q - target).ravel(), ridge * x])

        # Start inside the bounds: at a bound the trust region cannot leave it. A jaw that
        # can close has a kink at 0 (the lips start to meet): also try from a closed jaw.
        starts = [np.clip(self.x, self.low + 0.02, 0.98)]
        if self.low.min() < 0.0:
            starts.append(np.where(self.low < 0.0, 0.5 * self.low, 0.02))
        fits = [
            least_squares(residual, x0, bounds=(self.low, 1.0), diff_step=DIFF_STEP, xtol=1e-4)
            for x0 in starts
        ]
        self.x = min(fits, key=lambda r: r.cost).x
        return self.x


class ShapeFitter:
    """Fits mouth and brow codes to a driver's points, frame by frame (warm-started; pose,
    measures and fits together took ~24 ms per frame on a busy 2-core machine)."""

    def __init__(self, neutral: Neutral, reference: np.ndarray) -> None:
        """reference: (P, 2) the neutral's own ``FIT_POINTS`` in its face coordinates,
        measured the way frames will be (``fit_points``)."""
        face = np.asarray(neutral.render_points[: tp.N_FACE], np.float32)
        model = build_deformable(face).expression
        ref = np.asarray(reference, np.float64)
        row = {int(i): k for k, i in enumerate(FIT_POINTS)}
        self._parts = [
            _PartFit(model, part, np.array([row[i] for i in part.points]), ref) for part in PARTS
        ]

    def fit(self, pts: np.ndarray, codes: np.ndarray | None = None) -> np.ndarray:
        """(P, 2) a frame's ``FIT_POINTS`` in the neutral's face coordinates, and its (C,)
        codes so far (the eyes: a blink drags the brows down a little, which is not a
        frown) -> (C,) those codes with the fitted channels (``FITTED``) set, in 0..1
        (jaw_open down to -1 when the neutral's mouth is open: it can close)."""
        pts = np.asarray(pts, np.float64)
        out = np.zeros(len(CHANNELS)) if codes is None else np.array(codes, np.float64)
        out[FITTED] = 0.0
        base = out.astype(np.float32)
        for part in self._parts:
            out[part.idx] = part.fit(pts, base)
        return out

    def fit_all(
        self, pts: np.ndarray, valid: np.ndarray, codes: np.ndarray | None = None
    ) -> np.ndarray:
        """(T, P, 2) points, (T,) validity and optional (T, C) codes so far -> (T, C) codes
        with the fitted channels set where valid (0 elsewhere)."""
        out = np.zeros((len(pts), len(CHANNELS))) if codes is None else np.array(codes)
        out[:, FITTED] = 0.0
        for t in np.flatnonzero(valid):
            out[t] = self.fit(pts[t], out[t])
        return out


def fit_points(face_points: np.ndarray) -> np.ndarray:
    """(..., 478, 2+) face coordinates -> (..., P, 2) the points the fits match."""
    return np.asarray(face_points)[..., FIT_POINTS, :2]
