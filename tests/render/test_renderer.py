"""Behaviour of the renderer on the astronaut portrait (made by conftest)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from parlante.face.rig import FaceRig
from parlante.motion.channels import CHANNELS, INDEX
from parlante.motion.codes import MotionFrame
from parlante.render import Renderer
from parlante.render import topology as tp
from parlante.render.expression import JAW_GAP_FULL


@pytest.fixture(scope="module")
def renderer(rig: FaceRig) -> Renderer:
    return Renderer(rig)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def box_around(points: np.ndarray, pad: float, size: int) -> tuple[slice, slice]:
    x0, y0 = np.floor(points.min(axis=0) - pad).astype(int)
    x1, y1 = np.ceil(points.max(axis=0) + pad).astype(int)
    return slice(max(y0, 0), min(y1, size)), slice(max(x0, 0), min(x1, size))


def unit(rig: FaceRig) -> float:
    lm = rig.landmarks
    return float(np.linalg.norm(lm[tp.EYE_OUTER_R, :2] - lm[tp.EYE_OUTER_L, :2]))


def luminance(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) @ np.array([0.3, 0.59, 0.11], np.float32)


def test_neutral_reproduces_the_portrait(renderer: Renderer, rig: FaceRig) -> None:
    out = renderer.render(MotionFrame.neutral())
    assert out.shape == rig.image.shape and out.dtype == np.uint8
    assert psnr(out, rig.image) > 38.0


def test_tiny_codes_stay_close_to_the_portrait(renderer: Renderer, rig: FaceRig) -> None:
    out = renderer.render(MotionFrame.of(jaw_open=0.01, yaw=0.05, blink_l=0.01, brow_raise=0.01))
    assert psnr(out, rig.image) > 38.0


def test_identical_inputs_give_identical_outputs(renderer: Renderer) -> None:
    frame = MotionFrame.of(jaw_open=0.4, yaw=6, pitch=-3, blink_r=0.6, gaze_x=10, smile=0.5)
    first = renderer.render(frame)
    renderer.render(MotionFrame.of(gaze_x=-15, jaw_open=0.1))  # change internal state
    assert np.array_equal(first, renderer.render(frame.vector.copy()))


def test_jaw_changes_the_mouth_and_nothing_far_away(renderer: Renderer, rig: FaceRig) -> None:
    out = renderer.render(MotionFrame.of(jaw_open=0.5))
    lm = rig.landmarks
    mouth = box_around(
        lm[list(tp.LIP_OUTER_UPPER + tp.LIP_OUTER_LOWER), :2], 0.1 * unit(rig), rig.size
    )
    assert np.abs(out[mouth].astype(int) - rig.image[mouth]).mean() > 5.0
    changed = np.any(out != rig.image, axis=2)
    # Background, image border and the eyes are bit-identical.
    border = np.ones_like(changed)
    border[8:-8, 8:-8] = False
    assert not changed[border].any()
    person = cv2.dilate((rig.person_mask > 0.0).astype(np.uint8), np.ones((5, 5), np.uint8))
    assert not changed[person == 0].any()
    eyes = box_around(lm[list(tp.EYE_L_UPPER + tp.EYE_R_UPPER), :2], 2, rig.size)
    assert not changed[eyes].any()


def _inner_gap_profile(renderer: Renderer, rig: FaceRig, jaw: float) -> tuple[float, float]:
    """(mean luminance between the rendered inner lips, dark-run height in pixels) along the
    mouth's centre column."""
    out = renderer.render(MotionFrame.of(jaw_open=jaw))
    lm = rig.landmarks
    cx = int(round(0.5 * (lm[13, 0] + lm[14, 0]) - 0.5))
    top = int(round(lm[0, 1]))  # upper outer lip
    bottom = int(round(lm[17, 1] + 0.5 * unit(rig)))  # well below the lower lip
    column = luminance(out[top:bottom, cx - 1 : cx + 2]).mean(axis=1)
    skin = float(np.median(luminance(rig.image[top:bottom, cx - 1 : cx + 2])))
    dark = column < 0.45 * skin
    return float(column.min()), float(dark.sum())


