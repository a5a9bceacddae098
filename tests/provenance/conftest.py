"""Shared fixtures: a watermark, a marked talking-head clip and its H.264 re-encode."""

from __future__ import annotations

import numpy as np
import pytest
from provenance_media import PAYLOAD, h264, talk_clip

from parlante.provenance import Watermark


@pytest.fixture(scope="session")
def mark() -> Watermark:
    return Watermark(size=512)


@pytest.fixture(scope="session")
def clip() -> list[np.ndarray]:
    """2 s (50 frames) of unmarked 512x512 talking-head-like video."""
    return talk_clip(50)


@pytest.fixture(scope="session")
def marked_clip(mark: Watermark, clip: list[np.ndarray]) -> list[np.ndarray]:
    return [mark.embed(f, PAYLOAD) for f in clip]


@pytest.fixture(scope="session")
def marked_h264(marked_clip: list[np.ndarray]) -> list[np.ndarray]:
    """The marked clip re-encoded with libx264 at crf 28."""
    return h264(marked_clip, crf=28)
