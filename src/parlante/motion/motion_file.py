"""Motion files (``.motion``): a performance extracted once, replayed on any portrait.

Format, version 1. A ZIP archive (stored, not compressed: the arrays are small) with:

``header.json`` (UTF-8 JSON object)
    ``"format": "parlante-motion"``, ``"version": 1``, ``"fps"`` (frames per second),
    ``"n_frames"`` (T), ``"channels"`` (list of channel names, the columns of ``values``,
    units as in ``parlante.motion.channels``), ``"created_by"``, and optionally
    ``"source"`` (the driving video: path, sha256, width, height, fps, frames, face) and
    ``"neutral"`` (``{"frame": k}``: the driver's frame the codes are relative to).
``values.npy``
    (T, C) float32 motion codes, C = len(channels).
``valid.npy`` (optional)
    (T,) bool: the driver's face was seen in that frame (else the codes were held/eased).
``neutral.npy`` (optional)
    (478, 3) float32 face-mesh landmarks of the neutral frame, in source-video pixels.

Columns are matched by channel NAME when loading: a file from an older channel set loads
with its missing channels at rest (0), and channels this version does not know are
dropped (listed in ``MotionFile.unknown_channels``). A file of a newer format version, or
one that is damaged, raises ``MotionFileError``. ``unzip -p talk.motion header.json``
shows the header.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from parlante import __version__
from parlante.errors import MotionFileError
from parlante.motion.channels import CHANNELS
from parlante.motion.codes import Motion
from parlante.motion.resample import resample_motion

FORMAT = "parlante-motion"
VERSION = 1
SUFFIX = ".motion"
_MAX_FRAMES = 10_000_000


@dataclass(frozen=True)
class MotionSource:
    """Where an extracted performance came from."""

    path: str
    """File name of the driving video as given."""
    sha256: str
    """SHA-256 of the driving video's bytes."""
    width: int
    height: int
    """Pixels of the video frames."""
    fps: float
    """Frame rate of the video (the motion's own fps may differ after resampling)."""
    frames: int
    """Frames decoded."""
    face: int = 0
    """Which face drove (0 = the largest)."""


@dataclass(frozen=True)
class MotionNeutral:
    """The driver's neutral reference: the frame every code is relative to."""

    frame: int
    """Index of the neutral frame in the source video."""
    landmarks: np.ndarray
    """(478, 3) float32 face-mesh points of that frame, source-video pixels."""


@dataclass
class MotionFile:
    """Everything a motion file holds, as loaded."""

    motion: Motion
    """Codes in this version's ``CHANNELS`` order (missing channels 0)."""
    version: int
    source: MotionSource | None = None
    neutral: MotionNeutral | None = None
    valid: np.ndarray | None = None
    """(T,) bool, or None when the file does not say."""
    unknown_channels: tuple[str, ...] = ()
    """Channels in the file that this version does not know (dropped)."""


def save_motion(
    motion: Motion,
    path: str | os.PathLike[str],
    *,
    neutral: MotionNeutral | None = None,
    source: MotionSource | None = None,
    valid: np.ndarray | None = None,
) -> Path:
    """Write ``motion`` (and what is known of its origin) to ``path``; returns the path.

    The file is written beside ``path`` and renamed into place, so a failed write never
    leaves a half file under the final name.
    """
    path = Path(path)
    values = np.asarray(motion.values, np.float32)
    if not np.all(np.isfinite(values)):
        raise ValueError("motion values must be finite")
    header: dict = {
        "format": FORMAT,
        "version": VERSION,
        "fps": float(motion.fps),
        "n_frames": int(values.shape[0]),
        "channels": list(motion.channels),
        "created_by": f"parlante {__version__}",
    }
    if source is not None:
        header["source"] = asdict(source)
    if neutral is not None:
        header["neutral"] = {"frame": int(neutral.frame)}
    arrays = {"values.npy": values}
    if valid is not None:
        valid = np.asarray(valid, bool)
        if valid.shape != (values.shape[0],):
            raise ValueError(f"valid must be ({values.shape[0]},), got {valid.shape}")
        arrays["valid.npy"] = valid
    if neutral is not None:
        arrays["neutral.npy"] = np.asarray(neutral.landmarks, np.float32)
    temp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr("header.json", json.dumps(header, indent=1))
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
                zf.writestr(name, buffer.getvalue())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def load_motion(path: str | os.PathLike[str], *, fps: float | None = None) -> Motion:
    """The motion of a ``.motion`` file, resampled to ``fps`` when given and different."""
    motion = load_motion_file(path).motion
    return motion if fps is None else resample_motion(motion, fps)