def test_jaw_opening_shows_a_darker_cavity_growing_with_jaw(
    renderer: Renderer, rig: FaceRig
) -> None:
    """Small openings fill with teeth and tongue (as real speakers' do); from a mid opening
    on, a dark cavity shows and deepens."""
    closed_min, closed_dark = _inner_gap_profile(renderer, rig, 0.0)
    heights = []
    for jaw in (0.2, 0.35, 0.5, 0.8):
        lum_min, dark = _inner_gap_profile(renderer, rig, jaw)
        heights.append(dark)
        if jaw == 0.5:
            assert lum_min < closed_min - 20.0
    assert heights[2] > closed_dark
    assert all(b >= a for a, b in zip(heights, heights[1:], strict=False)), heights
    assert heights[3] > heights[2] > heights[1], heights


def test_jaw_open_one_is_a_wide_plausible_opening(renderer: Renderer) -> None:
    """The inner-lip gap (as landmarks 13-14 would measure it) over the eye-corner distance."""
    m = renderer.model
    e = m.expression
    for jaw, lo, hi in ((1.0, 0.38, 0.52), (0.3, 0.08, 0.2)):
        d = e.deform(MotionFrame.of(jaw_open=jaw).vector)
        gap = float(d.q[e.hole_lower[5], 1] - d.q[e.hole_upper[5], 1])
        if m.open_mouth:
            # from the portrait's own gap, jaw_open covers that share of the way to the
            # widest opening (a rotation, so a little short of it at 1)
            expected = e.rest_gap + jaw * (JAW_GAP_FULL - e.rest_gap)
            assert e.rest_gap < gap and abs(gap - expected) < 0.05, (jaw, gap, expected)
        else:
            assert lo < gap < hi, (jaw, gap)


def test_lip_press_shuts_the_lips_even_with_the_jaw_open(renderer: Renderer, rig: FaceRig) -> None:
    _, open_dark = _inner_gap_profile(renderer, rig, 0.5)
    out = renderer.render(MotionFrame.of(jaw_open=0.5, lip_press=1.0))
    e = renderer.model.expression
    d = e.deform(MotionFrame.of(jaw_open=0.5, lip_press=1.0).vector)
    gap = d.q[e.hole_lower, 1] - d.q[e.hole_upper, 1]
    assert np.all(np.abs(gap) < 1e-3)
    lm = rig.landmarks
    cx = int(round(0.5 * (lm[13, 0] + lm[14, 0]) - 0.5))
    top, bottom = int(round(lm[0, 1])), int(round(lm[17, 1] + 0.5 * unit(rig)))
    column = luminance(out[top:bottom, cx - 1 : cx + 2]).mean(axis=1)
    skin = float(np.median(luminance(rig.image[top:bottom, cx - 1 : cx + 2])))
    closed_dark = _inner_gap_profile(renderer, rig, 0.0)[1]
    pressed_dark = (column < 0.45 * skin).sum()
    assert pressed_dark <= closed_dark
    assert pressed_dark < 0.5 * open_dark


