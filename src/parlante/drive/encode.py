"""Measures relative to the driver's neutral -> eye and gaze codes: the renderer's shapes
inverted (mouth and brows are fitted with the renderer's own model: ``shapefit``).

Each gain is the displacement (in D, the outer-eye-corner distance) that the renderer's
expression model (``parlante.render.expression``) gives a channel at 1, as MediaPipe sees
it on rendered frames (``bench/drive_calibrate.py`` measures them). Codes are relative:
a driver's change from their own neutral becomes the same change, in the portrait's
proportions, from the portrait's rest, so a wide-mouthed driver cannot tear a small mouth.
"""

from __future__ import annotations

import numpy as np

from parlante.drive.measure import M
from parlante.motion.channels import CHANNELS, INDEX, RANGES

# --- Eyes (lid movements in units of the neutral opening) ----------------------------
WIDE_OPEN = 0.1
"""Opening gain at eye_wide = 1."""
SQUINT_LOWER = 0.1
SQUINT_OPEN = 0.15
"""Lower-lid rise and opening lost at squint = 1."""
BLINK_LOWER_SHARE = 0.34
"""Share of a blink's closing that shows as the lower lid rising."""
BLINK_SEEN = 0.7
"""Closure seen for a shut eye (MediaPipe never quite closes the lids)."""
BLINK_DEAD = 0.08
"""Closure below this is landmark noise, not a blink."""
BLINK_SEEN_TABLE = ((0.0, 0.07, 0.34, 0.8, 1.0), (0.0, 0.25, 0.5, 0.7, 1.0))
"""(closure as MediaPipe reads it, blink code that renders it). MediaPipe reads rendered
lids non-linearly (``bench/drive_calibrate.py``: codes 0.25 / 0.5 / 0.75 read back as
0.07 / 0.34 / 1.0): a lid a quarter down barely registers, three quarters down already
reads shut. Taken straight, a real half-closed eye (looking down) rendered one eye shut and
the other open; reading through this table renders what MediaPipe saw, while a reading of
1 (shut) stays a full blink."""
EYE_DEAD = 0.04
"""Lid movement ignored (noise) before eye_wide and squint rise."""
GAZE_BLINK = 0.3
"""Closure beyond which the iris is hidden: gaze holds its last value."""
EYEBALL_SEEN = (1.3, 0.75)
"""Iris shift per sin(gaze angle), in iris radii, as seen sideways and up/down (the
renderer moves the iris by 2.1 radii; MediaPipe reports about 60% of it sideways and a
third of it vertically, where the lids hide the iris). bench/drive_calibrate.py read
sideways gaze back at slope 1.20 with 1.1 here, hence 1.3."""

GAZE_Y_DEAD = 4.0
"""Degrees of vertical gaze read as none. MediaPipe's vertical iris point moves with the
lids (a lowering lid pushes it down) and a 4 degree gaze is half a pixel of it at 384 px:
on the 42 self-reenactment clips, rendering the vertical reading as it came made the
rendered eyes' landmarks worse than rendering none (eye LMD 0.0132 vs 0.0122, iris 0.0104
vs 0.0102, identity 0.260 vs 0.258); this dead zone keeps real looks up and down and
reads 0.0127 / 0.0102 / 0.257."""

_LO = np.array([RANGES[c][0] for c in CHANNELS], np.float64)
_HI = np.array([RANGES[c][1] for c in CHANNELS], np.float64)


def _pos(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def _dead(x: np.ndarray, zone: float) -> np.ndarray:
    """Soft dead zone: |x| below ``zone`` -> 0, beyond it shifted towards 0 by ``zone``."""
    return np.sign(x) * np.maximum(np.abs(x) - zone, 0.0)


def encode_expression(m: np.ndarray, m0: np.ndarray) -> np.ndarray:
    """(T, K) measures and the neutral's (K,) -> (T, C) codes (head, mouth and brow
    channels left 0).

    Not clipped: ``clip_codes`` does that after smoothing. Gaze is not held during
    blinks here (``hold_gaze_in_blinks``).
    """
    m = np.atleast_2d(np.asarray(m, np.float64))
    d = m - m0
    codes = np.zeros((len(m), len(CHANNELS)), np.float64)

    def put(name: str, value: np.ndarray) -> None:
        codes[:, INDEX[name]] = value

    # Eyes, per eye: opening ratio r and lower-lid rise, in neutral openings.
    wide_eyes, squint_eyes, blinks = [], [], []
    for side in "lr":
        open0 = max(float(m0[M[f"open_{side}"]]), 0.02)
        r = m[:, M[f"open_{side}"]] / open0
        lower_rise = -d[:, M[f"lower_{side}"]] / open0
        closing_eye = _pos(1.0 - r)
        squint = _pos(_dead(lower_rise - BLINK_LOWER_SHARE * closing_eye, EYE_DEAD)) / SQUINT_LOWER
        wide = _pos(_dead(r - 1.0, EYE_DEAD)) / WIDE_OPEN
        shape = 1.0 + WIDE_OPEN * np.minimum(wide, 1.0) - SQUINT_OPEN * np.minimum(squint, 1.0)
        seen = _pos(1.0 - r / shape - BLINK_DEAD) / (BLINK_SEEN - BLINK_DEAD)
        read, code = BLINK_SEEN_TABLE
        blink = np.where(seen > read[-1], seen, np.interp(seen, read, code))
        blinks.append(blink)
        wide_eyes.append(wide)
        squint_eyes.append(squint)
    put("blink_l", blinks[0])
    put("blink_r", blinks[1])
    put("eye_wide", 0.5 * (wide_eyes[0] + wide_eyes[1]))
    put("squint", 0.5 * (squint_eyes[0] + squint_eyes[1]))

    # Gaze: iris shift within the eye corners over the (seen) eyeball radius.
    radius = max(float(m0[M["iris_radius"]]), 0.02)
    for axis, name, seen in (("x", "gaze_x", EYEBALL_SEEN[0]), ("y", "gaze_y", EYEBALL_SEEN[1])):
        reach = seen * radius
        shift = 0.5 * (d[:, M[f"iris_{axis}_l"]] + d[:, M[f"iris_{axis}_r"]])
        angle = np.degrees(np.arcsin(np.clip(shift / reach, -1.0, 1.0)))
        put(name, _dead(angle, GAZE_Y_DEAD) if axis == "y" else angle)
    return codes


def hold_gaze_in_blinks(codes: np.ndarray, last: np.ndarray | None = None) -> np.ndarray:
    """(T, C) codes with gaze held at its last open-eye value wherever either eye is more
    than ``GAZE_BLINK`` closed (the iris points are guesses then). ``last``: (2,) gaze
    before the first frame (streams), else the first open-eye value."""
    out = np.array(codes, copy=True)
    gx, gy = INDEX["gaze_x"], INDEX["gaze_y"]
    closed = np.maximum(out[:, INDEX["blink_l"]], out[:, INDEX["blink_r"]]) > GAZE_BLINK
    held = last
    if held is None:
        open_rows = np.flatnonzero(~closed)
        held = out[open_rows[0], [gx, gy]] if open_rows.size else np.zeros(2)
    for t in range(len(out)):
        if closed[t]:
            out[t, [gx, gy]] = held
        else:
            held = out[t, [gx, gy]]
    return out


def clip_codes(codes: np.ndarray) -> np.ndarray:
    """(T, C) codes clipped to ``RANGES`` (float32)."""
    return np.clip(codes, _LO, _HI).astype(np.float32)
