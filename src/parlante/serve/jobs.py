"""Video jobs: an uploaded recording rendered to a signed MP4 by background worker threads.

The audio is decoded and checked when the job is submitted (so bad audio is refused at
once with a 4xx), then a worker plans the motion, renders, watermarks, encodes and signs,
exactly as ``parlante.pipeline.animate`` does, reporting progress per frame.
"""

from __future__ import annotations

import queue
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from parlante.errors import ParlanteError
from parlante.options import AnimateOptions
from parlante.pipeline import Voice, plan_motion, prepare_voice, render_video
from parlante.serve.avatars import Avatar
from parlante.serve.config import ServeConfig
from parlante.serve.errors import ApiError

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
MOTION_SHARE = 0.05
"""Fraction of the progress bar given to audio analysis and motion planning."""


@dataclass
class Job:
    id: str
    avatar: Avatar
    options: AnimateOptions
    voice: Voice
    audio_name: str
    folder: Path
    status: str = QUEUED
    progress: float = 0.0
    error: str | None = None
    frames: int = 0
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def video_path(self) -> Path:
        return self.folder / f"{self.id}.mp4"

    def info(self) -> dict:
        return {
            "id": self.id,
            "avatar": self.avatar.id,
            "audio": self.audio_name,
            "status": self.status,
            "progress": round(self.progress, 4),
            "error": self.error,
            "frames": self.frames,
            "seconds": round(len(self.voice.samples) / self.voice.sample_rate, 3),
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "video_url": f"/jobs/{self.id}/video" if self.status == DONE else None,
        }


class JobManager:
    """A queue of jobs and ``config.job_workers`` threads that render them in order.

    live_streams: how many live streams are open. Live streams have priority: while one is
    open a job renders at half its speed, while ``max_streams`` are open at a tenth, so the
    frames a viewer is waiting for are not late because a file is being made.
    """

    def __init__(self, config: ServeConfig, live_streams: Callable[[], int] | None = None) -> None:
        self.config = config
        self._live_streams = live_streams or (lambda: 0)
        self._own_dir = config.jobs_dir is None
        if config.jobs_dir is None:
            self.folder = Path(tempfile.mkdtemp(prefix="parlante-jobs-"))
        else:
            self.folder = Path(config.jobs_dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._workers: list[threading.Thread] = []  # started by the first job

    def submit(self, avatar: Avatar, audio: bytes, audio_name: str, options: AnimateOptions) -> Job:
        """Check the audio (ApiError 4xx if unusable) and queue the job."""
        with self._lock:
            active = sum(j.status in (QUEUED, RUNNING) for j in self._jobs.values())
        if active >= self.config.max_jobs:
            raise ApiError(429, f"{active} videos are being made already: try again later")
        if len(audio) > self.config.max_audio_bytes:
            raise ApiError(
                413,
                f"{audio_name}: the audio file is {len(audio) / 1e6:.1f} MB, more than the "
                f"{self.config.max_audio_mb:g} MB limit",
            )
        if not audio:
            raise ApiError(400, f"{audio_name}: the audio file is empty")
        job_id = uuid.uuid4().hex[:16]
        suffix = Path(audio_name).suffix.lower()
        suffix = suffix if suffix.isascii() and suffix[1:].isalnum() and len(suffix) <= 6 else ""
        source = self.folder / f"{job_id}.input{suffix}"
        source.write_bytes(audio)
        try:
            limit = min(self.config.max_audio_seconds, options.max_audio_seconds)
            voice = _load_voice(source, audio_name, options, limit)
        finally:
            source.unlink(missing_ok=True)
        job = Job(job_id, avatar, options, voice, audio_name, self.folder)
        with self._lock:
            self._jobs[job.id] = job
            if not self._workers:
                self._workers = [
                    threading.Thread(target=self._work, name=f"parlante-job-{i}", daemon=True)
                    for i in range(self.config.job_workers)
                ]
                for worker in self._workers:
                    worker.start()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"no job with id {job_id!r}")
        return job

    def list(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def delete(self, job_id: str) -> None:
        """Cancel the job if it is not finished, and delete its video."""
        job = self.get(job_id)
        job.cancel.set()
        with self._lock:
            self._jobs.pop(job_id, None)
        job.video_path.unlink(missing_ok=True)

    def active(self) -> int:
        with self._lock:
            return sum(j.status in (QUEUED, RUNNING) for j in self._jobs.values())

    def close(self) -> None:
        """Cancel every job, stop the workers, and remove a temporary jobs folder."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel.set()
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            worker.join(timeout=10)
        if self._own_dir:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if job.cancel.is_set():
                job.status = CANCELLED
                continue
            job.status, job.started = RUNNING, time.time()
            try:
                render_job(job, self._yield_to_live)
            except _Cancelled:
                job.status = CANCELLED
            except ParlanteError as err:
                job.status, job.error = FAILED, str(err)
            except Exception as err:  # noqa: BLE001 - reported in the job, not lost in a thread
                job.status, job.error = FAILED, f"internal error: {type(err).__name__}: {err}"
            else:
                job.status, job.progress = DONE, 1.0
            finally:
                job.finished = time.time()
                if job.status != DONE:
                    job.video_path.unlink(missing_ok=True)
                transcript = job.options.transcript
                if transcript and Path(transcript).parent == self.folder:
                    Path(transcript).unlink(missing_ok=True)  # written by the API for this job

    def _yield_to_live(self, seconds_spent: float) -> None:
        """Called after each job frame that took ``seconds_spent``: leave CPU to live streams."""
        live = self._live_streams()
        if live >= self.config.max_streams:
            time.sleep(9 * seconds_spent)
        elif live:
            time.sleep(seconds_spent)


def _load_voice(path: Path, name: str, options: AnimateOptions, limit: float) -> Voice:
    from dataclasses import replace

    try:
        voice = prepare_voice(path, replace(options, max_audio_seconds=limit))
    except ParlanteError as err:
        message = str(err).replace(str(path), name)
        status = 413 if " lasts " in message and "limit" in message else 422
        raise ApiError(status, message) from None
    seconds = len(voice.samples) / voice.sample_rate
    if seconds > limit:
        raise ApiError(413, f"{name}: the audio lasts {seconds:.0f} s, more than {limit:g} s")
    if seconds < 0.1:
        raise ApiError(400, f"{name}: the audio is too short ({seconds:.2f} s)")
    return voice


class _Cancelled(Exception):
    pass


def render_job(job: Job, after_frame: Callable[[float], None] | None = None) -> None:
    """``parlante.pipeline.animate`` with progress and cancellation, into ``job.video_path``.

    after_frame: called with the seconds each frame took (to throttle the job).
    """
    with job.avatar.renderer() as renderer:
        _render_job(job, renderer, after_frame)


def _render_job(job: Job, renderer, after_frame: Callable[[float], None] | None) -> None:
    rig, voice, options = job.avatar.rig, job.voice, job.options
    motion = plan_motion(rig, voice, options, renderer=renderer)
    job.progress = MOTION_SHARE
    last = time.perf_counter()

    def on_frame(done: int, total: int) -> None:
        nonlocal last
        job.frames = done
        job.progress = MOTION_SHARE + (1 - MOTION_SHARE) * done / max(1, total)
        if after_frame is not None:
            now = time.perf_counter()
            after_frame(now - last)
        if job.cancel.is_set():
            raise _Cancelled
        last = time.perf_counter()

    if job.cancel.is_set():
        raise _Cancelled
    render_video(rig, voice, motion, job.video_path, options, renderer=renderer, on_frame=on_frame)
