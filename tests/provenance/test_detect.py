"""Detection: known answers after each transformation the mark must survive, and silence on
unmarked pictures."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
import skimage.data
from provenance_media import (
    PAYLOAD,
    STILLS,
    brightness_contrast,
    crop_borders,
    downscale,
    h264,
    jpeg,
    still,
)

from parlante.provenance import Watermark, WatermarkDetector, detect_watermark
from parlante.provenance.detect import P_VALUE_THRESHOLD

TRANSFORMS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "as is": lambda f: f,
    "JPEG q75": jpeg,
    "50% downscale": downscale,
    "10% crop": crop_borders,
    "brightness +20, contrast x0.8": brightness_contrast,
    "0.75x rescale": lambda f: downscale(f, 0.75),
    "1.3x upscale": lambda f: cv2.resize(f, None, fx=1.3, fy=1.3, interpolation=cv2.INTER_CUBIC),
}


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("name", STILLS)
def test_one_still_carries_the_whole_payload(mark: Watermark, name: str, transform: str) -> None:
    report = detect_watermark([TRANSFORMS[transform](mark.embed(still(name), PAYLOAD))])
    assert report.found and report.payload == PAYLOAD
    assert report.p_value < P_VALUE_THRESHOLD and report.frames_used == 1


def test_clip_reencoded_at_crf_28(marked_h264: list[np.ndarray]) -> None:
    report = detect_watermark(marked_h264)
    assert report.found and report.payload == PAYLOAD and report.frames_used == 50


@pytest.mark.parametrize(
    "transform", ["50% downscale", "10% crop", "brightness +20, contrast x0.8"]
)
def test_clip_transformed_then_reencoded(marked_clip: list[np.ndarray], transform: str) -> None:
    frames = h264([TRANSFORMS[transform](f) for f in marked_clip], crf=23)
    report = detect_watermark(frames)
    assert report.found and report.payload == PAYLOAD


def test_jpeg_screenshot_of_one_video_frame(marked_clip: list[np.ndarray]) -> None:
    delivered = h264(marked_clip[:12], crf=20)  # as Parlante writes its files
    report = detect_watermark([jpeg(delivered[7], 75)])
    assert report.found and report.payload == PAYLOAD


def test_streaming_detector_reports_as_frames_arrive(marked_h264: list[np.ndarray]) -> None:
    detector = WatermarkDetector()
    for frame in marked_h264[:20]:
        detector.add(frame)
    early = detector.report()
    for frame in marked_h264[20:]:
        detector.add(frame)
    late = detector.report()
    assert early.found and late.found and late.frames_used == 50
    with pytest.raises(ValueError, match="size"):
        detector.add(marked_h264[0][:100])


def _unmarked_pictures() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    names = [
        "astronaut", "camera", "coffee", "chelsea", "rocket", "immunohistochemistry",
        "coins", "moon", "page", "text", "clock", "grass", "gravel", "brick",
        "hubble_deep_field", "checkerboard", "logo", "colorwheel", "cat",
    ]  # fmt: skip
    pictures = []
    for name in names:
        image = getattr(skimage.data, name)()
        image = image[..., :3] if image.ndim == 3 else np.stack([image] * 3, -1)
        pictures += [image, downscale(image, 0.5), jpeg(np.ascontiguousarray(image), 60)]
    for _ in range(6):
        pictures.append(rng.integers(0, 256, (384, 512, 3), dtype=np.uint8))
        white = rng.normal(128, 40, (512, 512))
        pink = cv2.GaussianBlur(white, (0, 0), 3) * 3 + 128 - 3 * 128
        pictures.append(np.clip(np.stack([pink] * 3, -1), 0, 255).astype(np.uint8))
    return pictures


def test_no_mark_in_unmarked_pictures() -> None:
    pictures = _unmarked_pictures()
    reports = [detect_watermark([p]) for p in pictures]
    assert len(reports) >= 60
    assert not any(r.found for r in reports)
    assert all(r.payload is None for r in reports)
    # the best of ~16000 null z-scores: ~4, never the 6+ that a mark gives
    assert max(r.confidence for r in reports) < 5.5


def test_no_mark_in_an_unmarked_clip_or_with_another_key(
    clip: list[np.ndarray], marked_clip: list[np.ndarray]
) -> None:
    assert not detect_watermark(h264(clip[:25], crf=28)).found
    other = detect_watermark(marked_clip[:5], key=b"someone else's key")
    assert not other.found and other.payload is None
