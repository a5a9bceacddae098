"""Live animation: voice chunks in, watermarked frames out, as the audio arrives.

The session chains the streaming forms of each stage (``AudioFeatureStream`` ->
``MotionStream`` -> ``Renderer``), so the frames match the offline pipeline
(``parlante.pipeline.animate``) for the same audio, portrait and seed, except where a stage's
lookahead could not see far enough. Frame ``i`` has ``pts = i / fps`` seconds and shows the
audio around that time; a frame leaves the session once the audio ``lookahead_seconds``
past it has arrived.

    session = LiveSession(rig, AnimateOptions(emotion="happy"), sample_rate=16000)
    for chunk in microphone():              # (N,) float32 or int16, any N
        for f in session.push_audio(chunk):
            show(f.frame, at=f.pts)
    for f in session.end():
        show(f.frame, at=f.pts)

Rendering is split from motion planning (``plan_audio`` / ``render``) so that a server can skip
rendering frames that are already too late, without the motion losing its continuity.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from parlante.audio import AudioFeatureStream
from parlante.errors import AudioError
from parlante.face import FaceRig
from parlante.motion import MotionStream
from parlante.options import AnimateOptions
from parlante.provenance import Watermark, add_label
from parlante.render import Renderer

LIVE_CONTROLS = ("emotion", "emotion_strength", "gaze", "motion_scale")
"""AnimateOptions fields that ``LiveSession.set_controls`` may change mid-stream."""


@dataclass
class FramePlan:
    """A frame whose motion is final but which is not rendered yet."""

    index: int
    pts: float
    """Seconds from the start of the stream: ``index / fps``."""
    motion: np.ndarray
    """(C,) float32 motion codes, columns ``parlante.motion.channels.CHANNELS``."""


@dataclass
class TimedFrame:
    """A rendered, watermarked frame of a live stream."""

    index: int
    pts: float
    """Seconds from the start of the stream: ``index / fps``; the audio it shows."""
    frame: np.ndarray
    """(S, S, 3) uint8 RGB."""
    motion: np.ndarray
    """(C,) float32 motion codes the frame was rendered from."""


def pcm_to_float(chunk: np.ndarray) -> np.ndarray:
    """int16 (full scale 32768) or float PCM, any shape with one channel -> (N,) float32."""
    chunk = np.asarray(chunk)
    if chunk.dtype == np.int16:
        return chunk.reshape(-1).astype(np.float32) / 32768.0
    if chunk.dtype.kind != "f":
        raise AudioError(f"audio chunk: expected float32 or int16 PCM, got {chunk.dtype}")
    return chunk.reshape(-1).astype(np.float32, copy=False)


def stream_payload(rig: FaceRig, options: AnimateOptions, nonce: str | None = None) -> int:
    """32-bit watermark id of one live stream: the portrait, the options and a per-stream
    nonce (the audio, which the offline id uses, is not known when the first frame leaves)."""
    nonce = uuid.uuid4().hex if nonce is None else nonce
    text = f"live|{rig.source_sha256}|{sorted(options.settings().items())}|{nonce}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


class LiveSession:
    """One live performance of ``rig`` driven by PCM chunks at ``sample_rate`` Hz.

    options: size must equal the rig's; ``transcript`` is ignored (forced alignment needs
        the whole recording).
    payload: the 32-bit watermark id; default: ``stream_payload`` with a random nonce.
    renderer: a prepared ``Renderer(rig)`` to reuse (a server keeps one per portrait);
        it must not be used by another session at the same time.
    lookahead: seconds of audio the motion may read ahead; None (default) gives exactly
        the offline motion (0.2 s of look-ahead); 0.04 brings the first frame under 100 ms
        for live avatars, the mouth then moving up to one frame later than offline.
    Not thread-safe: call it from one thread at a time.
    """

    def __init__(
        self,
        rig: FaceRig,
        options: AnimateOptions | None = None,
        sample_rate: int = 16000,
        *,
        payload: int | None = None,
        renderer: Renderer | None = None,
        lookahead: float | None = None,
    ) -> None:
        options = options or AnimateOptions(size=rig.size)
        if options.size != rig.size:
            raise ValueError(f"the face rig is {rig.size} px but the options say {options.size}")
        if not 8000 <= int(sample_rate) <= 192000:
            raise AudioError(f"audio stream: sample rate {sample_rate} Hz is not supported")
        self.rig = rig
        self.options = options
        self.sample_rate = int(sample_rate)
        self.fps = float(options.fps)
        self.payload = stream_payload(rig, options) if payload is None else int(payload)
        self._audio = AudioFeatureStream(self.sample_rate, self.fps)
        self._motion = MotionStream(options.controls(), self.fps, lookahead_s=lookahead)
        self._renderer = renderer if renderer is not None else Renderer(rig)
        self._mark = Watermark(size=rig.size)
        self._next_index = 0
        self._samples_in = 0
        self._ended = False

    @property
    def lookahead_seconds(self) -> float:
        """Audio that must arrive past a frame's time before that frame can leave."""
        return float(self._audio.lookahead_seconds) + self._motion.lookahead_frames / self.fps

    @property
    def audio_seconds(self) -> float:
        """Length of the timeline so far: audio pushed plus idle silence."""
        return self._samples_in / self.sample_rate

    @property
    def frames_planned(self) -> int:
        return self._next_index

    @property
    def ended(self) -> bool:
        return self._ended

    # -- motion only -------------------------------------------------------------------------

    def plan_audio(self, chunk: np.ndarray) -> list[FramePlan]:
        """Feed PCM; returns the frames whose motion became final (none rendered yet)."""
        if self._ended:
            raise RuntimeError("this live session has ended")
        samples = pcm_to_float(chunk)
        if not len(samples):
            return []
        if not np.isfinite(samples).all():
            raise AudioError("audio chunk: contains NaN or infinite samples")
        self._samples_in += len(samples)
        track = self._audio.push(samples)
        if not len(track):
            return []
        return self._plans(self._motion.push(track).values)

    def plan_idle(self, seconds: float) -> list[FramePlan]:
        """Extend the timeline by ``seconds`` of silence (the face rests, blinks, breathes)."""
        n = round(max(0.0, seconds) * self.sample_rate)
        return self.plan_audio(np.zeros(n, np.float32)) if n else []

    def plan_end(self) -> list[FramePlan]:
        """No more audio: the remaining frames, up to the end of the timeline."""
        if self._ended:
            return []
        self._ended = True
        rows = []
        track = self._audio.flush()
        if len(track):
            rows.append(self._motion.push(track).values)
        rows.append(self._motion.flush().values)
        return self._plans(np.concatenate(rows))

    def _plans(self, values: np.ndarray) -> list[FramePlan]:
        if not len(values):
            return []
        # as in plan_motion: jaw codes refitted to this portrait's resting mouth (per frame)
        values = self._renderer.from_closed_mouth(values)
        out = []
        for row in values:
            i = self._next_index
            out.append(FramePlan(i, i / self.fps, np.array(row, np.float32)))
            self._next_index += 1
        return out

    def set_controls(self, **changes) -> None:
        """Change emotion, emotion_strength, gaze or motion_scale from the next frames on.

        Raises ValueError for an unknown name or an out-of-range value (nothing changes).
        """
        unknown = set(changes) - set(LIVE_CONTROLS)
        if unknown:
            raise ValueError(
                f"cannot change {', '.join(sorted(unknown))} mid-stream "
                f"(live controls: {', '.join(LIVE_CONTROLS)})"
            )
        if "gaze" in changes:
            changes["gaze"] = tuple(float(v) for v in changes["gaze"])
        self.options = replace(self.options, **changes)  # validates
        self._motion.set_controls(self.options.controls())

    # -- pixels ------------------------------------------------------------------------------

    def render(self, plan: FramePlan) -> TimedFrame:
        """Render, label and watermark one planned frame."""
        frame = self._renderer.render(plan.motion)
        if self.options.label:
            frame = add_label(frame, self.options.label)
        frame = self._mark.embed(frame, self.payload)
        return TimedFrame(plan.index, plan.pts, frame, plan.motion)

    def push_audio(self, chunk: np.ndarray) -> list[TimedFrame]:
        """Feed PCM ((N,) float32 in [-1, 1] or int16); returns the frames it completed."""
        return [self.render(p) for p in self.plan_audio(chunk)]

    def idle(self, seconds_elapsed: float) -> list[TimedFrame]:
        """No audio for ``seconds_elapsed`` s: continue the timeline with a resting face."""
        return [self.render(p) for p in self.plan_idle(seconds_elapsed)]

    def end(self) -> list[TimedFrame]:
        """Flush: the frames still held back by the lookahead."""
        return [self.render(p) for p in self.plan_end()]


