"""RayPool: the same tasks as LocalPool, as Ray Core tasks on a local or remote Ray cluster.

A portrait's rig enters Ray's object store once: a fresh analysis returns it as the task's
second result, a cached one is read by the driver and ``ray.put``; every render task of that
portrait receives the reference, so no task re-reads or re-analyses it. Task retries are
left to the batch (``--retries``), so Ray's own are off.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from parlante.batch.work import (
    THREAD_ENV,
    AnalysisTask,
    RenderTask,
    TaskResult,
    describe,
    limit_threads,
    run_analysis,
    run_render,
)
from parlante.errors import ParlanteError

Task = AnalysisTask | RenderTask
STOP_GRACE = 10.0


def analysis_task(task: AnalysisTask):
    """Ray task body: (rig or None, TaskResult)."""
    limit_threads()
    return run_analysis(task)


def render_task(rig, task: RenderTask) -> TaskResult:
    """Ray task body; ``rig`` arrives resolved from the object store (None: load from disk)."""
    limit_threads()
    return run_render(task, rig)


def import_ray():
    try:
        import ray
    except ImportError:
        raise ParlanteError(
            "--ray needs Ray: pip install 'parlante[ray]' (here and on every node)"
        ) from None
    return ray


class RayPool:
    """Runs tasks on Ray; starts a local Ray when ``address`` is empty."""

    mode = "ray"

    def __init__(self, address: str, workers: int) -> None:
        ray = import_ray()
        self._ray = ray
        self._owns = not ray.is_initialized()
        if self._owns:
            common = {
                "include_dashboard": False,
                "log_to_driver": False,
                "logging_level": logging.WARNING,
                "runtime_env": {"env_vars": dict(THREAD_ENV)},
            }
            if address:
                ray.init(address=address, **common)
            else:
                ray.init(num_cpus=workers, **common)
        self.size = int(ray.cluster_resources().get("CPU", workers))
        self._analyse = ray.remote(num_cpus=1, max_retries=0, num_returns=2)(analysis_task)
        self._render = ray.remote(num_cpus=1, max_retries=0)(render_task)
        self._rigs: dict[Path, object] = {}
        self._pending: dict[object, Task] = {}

    def submit(self, task: Task) -> None:
        if isinstance(task, AnalysisTask):
            rig_ref, result_ref = self._analyse.remote(task)
            self._rigs[task.rig_path] = rig_ref
        else:
            result_ref = self._render.remote(self._rig_ref(task.rig_path), task)
        self._pending[result_ref] = task

    def busy(self) -> bool:
        return bool(self._pending)

    def next_result(self) -> tuple[Task, TaskResult]:
        ready, _ = self._ray.wait(list(self._pending), num_returns=1)
        task = self._pending.pop(ready[0])
        try:
            result = self._ray.get(ready[0])
        except Exception as exc:  # noqa: BLE001 - a crashed or lost task fails its job only
            message, _ = describe(exc)
            kind = "analysis" if isinstance(task, AnalysisTask) else "render"
            ident = task.key if isinstance(task, AnalysisTask) else task.index
            result = TaskResult(kind, ident, False, 0.0, f"ray: {message}", retryable=True)
        return task, result

    def stop(self) -> None:
        """Cancel running tasks (KeyboardInterrupt in them: partial videos are dropped)."""
        refs = list(self._pending)
        for ref in refs:
            self._ray.cancel(ref, force=False)
        if refs:
            _, left = self._ray.wait(refs, num_returns=len(refs), timeout=STOP_GRACE)
            for ref in left:
                self._ray.cancel(ref, force=True)
            time.sleep(0.2)
        self._pending.clear()
        self.close()

    def close(self) -> None:
        self._rigs.clear()
        if self._owns and self._ray.is_initialized():
            self._ray.shutdown()

    def _rig_ref(self, rig_path: Path):
        """The object-store reference of a rig; a cached one is put there once."""
        if rig_path not in self._rigs:
            from parlante.face import load_rig

            try:
                self._rigs[rig_path] = self._ray.put(load_rig(rig_path))
            except ParlanteError:
                self._rigs[rig_path] = None  # the task re-analyses or reports it
        return self._rigs[rig_path]
