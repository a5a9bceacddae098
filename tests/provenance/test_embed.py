"""Embedding: invisible (PSNR, flat areas), masked by texture, cheap to call, honest about
its in-place option."""

from __future__ import annotations

import numpy as np
import pytest
from provenance_media import PAYLOAD, STILLS, psnr, still

from parlante.provenance import Watermark


@pytest.mark.parametrize("name", STILLS)
def test_psnr_is_at_least_40_db(mark: Watermark, name: str) -> None:
    image = still(name)
    assert psnr(mark.embed(image, PAYLOAD), image) >= 40.0


def test_busy_noise_is_capped_at_40_db(mark: Watermark) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (512, 512, 3), dtype=np.uint8)
    assert psnr(mark.embed(noise, PAYLOAD), noise) >= 40.0


def test_flat_grey_changes_by_at_most_two_levels(mark: Watermark) -> None:
    grey = np.full((512, 512, 3), 128, np.uint8)
    change = mark.embed(grey, PAYLOAD).astype(int) - 128
    assert np.abs(change).max() <= 2
    assert abs(change.mean()) < 0.05  # no brightness shift
    assert np.all(change[..., 0] == change[..., 1]) and np.all(change[..., 1] == change[..., 2])


def test_texture_carries_a_stronger_mark_than_flat_areas(mark: Watermark) -> None:
    rng = np.random.default_rng(1)
    frame = np.full((512, 512, 3), 120, np.uint8)
    frame[:, 256:] = rng.integers(60, 180, (512, 256, 1), dtype=np.uint8)
    change = mark.embed(frame, PAYLOAD).astype(float) - frame
    flat, busy = change[:, :200, 0], change[:, 312:, 0]
    assert busy.std() > 3 * flat.std() > 0


def test_input_untouched_unless_marked_in_place(mark: Watermark) -> None:
    frame = still("astronaut")
    original = frame.copy()
    out = mark.embed(frame, PAYLOAD)
    assert np.array_equal(frame, original) and not np.array_equal(out, original)
    again = mark.embed(frame, PAYLOAD, out=frame)
    assert again is frame and np.array_equal(frame, out)


def test_same_payload_same_result_and_payloads_differ(mark: Watermark) -> None:
    frame = still("coffee")
    a, b = mark.embed(frame, 1), mark.embed(frame, 1)
    c = Watermark(size=512).embed(frame, 2)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_bad_frames_are_refused(mark: Watermark) -> None:
    with pytest.raises(ValueError, match="uint8"):
        mark.embed(np.zeros((64, 64, 3), np.float32), PAYLOAD)
    with pytest.raises(ValueError, match="uint8"):
        mark.embed(np.zeros((64, 64), np.uint8), PAYLOAD)
    with pytest.raises(ValueError, match="32-bit"):
        mark.embed(np.zeros((64, 64, 3), np.uint8), 1 << 40)