def test_blink_closes_one_eye_only(renderer: Renderer, rig: FaceRig) -> None:
    out = renderer.render(MotionFrame.of(blink_l=1.0))
    lm = rig.landmarks
    u = unit(rig)
    # Where the iris and the upper part of the eye were: between the upper lid and the iris
    # centre, across the iris. Closed, it is lid skin: even, no iris darkness.
    cx, cy = lm[tp.IRIS_L[0], :2]
    r = float(np.mean(np.linalg.norm(lm[list(tp.IRIS_L[1:]), :2] - lm[tp.IRIS_L[0], :2], axis=1)))
    top = float(np.interp(cx, *lm[list(tp.EYE_L_UPPER), :2].T))
    ys = slice(int(np.ceil(top)) + 1, int(np.floor(cy)))
    xs = slice(int(round(cx - r)), int(round(cx + r)))
    before, after = luminance(rig.image[ys, xs]), luminance(out[ys, xs])
    skin = float(np.median(luminance(rig.image[box_around(lm[[50], :2], 0.05 * u, rig.size)])))
    assert after.std() < 0.5 * before.std()
    assert after.min() > 0.6 * skin > before.min()
    right = box_around(lm[list(tp.EYE_R_UPPER + tp.EYE_R_LOWER), :2], 2, rig.size)
    assert np.array_equal(out[right], rig.image[right])


def test_yaw_moves_the_nose_right_and_keeps_the_border(renderer: Renderer, rig: FaceRig) -> None:
    out = renderer.render(MotionFrame.of(yaw=8.0))
    m = renderer.model
    dst, *_ = renderer._geometry(MotionFrame.of(yaw=8.0).vector)
    shift = dst[tp.NOSE_TIP, 0] - m.rest[tp.NOSE_TIP, 0]
    assert shift > 0.03 * unit(rig)
    border = np.ones(out.shape[:2], bool)
    border[2:-2, 2:-2] = False
    lower = np.zeros_like(border)
    lower[-2:, :] = True  # the body at the bottom edge stays still
    assert np.array_equal(out[border & lower], rig.image[border & lower])
    assert np.abs(out[border].astype(int) - rig.image[border]).max() <= 2
    # The nose moved on screen too: the nose-tip patch matches the portrait shifted right.
    nx, ny = m.rest[tp.NOSE_TIP, :2].astype(int)
    s = int(round(shift))
    patch = rig.image[ny - 6 : ny + 6, nx - 6 : nx + 6].astype(float)
    here = out[ny - 6 : ny + 6, nx - 6 : nx + 6].astype(float)
    there = out[ny - 6 : ny + 6, nx - 6 + s : nx + 6 + s].astype(float)
    assert np.abs(there - patch).mean() < np.abs(here - patch).mean()


@pytest.mark.parametrize("gaze", [-20.0, 20.0])
def test_gaze_moves_the_iris_the_right_way(renderer: Renderer, rig: FaceRig, gaze: float) -> None:
    out = renderer.render(MotionFrame.of(gaze_x=gaze))
    lm = rig.landmarks
    for upper, lower in ((tp.EYE_L_UPPER, tp.EYE_L_LOWER), (tp.EYE_R_UPPER, tp.EYE_R_LOWER)):
        ys, xs = box_around(lm[list(upper + lower), :2], 0, rig.size)

        def iris_x(img: np.ndarray, ys: slice = ys, xs: slice = xs) -> float:
            lum = luminance(img[ys, xs])
            dark = np.clip(np.percentile(lum, 60) - lum, 0, None)
            cols = np.arange(lum.shape[1])
            return float((dark.sum(axis=0) * cols).sum() / dark.sum())

        moved = iris_x(out) - iris_x(rig.image)
        assert np.sign(moved) == np.sign(gaze) and abs(moved) > 0.5


def test_output_shape_at_other_sizes(astronaut: np.ndarray, make_rig: Callable) -> None:
    for size in (256, 1024):
        img = cv2.resize(astronaut, (size, size), interpolation=cv2.INTER_AREA)
        rig = make_rig(img)
        r = Renderer(rig)
        out = r.render(MotionFrame.of(jaw_open=0.3, yaw=5, blink_l=0.5))
        assert out.shape == (size, size, 3) and out.dtype == np.uint8
        assert psnr(r.render(MotionFrame.neutral()), rig.image) > 38.0


