"""LocalPool: a pool of worker subprocesses on this machine, one task per worker at a time.

Workers are plain subprocesses (``python -m parlante.batch.worker``) rather than
multiprocessing children: their environment (one thread per library) is set before anything
is imported, a user's script needs no ``if __name__ == "__main__"`` guard, a crashed worker
is noticed and replaced (its task fails, the others go on), and stopping is a signal to pids
this pool started.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import parlante
from parlante.batch.work import THREAD_ENV, AnalysisTask, RenderTask, TaskResult
from parlante.batch.worker import recv, send

Task = AnalysisTask | RenderTask
STOP_GRACE = 10.0
"""Seconds a stopped worker gets to drop its partial video before it is killed."""


@dataclass
class _Worker:
    proc: subprocess.Popen
    log: IO[bytes]
    task: Task | None = None

    def send(self, task: Task) -> None:
        assert self.proc.stdin is not None
        send(self.proc.stdin, task)
        self.task = task


class LocalPool:
    """Runs tasks on up to ``size`` worker processes, started when there is work for them."""

    mode = "local"

    def __init__(self, size: int, log_dir: Path) -> None:
        if size < 1:
            raise ValueError(f"workers must be at least 1, got {size}")
        self.size = size
        self._log_dir = log_dir
        self._queue: deque[Task] = deque()
        self._workers: list[_Worker] = []
        self._started = 0
        self._lost = 0

    def submit(self, task: Task) -> None:
        self._queue.append(task)
        self._dispatch()

    def busy(self) -> bool:
        return bool(self._queue) or any(w.task is not None for w in self._workers)

    def next_result(self) -> tuple[Task, TaskResult]:
        """Block until a task finishes; a worker that dies fails its task (retryable)."""
        busy = {w.proc.stdout.fileno(): w for w in self._workers if w.task is not None}
        if not busy:
            raise RuntimeError("no task is running")
        ready, _, _ = select.select(list(busy), [], [])
        worker = busy[ready[0]]
        task = worker.task
        assert task is not None
        try:
            result = recv(worker.proc.stdout)
        except (EOFError, OSError):
            result = None
        if not isinstance(result, TaskResult):
            result = self._died(worker, task)
        worker.task = None
        self._dispatch()
        return task, result

    def stop(self) -> None:
        """Interrupt every worker (they drop their partial videos), then kill stragglers."""
        self._queue.clear()
        for w in self._workers:
            if w.proc.poll() is None:
                w.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for w in self._workers:
            try:
                w.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()
        self._release()

    def close(self) -> None:
        """Let idle workers exit (end of their input), then release everything."""
        for w in self._workers:
            with contextlib.suppress(OSError):
                w.proc.stdin.close()
        for w in self._workers:
            try:
                w.proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()
        self._release()

    def _dispatch(self) -> None:
        while self._queue:
            idle = next((w for w in self._workers if w.task is None), None)
            if idle is None:
                if len(self._workers) >= self.size:
                    return
                idle = self._start()
            task = self._queue.popleft()
            try:
                idle.send(task)
            except OSError:  # it died while idle: replace it, keep the task
                self._queue.appendleft(task)
                idle.task = None
                idle.proc.kill()
                idle.proc.wait()
                self._workers.remove(idle)
                self._release_one(idle)
                self._lost += 1
                if self._lost > 3 * self.size:
                    raise RuntimeError(f"batch workers keep dying; see {self._log_dir}") from None

    def _start(self) -> _Worker:
        self._started += 1
        log = open(self._log_dir / f"worker-{self._started}.log", "ab")  # noqa: SIM115
        env = {**os.environ, **THREAD_ENV}
        package_root = str(Path(parlante.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        proc = subprocess.Popen(
            [sys.executable, "-m", "parlante.batch.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            bufsize=0,
        )
        worker = _Worker(proc, log)
        self._workers.append(worker)
        return worker

    def _died(self, worker: _Worker, task: Task) -> TaskResult:
        code = worker.proc.wait()
        self._workers.remove(worker)
        self._release_one(worker)
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        ident = task.key if isinstance(task, AnalysisTask) else task.index
        kind = "analysis" if isinstance(task, AnalysisTask) else "render"
        message = f"worker process died ({how}); see {self._log_dir}"
        return TaskResult(kind, ident, False, 0.0, message, retryable=True)

    def _release(self) -> None:
        for w in self._workers:
            self._release_one(w)
        self._workers.clear()

    @staticmethod
    def _release_one(worker: _Worker) -> None:
        for stream in (worker.proc.stdin, worker.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        worker.log.close()
