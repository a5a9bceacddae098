"""Measures -> codes for the eyes, on hand-made measures."""

from __future__ import annotations

import numpy as np

from parlante.drive.encode import EYEBALL_SEEN, GAZE_Y_DEAD, encode_expression
from parlante.drive.measure import MEASURES, M
from parlante.motion.channels import INDEX


def gaze_measures(angles_x: list[float], angles_y: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """(T, K) measures whose irises sit where those gaze angles (degrees) put them, and the
    neutral's (K,)."""
    m0 = np.zeros(len(MEASURES))
    m0[M["iris_radius"]] = 0.1
    m0[[M["open_l"], M["open_r"]]] = 0.25
    m = np.tile(m0, (len(angles_x), 1))
    for axis, angles, seen in (("x", angles_x, EYEBALL_SEEN[0]), ("y", angles_y, EYEBALL_SEEN[1])):
        shift = seen * 0.1 * np.sin(np.radians(angles))
        m[:, M[f"iris_{axis}_l"]] = m[:, M[f"iris_{axis}_r"]] = shift
    return m, m0


def test_vertical_gaze_below_the_lid_noise_reads_as_none() -> None:
    m, m0 = gaze_measures([2.0, 2.0, -12.0, 0.0], [2.0, -3.0, 0.0, 12.0])
    codes = encode_expression(m, m0)
    gx, gy = codes[:, INDEX["gaze_x"]], codes[:, INDEX["gaze_y"]]
    assert np.allclose(gy[:3], 0.0)
    assert np.isclose(gy[3], 12.0 - GAZE_Y_DEAD, atol=1e-6)  # a real look down stays one
    assert np.allclose(gx, [2.0, 2.0, -12.0, 0.0], atol=1e-6)  # sideways gaze is exact