def test_face_near_the_border_renders(astronaut: np.ndarray, make_rig: Callable) -> None:
    # Shift the face to the top-left corner: hair and forehead leave the picture, the face
    # oval comes within ~15 px of two edges.
    shifted = np.zeros_like(astronaut)
    shifted[:-55, :-160] = astronaut[55:, 160:]
    rig = make_rig(shifted)
    r = Renderer(rig)
    for frame in (
        MotionFrame.of(yaw=10, pitch=8, roll=-6, tx=-0.1, ty=-0.1, scale=0.1, jaw_open=1.0),
        MotionFrame.of(yaw=-10, roll=6, gaze_x=25, eye_wide=1, brow_raise=1),
    ):
        out = r.render(frame)
        assert out.shape == rig.image.shape
        assert np.isfinite(out).all()
        # The far corner (body/background, still) is untouched.
        assert np.array_equal(out[-20:, -20:], rig.image[-20:, -20:])


def test_bad_codes_raise(renderer: Renderer) -> None:
    with pytest.raises(ValueError, match="codes"):
        renderer.render(np.zeros(len(CHANNELS) + 1, np.float32))


@pytest.mark.parametrize(
    "codes",
    [
        {"jaw_open": 0.4},
        {"brow_raise": 1.0, "brow_furrow": 0.5},
        {"blink_l": 1.0, "blink_r": 1.0},
        {"smile": 1.0, "lip_spread": 0.5},
        {"gaze_x": 15.0, "gaze_y": -10.0},
    ],
)
def test_expressions_leave_the_background_bit_identical(
    renderer: Renderer, rig: FaceRig, codes: dict[str, float]
) -> None:
    out = renderer.render(MotionFrame.of(**codes))
    assert not np.array_equal(out, rig.image)
    person = cv2.dilate((rig.person_mask > 0.0).astype(np.uint8), np.ones((5, 5), np.uint8))
    assert np.array_equal(out[person == 0], rig.image[person == 0])


@pytest.mark.parametrize(
    ("codes", "step"),
    [({"jaw_open": 0.3}, {"jaw_open": 0.01}), ({"yaw": 5.0, "pitch": 2.0}, {"yaw": 0.1})],
)
def test_small_code_changes_give_small_pixel_changes(
    renderer: Renderer, codes: dict[str, float], step: dict[str, float]
) -> None:
    a = renderer.render(MotionFrame.of(**codes)).astype(np.float64)
    nudged = {k: codes.get(k, 0.0) + step.get(k, 0.0) for k in codes | step}
    b = renderer.render(MotionFrame.of(**nudged)).astype(np.float64)
    assert psnr(a, b) > 38.0
    assert np.abs(a - b).mean() < 0.5


def _dst(renderer: Renderer, **codes: float) -> np.ndarray:
    dst, *_ = renderer._geometry(MotionFrame.of(**codes).vector)
    return dst[:, :2]


@pytest.mark.parametrize(
    ("codes", "check"),
    [
        # mouth corners (61, 291) in / out / up / down
        ({"lip_round": 1.0}, lambda d, r: _width(d) < 0.85 * _width(r)),
        ({"lip_spread": 1.0}, lambda d, r: _width(d) > 1.05 * _width(r)),
        ({"smile": 1.0}, lambda d, r: (d[[61, 291], 1] < r[[61, 291], 1] - 2).all()),
        ({"mouth_down": 1.0}, lambda d, r: (d[[61, 291], 1] > r[[61, 291], 1] + 2).all()),
        # lips: upper up, lower up under the teeth
        ({"upper_lip_raise": 1.0}, lambda d, r: d[0, 1] < r[0, 1] - 2),
        ({"lip_tuck": 1.0}, lambda d, r: d[17, 1] < r[17, 1] - 1),
        # lids: upper up (wide), lower up (squint)
        ({"eye_wide": 1.0}, lambda d, r: (d[[159, 386], 1] < r[[159, 386], 1] - 0.5).all()),
        ({"squint": 1.0}, lambda d, r: (d[[145, 374], 1] < r[[145, 374], 1] - 0.5).all()),
        # brows: up, inner ends up, inner ends down and together
        ({"brow_raise": 1.0}, lambda d, r: (d[[105, 334], 1] < r[[105, 334], 1] - 3).all()),
        ({"brow_inner_up": 1.0}, lambda d, r: (d[[107, 336], 1] < r[[107, 336], 1] - 3).all()),
        (
            {"brow_furrow": 1.0},
            lambda d, r: (
                d[336, 0] - d[107, 0] < r[336, 0] - r[107, 0] - 2 and d[107, 1] > r[107, 1]
            ),
        ),
    ],
)
def test_channels_move_what_their_doc_says(renderer: Renderer, codes: dict, check) -> None:
    rest = renderer.model.rest[:, :2]
    assert check(_dst(renderer, **codes), rest)


