"""load_image: formats, orientation, alpha, bit depth, and one-line errors naming the file."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from parlante.errors import PortraitError
from parlante.face import analyze_portrait, load_image


def test_png_round_trips_exactly(astronaut, save):
    assert np.array_equal(load_image(save(astronaut, "a.png")), astronaut)


def test_bytes_and_path_give_the_same_pixels(astronaut, save):
    path = save(astronaut, "a.jpg", quality=90)
    assert np.array_equal(load_image(path.read_bytes()), load_image(path))


def test_rgba_is_composited_on_white(astronaut, save):
    alpha = np.full(astronaut.shape[:2], 255, np.uint8)
    alpha[:, :40] = 0  # a transparent strip
    alpha[:, 40:60] = 128  # and a half-transparent one
    path = save(np.dstack([astronaut, alpha]), "rgba.png")
    out = load_image(path)
    assert out.shape == astronaut.shape
    assert (out[:, :40] == 255).all()
    half = out[:, 40:60].astype(int)
    expected = (astronaut[:, 40:60].astype(int) * 128 + 255 * 127) / 255
    assert np.abs(half - expected).max() <= 2
    assert np.array_equal(out[:, 60:], astronaut[:, 60:])


def test_grey_palette_and_16_bit_become_rgb(astronaut, save):
    grey = np.asarray(Image.fromarray(astronaut).convert("L"))
    for path in (
        save(grey, "grey.png"),
        save(Image.fromarray(astronaut).convert("P"), "palette.png"),
        save(Image.fromarray(grey.astype(np.uint16) * 257), "grey16.png"),
    ):
        out = load_image(path)
        assert out.shape == astronaut.shape and out.dtype == np.uint8
        if "grey" in path.name:
            assert np.array_equal(out[..., 0], out[..., 2])
            assert np.abs(out[..., 1].astype(int) - grey).max() <= 1  # 16-bit scaled, not clipped


def test_exif_orientation_is_applied(astronaut, save):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    stored = np.ascontiguousarray(np.rot90(astronaut, k=1))  # pixels stored turned left
    path = save(stored, "turned.png", exif=exif)
    assert np.array_equal(load_image(path), astronaut)


def test_exif_rotated_jpeg_gives_upright_landmarks(astronaut, astronaut_rig, save):
    exif = Image.Exif()
    exif[0x0112] = 8  # "rotate 90 degrees counter-clockwise to display"
    stored = np.ascontiguousarray(np.rot90(astronaut, k=-1))
    rig = analyze_portrait(save(stored, "turned.jpg", exif=exif, quality=95))
    drift = np.linalg.norm(rig.landmarks[:, :2] - astronaut_rig.landmarks[:, :2], axis=1)
    assert np.median(drift) < 3.0
    assert rig.landmarks[152, 1] > rig.landmarks[10, 1]  # chin below forehead: upright


def test_webp_portrait_is_analysed(astronaut, astronaut_rig, save):
    rig = analyze_portrait(save(astronaut, "a.webp", quality=90))
    drift = np.linalg.norm(rig.landmarks[:, :2] - astronaut_rig.landmarks[:, :2], axis=1)
    assert np.median(drift) < 3.0


def _png_header(width: int, height: int) -> bytes:
    """A small PNG file whose header claims a huge size (its pixel data is a stub)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("tiny.png", lambda s: s(np.full((150, 300, 3), 200, np.uint8), "tiny.png"), "150"),
        ("notes.jpg", None, "not an image"),
        ("wide.png", lambda s: s(np.full((300, 6100, 3), 90, np.uint8), "wide.png"), "6000 px"),
        ("claims9000.png", "9000", "9000x9000"),
        ("bomb.png", "100000", "6000 px"),
        ("missing.png", "missing", "no such file"),
    ],
)
def test_unusable_files_raise_one_line_errors_naming_them(name, make, words, save, tmp_path):
    path = tmp_path / name
    if make is None:
        path.write_text("this is not a picture\n")
    elif make == "missing":
        pass
    elif isinstance(make, str):
        path.write_bytes(_png_header(int(make), int(make)))
    else:
        path = make(save)
    with pytest.raises(PortraitError) as err:
        load_image(path)
    message = str(err.value)
    assert name in message and words in message and "\n" not in message


def test_truncated_jpeg_is_reported_as_corrupt(astronaut, save):
    path = save(astronaut, "cut.jpg", quality=90)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(PortraitError, match="cut.jpg: image data is corrupt"):
        load_image(path)


def test_bytes_errors_use_the_given_name():
    with pytest.raises(PortraitError, match="^upload-7: not an image"):
        load_image(b"GIF89a nonsense", name="upload-7")


def test_source_hash_is_the_file_hash(astronaut, save):
    import hashlib

    path: Path = save(astronaut, "a.png")
    rig = analyze_portrait(path)
    assert rig.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert analyze_portrait(path.read_bytes()).source_sha256 == rig.source_sha256
