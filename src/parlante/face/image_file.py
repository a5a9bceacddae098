"""Reading a portrait file into an upright 8-bit RGB array, with one-line errors naming it.

Pillow does the decoding; this module only normalises what Pillow gives (orientation, alpha,
bit depth, colour profile) and refuses what the face stage cannot use (too small, too large,
not an image).
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from parlante.errors import PortraitError

MIN_SIDE = 200
"""Smallest accepted short side, in pixels: below this the face is too coarse to animate."""
MAX_SIDE = 6000
"""Largest accepted long side, in pixels (bigger inputs are refused, not downscaled)."""
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF")
"""Pillow format names accepted (JPEG includes the multi-picture MPO some cameras write)."""
MATTE_RGB = (255, 255, 255)
"""Colour transparent pixels are composited on."""

PortraitSource = str | os.PathLike | bytes | np.ndarray


@dataclass(frozen=True)
class SourceImage:
    """A decoded portrait and what identifies it."""

    pixels: np.ndarray
    """(H, W, 3) uint8 RGB, upright."""
    name: str
    """How error messages name the source (its path, or a placeholder for bytes/arrays)."""
    sha256: str
    """SHA-256 of the file bytes (or of the array's bytes)."""


def load_image(source: str | os.PathLike | bytes, *, name: str | None = None) -> np.ndarray:
    """Decode a JPEG/PNG/WebP/BMP/TIFF portrait into an upright (H, W, 3) uint8 RGB array.

    EXIF orientation is applied, transparency is composited on white, grey/palette/16-bit
    images become 8-bit RGB, and an embedded colour profile is converted to sRGB.
    ``name`` overrides how errors name the source (default: the path, or "<bytes>").
    Raises PortraitError for anything unreadable, smaller than ``MIN_SIDE`` on the short
    side, or larger than ``MAX_SIDE`` on the long side.
    """
    return read_source(source, name=name).pixels


def read_source(source: PortraitSource, *, name: str | None = None) -> SourceImage:
    """Like ``load_image`` but also accepts an RGB array and returns name and hash too."""
    if isinstance(source, np.ndarray):
        label = name or "<array>"
        pixels = _check_array(source, label)
        check_size(pixels.shape[1], pixels.shape[0], label)
        digest = hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()
        return SourceImage(pixels, label, digest)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        label = name or "<bytes>"
    else:
        label = name or os.fspath(source)
        data = _read_file(Path(source), label)
    pixels = _decode(data, label)
    return SourceImage(pixels, label, hashlib.sha256(data).hexdigest())


def check_size(width: int, height: int, name: str) -> None:
    """Refuse images outside [MIN_SIDE, MAX_SIDE] with a message naming the file."""
    if max(width, height) > MAX_SIDE:
        raise PortraitError(
            f"{name}: image is {width}x{height}, larger than the {MAX_SIDE} px limit"
        )
    if min(width, height) < MIN_SIDE:
        raise PortraitError(
            f"{name}: image is {width}x{height}, smaller than the {MIN_SIDE} px minimum"
        )


def _read_file(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PortraitError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise PortraitError(f"{name}: is a directory, not an image") from None
    except OSError as err:
        raise PortraitError(f"{name}: cannot read ({err.strerror or err})") from None


def _check_array(array: np.ndarray, name: str) -> np.ndarray:
    if array.dtype != np.uint8:
        raise ValueError(f"{name}: expected a uint8 array, got {array.dtype}")
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"{name}: expected an (H, W, 3) RGB array, got shape {array.shape}")
    return array


def _decode(data: bytes, name: str) -> np.ndarray:
    # The pixel cap of Pillow is a process-wide setting; rather than change it, the size is
    # checked from the header before any pixel is decoded, and Pillow's own bomb guard
    # (far above MAX_SIDE**2) is turned into the same error.
    Image.init()  # registers the WebP and TIFF plugins (not among Pillow's preloaded ones)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PortraitError(
                f"{name}: image is larger than the {MAX_SIDE} px limit (decompression bomb)"
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise PortraitError(
                f"{name}: not an image (supported: JPEG, PNG, WebP, BMP, TIFF)"
            ) from None
        check_size(*image.size, name)
        try:
            image.load()
            image = ImageOps.exif_transpose(image)
            return _to_rgb(image)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
            detail = " ".join(str(err).split())  # one line, whatever Pillow said
            raise PortraitError(f"{name}: image data is corrupt or truncated ({detail})") from None


def _to_rgb(image: Image.Image) -> np.ndarray:
    """Any Pillow mode -> (H, W, 3) uint8 sRGB."""
    mode = image.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        values = np.asarray(image, dtype=np.float32)
        top = values.max(initial=0.0)
        # 16-bit data spans 0..65535; float data usually 0..1.
        scale = 255.0 / 65535.0 if top > 255 else (255.0 if mode == "F" and top <= 1 else 1.0)
        grey = np.clip(values * scale + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    image = _to_srgb(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or ("transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        matte = Image.new("RGBA", rgba.size, (*MATTE_RGB, 255))
        image = Image.alpha_composite(matte, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded ICC profile (e.g. Display P3, Adobe RGB) so colours are sRGB."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        out_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, src, ImageCms.createProfile("sRGB"), outputMode=out_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unusable profile is ignored rather than fatal
    return converted if converted is not None else image
