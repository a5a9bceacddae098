"""HTTP API: avatars, video jobs, and a 4xx JSON error for every kind of bad input."""

from __future__ import annotations

import io
import time
import wave

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("fastapi")
pytest.importorskip("multipart")
from fastapi.testclient import TestClient  # noqa: E402

from parlante.serve import ServeConfig, create_app  # noqa: E402

from .conftest import SIZE  # noqa: E402


def png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def wav(samples: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> ServeConfig:
    return ServeConfig(
        max_image_mb=1.5,
        max_image_pixels=1_000_000,
        max_audio_seconds=8.0,
        max_audio_mb=1.0,
        max_streams=1,  # one live worker process is enough here
        cache_dir=tmp_path_factory.mktemp("avatars"),
        jobs_dir=tmp_path_factory.mktemp("jobs"),
    )


@pytest.fixture(scope="module")
def client(config):
    with TestClient(create_app(config)) as c:
        yield c


@pytest.fixture(scope="module")
def avatar(client, portrait_png) -> dict:
    r = client.post(
        "/avatars", files={"image": ("astronaut.png", portrait_png)}, data={"size": SIZE}
    )
    assert r.status_code in (200, 201), r.text
    return r.json()


def assert_error(response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and isinstance(body["error"], str) and body["error"]
    for w in words:
        assert w.lower() in body["error"].lower(), body["error"]


def test_avatar_lifecycle_and_disk_cache(client, config, avatar, portrait_png):
    assert avatar["size"] == SIZE and len(avatar["id"]) == 20
    again = client.post(
        "/avatars", files={"image": ("copy.png", portrait_png)}, data={"size": SIZE}
    )
    assert again.status_code == 200 and again.json()["id"] == avatar["id"]
    listed = client.get("/avatars").json()["avatars"]
    assert avatar["id"] in [a["id"] for a in listed]
    image = client.get(f"/avatars/{avatar['id']}/image")
    assert image.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).size == (SIZE, SIZE)
    assert (config.cache_dir / f"{avatar['id']}.npz").exists()
    # a restarted server finds the analysed portrait in its cache folder
    with TestClient(create_app(config)) as fresh:
        assert fresh.get(f"/avatars/{avatar['id']}").json()["size"] == SIZE


def test_delete_avatar(client, portrait_rgb):
    flipped = png(np.ascontiguousarray(portrait_rgb[:, ::-1]))
    made = client.post("/avatars", files={"image": ("flip.png", flipped)}, data={"size": SIZE})
    assert made.status_code == 201
    aid = made.json()["id"]
    assert client.delete(f"/avatars/{aid}").status_code == 204
    assert_error(client.get(f"/avatars/{aid}"), 404, "avatar")
    assert_error(client.delete(f"/avatars/{aid}"), 404)
    assert aid not in [a["id"] for a in client.get("/avatars").json()["avatars"]]


def test_bad_portraits_get_4xx_json(client):
    assert_error(
        client.post("/avatars", files={"image": ("notes.txt", b"just some text")}), 415, "image"
    )
    flat = png(np.full((400, 400, 3), 120, np.uint8))
    assert_error(client.post("/avatars", files={"image": ("wall.png", flat)}), 422, "no face")
    rng = np.random.default_rng(0)
    noisy = png(rng.integers(0, 255, (900, 900, 3), dtype=np.uint8))  # ~2.4 MB of noise
    assert len(noisy) > 1.5e6
    assert_error(client.post("/avatars", files={"image": ("big.png", noisy)}), 413, "MB")
    wide = png(np.full((800, 1400, 3), 200, np.uint8))  # small file, too many pixels
    assert_error(client.post("/avatars", files={"image": ("wide.png", wide)}), 413, "pixel")
    assert_error(client.post("/avatars", data={"size": "256"}), 422, "image")
    face = png(np.full((300, 300, 3), 90, np.uint8))
    assert_error(
        client.post("/avatars", files={"image": ("a.png", face)}, data={"size": "300000"}),
        400,
        "size",
    )
    assert_error(client.post("/avatars", files={"image": ("empty.png", b"")}), 400, "empty")
    assert_error(client.get("/avatars/0123456789abcdef0123"), 404)
    assert_error(client.get("/no/such/page"), 404)


def test_job_lifecycle_gives_a_playable_mp4(client, avatar, voice, voice_wav, tmp_path):
    from parlante.io.video import probe_duration

    samples, rate = voice
    r = client.post(
        f"/avatars/{avatar['id']}/jobs",
        files={"audio": ("hello.wav", voice_wav)},
        data={"emotion": "happy", "seed": "2", "label": "AI"},
    )
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running") and 0 <= job["progress"] <= 1
    assert job["id"] in [j["id"] for j in client.get("/jobs").json()["jobs"]]
    progress = [job["progress"]]
    deadline = time.monotonic() + 90
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, "the job did not finish in 90 s"
        if job["status"] == "queued":
            assert_error(client.get(f"/jobs/{job['id']}/video"), 409, "not ready")
        time.sleep(0.2)
        job = client.get(f"/jobs/{job['id']}").json()
        progress.append(job["progress"])
    assert job["status"] == "done", job
    assert progress == sorted(progress) and progress[-1] == 1.0
    video = client.get(job["video_url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    path = tmp_path / "out.mp4"
    path.write_bytes(video.content)
    vdur, adur, frames = probe_duration(path)
    seconds = len(samples) / rate
    assert abs(frames - seconds * 25) <= 1 and frames == job["frames"]
    assert adur is not None and abs(adur - seconds) < 0.05
    import av

    with av.open(str(path)) as c:
        first = next(c.decode(video=0)).to_ndarray(format="rgb24")
    assert first.shape == (SIZE, SIZE, 3)
    assert client.delete(f"/jobs/{job['id']}").status_code == 204
    assert_error(client.get(f"/jobs/{job['id']}"), 404)
    assert_error(client.get(f"/jobs/{job['id']}/video"), 404)


def test_bad_job_requests_get_4xx_json(client, avatar, voice_wav):
    url = f"/avatars/{avatar['id']}/jobs"
    assert_error(
        client.post("/avatars/0123456789abcdef0123/jobs", files={"audio": ("a.wav", voice_wav)}),
        404,
        "avatar",
    )
    assert_error(client.post(url, files={"audio": ("a.wav", b"RIFF not really")}), 422, "a.wav")
    assert_error(client.post(url, files={"audio": ("a.wav", b"")}), 400, "empty")
    too_long = wav(np.zeros(8000 * 12, np.float32), 8000)  # 12 s > 8 s limit, 192 kB
    assert_error(client.post(url, files={"audio": ("long.wav", too_long)}), 413, "long.wav")
    too_big = wav(np.zeros(48000 * 12, np.float32), 48000)  # 1.15 MB > 1 MB
    assert_error(client.post(url, files={"audio": ("big.wav", too_big)}), 413, "MB")
    for field, value, word in (
        ("emotion", "bored", "emotion"),
        ("gaze", "left", "gaze"),
        ("motion_scale", "9", "motion scale"),
        ("crf", "99", "crf"),
    ):
        r = client.post(url, files={"audio": ("a.wav", voice_wav)}, data={field: value})
        assert_error(r, 400, word)
    assert_error(client.post(url, data={"emotion": "happy"}), 422, "audio")
    assert_error(client.get("/jobs/nope"), 404)
    assert_error(client.delete("/jobs/nope"), 404)


def test_health_and_openapi_docs(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["streams"] == 0
    spec = client.get("/openapi.json").json()
    for path in ("/avatars", "/avatars/{avatar_id}/jobs", "/jobs/{job_id}", "/jobs/{job_id}/video"):
        assert path in spec["paths"]
    assert "PLF1" in spec["info"]["description"]  # the live frame format is documented
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()  # the docs work without internet
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "<canvas" in page.text
    assert client.get("/static/app.js").status_code == 200
