"""The mouth-opening light profile reads teeth, cavity and tongue bands where they are."""

from __future__ import annotations

import cv2
import numpy as np

from parlante.eval.mouth_light import LOWER_INNER, OUTER, UPPER_INNER, opening_profile


def _mouth(gap: float) -> tuple[np.ndarray, np.ndarray]:
    """A 200 px image of lips (grey 120) around an opening whose top and bottom thirds are
    bright (teeth, 200) and middle dark (40); landmarks with eye corners 100 px apart."""
    lm = np.zeros((478, 3), np.float32)
    lm[33, :2], lm[263, :2] = (50, 40), (150, 40)
    s = np.linspace(0.0, 1.0, len(UPPER_INNER))
    x = 40 + 120 * s
    arch = np.sin(np.pi * s)
    lm[list(UPPER_INNER), 0] = x
    lm[list(UPPER_INNER), 1] = 100 - 0.3 * gap * arch
    lm[list(LOWER_INNER), 0] = x
    lm[list(LOWER_INNER), 1] = 100 + 0.7 * gap * arch
    so = np.linspace(0.0, 1.0, 11)
    xo = 35 + 130 * so
    upper_outer = np.stack([xo, 100 - (0.3 * gap + 15) * np.sin(np.pi * so)], 1)
    lower_outer = np.stack([xo, 100 + (0.7 * gap + 15) * np.sin(np.pi * so)], 1)[::-1][1:-1]
    lm[list(OUTER), :2] = np.concatenate([upper_outer, lower_outer])
    img = np.full((200, 200, 3), 180, np.uint8)
    cv2.fillPoly(img, [np.round(lm[list(OUTER), :2]).astype(np.int32)], (120, 120, 120))
    inner = np.round(np.concatenate([lm[list(UPPER_INNER), :2], lm[list(LOWER_INNER), :2][::-1]]))
    mask = np.zeros((200, 200), np.uint8)
    cv2.fillPoly(mask, [inner.astype(np.int32)], 1)
    ys, xs = np.nonzero(mask)
    top = np.interp(xs, x, lm[list(UPPER_INNER), 1])
    bottom = np.interp(xs, x, lm[list(LOWER_INNER), 1])
    h = (ys + 0.5 - top) / np.maximum(bottom - top, 1)
    img[ys, xs] = np.where(((h < 1 / 3) | (h > 2 / 3))[:, None], 200, 40)
    return img, lm


def test_profile_finds_teeth_at_top_and_bottom_and_dark_between() -> None:
    img, lm = _mouth(40.0)
    prof = opening_profile(img, lm, bands=6)
    assert prof is not None and prof.shape == (2, 6)
    level, bright = prof
    assert level[0] > 1.4 and level[5] > 1.4
    assert level[2] < 0.6 and level[3] < 0.6
    assert bright[0] > 0.9 and bright[5] > 0.9
    assert bright[2] < 0.1 and bright[3] < 0.1


def test_closed_mouth_has_no_profile() -> None:
    img, lm = _mouth(2.0)  # 0.02 inter-ocular distances
    assert opening_profile(img, lm) is None
