"""run_batch's bookkeeping with a stand-in pool: retries, sharing, skipping, interruption.

The pool is replaced by one that "renders" by writing bytes, so these tests are fast and do
not depend on the rendering stages; test_batch.py runs the real thing.
"""

import csv
import hashlib
import json
from collections import deque
from dataclasses import dataclass, field

import pytest

from parlante.batch import runner
from parlante.batch.runner import run_batch
from parlante.batch.work import AnalysisTask, TaskResult


@dataclass
class FakePool:
    """Outcomes per output name: "ok", "transient" (retryable), "bad", "interrupt"."""

    script: dict[str, list[str]] = field(default_factory=dict)
    mode: str = "fake"
    size: int = 2
    analysed: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    stopped: bool = False
    queue: deque = field(default_factory=deque)

    def submit(self, task):
        if not isinstance(task, AnalysisTask):  # a writer's temporary file, as animate makes
            task.output.parent.mkdir(parents=True, exist_ok=True)
            (task.output.parent / f".{task.output.name}.999.partial.mp4").write_bytes(b"x")
        self.queue.append(task)

    def busy(self):
        return bool(self.queue)

    def next_result(self):
        task = self.queue.popleft()
        if isinstance(task, AnalysisTask):
            self.analysed.append(task.portrait.name)
            task.rig_path.write_bytes(b"rig")
            return task, TaskResult("analysis", task.key, True, 0.5)
        name = task.output.name
        outcome = self.script.get(name, ["ok"]).pop(0) if self.script.get(name) else "ok"
        if outcome == "interrupt":
            raise KeyboardInterrupt
        if outcome != "ok":
            error = f"{name}: {outcome} failure"
            return task, TaskResult("render", task.index, False, 0.1, error, outcome == "transient")
        self.rendered.append(name)
        (task.output.parent / f".{name}.999.partial.mp4").unlink()
        data = f"video {name} seed {task.options.seed}".encode()
        task.output.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        return task, TaskResult("render", task.index, True, 0.2, size=len(data), sha256=digest,
                                video_seconds=1.0)  # fmt: skip

    def stop(self):
        self.stopped = True

    def close(self):
        pass


@pytest.fixture
def batch(tmp_path, monkeypatch):
    """(job file, output folder, install(pool)) with four rows over two copies of a portrait."""
    (tmp_path / "p.png").write_bytes(b"portrait bytes")
    (tmp_path / "copy.png").write_bytes(b"portrait bytes")
    (tmp_path / "q.png").write_bytes(b"another portrait")
    (tmp_path / "v.wav").write_bytes(b"voice")
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(
        "portrait,audio,output,seed\n"
        "p.png,v.wav,a,1\ncopy.png,v.wav,b,2\nq.png,v.wav,c,3\np.png,v.wav,d,4\n"
    )

    def install(pool):
        monkeypatch.setattr(runner, "_make_pool", lambda *a: pool)
        return pool

    return jobs, tmp_path / "out", install


def _status(report):
    return {j.output: (j.status, j.attempts) for j in report.jobs}


def test_retries_only_transient_failures(batch):
    jobs, out, install = batch
    install(FakePool({"a.mp4": ["transient"], "b.mp4": ["bad"],
                             "c.mp4": ["transient", "transient"]}))  # fmt: skip
    report = run_batch(jobs, out, retries=1, progress=False)
    assert _status(report) == {
        "a.mp4": ("done", 2), "b.mp4": ("failed", 1), "c.mp4": ("failed", 2), "d.mp4": ("done", 1),
    }  # fmt: skip
    assert report.jobs[1].error == "b.mp4: bad failure"
    assert not list(out.glob(".*.partial*"))  # failed attempts leave no temporary file
    install(FakePool({"b.mp4": ["transient"]}))
    second = _status(run_batch(jobs, out, retries=0, progress=False))
    assert second["a.mp4"] == ("skipped", 0) and second["b.mp4"] == ("failed", 1)
    assert second["c.mp4"] == ("done", 1)


def test_portraits_analysed_once_and_skipped_outputs_untouched(batch):
    jobs, out, install = batch
    pool = install(FakePool())
    first = run_batch(jobs, out, progress=False)
    assert first.ok and sorted(pool.rendered) == ["a.mp4", "b.mp4", "c.mp4", "d.mp4"]
    # p.png and copy.png have the same bytes: one analysis shared by a, b and d
    assert sorted(pool.analysed) in (["p.png", "q.png"], ["copy.png", "q.png"])
    assert sorted(p.jobs for p in first.portraits) == [1, 3]
    assert len(list((out / ".cache" / "rigs").glob("*.npz"))) == 2

    pool = install(FakePool())
    again = run_batch(jobs, out, progress=False)
    assert {j.status for j in again.jobs} == {"skipped"}
    assert pool.rendered == [] and pool.analysed == []
    with open(out / "report.csv", newline="") as handle:
        assert [r["status"] for r in csv.DictReader(handle)] == ["skipped"] * 4

    (out / "b.mp4").write_bytes(b"damaged")  # a changed output is made again
    jobs.write_text(jobs.read_text().replace("q.png,v.wav,c,3", "q.png,v.wav,c,30"))
    pool = install(FakePool())
    run_batch(jobs, out, progress=False)
    assert sorted(pool.rendered) == ["b.mp4", "c.mp4"] and pool.analysed == []
    assert (out / "c.mp4").read_bytes() == b"video c.mp4 seed 30"


def test_interrupt_leaves_no_partials_and_resumes(batch):
    jobs, out, install = batch
    pool = install(FakePool({"d.mp4": ["interrupt"]}))
    with pytest.raises(KeyboardInterrupt):
        run_batch(jobs, out, workers=1, progress=False)
    assert pool.stopped
    assert not list(out.glob(".*.partial*"))
    with open(out / "report.csv", newline="") as handle:
        status = {r["output"]: r["status"] for r in csv.DictReader(handle)}
    assert status == {"a.mp4": "done", "b.mp4": "done", "c.mp4": "interrupted",
                      "d.mp4": "interrupted"}  # fmt: skip
    assert not (out / "d.mp4").exists()
    pool = install(FakePool())
    resumed = run_batch(jobs, out, progress=False)
    assert sorted(pool.rendered) == ["c.mp4", "d.mp4"]
    assert _status(resumed)["a.mp4"] == ("skipped", 0)


def test_on_result_hook_can_stop_the_batch(batch):
    jobs, out, install = batch
    pool = install(FakePool())
    seen = []

    def hook(result):
        seen.append(result.output)
        if result.status == "done":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(jobs, out, progress=False, on_result=hook)
    assert seen == ["a.mp4"] and pool.stopped
    assert not list(out.glob(".*.partial*"))


def test_interrupt_just_after_the_record_records_once(batch, monkeypatch):
    """SIGINT between writing a job's manifest line and settling it: done, recorded once."""
    jobs, out, install = batch
    install(FakePool())
    write = runner.BatchState.record

    def record_then_stop(state, record):
        write(state, record)
        if record.output == "b.mp4":
            raise KeyboardInterrupt

    monkeypatch.setattr(runner.BatchState, "record", record_then_stop)
    with pytest.raises(KeyboardInterrupt):
        run_batch(jobs, out, workers=1, progress=False)
    with open(out / "report.csv", newline="") as handle:
        status = {r["output"]: r["status"] for r in csv.DictReader(handle)}
    assert status["a.mp4"] == status["b.mp4"] == "done"
    lines = (out / ".cache" / "manifest.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["output"] for line in lines) == ["a.mp4", "b.mp4"]
