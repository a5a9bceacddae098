"""One live WebSocket stream: PCM in, JPEG frames out (protocol in ``serve.protocol``).

The connection borrows a worker process from the pool (``serve.workers``) that plans,
renders, watermarks and encodes. Here two tasks only move messages: client -> worker (audio,
controls, end, and silence when the client's audio runs dry) and worker -> client (frames,
done, errors). A worker skips a frame whose rendering would start more than
``max_lag_seconds`` after it was due against the audio clock, so a stream that cannot keep
up loses frames instead of drifting ever later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from dataclasses import replace

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from parlante.errors import ParlanteError
from parlante.options import AnimateOptions
from parlante.serve.avatars import Avatar, AvatarStore
from parlante.serve.config import ServeConfig
from parlante.serve.errors import ApiError
from parlante.serve.protocol import (
    HEADER,
    ProtocolError,
    StreamConfig,
    decode_pcm,
    pack_frame,
    parse_config,
    parse_controls,
    parse_json,
)
from parlante.serve.workers import LiveWorker, WorkerPool

IDLE_TICK = 0.1
"""Seconds between checks for a stream that has run out of audio."""
CONFIG_TIMEOUT = 30.0
"""Seconds a new connection has to send its stream config."""
MAX_BACKLOG = 75
"""Frames waiting for a slow client beyond which frames are dropped (3 s at 25 fps)."""
READY_TIMEOUT = 60.0
"""Seconds to wait for a worker to open a stream (a new worker first loads its code)."""
CLOSE_TIMEOUT = 5.0
"""Seconds a worker has to confirm it dropped an abandoned stream, or it is replaced."""
log = logging.getLogger("parlante.serve")


class StreamRegistry:
    """Live streams against ``max_streams``: one worker process each (``/health`` counts)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pool = WorkerPool(limit)
        self._active: set[str] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        self.pool.start()

    def shutdown(self) -> None:
        self.pool.close()

    def open(self) -> tuple[str, LiveWorker] | None:
        """A new stream id and its worker, or None when every worker is busy."""
        worker = self.pool.acquire()
        if worker is None:
            return None
        sid = uuid.uuid4().hex[:12]
        with self._lock:
            self._active.add(sid)
        return sid, worker

    def close(self, sid: str, worker: LiveWorker, healthy: bool) -> None:
        self.pool.release(worker, healthy)
        with self._lock:
            self._active.discard(sid)

    def __len__(self) -> int:
        with self._lock:
            return len(self._active)


class _Closed(Exception):
    """The client went away; stop quietly."""


async def run_stream(
    ws: WebSocket,
    avatar_id: str,
    store: AvatarStore,
    registry: StreamRegistry,
    config: ServeConfig,
) -> None:
    await ws.accept()
    opened = registry.open()
    if opened is None:
        await _refuse(ws, 429, f"{registry.limit} live streams are running: try again later")
        return
    sid, worker = opened
    stream: _Stream | None = None
    try:
        avatar = await asyncio.to_thread(store.get, avatar_id)
        try:
            first = await asyncio.wait_for(
                _receive_text(ws, "the first message must be the JSON stream config"),
                CONFIG_TIMEOUT,
            )
        except TimeoutError:
            raise ProtocolError(f"no stream config within {CONFIG_TIMEOUT:g} s", 408) from None
        stream_config = parse_config(first)
        try:
            options = AnimateOptions(size=avatar.size, **stream_config.options)
        except ValueError as err:
            raise ProtocolError(str(err)) from None
        stream = _Stream(ws, worker, avatar, options, stream_config, config, sid)
        await stream.run()
    except ApiError as err:
        await _refuse(ws, err.status, err.message)
    except ProtocolError as err:
        await _refuse(ws, err.status, str(err), code=1011 if err.status >= 500 else None)
    except ParlanteError as err:
        await _refuse(ws, 400, str(err))
    except (_Closed, WebSocketDisconnect):
        pass
    except Exception:  # a bug: say so to the client, keep the server running
        log.exception("live stream %s failed", sid)
        await _refuse(ws, 500, "internal error in the live stream", code=1011)
    finally:
        # runs to the end even if this handler is cancelled (some servers cancel it when
        # the client goes): the worker must drop the stream and the slot must be freed
        release = asyncio.ensure_future(_release(stream, registry, sid, worker))
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(release)