def load_motion_file(path: str | os.PathLike[str]) -> MotionFile:
    """Read and check a motion file; raises MotionFileError naming the file if it is
    missing, damaged, not a motion file, or of a newer format version."""
    path = Path(path)
    if not path.is_file():
        raise MotionFileError(f"{path}: motion file not found")
    try:
        with zipfile.ZipFile(path) as zf:
            header = _header(zf, path)
            values = _array(zf, "values.npy", path)
            names = set(zf.namelist())
            valid = _array(zf, "valid.npy", path) if "valid.npy" in names else None
            neutral_lm = _array(zf, "neutral.npy", path) if "neutral.npy" in names else None
    except MotionFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise MotionFileError(f"{path}: damaged motion file ({_one_line(exc)})") from None
    channels = header["channels"]
    n = header["n_frames"]
    if values.dtype.kind != "f" or values.shape != (n, len(channels)):
        raise MotionFileError(
            f"{path}: damaged motion file (values are {values.dtype} {values.shape}, "
            f"expected ({n}, {len(channels)}) floats)"
        )
    if not np.all(np.isfinite(values)):
        raise MotionFileError(f"{path}: damaged motion file (non-finite motion values)")
    out = np.zeros((n, len(CHANNELS)), np.float32)
    for c, name in enumerate(channels):
        if name in CHANNELS:
            out[:, CHANNELS.index(name)] = values[:, c]
    unknown = tuple(c for c in channels if c not in CHANNELS)
    if valid is not None and (valid.dtype != bool or valid.shape != (n,)):
        raise MotionFileError(f"{path}: damaged motion file (valid.npy is {valid.shape})")
    neutral = None
    if neutral_lm is not None:
        if neutral_lm.shape != (478, 3) or not np.all(np.isfinite(neutral_lm)):
            raise MotionFileError(
                f"{path}: damaged motion file (neutral.npy is {neutral_lm.shape})"
            )
        frame = int((header.get("neutral") or {}).get("frame", 0))
        neutral = MotionNeutral(frame, neutral_lm.astype(np.float32))
    source = None
    if isinstance(header.get("source"), dict):
        try:
            source = MotionSource(**header["source"])
        except TypeError:
            source = None  # a source record from another version: informative only
    return MotionFile(
        Motion(out, header["fps"]), header["version"], source, neutral, valid, unknown
    )


def _header(zf: zipfile.ZipFile, path: Path) -> dict:
    try:
        raw = zf.read("header.json")
    except KeyError:
        raise MotionFileError(f"{path}: not a Parlante motion file (no header.json)") from None
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MotionFileError(f"{path}: damaged motion file (header: {_one_line(exc)})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise MotionFileError(f"{path}: not a Parlante motion file (format is not {FORMAT!r})")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise MotionFileError(f"{path}: damaged motion file (bad version {version!r})")
    if version > VERSION:
        raise MotionFileError(
            f"{path}: motion file format version {version} is newer than this Parlante "
            f"reads ({VERSION}); upgrade Parlante"
        )
    fps = header.get("fps")
    n = header.get("n_frames")
    channels = header.get("channels")
    if not (isinstance(fps, int | float) and math.isfinite(fps) and 0 < fps <= 1000):
        raise MotionFileError(f"{path}: damaged motion file (bad fps {fps!r})")
    if not (isinstance(n, int) and 0 <= n <= _MAX_FRAMES):
        raise MotionFileError(f"{path}: damaged motion file (bad n_frames {n!r})")
    if (
        not isinstance(channels, list)
        or not channels
        or not all(isinstance(c, str) for c in channels)
        or len(set(channels)) != len(channels)
    ):
        raise MotionFileError(f"{path}: damaged motion file (bad channel list)")
    header["fps"] = float(fps)
    return header


def _array(zf: zipfile.ZipFile, name: str, path: Path) -> np.ndarray:
    try:
        raw = zf.read(name)
    except KeyError:
        raise MotionFileError(f"{path}: damaged motion file (no {name})") from None
    return np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
