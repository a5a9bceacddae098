"""The eyeball model behind gaze, on a drawn eye whose light comes from one side."""

from __future__ import annotations

import numpy as np

from parlante.render.eyes import build_eyeball


def lit_from_the_left_eye() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(64, 64, 3) image of an open eye (whites 220 left of the iris, 110 right of it, as
    under a side light) with its lid margins (9, 2) and iris points (5, 2)."""
    img = np.full((64, 64, 3), 150, np.uint8)  # skin
    t = np.linspace(0.0, 1.0, 9)
    x = 10 + 44 * t
    upper = np.stack([x, 32 - 9 * np.sin(np.pi * t)], axis=1).astype(np.float32)
    lower = np.stack([x, 32 + 9 * np.sin(np.pi * t)], axis=1).astype(np.float32)
    yy, xx = np.mgrid[0:64, 0:64] + 0.5
    top = np.interp(xx, x, upper[:, 1])
    bottom = np.interp(xx, x, lower[:, 1])
    inside = (yy > top) & (yy < bottom) & (xx > 10) & (xx < 54)
    img[inside & (xx < 32)] = 220
    img[inside & (xx >= 32)] = 110
    img[np.hypot(xx - 32, yy - 32) < 6] = 40
    iris = np.array([[32, 32], [38, 32], [32, 26], [26, 32], [32, 38]], np.float32)
    return img, upper, lower, iris


def test_the_whites_an_iris_uncovers_match_their_own_side() -> None:
    img, upper, lower, iris = lit_from_the_left_eye()
    eye = build_eyeball(img, upper, lower, iris, np.array([230, 230, 230], np.float32))
    x0, y0 = eye.box[:2]
    # Just right of the iris (where a gaze to the left uncovers the ball): the shaded whites.
    right = eye.plate[32 - y0, 32 + 7 - x0].mean()
    left = eye.plate[32 - y0, 32 - 8 - x0].mean()
    assert abs(right - 110) < 20 and abs(left - 220) < 20
    moved = eye.compose((-4.0, 0.0), 1.0)
    assert abs(float(moved[32 - y0, 32 + 5 - x0].mean()) - 110) < 25


def test_a_rising_lid_carries_its_lash_line_and_uncovers_the_eyeball() -> None:
    img, upper, lower, iris = lit_from_the_left_eye()
    yy, xx = np.mgrid[0:64, 0:64] + 0.5
    top = np.interp(xx, upper[:, 0], upper[:, 1])
    lashes = (yy > top) & (yy < top + 2.0) & (xx > 12) & (xx < 52)
    img[lashes] = 20  # the dark lower half of the lash line, inside the opening
    eye = build_eyeball(img, upper, lower, iris, np.array([230, 230, 230], np.float32))
    x0, y0 = eye.box[:2]
    rest = eye.compose((0.0, 0.0), 1.0, np.zeros((2, 9), np.float32))
    assert np.array_equal(rest, eye.compose((0.0, 0.0), 1.0))
    risen = eye.compose((0.0, 0.0), 1.0, np.array([[3.0] * 9, [0.0] * 9], np.float32))
    col = 20 - x0  # a column left of the iris, in the bright whites
    line_at = int(np.floor(top[0, 20])) + 1 - y0  # first row of the lash line at rest
    assert rest[line_at, col].mean() < 60
    # The line moved 3 px up with the lid, and the whites show where it was.
    assert risen[line_at - 3, col].mean() < 80
    assert risen[line_at, col].mean() > 150
