"""The live WebSocket protocol of ``/avatars/{id}/stream``: messages, frame header, PCM.

Client -> server
    1. text, once, first: the stream config, JSON
       ``{"sample_rate": 16000, "format": "s16le", "emotion": "happy", "emotion_strength": 0.6,
       "gaze": [0, 0], "motion_scale": 1, "seed": 0, "label": null, "fps": 25}``
       (only ``sample_rate`` is required; ``format`` is ``s16le`` (default) or ``f32le``;
       mono PCM; sample rate 8000-48000 Hz).
    2. binary: PCM chunks, 20 ms to 2 s each, little-endian, no header, any split.
    3. text, any time: ``{"type": "controls", "emotion": ..., "emotion_strength": ...,
       "gaze": [yaw, pitch], "motion_scale": ...}`` changes the performance from now on.
    4. text: ``{"type": "end"}`` once the audio is over (the total length need not be
       known in advance); the server sends the frames still held back, then "done".

Server -> client
    - text ``{"type": "ready", "session": ID, "fps": 25, "size": 512, "lookahead": SECONDS,
      "header_bytes": 16}`` after the config.
    - binary: one video frame per message: a 16-byte header then a JPEG image::

          offset  size  type          field
          0       4     ASCII         magic "PLF1"
          4       4     uint32 LE     frame index i (0, 1, 2, ...; gaps = skipped frames)
          8       8     float64 LE    pts: seconds on the audio timeline, = i / fps
          16      ...   JPEG          the frame, size x size, watermarked

      Frame i shows the audio at time pts. Show it when your audio clock reaches pts.
    - text ``{"type": "silence", "start": T, "seconds": S}``: no audio came for a while
      (``--idle-after-seconds``, 0.5 s), so the server continued the timeline with S seconds
      of silence from time T, keeping it level with the wall clock (the face rests, blinks,
      breathes). Audio sent after that plays from T + S on the timeline. Timeline 0 is the
      first audio chunk, or the "ready" message if no audio came within that time.
    - text ``{"type": "done", "frames": N, "skipped": K, "seconds": D}`` after "end": N
      frames sent, K not sent (rendering was too late for them, or the client read too
      slowly), D seconds of timeline. Frames are sent as soon as they are ready (about
      ``lookahead`` + 20-40 ms after their audio arrives): pace the display by pts.
    - text ``{"type": "error", "status": 4xx, "error": MESSAGE}``, then the server closes
      the connection with code 4000 + status (e.g. 4404 unknown avatar, 4429 too many
      streams, 4400 malformed message, 4408 no config within 30 s, 4413 audio too long;
      1011 for an internal error).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parlante.motion.controls import EMOTIONS

MAGIC = b"PLF1"
HEADER = struct.Struct("<4sId")
"""magic, frame index, pts seconds: 16 bytes, little-endian."""
FORMATS = {"s16le": np.dtype("<i2"), "f32le": np.dtype("<f4")}
MIN_RATE, MAX_RATE = 8000, 48000
MAX_CHUNK_SECONDS = 2.0


class ProtocolError(ValueError):
    """A malformed client message; ``status`` is the HTTP-like code sent back."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def pack_frame(index: int, pts: float, jpeg: bytes) -> bytes:
    return HEADER.pack(MAGIC, index, pts) + jpeg


def unpack_frame(message: bytes) -> tuple[int, float, bytes]:
    """(index, pts seconds, JPEG bytes) of a binary frame message."""
    if len(message) < HEADER.size:
        raise ProtocolError(f"frame message of {len(message)} bytes is shorter than its header")
    magic, index, pts = HEADER.unpack_from(message)
    if magic != MAGIC:
        raise ProtocolError(f"frame message starts with {magic!r}, not {MAGIC!r}")
    return index, pts, bytes(message[HEADER.size :])


@dataclass
class StreamConfig:
    """The client's first message, validated."""

    sample_rate: int
    format: str = "s16le"
    options: dict[str, Any] = field(default_factory=dict)
    """AnimateOptions overrides (emotion, emotion_strength, gaze, motion_scale, seed,
    label, fps)."""


START_OPTIONS = ("emotion", "emotion_strength", "gaze", "motion_scale", "seed", "label", "fps")
LIVE_OPTIONS = ("emotion", "emotion_strength", "gaze", "motion_scale")


def parse_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise ProtocolError(f"message is not valid JSON ({err.msg})") from None
    if not isinstance(value, dict):
        raise ProtocolError("message must be a JSON object")
    return value


def parse_config(text: str) -> StreamConfig:
    try:
        msg = parse_json(text)
    except ProtocolError as err:
        raise ProtocolError(f"the first message must be the JSON stream config: {err}") from None
    msg.pop("type", None)
    rate = msg.pop("sample_rate", None)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or rate != int(rate):
        raise ProtocolError("the first message must give sample_rate as an integer (Hz)")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ProtocolError(f"sample_rate must be {MIN_RATE}-{MAX_RATE} Hz, got {rate}")
    fmt = msg.pop("format", "s16le")
    if fmt not in FORMATS:
        raise ProtocolError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return StreamConfig(int(rate), fmt, parse_options(msg, START_OPTIONS))


def parse_controls(msg: dict[str, Any]) -> dict[str, Any]:
    msg = dict(msg)
    msg.pop("type", None)
    return parse_options(msg, LIVE_OPTIONS)


def parse_options(msg: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """Type-check option values; ranges are checked by AnimateOptions itself."""
    unknown = sorted(set(msg) - set(allowed))
    if unknown:
        raise ProtocolError(
            f"unknown field(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})"
        )
    out: dict[str, Any] = {}
    for name, value in msg.items():
        if name == "emotion":
            if value not in EMOTIONS:
                raise ProtocolError(f"emotion must be one of {', '.join(EMOTIONS)}")
            out[name] = value
        elif name == "gaze":
            ok = isinstance(value, list | tuple) and len(value) == 2
            if not ok or not all(_is_number(v) for v in value):
                raise ProtocolError("gaze must be [yaw, pitch] in degrees")
            out[name] = (float(value[0]), float(value[1]))
        elif name == "label":
            if value is not None and not isinstance(value, str):
                raise ProtocolError("label must be a string or null")
            out[name] = value[:80] if value else None
        elif name == "seed":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ProtocolError("seed must be an integer")
            out[name] = value
        else:
            if not _is_number(value):
                raise ProtocolError(f"{name} must be a number")
            out[name] = float(value)
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def decode_pcm(data: bytes, config: StreamConfig) -> np.ndarray:
    """A binary chunk -> (N,) float32 in [-1, 1]; refuses malformed or oversized chunks."""
    dtype = FORMATS[config.format]
    if len(data) == 0:
        raise ProtocolError("empty audio chunk")
    if len(data) % dtype.itemsize:
        raise ProtocolError(
            f"audio chunk of {len(data)} bytes is not a whole number of {config.format} samples"
        )
    n = len(data) // dtype.itemsize
    if n > MAX_CHUNK_SECONDS * config.sample_rate:
        raise ProtocolError(
            f"audio chunk of {n / config.sample_rate:.2f} s is longer than "
            f"{MAX_CHUNK_SECONDS:g} s: send smaller chunks"
        )
    samples = np.frombuffer(data, dtype)
    if config.format == "s16le":
        return samples.astype(np.float32) / 32768.0
    samples = samples.astype(np.float32)
    if not np.isfinite(samples).all():
        raise ProtocolError("audio chunk contains NaN or infinite samples")
    return np.clip(samples, -1.0, 1.0)
