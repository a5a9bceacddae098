"""The real batch: good rows make videos, bad rows are reported, re-runs and interrupted runs
resume without redoing or half-writing anything, and Ray makes the same frames as the pool."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
import wave

import av
import numpy as np
import pytest
from PIL import Image

from parlante.batch import run_batch
from parlante.options import AnimateOptions

OPTIONS = AnimateOptions(size=256)
FPS = OPTIONS.fps


def _voice(path, seconds, pitch, rate=16000):
    """A buzzy voice with syllables (4 per second), as a 16-bit mono WAV."""
    t = np.arange(int(seconds * rate)) / rate
    buzz = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 8))
    envelope = np.clip(np.sin(2 * np.pi * 2 * t), 0, None) ** 0.5
    pcm = (0.25 * buzz * envelope / 2 * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    from skimage.data import astronaut

    folder = tmp_path_factory.mktemp("media")
    Image.fromarray(astronaut()).save(folder / "astro.png")
    (folder / "astro_copy.png").write_bytes((folder / "astro.png").read_bytes())
    noise = np.random.default_rng(0).integers(0, 256, (320, 320, 3), dtype=np.uint8)
    Image.fromarray(noise).save(folder / "noise.png")
    (folder / "notes.png").write_text("these are notes, not a picture")
    _voice(folder / "one.wav", 1.2, 140)
    _voice(folder / "two.wav", 1.0, 210)
    _voice(folder / "empty.wav", 0.0, 100)
    return folder


def _frames(path):
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def _partials(folder):
    return [p for p in folder.rglob("*") if ".partial" in p.name]


GOOD = (
    "portrait,audio,output,seed,emotion\nastro.png,one.wav,a,1,\nastro_copy.png,two.wav,b,2,happy\n"
)
BAD = (
    "missing.png,one.wav,m,,\nnotes.png,one.wav,t,,\n"
    "noise.png,one.wav,n,,\nastro.png,empty.wav,e,,\n"
)


@pytest.fixture(scope="module")
def first_run(media, tmp_path_factory):
    jobs = media / "jobs.csv"
    jobs.write_text(GOOD + BAD)
    out = tmp_path_factory.mktemp("out")
    report = run_batch(jobs, out, options=OPTIONS, workers=2, progress=False)
    return jobs, out, report


def test_good_rows_made_and_bad_rows_reported(first_run):
    jobs, out, report = first_run
    status = {j.output: j for j in report.jobs}
    assert [j.status for j in report.jobs] == ["done"] * 2 + ["failed"] * 4
    assert "missing.png: no such file" in status["m.mp4"].error
    assert "notes.png" in status["t.mp4"].error and "not an image" in status["t.mp4"].error
    assert "noise.png" in status["n.mp4"].error and "no face" in status["n.mp4"].error
    assert "empty.wav" in status["e.mp4"].error
    for job in report.jobs:
        assert "\n" not in job.error
    for name, seconds in (("a.mp4", 1.2), ("b.mp4", 1.0)):
        frames = _frames(out / name)
        assert frames.shape[1:] == (256, 256, 3)
        assert abs(len(frames) - seconds * FPS) <= 1
        assert status[name].video_seconds == pytest.approx(seconds, abs=1.5 / FPS)
    assert not (out / "m.mp4").exists() and not (out / "e.mp4").exists()
    assert not _partials(out)
    with open(out / "report.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows] == [j.status for j in report.jobs]
    assert [r["error"] for r in rows] == [j.error for j in report.jobs]
    lines = (out / "report.jsonl").read_text().splitlines()
    assert [json.loads(line)["output"] for line in lines] == [j.output for j in report.jobs]


def test_each_portrait_analysed_once(first_run):
    _, out, report = first_run
    # astro.png and astro_copy.png are the same bytes: one rig for a, b and e
    assert len(list((out / ".cache" / "rigs").glob("*.npz"))) == 1
    analysed = [p for p in report.portraits if p.status == "analysed"]
    assert len(analysed) == 1 and analysed[0].jobs == 3
    assert sorted(p.status for p in report.portraits) == ["analysed", "failed", "failed"]


def test_ray_makes_the_same_frames_as_the_local_pool(first_run, media, tmp_path):
    pytest.importorskip("ray")
    _, local_out, _ = first_run
    jobs = media / "good.csv"
    jobs.write_text(GOOD)
    out = tmp_path / "ray"
    report = run_batch(jobs, out, options=OPTIONS, workers=2, ray_address="", progress=False)
    assert report.mode == "ray" and [j.status for j in report.jobs] == ["done", "done"]
    assert [p.status for p in report.portraits] == ["analysed"]
    for name in ("a.mp4", "b.mp4"):
        np.testing.assert_array_equal(_frames(out / name), _frames(local_out / name))
    assert os.listdir(out / ".cache" / "rigs") == os.listdir(local_out / ".cache" / "rigs")


def test_rerun_makes_nothing_new(first_run):
    jobs, out, first = first_run
    before = {p: p.stat().st_mtime_ns for p in out.glob("*.mp4")}
    again = run_batch(jobs, out, options=OPTIONS, workers=2, progress=False)
    assert [j.status for j in again.jobs] == ["skipped"] * 2 + ["failed"] * 4
    assert [j.error for j in again.jobs][2:] == [j.error for j in first.jobs][2:]
    assert {p: p.stat().st_mtime_ns for p in out.glob("*.mp4")} == before
    assert "analysed" not in {p.status for p in again.portraits}


def test_sigint_leaves_no_partial_file_and_the_rerun_resumes(media, tmp_path):
    jobs = media / "many.jsonl"
    rows = [{"portrait": "astro.png", "audio": "one.wav", "output": f"v{i}", "seed": i}
            for i in range(6)]  # fmt: skip
    jobs.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "parlante.batch", str(jobs), "--out", str(out), "--size", "256",
           "--workers", "2", "-q"]  # fmt: skip
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while not list(out.glob("v*.mp4")) and proc.poll() is None:
            assert time.monotonic() < deadline, "no video appeared"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # to the driver only: it must stop its workers
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    made = sorted(out.glob("v*.mp4"))
    if proc.returncode == 130:
        assert "interrupted" in err
        assert 1 <= len(made) < 6
    else:  # every job finished before the signal arrived: nothing was interrupted
        assert proc.returncode == 0 and len(made) == 6
    assert not _partials(out)
    for path in made:  # whatever exists is complete
        assert abs(len(_frames(path)) - 1.2 * FPS) <= 1
    before = {p.name: p.stat().st_mtime_ns for p in made}

    resumed = run_batch(jobs, out, options=OPTIONS, workers=2, progress=False)
    status = {j.output: j.status for j in resumed.jobs}
    assert all(status[name] == "skipped" for name in before)
    assert all(status[f"v{i}.mp4"] == "done" for i in range(6) if f"v{i}.mp4" not in before)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("v*.mp4") if p.name in before} == before
    manifest = [json.loads(line)["output"] for line in (out / ".cache/manifest.jsonl").open()]
    assert sorted(manifest) == [f"v{i}.mp4" for i in range(6)]  # each made exactly once
    assert not _partials(out)


def test_a_motion_row_drives_the_portrait(media, tmp_path):
    """A row with a .motion file and no audio: the performance drives the face, the video
    lasts as long as the motion, and the mouth opens where the motion says."""
    from parlante.motion import INDEX, Motion
    from parlante.motion.motion_file import save_motion

    n = 40  # 1.6 s at 25 fps
    values = np.zeros((n, 23), np.float32)
    values[10:20, INDEX["jaw_open"]] = 0.7
    save_motion(Motion(values, FPS), media / "open_close.motion")
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(
        f"portrait,motion,output\n{media / 'astro.png'},{media / 'open_close.motion'},m\n"
    )
    report = run_batch(jobs, tmp_path / "out", options=OPTIONS, workers=1, progress=False)
    assert [j.status for j in report.jobs] == ["done"], report.jobs[0].error
    frames = _frames(tmp_path / "out" / "m.mp4").astype(np.float32)
    assert len(frames) == n
    change = np.abs(frames - frames[0]).mean(axis=(1, 2, 3))
    assert change[12:18].min() > 3 * max(change[:5].max(), change[-5:].max(), 0.2)
