"""The two kinds of task a batch runs, executed the same way in a local worker or a Ray task.

An AnalysisTask turns one distinct portrait into a FaceRig (saved to the rig cache); a
RenderTask makes one video from a rig. Failures come back as a TaskResult with a one-line
error, never as an exception, so that one bad row cannot stop a worker.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from parlante.batch.state import file_sha256
from parlante.errors import ParlanteError
from parlante.options import AnimateOptions

if TYPE_CHECKING:
    from parlante.face import FaceRig

THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",  # MediaPipe's TFLite: no INFO lines on stderr
    "GLOG_minloglevel": "2",
}
"""Environment of a worker: one thread per library, since the pool provides the parallelism."""


@dataclass
class AnalysisTask:
    """Analyse one portrait image and save its rig to ``rig_path``."""

    key: str
    portrait: Path
    rig_path: Path
    size: int
    face: int
    head_distance: float
    attempt: int = 1


@dataclass
class RenderTask:
    """Make one video. The rig comes from ``rig_path`` or, on Ray, from the object store."""

    index: int
    portrait: Path
    rig_path: Path
    """The cached rig, or the portrait itself when the row names a saved rig (.npz)."""
    audio: Path | None
    motion: Path | None
    output: Path
    options: AnimateOptions
    attempt: int = 1


@dataclass
class TaskResult:
    kind: Literal["analysis", "render"]
    ident: str | int
    """The AnalysisTask's key or the RenderTask's index."""
    ok: bool
    seconds: float
    error: str = ""
    retryable: bool = False
    """False for bad input (ParlanteError, ValueError): trying again would fail again."""
    size: int = 0
    sha256: str = ""
    video_seconds: float = 0.0
    peak_mb: float = 0.0
    """Peak resident memory of the process that ran it, MiB."""
    cpu_seconds: float = 0.0
    """CPU time (user + system, all threads) the task used: its cost, whatever the load."""


def limit_threads() -> None:
    """One thread per library in this process (before or after they were imported)."""
    for name, value in THREAD_ENV.items():
        os.environ.setdefault(name, value)
    import cv2

    cv2.setNumThreads(1)
    numba = sys.modules.get("numba")
    if numba is not None:
        numba.set_num_threads(1)


def describe(exc: BaseException) -> tuple[str, bool]:
    """(one-line message, retryable) of an exception raised by a task."""
    if isinstance(exc, ParlanteError | ValueError):
        text, retryable = str(exc), False
    else:
        text, retryable = f"{type(exc).__name__}: {exc}", True
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:500], retryable


def peak_mb() -> float:
    """Peak resident set size of this process in MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_analysis(task: AnalysisTask) -> tuple[FaceRig | None, TaskResult]:
    """Analyse the portrait, save the rig atomically; the rig too, for Ray to share."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        from parlante.face import analyze_portrait, save_rig

        rig = analyze_portrait(
            task.portrait, size=task.size, face_index=task.face, head_distance=task.head_distance
        )
        save_rig(rig, task.rig_path)
    except Exception as exc:  # noqa: BLE001 - reported, never raised
        message, retryable = describe(exc)
        seconds = time.perf_counter() - start
        return None, TaskResult("analysis", task.key, False, seconds, message, retryable)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    result = TaskResult("analysis", task.key, True, seconds, peak_mb=peak_mb(), cpu_seconds=cpu)
    return rig, result


def run_render(task: RenderTask, rig: FaceRig | None = None) -> TaskResult:
    """Make the video of one job; checks the finished file and returns its size and hash."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        from parlante.io.video import probe_duration
        from parlante.pipeline import animate

        if rig is None:
            rig = _load_rig(task)
        task.output.parent.mkdir(parents=True, exist_ok=True)
        if task.motion:  # the motion file drives; the audio (if any) is muxed
            from parlante.drive import drive

            out = drive(rig, task.motion, task.output, task.options, audio=task.audio)
        else:
            out = animate(rig, task.audio, task.output, task.options)
        video_seconds, _, frames = probe_duration(out)
        if frames == 0:
            raise RuntimeError(f"{out}: the finished video has no frames")
        size, digest = out.stat().st_size, file_sha256(out)
    except Exception as exc:  # noqa: BLE001 - reported, never raised
        message, retryable = describe(exc)
        seconds = time.perf_counter() - start
        return TaskResult("render", task.index, False, seconds, message, retryable)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return TaskResult(
        "render", task.index, True, seconds, size=size, sha256=digest,
        video_seconds=video_seconds, peak_mb=peak_mb(), cpu_seconds=cpu,
    )  # fmt: skip


def _load_rig(task: RenderTask) -> FaceRig:
    """The cached rig; re-analysed if the cache file is missing or damaged."""
    from parlante.face import analyze_portrait, load_rig, save_rig

    try:
        return load_rig(task.rig_path)
    except ParlanteError:
        if task.rig_path == task.portrait:  # the row named a saved rig: nothing to redo
            raise
    opts = task.options
    rig = analyze_portrait(
        task.portrait, size=opts.size, face_index=opts.face, head_distance=opts.head_distance
    )
    save_rig(rig, task.rig_path)
    return rig
