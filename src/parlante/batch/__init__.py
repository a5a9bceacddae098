"""Batch rendering: many videos from a job file, resumable, on local processes or on Ray.

    from parlante.batch import run_batch
    report = run_batch("jobs.csv", "out/", workers=2)        # or ray_address="" / "host:6379"
    print(report.summary())

See ``parlante.batch.jobs`` for the job file's columns.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "run_batch": "parlante.batch.runner",
    "batch_main": "parlante.batch.cli",
    "read_jobs": "parlante.batch.jobs",
    "Job": "parlante.batch.jobs",
    "JobFileError": "parlante.batch.jobs",
    "BatchReport": "parlante.batch.report",
    "JobResult": "parlante.batch.report",
    "PortraitResult": "parlante.batch.report",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'parlante.batch' has no attribute {name!r}")
