"""FaceRig on disk: one compressed .npz with a format version, written atomically."""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from parlante.errors import PortraitError
from parlante.face.rig import FaceRig

RIG_FORMAT = 1
"""Version written by ``save_rig``; ``load_rig`` refuses files with a larger one."""
_KIND = "parlante-face-rig"


def save_rig(rig: FaceRig, path: str | os.PathLike) -> None:
    """Write ``rig`` to ``path`` (any suffix). A crash never leaves a half-written file there."""
    path = Path(path)
    arrays = {
        "kind": np.array(_KIND),
        "format": np.array(RIG_FORMAT, dtype=np.int64),
        "image": np.asarray(rig.image, dtype=np.uint8),
        "landmarks": np.asarray(rig.landmarks, dtype=np.float32),
        "person_mask": np.asarray(rig.person_mask, dtype=np.float32),
        "background": np.asarray(rig.background, dtype=np.uint8),
        "crop": np.asarray(rig.crop, dtype=np.float64),
        "source_sha256": np.array(rig.source_sha256),
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez_compressed(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_rig(path: str | os.PathLike) -> FaceRig:
    """Read a rig written by ``save_rig``; PortraitError if missing, corrupt or too new."""
    name = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            fields = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise PortraitError(f"{name}: no such file") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        detail = " ".join(str(err).split())
        raise PortraitError(f"{name}: not a face rig file ({detail})") from None
    if not isinstance(fields, dict) or str(fields.get("kind", "")) != _KIND:
        raise PortraitError(f"{name}: not a face rig file")
    version = int(fields["format"]) if "format" in fields else -1
    if version > RIG_FORMAT:
        raise PortraitError(
            f"{name}: face rig format {version} is newer than this parlante reads "
            f"({RIG_FORMAT}); upgrade parlante or re-analyse the portrait"
        )
    try:
        rig = FaceRig(
            image=fields["image"],
            landmarks=fields["landmarks"],
            person_mask=fields["person_mask"],
            background=fields["background"],
            crop=tuple(float(v) for v in fields["crop"]),
            source_sha256=str(fields["source_sha256"]),
        )
    except KeyError as err:
        raise PortraitError(f"{name}: face rig file lacks {err.args[0]!r}") from None
    _check(rig, name)
    return rig


def _check(rig: FaceRig, name: str) -> None:
    side = rig.image.shape[0] if rig.image.ndim == 3 else -1
    ok = (
        rig.image.shape == (side, side, 3)
        and rig.image.dtype == np.uint8
        and rig.background.shape == (side, side, 3)
        and rig.background.dtype == np.uint8
        and rig.person_mask.shape == (side, side)
        and rig.landmarks.shape == (478, 3)
        and len(rig.crop) == 3
        and np.isfinite(rig.landmarks).all()
    )
    if not ok:
        raise PortraitError(f"{name}: face rig file has inconsistent array shapes")