def _width(p: np.ndarray) -> float:
    return _gap(p, 61, 291)


def _gap(p: np.ndarray, left: int, right: int) -> float:
    return float(p[right, 0] - p[left, 0])


def test_triangles_match_mediapipe_tessellation(rig: FaceRig) -> None:
    from mediapipe.python.solutions.face_mesh_connections import FACEMESH_TESSELATION

    stored = tp.face_triangles()
    rebuilt = tp.triangles_from_edges(FACEMESH_TESSELATION, rig.landmarks)
    assert len(stored) == 852
    as_sets = {frozenset(t) for t in stored.tolist()}
    assert as_sets == {frozenset(t) for t in rebuilt.tolist()}
    # consistently oriented: every interior edge is used once in each direction
    edges = [(a, b) for t in stored.tolist() for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0]))]
    assert len(edges) == len(set(edges))


def test_from_closed_mouth_gives_absolute_openings(renderer: Renderer) -> None:
    """Audio-driven codes measure the mouth from closed: on a portrait that shows an open
    mouth, jaw_open 0 must shut it and jaw_open x must give a gap of about x * full."""

    e = renderer.model.expression
    assert renderer.rest_openness == e.rest_gap
    rows = np.zeros((3, len(CHANNELS)), np.float32)
    rows[:, INDEX["jaw_open"]] = (0.0, 0.15, 0.6)
    mapped = renderer.from_closed_mouth(rows)
    assert np.array_equal(
        np.delete(mapped, INDEX["jaw_open"], 1), np.delete(rows, INDEX["jaw_open"], 1)
    )
    gaps = []
    for row in mapped:
        d = e.deform(row)
        gaps.append(float(d.q[e.hole_lower[5], 1] - d.q[e.hole_upper[5], 1]))
    assert gaps[0] < 0.02
    assert abs(gaps[1] - 0.15 * JAW_GAP_FULL) < 0.03
    assert abs(gaps[2] - 0.6 * JAW_GAP_FULL) < 0.06
    assert gaps[0] < gaps[1] < gaps[2]


def test_gaze_alone_leaves_the_lids_as_they_were(renderer: Renderer, rig: FaceRig) -> None:
    # Only the iris moves: the lash lines and eye corners keep the portrait's own pixels
    # (they used to be blurred wherever the eyeball image met the lids).
    out = renderer.render(MotionFrame.of(gaze_x=3.0, gaze_y=-2.0))
    changed = np.abs(out.astype(int) - rig.image.astype(int)).max(axis=2) > 0
    assert changed.any()
    lm = rig.landmarks
    yy, xx = np.mgrid[0 : rig.size, 0 : rig.size] + 0.5
    near_iris = np.zeros_like(changed)
    for centre in (468, 473):
        radius = np.linalg.norm(lm[centre + 1 : centre + 5, :2] - lm[centre, :2], axis=1).mean()
        near_iris |= np.hypot(xx - lm[centre, 0], yy - lm[centre, 1]) < 1.5 * radius + 1.5
    assert not (changed & ~near_iris).any()
