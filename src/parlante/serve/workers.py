"""Live-stream worker processes: each runs one stream at a time, outside the server's GIL.

Measured on 2 cores: two streams rendered by two threads of the server process took 24-38
ms per 512 px frame and fell seconds behind (the renderer holds the GIL for part of each
frame, and so does the event loop); two processes took 13-25 ms and kept up. So the server
keeps ``max_streams`` worker processes, started with it; a stream borrows one for its life.

A worker plans, renders, watermarks and JPEG-encodes; it also skips frames that are late
against the audio clock (``max_lag``), so the server process only moves bytes.

Messages (pickled tuples on the worker's stdin / stdout):
    to a worker:   ("prepare", avatar_id, rig, model)       warm a renderer for an avatar
                   ("open", avatar_id, rig, model, options, sample_rate, jpeg_quality, max_lag,
                    lookahead)
                   ("audio", samples, arrival, origin)      samples (N,) float32
                   ("idle", seconds, arrival, origin)
                   ("controls", changes)                    LiveSession.set_controls kwargs
                   ("end", arrival, origin)
                   ("close",)                               abandon the stream (client gone)
                   ("stop",)                                exit the process
    from a worker: ("ready", lookahead_seconds)
                   ("frame", index, pts, jpeg_bytes)
                   ("done", frames_sent, frames_skipped, timeline_seconds)
                   ("error", status, message)               the stream is over
                   ("closed",)                              after "close"
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from collections import OrderedDict, deque
from multiprocessing.connection import Connection
from typing import Any

Message = tuple[Any, ...]
RENDERERS_KEPT = 8
"""Avatars whose renderer a worker keeps ready."""


# -- the worker process ------------------------------------------------------------------------


def main() -> None:  # pragma: no cover - runs in a child process
    """``python -m parlante.serve.workers``: serve streams on fd 0 / fd 1 until ("stop",).

    Started as a plain subprocess, not through multiprocessing, so that the server's own
    ``__main__`` (a user's script, say) is never imported again in the child.
    """
    import os
    from multiprocessing.connection import Connection

    import cv2
    import numpy as np

    # messages travel on the original stdin/stdout; stray prints go to stderr
    reader = Connection(os.dup(0), writable=False)
    writer = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    cv2.setNumThreads(1)
    inbox: queue.Queue = queue.Queue()

    def receive() -> None:
        try:
            while True:
                inbox.put(reader.recv())
        except (EOFError, OSError):
            inbox.put(("stop",))  # the server has gone

    threading.Thread(target=receive, daemon=True).start()
    Worker(inbox, _Sender(writer), np, cv2).serve()


class _Sender:
    def __init__(self, connection) -> None:
        self.connection = connection

    def put(self, message: Message) -> None:
        self.connection.send(message)


class _Abort(Exception):
    """The client went away: drop the stream."""


class Worker:
    def __init__(self, inbox, outbox, np, cv2) -> None:
        self.inbox = inbox
        self.outbox = outbox
        self.np = np
        self.cv2 = cv2
        self.renderers: OrderedDict[str, Any] = OrderedDict()
        self.pending: deque[Message] = deque()
        self.session = None
        self._warm_up()

    def _warm_up(self) -> None:
        """Load the compiled audio, motion, watermark and JPEG code before the first stream."""
        from parlante.audio import AudioFeatureStream
        from parlante.motion import MotionStream
        from parlante.motion.controls import Controls
        from parlante.provenance import Watermark

        audio = AudioFeatureStream(16000, 25.0)
        motion = MotionStream(Controls(), 25.0)
        noise = self.np.random.default_rng(0).normal(0, 0.1, 8000).astype(self.np.float32)
        motion.push(audio.push(noise))
        motion.push(audio.flush())
        motion.flush()
        blank = self.np.full((256, 256, 3), 128, self.np.uint8)
        blank = Watermark(size=256).embed(blank, 1)
        self.cv2.imencode(".jpg", blank)

    def _renderer(self, avatar_id: str, rig, model):
        from parlante.motion.codes import MotionFrame
        from parlante.render import Renderer

        renderer = self.renderers.get(avatar_id)
        if renderer is None:
            renderer = Renderer(rig, model=model)
            renderer.render(MotionFrame.of(jaw_open=0.3, yaw=2.0, blink_l=0.5))
            self.renderers[avatar_id] = renderer
            while len(self.renderers) > RENDERERS_KEPT:
                self.renderers.popitem(last=False)
        self.renderers.move_to_end(avatar_id)
        return renderer

    def _next(self) -> Message:
        return self.pending.popleft() if self.pending else self.inbox.get()

    def _check_close(self) -> None:
        """Between frames: read what has arrived; a "close" aborts the stream at once."""
        while True:
            try:
                message = self.inbox.get_nowait()
            except queue.Empty:
                return
            if message[0] == "close":
                self.pending.clear()
                raise _Abort
            self.pending.append(message)

    def serve(self) -> None:
        from parlante.errors import ParlanteError

        while True:
            message = self._next()
            kind = message[0]
            if kind == "stop":
                return
            try:
                self._handle(kind, message)
            except _Abort:
                self.session = None
                self.outbox.put(("closed",))
            except (ValueError, ParlanteError) as err:
                self.session = None
                self.outbox.put(("error", 400, str(err)))
            except Exception as err:  # noqa: BLE001 - reported to the stream, worker lives on
                self.session = None
                self.outbox.put(("error", 500, f"internal error: {type(err).__name__}: {err}"))

    def _handle(self, kind: str, message: Message) -> None:
        from parlante.stream import LiveSession

        if kind == "prepare":
            _, avatar_id, rig, model = message
            self._renderer(avatar_id, rig, model)
            return
        if kind == "open":
            _, avatar_id, rig, model, options, rate, quality, max_lag, lookahead = message
            renderer = self._renderer(avatar_id, rig, model)
            self.session = LiveSession(rig, options, rate, renderer=renderer, lookahead=lookahead)
            self.quality = [self.cv2.IMWRITE_JPEG_QUALITY, int(quality)]
            self.max_lag = float(max_lag)
            self.sent = self.skipped = 0
            self.outbox.put(("ready", self.session.lookahead_seconds))
            return
        if kind == "close":
            self.session = None
            self.outbox.put(("closed",))
            return
        session = self.session
        if session is None:
            return  # the rest of a stream that was closed
        if kind == "audio":
            _, samples, arrival, origin = message
            self._emit(session.plan_audio(samples), arrival, origin)
        elif kind == "idle":
            _, seconds, arrival, origin = message
            self._emit(session.plan_idle(seconds), arrival, origin)
        elif kind == "controls":
            session.set_controls(**message[1])
        elif kind == "end":
            _, arrival, origin = message
            self._emit(session.plan_end(), arrival, origin)
            self.outbox.put(("done", self.sent, self.skipped, session.audio_seconds))
            self.session = None
        else:
            raise ValueError(f"unknown worker message {kind!r}")

    def _emit(self, plans, ready: float, origin: float) -> None:
        import time

        session = self.session
        for plan in plans:
            self._check_close()
            due = max(ready, origin + plan.pts)
            last = session.ended and plan.index == session.frames_planned - 1
            if time.monotonic() - due > self.max_lag and not last:
                self.skipped += 1
                continue
            frame = session.render(plan).frame
            # cvtColor: 0.03 ms; a reversed-channel copy with numpy: 1.7 ms
            bgr = self.cv2.cvtColor(frame, self.cv2.COLOR_RGB2BGR)
            ok, jpeg = self.cv2.imencode(".jpg", bgr, self.quality)
            if not ok:
                raise RuntimeError("JPEG encoding failed")
            self.outbox.put(("frame", plan.index, plan.pts, jpeg.tobytes()))
            self.sent += 1


# -- the server side ---------------------------------------------------------------------------


class LiveWorker:
    """One worker process, a thread that feeds it and one that hands its replies on."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-m", "parlante.serve.workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        # the connections own duplicates of the pipe ends; the file objects are not needed
        self._writer = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self._reader = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()
        self._outgoing: queue.Queue[Message | None] = queue.Queue()
        self._listener: tuple[asyncio.AbstractEventLoop, asyncio.Queue] | None = None
        self._lock = threading.Lock()
        self._stopping = False
        threading.Thread(target=self._feed, name=f"{name}-feed", daemon=True).start()
        threading.Thread(target=self._pump, name=f"{name}-replies", daemon=True).start()

    def send(self, message: Message) -> None:
        """Queue a message for the worker; never blocks the caller."""
        self._outgoing.put(message)

    def attach(self, loop: asyncio.AbstractEventLoop, replies: asyncio.Queue) -> None:
        with self._lock:
            self._listener = (loop, replies)

    def detach(self) -> None:
        with self._lock:
            self._listener = None

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and not self._stopping

    def _feed(self) -> None:
        while (message := self._outgoing.get()) is not None:
            try:
                self._writer.send(message)
            except (OSError, ValueError):
                return

    def _pump(self) -> None:
        while True:
            try:
                message = self._reader.recv()
            except (EOFError, OSError):
                message = ("error", 500, "the live worker process stopped")
                self._stopping = True
            with self._lock:
                listener = self._listener
            if listener is not None:
                loop, replies = listener
                with contextlib.suppress(RuntimeError):  # the loop has closed
                    loop.call_soon_threadsafe(replies.put_nowait, message)
            if self._stopping:
                return

    def request_stop(self) -> None:
        """Ask the process to exit once its current message is done (it holds no state)."""
        self._stopping = True
        self.send(("stop",))
        self._outgoing.put(None)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the process: politely for ``timeout`` seconds, then killed."""
        self.request_stop()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()  # e.g. still importing: nothing to lose
            self.process.wait()
        for connection in (self._writer, self._reader):
            with contextlib.suppress(OSError):
                connection.close()


class WorkerPool:
    """``size`` worker processes, started with the server, each lent to one stream."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: list[LiveWorker] = []
        self._all: list[LiveWorker] = []
        self._lock = threading.Lock()
        self._count = 0
        self._prepared: OrderedDict[str, tuple[Any, Any]] = OrderedDict()

    def start(self) -> None:
        for _ in range(self.size):
            worker = self._spawn()
            with self._lock:
                self._idle.append(worker)

    def _spawn(self) -> LiveWorker:
        with self._lock:
            self._count += 1
            name = f"parlante-live-{self._count}"
        worker = LiveWorker(name)
        with self._lock:
            self._all.append(worker)
            prepared = list(self._prepared.items())
        for avatar_id, (rig, model) in prepared[-2:]:
            worker.send(("prepare", avatar_id, rig, model))
        return worker

    def workers(self) -> list[LiveWorker]:
        with self._lock:
            return list(self._all)

    def acquire(self) -> LiveWorker | None:
        """An idle live worker (a dead one found idle is replaced first), or None."""
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is not None and not worker.alive:
            with self._lock:
                if worker in self._all:
                    self._all.remove(worker)
            threading.Thread(target=worker.stop, args=(1.0,), daemon=True).start()
            worker = self._spawn()
        return worker

    def release(self, worker: LiveWorker, healthy: bool = True) -> None:
        """Return a worker; a dead or unresponsive one is replaced by a new process."""
        worker.detach()
        if healthy and worker.alive:
            with self._lock:
                self._idle.append(worker)
            return
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        threading.Thread(target=worker.stop, args=(1.0,), daemon=True).start()
        replacement = self._spawn()
        with self._lock:
            self._idle.append(replacement)

    def prepare(self, avatar_id: str, rig, model) -> None:
        """Let every worker build this avatar's renderer now, not at its first stream."""
        with self._lock:
            self._prepared[avatar_id] = (rig, model)
            while len(self._prepared) > RENDERERS_KEPT:
                self._prepared.popitem(last=False)
            workers = list(self._all)
        for worker in workers:
            worker.send(("prepare", avatar_id, rig, model))

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        for worker in workers:
            worker.request_stop()
        deadline = time.monotonic() + 2.0
        for worker in workers:
            worker.stop(max(0.0, deadline - time.monotonic()))


if __name__ == "__main__":  # pragma: no cover
    main()