def iter_frames(
    rig: FaceRig | str | os.PathLike[str] | np.ndarray,
    chunks: Iterable[np.ndarray],
    options: AnimateOptions | None = None,
    *,
    sample_rate: int,
    payload: int | None = None,
) -> Iterator[TimedFrame]:
    """Frames of ``rig`` (or a portrait to analyse) speaking PCM ``chunks`` at ``sample_rate``."""
    session = _session(rig, options, sample_rate, payload)
    for chunk in chunks:
        yield from session.push_audio(chunk)
    yield from session.end()


async def stream_frames(
    rig: FaceRig | str | os.PathLike[str] | np.ndarray,
    chunks: AsyncIterable[np.ndarray] | Iterable[np.ndarray],
    options: AnimateOptions | None = None,
    *,
    sample_rate: int,
    payload: int | None = None,
) -> AsyncIterator[TimedFrame]:
    """Async form of ``iter_frames``: rendering runs in a worker thread, off the event loop.

    ``async for f in stream_frames(rig, tts_chunks(), opts, sample_rate=24000): ...``
    """
    session = await asyncio.to_thread(_session, rig, options, sample_rate, payload)
    if not isinstance(chunks, AsyncIterable):
        chunks = _aiter(chunks)
    async for chunk in chunks:
        for plan in await asyncio.to_thread(session.plan_audio, chunk):
            yield await asyncio.to_thread(session.render, plan)
    for plan in await asyncio.to_thread(session.plan_end):
        yield await asyncio.to_thread(session.render, plan)


async def _aiter(items: Iterable[np.ndarray]) -> AsyncIterator[np.ndarray]:
    for item in items:
        yield item


def _session(rig, options, sample_rate, payload) -> LiveSession:
    from parlante.pipeline import prepare_portrait

    options = options or AnimateOptions(size=rig.size if isinstance(rig, FaceRig) else 512)
    return LiveSession(prepare_portrait(rig, options), options, sample_rate, payload=payload)
