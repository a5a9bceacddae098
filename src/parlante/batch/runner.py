"""run_batch: many videos from a job file, resumable, on a local process pool or on Ray.

Per run: parse the job file; skip every output already made and verified; analyse each
distinct portrait once (shared by its jobs through the rig cache); render the rest in
parallel, retrying failures; write a report. Interrupting leaves no partial file and the
next run resumes where this one stopped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from parlante.batch.jobs import Job, read_jobs
from parlante.batch.report import BatchReport, JobResult, PortraitResult
from parlante.batch.state import (
    BatchState,
    DoneRecord,
    file_sha256,
    job_fingerprint,
    remove_partials,
    rig_key,
)
from parlante.batch.verify import Expected, expected_seconds, verify_output
from parlante.batch.work import (
    AnalysisTask,
    RenderTask,
    TaskResult,
)
from parlante.options import AnimateOptions

RIG_SUFFIXES = (".npz", ".rig")
REPORT_NAMES = ("report.csv", "report.jsonl")


@dataclass
class _Planned:
    """A job that has to run."""

    job: Job
    fingerprint: str
    rig_path: Path
    key: str | None
    """Rig cache key, None when the row names a saved rig."""
    expected: Expected
    """What its finished video must show."""

    @property
    def seconds(self) -> float:
        """Expected video seconds (from the audio's duration), 0 if unknown."""
        return self.expected.seconds


@dataclass
class _Portrait:
    key: str
    task: AnalysisTask
    jobs: list[_Planned] = field(default_factory=list)
    result: PortraitResult | None = None


def run_batch(
    jobs_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    options: AnimateOptions | None = None,
    workers: int | None = None,
    ray_address: str | None = None,
    retries: int = 1,
    progress: bool = True,
    report: str | os.PathLike[str] | None = None,
    on_result: Callable[[JobResult], None] | None = None,
) -> BatchReport:
    """Make every video of a job file (CSV or JSON Lines) into ``out_dir``.

    options: defaults for every row (a row's cells override them).
    workers: local processes (default: one per core); with Ray, the CPUs of a local Ray.
    ray_address: None runs locally; "" starts a local Ray; "host:port" / "ray://..." /
        "auto" joins a running Ray cluster.
    retries: extra attempts for a failure that may be transient (bad input is not retried).
    report: one report file (.csv or .jsonl); default ``out_dir/report.csv`` and ``.jsonl``.
    on_result: called in this process with each job's final result, as it is settled.
    Raises JobFileError for an unusable job file; KeyboardInterrupt after cleaning up.
    """
    start = time.perf_counter()
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    report_paths = _report_paths(Path(out_dir).absolute(), report)
    jobs = read_jobs(jobs_path, out_dir, options)
    out = Path(out_dir).absolute()
    out.mkdir(parents=True, exist_ok=True)
    batch = _Batch(jobs, BatchState(out), retries, on_result)
    mode, size = ("ray" if ray_address is not None else "local"), workers
    try:
        batch.plan()
        if batch.has_work():
            pool = _make_pool(ray_address, workers, batch.state)
            mode, size = pool.mode, pool.size
            try:
                batch.run(pool, progress)
            except BaseException:
                pool.stop()
                raise
            pool.close()
    except BaseException:  # Ctrl-C above all: the report says what was done and what not
        batch.interrupted()
        _write(batch.report(time.perf_counter() - start, size, mode), report_paths)
        raise
    result = batch.report(time.perf_counter() - start, size, mode)
    _write(result, report_paths)
    return result


def _make_pool(ray_address: str | None, workers: int, state: BatchState):
    if ray_address is None:
        from parlante.batch.local import LocalPool

        return LocalPool(workers, state.logs)
    from parlante.batch.ray_pool import RayPool

    return RayPool(ray_address, workers)


def _report_paths(out: Path, report: str | os.PathLike[str] | None) -> list[Path]:
    if report is None:
        return [out / name for name in REPORT_NAMES]
    path = Path(report)
    if path.suffix.lower() not in (".csv", ".jsonl", ".json"):
        raise ValueError(f"{path}: report must be a .csv or .jsonl file")
    return [path]


def _write(report: BatchReport, paths: list[Path]) -> None:
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        report.write(path)


class _Batch:
    """The state of one run: what is settled, what is planned, what is in flight."""

    def __init__(
        self,
        jobs: list[Job],
        state: BatchState,
        retries: int,
        on_result: Callable[[JobResult], None] | None,
    ) -> None:
        self.jobs = jobs
        self.state = state
        self.retries = retries
        self.on_result = on_result
        self.results: dict[int, JobResult] = {}
        self.todo: list[_Planned] = []
        self.portraits: dict[str, _Portrait] = {}
        self._hashes: dict[Path, str] = {}
        self._durations: dict[Path, float] = {}
        self._bar: tqdm | None = None
        self._index: dict[int, _Planned] = {}
        self._weight: dict[int, float] = {}

    # planning -------------------------------------------------------------------------

    def plan(self) -> None:
        """Settle what needs no work (bad rows, finished outputs); plan the rest."""
        manifest = self.state.read_manifest()
        for job in self.jobs:
            if job.problem:
                self._settle(job, "failed", error=job.problem)
                continue
            try:
                portrait_sha = self._hash(job.portrait)
                audio_sha = self._hash(job.audio)
                motion_sha = self._hash(job.motion)
            except OSError as err:
                self._settle(job, "failed", error=err.args[0])
                continue
            fingerprint = job_fingerprint(portrait_sha, audio_sha, motion_sha, job.options)
            seconds = self._duration(job.audio)
            expected = Expected(
                seconds,
                job.options.fps,
                job.options.settings(),
                audio_sha,
                None if job.portrait.suffix.lower() in RIG_SUFFIXES else portrait_sha,
            )
            if self._finished(job, fingerprint, expected, manifest):
                continue
            remove_partials(job.output)  # left by a run that was killed outright
            if job.portrait.suffix.lower() in RIG_SUFFIXES:
                self.todo.append(_Planned(job, fingerprint, job.portrait, None, expected))
                continue
            key = rig_key(portrait_sha, job.options)
            planned = _Planned(job, fingerprint, self.state.rig_path(key), key, expected)
            self.todo.append(planned)
            if key not in self.portraits:
                opts = job.options
                task = AnalysisTask(
                    key, job.portrait, planned.rig_path, opts.size, opts.face, opts.head_distance
                )
                self.portraits[key] = _Portrait(key, task)
            self.portraits[key].jobs.append(planned)
        self._index = {p.job.index: p for p in self.todo}

    def has_work(self) -> bool:
        return bool(self.todo)

    def _duration(self, audio: Path | None) -> float:
        """Expected video seconds: the audio's duration (memoised), 0 if unknown."""
        if audio is None:
            return 0.0
        if audio not in self._durations:
            self._durations[audio] = expected_seconds(audio)
        return self._durations[audio]

    def _hash(self, path: Path | None) -> str:
        """SHA-256 of an input file (memoised); OSError with a one-line message naming it."""
        if path is None:
            return ""
        if path not in self._hashes:
            try:
                self._hashes[path] = file_sha256(path)
            except FileNotFoundError:
                raise OSError(f"{path}: no such file") from None
            except IsADirectoryError:
                raise OSError(f"{path}: is a directory, not a file") from None
            except OSError as err:
                raise OSError(f"{path}: cannot read ({err.strerror or err})") from None
        return self._hashes[path]

    def _finished(
        self, job: Job, fingerprint: str, expected: Expected, manifest: dict[str, DoneRecord]
    ) -> bool:
        """Skip an output made before: its manifest record matches, or it verifies fully."""
        if not job.output.is_file():
            return False
        rel = self.state.relative(job.output)
        record = manifest.get(rel)
        if record is not None:
            if not _vouched(record, job.output, fingerprint):
                return False  # the row changed since, or the file did: make it again
            self._settle(job, "skipped", video_seconds=record.video_seconds)
            return True
        # Made but not recorded (e.g. interrupted between the rename and the record).
        video_seconds = self._adopt(job, fingerprint, expected)
        if video_seconds is None:
            return False
        self._settle(job, "skipped", video_seconds=video_seconds)
        return True

    def _adopt(self, job: Job, fingerprint: str, expected: Expected) -> float | None:
        """Record an output no manifest line vouches for, if it verifies fully: its video
        seconds, or None (then it is not recorded)."""
        video_seconds = verify_output(job.output, expected)
        if video_seconds is not None:
            rel, size = self.state.relative(job.output), job.output.stat().st_size
            digest = file_sha256(job.output)
            self.state.record(DoneRecord(rel, size, digest, fingerprint, video_seconds))
        return video_seconds

    # running --------------------------------------------------------------------------

    def run(self, pool, progress: bool) -> None:
        """Analyse the portraits not cached, render every planned job, until all settle."""
        total = sum(p.seconds for p in self.todo)
        if total > 0:  # progress in seconds of video: throughput and ETA over the batch
            unit, fmt = " video-s", "{n:.1f}/{total:.1f} video-s"
            self._weight = {p.job.index: p.seconds for p in self.todo}
        else:  # no audio duration known: count jobs
            unit, fmt, total = " jobs", "{n:.0f}/{total:.0f} jobs", len(self.todo)
            self._weight = {p.job.index: 1.0 for p in self.todo}
        self._bar = tqdm(
            total=total,
            unit=unit,
            desc="batch",
            disable=not progress,
            dynamic_ncols=True,
            bar_format="{l_bar}{bar}| "
            + fmt
            + " [{elapsed}<{remaining}, {rate_noinv_fmt}]{postfix}",
        )
        try:
            for portrait in self.portraits.values():
                if portrait.task.rig_path.is_file():
                    portrait.result = PortraitResult(
                        str(portrait.task.portrait), portrait.key, "cached", jobs=len(portrait.jobs)
                    )
                else:
                    pool.submit(portrait.task)
            for planned in self.todo:
                if planned.key is None or self.portraits[planned.key].result is not None:
                    pool.submit(self._render_task(planned))
            while pool.busy():
                task, result = pool.next_result()
                if isinstance(task, AnalysisTask):
                    self._analysed(task, result, pool)
                else:
                    self._rendered(task, result, pool)
        finally:
            self._bar.close()

    def _render_task(self, planned: _Planned, attempt: int = 1) -> RenderTask:
        job = planned.job
        return RenderTask(
            job.index, job.portrait, planned.rig_path, job.audio, job.motion, job.output,
            job.options, attempt,
        )  # fmt: skip

    def _analysed(self, task: AnalysisTask, result: TaskResult, pool) -> None:
        portrait = self.portraits[task.key]
        if result.ok:
            portrait.result = PortraitResult(
                str(task.portrait), task.key, "analysed", result.seconds, len(portrait.jobs),
                cpu_seconds=round(result.cpu_seconds, 3),
            )  # fmt: skip
            for planned in portrait.jobs:
                pool.submit(self._render_task(planned))
            return
        if result.retryable and task.attempt <= self.retries:
            pool.submit(replace(task, attempt=task.attempt + 1))
            return
        portrait.result = PortraitResult(
            str(task.portrait), task.key, "failed", result.seconds, len(portrait.jobs),
            result.error,
        )  # fmt: skip
        for planned in portrait.jobs:
            self._settle(
                planned.job, "failed", seconds=result.seconds, error=result.error,
                attempts=task.attempt,
            )  # fmt: skip
            self._advance(planned, done=False)

    def _rendered(self, task: RenderTask, result: TaskResult, pool) -> None:
        planned = self._index[task.index]
        job = planned.job
        if result.ok:
            rel = self.state.relative(job.output)
            record = DoneRecord(
                rel, result.size, result.sha256, planned.fingerprint, result.video_seconds
            )
            self.state.record(record)
            self._settle(
                job, "done", seconds=result.seconds, attempts=task.attempt,
                video_seconds=result.video_seconds, peak_mb=result.peak_mb,
                cpu_seconds=result.cpu_seconds,
            )  # fmt: skip
            self._advance(planned, done=True)
            return
        remove_partials(job.output)
        if result.retryable and task.attempt <= self.retries:
            pool.submit(replace(task, attempt=task.attempt + 1))
            return
        self._settle(
            job, "failed", seconds=result.seconds, error=result.error, attempts=task.attempt
        )
        self._advance(planned, done=False)

    def _advance(self, planned: _Planned, *, done: bool) -> None:
        bar = self._bar
        if bar is None:
            return
        weight = self._weight.get(planned.job.index, 0.0)
        if done:
            bar.update(weight)
        else:  # failed work leaves the total, so that the rate counts only videos made
            bar.total = max(bar.n, bar.total - weight)
        counts = {s: 0 for s in ("done", "failed")}
        for r in self.results.values():
            if r.status in counts:
                counts[r.status] += 1
        bar.set_postfix(counts, refresh=True)

    # results --------------------------------------------------------------------------

    def _settle(
        self,
        job: Job,
        status: str,
        *,
        seconds: float = 0.0,
        error: str = "",
        attempts: int = 0,
        video_seconds: float = 0.0,
        peak_mb: float = 0.0,
        cpu_seconds: float = 0.0,
    ) -> None:
        result = JobResult(
            job=job.where,
            status=status,  # type: ignore[arg-type]
            output=_relative(job.output, self.state.out_dir),
            seconds=round(seconds, 3),
            error=error,
            attempts=attempts,
            video_seconds=round(video_seconds, 3),
            portrait=str(job.portrait or ""),
            audio=str(job.audio or job.motion or ""),
            worker_peak_mb=round(peak_mb, 1),
            cpu_seconds=round(cpu_seconds, 3),
        )
        self.results[job.index] = result
        if self.on_result is not None:
            self.on_result(result)

    def interrupted(self) -> None:
        """Settle what did not finish: a video renamed into place just before the stop is
        verified and counted as done; the rest is marked and its partial files removed."""
        self.on_result = None  # the caller is stopping: no more callbacks
        manifest = self.state.read_manifest()
        for planned in self.todo:
            job = planned.job
            if job.index in self.results or not job.output.is_file():
                continue
            # Recorded, but the stop came before the job settled: do not record it twice.
            record = manifest.get(self.state.relative(job.output))
            if record is not None and _vouched(record, job.output, planned.fingerprint):
                self._settle(job, "done", video_seconds=record.video_seconds, attempts=1)
                continue
            video_seconds = self._adopt(job, planned.fingerprint, planned.expected)
            if video_seconds is not None:
                self._settle(job, "done", video_seconds=video_seconds, attempts=1)
        for job in self.jobs:
            if job.index not in self.results:
                remove_partials(job.output)
                self.results[job.index] = JobResult(
                    job.where, "interrupted", _relative(job.output, self.state.out_dir),
                    error="interrupted", portrait=str(job.portrait or ""),
                    audio=str(job.audio or job.motion or ""),
                )  # fmt: skip
        for portrait in self.portraits.values():
            if portrait.result is None:
                portrait.result = PortraitResult(
                    str(portrait.task.portrait),
                    portrait.key,
                    "interrupted",
                    jobs=len(portrait.jobs),
                )

    def report(self, wall_seconds: float, workers: int, mode: str) -> BatchReport:
        return BatchReport(
            jobs=[self.results[job.index] for job in self.jobs],
            portraits=[p.result for p in self.portraits.values() if p.result is not None],
            wall_seconds=round(wall_seconds, 3),
            workers=workers,
            mode=mode,
        )


def _vouched(record: DoneRecord, output: Path, fingerprint: str) -> bool:
    """Is ``record`` for this job, and ``output`` unchanged since it was written?"""
    if record.fingerprint != fingerprint or output.stat().st_size != record.size:
        return False
    return file_sha256(output) == record.sha256


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
