"""Avatars: portraits analysed once, kept with renderers ready for live streams and jobs.

An avatar's id is a hash of the image bytes and the framing options, so uploading the same
portrait twice costs one analysis. With a cache folder the rigs also survive restarts.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from parlante.errors import PortraitError
from parlante.face import FaceRig, analyze_portrait, load_rig, save_rig
from parlante.motion.codes import MotionFrame
from parlante.render import Renderer
from parlante.serve.config import ServeConfig
from parlante.serve.errors import ApiError


@dataclass
class Avatar:
    """An analysed portrait and a pool of prepared renderers (one per concurrent user)."""

    id: str
    rig: FaceRig
    name: str
    created: float = field(default_factory=time.time)
    _pool: list[Renderer] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _model: object = field(default=None, repr=False)

    @property
    def size(self) -> int:
        return self.rig.size

    @property
    def model(self):
        """The renderer's precomputed mesh model (read-only, shared; None before prepare)."""
        return self._model

    def prepare(self) -> None:
        """Build the mesh model and one renderer, and render a frame that moves the face,
        so the first stream starts warm (numba compiled, buffers allocated)."""
        renderer = Renderer(self.rig)
        renderer.render(MotionFrame.of(jaw_open=0.3, yaw=2.0, blink_l=0.5))
        with self._lock:
            self._model = renderer.model
            self._pool.append(renderer)

    @contextmanager
    def renderer(self) -> Iterator[Renderer]:
        """A renderer for the caller's exclusive use while the context lasts."""
        with self._lock:
            renderer = self._pool.pop() if self._pool else None
        if renderer is None:
            renderer = Renderer(self.rig, model=self._model)  # the model is read-only
        try:
            yield renderer
        finally:
            with self._lock:
                self._pool.append(renderer)

    def info(self) -> dict:
        return {
            "id": self.id,
            "size": self.size,
            "name": self.name,
            "created": self.created,
            "image_url": f"/avatars/{self.id}/image",
            "stream_url": f"/avatars/{self.id}/stream",
        }


def avatar_id(data: bytes, size: int, face: int, head_distance: float) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"|{size}|{face}|{head_distance:g}".encode())
    return digest.hexdigest()[:20]


class AvatarStore:
    """Avatars in memory (least recently used dropped past ``max_avatars``) and on disk."""

    def __init__(
        self, config: ServeConfig, on_prepared: Callable[[Avatar], None] | None = None
    ) -> None:
        self.config = config
        self._on_prepared = on_prepared
        self._avatars: OrderedDict[str, Avatar] = OrderedDict()
        self._lock = threading.Lock()
        self._analysis = threading.Lock()  # one MediaPipe analysis at a time: 2 cores
        if config.cache_dir is not None:
            config.cache_dir.mkdir(parents=True, exist_ok=True)

    def _cache_path(self, avatar_id: str) -> Path | None:
        if self.config.cache_dir is None:
            return None
        return self.config.cache_dir / f"{avatar_id}.npz"

    def create(
        self,
        data: bytes,
        name: str,
        *,
        size: int = 512,
        face: int = 0,
        head_distance: float = 1.0,
    ) -> tuple[Avatar, bool]:
        """Analyse an uploaded image (or find it analysed already); (avatar, newly made)."""
        if len(data) > self.config.max_image_bytes:
            raise ApiError(
                413,
                f"{name}: the image is {len(data) / 1e6:.1f} MB, more than the "
                f"{self.config.max_image_mb:g} MB limit",
            )
        self._check_pixels(data, name)
        key = avatar_id(data, size, face, head_distance)
        with self._lock:
            if key in self._avatars:
                self._avatars.move_to_end(key)
                return self._avatars[key], False
        cached = self._cache_path(key)
        with self._analysis:
            if cached is not None and cached.exists():
                try:
                    rig = load_rig(cached)
                except PortraitError:
                    cached.unlink(missing_ok=True)
                    rig = None
            else:
                rig = None
            if rig is None:
                rig = analyze_portrait(
                    data, size=size, face_index=face, head_distance=head_distance, name=name
                )
                if cached is not None:
                    save_rig(rig, cached)
            avatar = Avatar(key, rig, name)
            avatar.prepare()
        self._insert(avatar)
        return avatar, True

    def _check_pixels(self, data: bytes, name: str) -> None:
        """Refuse huge images from their header, before any pixel is decoded."""
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except Exception:  # noqa: BLE001 - not an image: the analysis names the problem
            return
        if width * height > self.config.max_image_pixels:
            raise ApiError(
                413,
                f"{name}: the image is {width}x{height} pixels, more than the "
                f"{self.config.max_image_pixels / 1e6:g} megapixel limit",
            )

    def _insert(self, avatar: Avatar) -> None:
        if self._on_prepared is not None:
            self._on_prepared(avatar)
        with self._lock:
            self._avatars[avatar.id] = avatar
            self._avatars.move_to_end(avatar.id)
            while len(self._avatars) > self.config.max_avatars:
                self._avatars.popitem(last=False)

    def get(self, avatar_id: str) -> Avatar:
        """The avatar, from memory or the cache folder; ApiError 404 if unknown."""
        with self._lock:
            avatar = self._avatars.get(avatar_id)
            if avatar is not None:
                self._avatars.move_to_end(avatar_id)
                return avatar
        cached = self._cache_path(avatar_id) if _is_id(avatar_id) else None
        if cached is None or not cached.exists():
            raise ApiError(404, f"no avatar with id {avatar_id!r}: upload the portrait again")
        try:
            rig = load_rig(cached)
        except PortraitError:
            raise ApiError(404, f"the cached avatar {avatar_id!r} is unreadable") from None
        avatar = Avatar(avatar_id, rig, cached.name, created=cached.stat().st_mtime)
        avatar.prepare()
        self._insert(avatar)
        return avatar

    def list(self) -> list[Avatar]:
        with self._lock:
            avatars = list(self._avatars.values())
        known = {a.id for a in avatars}
        if self.config.cache_dir is not None:
            for path in sorted(self.config.cache_dir.glob("*.npz")):
                if path.stem not in known and _is_id(path.stem):
                    try:
                        avatars.append(self.get(path.stem))
                    except ApiError:
                        continue
        return avatars

    def delete(self, avatar_id: str) -> None:
        with self._lock:
            found = self._avatars.pop(avatar_id, None) is not None
        cached = self._cache_path(avatar_id) if _is_id(avatar_id) else None
        if cached is not None and cached.exists():
            cached.unlink()
            found = True
        if not found:
            raise ApiError(404, f"no avatar with id {avatar_id!r}")

    def __len__(self) -> int:
        return len(self._avatars)


def _is_id(text: str) -> bool:
    return len(text) == 20 and all(c in "0123456789abcdef" for c in text)


def preview_jpeg(avatar: Avatar, quality: int = 90) -> bytes:
    """The framed portrait as JPEG bytes (what the live stream starts from)."""
    import cv2

    ok, buf = cv2.imencode(
        ".jpg",
        cv2.cvtColor(avatar.rig.image, cv2.COLOR_RGB2BGR),
        [cv2.IMWRITE_JPEG_QUALITY, quality],
    )
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()
