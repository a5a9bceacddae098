"""What a batch did: one JobResult per row, one PortraitResult per distinct portrait."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Status = Literal["done", "skipped", "failed", "interrupted"]
REPORT_COLUMNS = (
    "job", "status", "seconds", "output", "error", "attempts", "video_seconds", "portrait",
    "audio", "worker_peak_mb", "cpu_seconds",
)  # fmt: skip


@dataclass
class JobResult:
    """The outcome of one row of the job file."""

    job: str
    """``file:line`` of the row."""
    status: Status
    """done (made now), skipped (already made and verified), failed, interrupted (not run)."""
    output: str
    """Output path relative to the output folder."""
    seconds: float = 0.0
    """Wall seconds of the last attempt (portrait analysis excluded: it is shared)."""
    error: str = ""
    """One line; empty unless failed."""
    attempts: int = 0
    video_seconds: float = 0.0
    """Duration of the output video (done or skipped)."""
    portrait: str = ""
    audio: str = ""
    worker_peak_mb: float = 0.0
    """Peak resident memory of the worker process that made it, MiB (0 if unknown)."""
    cpu_seconds: float = 0.0
    """CPU time the render used (all threads); 0 if not made in this run."""


@dataclass
class PortraitResult:
    """One distinct portrait (content + size + face + head_distance), analysed once."""

    portrait: str
    key: str
    """Rig cache key (file name stem under ``.cache/rigs``)."""
    status: Literal["analysed", "cached", "failed", "interrupted"]
    seconds: float = 0.0
    """Wall seconds of the analysis (0 if cached)."""
    jobs: int = 0
    """Rows that use it."""
    error: str = ""
    cpu_seconds: float = 0.0
    """CPU time of the analysis (0 if cached)."""


@dataclass
class BatchReport:
    """Every job of a batch with its status, and totals."""

    jobs: list[JobResult]
    portraits: list[PortraitResult] = field(default_factory=list)
    wall_seconds: float = 0.0
    workers: int = 1
    mode: str = "local"
    """``local`` (process pool) or ``ray``."""

    def count(self, status: Status) -> int:
        return sum(1 for j in self.jobs if j.status == status)

    @property
    def ok(self) -> bool:
        """No job failed or was left unrun."""
        return all(j.status in ("done", "skipped") for j in self.jobs)

    @property
    def video_seconds_made(self) -> float:
        return sum(j.video_seconds for j in self.jobs if j.status == "done")

    @property
    def throughput(self) -> float:
        """Seconds of video made per wall-clock second (0 if nothing was made)."""
        return self.video_seconds_made / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("done", "skipped", "failed", "interrupted")]
        text = ", ".join(p for p in parts if not p.startswith("0 ")) or "nothing to do"
        analysed = [p for p in self.portraits if p.status == "analysed"]
        if analysed:
            text += f"; {len(analysed)} portrait(s) analysed"
        if self.video_seconds_made:
            text += (
                f"; {self.video_seconds_made:.1f} s of video in {self.wall_seconds:.1f} s "
                f"({self.throughput:.2f}x real time, {self.mode}, {self.workers} workers)"
            )
        return text

    def rows(self) -> list[dict[str, object]]:
        return [dataclasses.asdict(j) for j in self.jobs]

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write as CSV (``.csv``) or JSON Lines (``.jsonl``/``.json``), atomically."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".jsonl", ".json"):
            raise ValueError(f"{path}: report must be a .csv or .jsonl file")
        temp = path.with_name(f".{path.name}.{os.getpid()}.partial")
        with open(temp, "w", newline="", encoding="utf-8") as handle:
            if suffix == ".csv":
                writer = csv.DictWriter(handle, REPORT_COLUMNS)
                writer.writeheader()
                writer.writerows(self.rows())
            else:
                for row in self.rows():
                    handle.write(json.dumps(row) + "\n")
        os.replace(temp, path)
        return path
