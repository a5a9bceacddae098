"""Mouth codes of a driver: the renderer's own mouth model, fitted to the driver's lips.

Per-measure inversion (corner height -> smile, width -> round, ...) read a real mouth's
articulation as contradictory shapes at full strength (smile and pucker at once), which the
renderer then stacked: the self-reenactment benchmark measured identity distance 0.30
against 0.25 for the still first frame, with the mouth shapes the cause. Here the driver's
neutral face becomes an ``ExpressionModel`` (the one the renderer builds for a portrait),
and each frame's mouth channels are the bounded least-squares fit of its lip points to the
driver's, with a small ridge so that the smallest combination that explains the lips wins.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from parlante.drive.pose import Neutral
from parlante.motion.channels import CHANNELS, INDEX
from parlante.render import topology as tp
from parlante.render.model import build_deformable

MOUTH_CHANNELS: tuple[str, ...] = (
    "jaw_open", "lip_round", "lip_spread", "lip_press", "smile", "mouth_down",
    "upper_lip_raise",
)  # fmt: skip
"""Channels fitted here (lip_tuck is not observable from the lip contours alone)."""
LIP_POINTS = np.array(
    sorted(set(tp.LIP_OUTER_UPPER + tp.LIP_OUTER_LOWER + tp.LIP_INNER_UPPER + tp.LIP_INNER_LOWER))
)
"""The 40 lip-contour points the fit matches."""
RIDGE = 8.0
"""Ridge on the codes, each weighted by how far it moves the lips (RMS per coordinate at
code 1), against the summed squared misfit of the 80 lip coordinates. One shape alone is
read back at 80 / (80 + RIDGE) = 0.91 of its size, whichever shape it is; what the ridge
removes is the shapes a mouth barely needs, stacked against each other. Median identity
distance / mouth LMD on ten self-reenactment clips: RIDGE 4 -> 0.299 / 0.015, 8 -> 0.297 /
0.015, 20 -> 0.292 / 0.017 (an unweighted ridge of 0.003 gave 0.308 / 0.014)."""
DIFF_STEP = 5e-3
"""Finite-difference step of the codes: the model runs in float32, so tiny steps are noise."""
_IDX = np.array([INDEX[c] for c in MOUTH_CHANNELS])


class MouthFitter:
    """Fits mouth codes to a driver's lips, frame by frame (warm-started, so cheap on a
    stream: ~6 ms per frame)."""

    def __init__(self, neutral: Neutral, reference: np.ndarray) -> None:
        """reference: (40, 2) the neutral's own ``LIP_POINTS`` in its face coordinates,
        measured the way frames will be (``lip_points``)."""
        face = np.asarray(neutral.render_points[: tp.N_FACE], np.float32)
        self._model = build_deformable(face).expression
        self._rest = self._model.q0[LIP_POINTS, :2].astype(np.float64)
        self._ref = np.asarray(reference, np.float64)
        self._x = np.zeros(len(MOUTH_CHANNELS))
        self._codes = np.zeros(len(CHANNELS), np.float32)
        reach = np.empty(len(MOUTH_CHANNELS))
        for k, i in enumerate(_IDX):
            self._codes[i] = 1.0
            moved = self._model.deform(self._codes).q[LIP_POINTS, :2] - self._rest
            reach[k] = float(np.sqrt(np.mean(moved**2)))
            self._codes[i] = 0.0
        self._ridge = np.sqrt(RIDGE) * reach

    def fit(self, lips: np.ndarray) -> np.ndarray:
        """(40, 2) a frame's ``LIP_POINTS`` in the neutral's face coordinates ->
        (len(MOUTH_CHANNELS),) codes in 0..1, in ``MOUTH_CHANNELS`` order."""
        target = self._rest + (np.asarray(lips, np.float64) - self._ref)
        codes = self._codes
        ridge = self._ridge

        def residual(x: np.ndarray) -> np.ndarray:
            codes[_IDX] = x
            q = self._model.deform(codes).q[LIP_POINTS, :2]
            return np.concatenate([(q - target).ravel(), ridge * x])

        # Start inside the bounds: at a bound the trust region cannot leave it.
        start = np.clip(self._x, 0.02, 0.98)
        self._x = least_squares(
            residual, start, bounds=(0.0, 1.0), diff_step=DIFF_STEP, xtol=1e-4
        ).x
        return self._x.copy()

    def fit_all(self, lips: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """(T, 40, 2) lip points and (T,) validity -> (T, len(MOUTH_CHANNELS)) codes, 0
        where not valid."""
        out = np.zeros((len(lips), len(MOUTH_CHANNELS)))
        for t in np.flatnonzero(valid):
            out[t] = self.fit(lips[t])
        return out


def lip_points(face_points: np.ndarray) -> np.ndarray:
    """(..., 478, 2+) face coordinates -> (..., 40, 2) the points the fit matches."""
    return np.asarray(face_points)[..., LIP_POINTS, :2]


def put_mouth(codes: np.ndarray, mouth: np.ndarray) -> None:
    """Write (..., len(MOUTH_CHANNELS)) fitted mouth codes into (..., C) codes, in place."""
    codes[..., _IDX] = mouth
