"""A driver whose face disappears for a moment: no crash, codes held, then no jump."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.drive import LiveExtractor, extract_motion
from parlante.drive.smooth import EASE_S
from parlante.motion.channels import INDEX

from .conftest import FPS, write_clip

GAP = (46, 54)
"""[start, end) frames replaced by black."""
WATCH = ("yaw", "pitch", "jaw_open", "gaze_x")


@pytest.fixture(scope="module")
def gap_frames(clip_a):
    frames = [f.copy() for f in clip_a.frames]
    for t in range(*GAP):
        frames[t][:] = 0
    return frames


def _largest_steps(values: np.ndarray) -> dict[str, float]:
    return {c: float(np.abs(np.diff(values[:, INDEX[c]])).max()) for c in WATCH}


def test_offline_extraction_holds_and_eases(clip_a, gap_frames, tmp_path):
    path = write_clip(gap_frames, tmp_path / "gap.mp4")
    perf = extract_motion(path, neutral="first")
    assert len(perf.motion) == len(gap_frames)
    lost = np.flatnonzero(~perf.valid)
    assert set(range(*GAP)) <= set(lost.tolist()) <= set(range(GAP[0] - 1, GAP[1] + 2))
    v = perf.motion.values
    np.testing.assert_allclose(v[GAP[0] : GAP[1]], v[GAP[0] - 1][None].repeat(GAP[1] - GAP[0], 0))
    # no frame-to-frame jump bigger than the script's own motion allows, glide included
    script = _largest_steps(clip_a.motion.values)
    got = _largest_steps(v[GAP[0] - 2 : GAP[1] + round(EASE_S * FPS) + 2])
    for c in WATCH:
        jump = abs(
            clip_a.motion.values[GAP[1], INDEX[c]] - clip_a.motion.values[GAP[0] - 1, INDEX[c]]
        )
        assert got[c] <= script[c] + 0.35 * jump + (
            1.5 if c in ("yaw", "pitch", "gaze_x") else 0.1
        ), c
    # and after the glide the codes follow the face again
    after = GAP[1] + round(EASE_S * FPS) + 2
    err = np.abs(v[after:, INDEX["yaw"]] - clip_a.motion.channel("yaw")[after:]).mean()
    assert err < 2.0


def test_live_extraction_holds_and_eases(clip_a, gap_frames, performance_a):
    live = LiveExtractor(FPS)
    try:
        rows = np.stack([live.push(f).vector for f in gap_frames])
    finally:
        live.close()
    np.testing.assert_allclose(
        rows[GAP[0] : GAP[1]], rows[GAP[0] - 1][None].repeat(GAP[1] - GAP[0], 0)
    )
    yaw = rows[:, INDEX["yaw"]]
    jump = abs(clip_a.motion.channel("yaw")[GAP[1]] - clip_a.motion.channel("yaw")[GAP[0] - 1])
    assert np.abs(np.diff(yaw[GAP[1] - 1 : GAP[1] + 10])).max() < 1.5 + 0.35 * jump
    # live codes match offline ones where the face is seen (same neutral: the first frame)
    offline = performance_a.motion.channel("yaw")
    seen = np.r_[0 : GAP[0] - 1, GAP[1] + 10 : len(rows)]
    assert np.abs(rows[seen, INDEX["yaw"]] - offline[seen]).mean() < 1.0