async def _release(
    stream: _Stream | None, registry: StreamRegistry, sid: str, worker: LiveWorker
) -> None:
    healthy = True
    try:
        if stream is not None:
            healthy = await stream.release_worker()
    finally:
        registry.close(sid, worker, healthy)


async def _receive_text(ws: WebSocket, what: str) -> str:
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise _Closed
    if message.get("text") is None:
        raise ProtocolError(what)
    return message["text"]


async def _refuse(ws: WebSocket, status: int, message: str, code: int | None = None) -> None:
    """Send ``{"type": "error"}`` and close with code 4000 + status (if still connected)."""
    with contextlib.suppress(Exception):
        if ws.application_state == WebSocketState.CONNECTED:
            await ws.send_json({"type": "error", "status": status, "error": message})
            await ws.close(code=code or 4000 + status, reason=message[:120])


class _Stream:
    def __init__(
        self,
        ws: WebSocket,
        worker: LiveWorker,
        avatar: Avatar,
        options: AnimateOptions,
        stream_config: StreamConfig,
        config: ServeConfig,
        sid: str,
    ) -> None:
        self.ws = ws
        self.worker = worker
        self.avatar = avatar
        self.options = options
        self.rate = stream_config.sample_rate
        self.stream_config = stream_config
        self.config = config
        self.sid = sid
        self.replies: asyncio.Queue = asyncio.Queue()
        self.open_in_worker = False
        self.finished = False  # the worker sent "done" or "error": nothing more will come
        # wall-clock time of timeline 0: the first audio chunk's arrival, or, if no audio
        # comes for idle_after_seconds, the moment the stream was ready (the face idles)
        self.origin: float | None = None
        self.ready_at = time.monotonic()
        self.timeline = 0.0  # seconds of audio and silence handed to the worker
        self.received = 0.0  # seconds of audio received from the client
        self.dropped = 0  # frames not sent because the client did not keep up

    async def run(self) -> None:
        self.worker.attach(asyncio.get_running_loop(), self.replies)
        rig = self.avatar.rig
        self.worker.send(
            ("open", self.avatar.id, rig, self.avatar.model, self.options, self.rate,
             self.config.jpeg_quality, self.config.max_lag_seconds,
             self.config.lookahead_ms / 1000.0)
        )  # fmt: skip
        self.open_in_worker = True
        try:
            reply = await asyncio.wait_for(self.replies.get(), READY_TIMEOUT)
        except TimeoutError:
            raise ProtocolError("the live worker is not answering: try again", 503) from None
        if reply[0] != "ready":
            self.finished = True
            raise ProtocolError(reply[2], reply[1]) if reply[0] == "error" else _Closed
        self.ready_at = time.monotonic()
        await self.ws.send_json(
            {
                "type": "ready",
                "session": self.sid,
                "fps": self.options.fps,
                "size": rig.size,
                "lookahead": round(reply[1], 4),
                "header_bytes": HEADER.size,
            }
        )
        inbound = asyncio.create_task(self._inbound())
        try:
            await self._outbound()
        finally:
            inbound.cancel()
            with contextlib.suppress(BaseException):
                await inbound

    async def release_worker(self) -> bool:
        """Make sure the worker has dropped this stream; False if it must be replaced."""
        if not self.open_in_worker or self.finished:
            return True
        self.worker.send(("close",))
        deadline = time.monotonic() + CLOSE_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            try:
                reply = await asyncio.wait_for(self.replies.get(), left)
            except TimeoutError:
                break
            if reply[0] in ("closed", "done", "error"):
                return reply[0] != "error" or reply[1] != 500
        log.warning("live worker did not drop stream %s: replacing it", self.sid)
        return False

    # -- client -> worker ---------------------------------------------------------------------

    async def _inbound(self) -> None:
        """Client messages -> worker, as they come; silence when the audio runs dry."""
        receive = asyncio.ensure_future(self.ws.receive())
        try:
            while True:
                done, _ = await asyncio.wait({receive}, timeout=IDLE_TICK)
                if not done:
                    await self._idle()
                    continue
                message = receive.result()
                if message["type"] == "websocket.disconnect":
                    raise _Closed
                if self._handle(message):
                    return
                receive = asyncio.ensure_future(self.ws.receive())
        except (ProtocolError, _Closed) as err:
            await self.replies.put(("client", err))
        except Exception as err:  # noqa: BLE001 - a broken connection counts as gone
            await self.replies.put(("client", _Closed(str(err))))
        finally:
            if not receive.done():
                receive.cancel()

    def _handle(self, message: dict) -> bool:
        """Forward one client message; True after "end"."""
        now = time.monotonic()
        data, text = message.get("bytes"), message.get("text")
        if data is not None:
            samples = decode_pcm(data, self.stream_config)
            seconds = len(samples) / self.rate
            self.received += seconds
            if self.received > self.config.max_audio_seconds:
                raise ProtocolError(
                    f"the stream is longer than the {self.config.max_audio_seconds:g} s limit",
                    status=413,
                )
            if self.origin is None:
                self.origin = now
            self.timeline += seconds
            self.worker.send(("audio", samples, now, self.origin))
            return False
        if text is None:
            return False
        msg = parse_json(text)
        kind = msg.get("type")
        if kind == "controls":
            changes = parse_controls(msg)
            try:
                self.options = replace(self.options, **changes)  # validates
            except ValueError as err:
                raise ProtocolError(str(err)) from None
            self.worker.send(("controls", changes))
            return False
        if kind == "end":
            if self.origin is None:
                self.origin = now
            self.worker.send(("end", now, self.origin))
            return True
        raise ProtocolError(f"unknown message type {kind!r} (expected controls or end)")

    async def _idle(self) -> None:
        """No audio for a while: continue the timeline with silence up to the wall clock."""
        now = time.monotonic()
        if self.origin is None:
            if now - self.ready_at <= self.config.idle_after_seconds:
                return
            self.origin = self.ready_at
        behind = (now - self.origin) - self.timeline
        if behind <= self.config.idle_after_seconds:
            return
        if self.timeline + behind > self.config.max_audio_seconds:
            raise ProtocolError(
                f"the stream is longer than the {self.config.max_audio_seconds:g} s limit", 413
            )
        start = self.timeline
        self.timeline += behind
        self.worker.send(("idle", behind, now, self.origin))
        # sent by the outbound task, so that only one task writes to the socket
        await self.replies.put(("silence", start, behind))

    # -- worker -> client ---------------------------------------------------------------------

    async def _outbound(self) -> None:
        while True:
            reply = await self.replies.get()
            kind = reply[0]
            if kind == "frame":
                _, index, pts, jpeg = reply
                if self.replies.qsize() > MAX_BACKLOG:
                    self.dropped += 1  # the client reads too slowly: keep memory bounded
                    continue
                try:
                    await self.ws.send_bytes(pack_frame(index, pts, jpeg))
                except (WebSocketDisconnect, RuntimeError, OSError):
                    raise _Closed from None
            elif kind == "done":
                self.finished = True
                _, sent, skipped, seconds = reply
                await self.ws.send_json(
                    {
                        "type": "done",
                        "frames": sent - self.dropped,
                        "skipped": skipped + self.dropped,
                        "seconds": seconds,
                    }
                )
                await self.ws.close(code=1000)
                return
            elif kind == "error":
                self.finished = True
                raise ProtocolError(reply[2], reply[1])
            elif kind == "silence":
                _, start, seconds = reply
                await self.ws.send_json(
                    {"type": "silence", "start": round(start, 6), "seconds": round(seconds, 6)}
                )
            elif kind == "client":
                raise reply[1]
