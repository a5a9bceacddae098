"""The live WebSocket: frames for a streamed voice, idle frames, controls, limits, errors."""

from __future__ import annotations

import json
import time

import cv2
import numpy as np
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from starlette.websockets import WebSocketDisconnect  # noqa: E402

from parlante.serve import ServeConfig, create_app  # noqa: E402
from parlante.serve.protocol import unpack_frame  # noqa: E402

from .conftest import SIZE, mouth_box  # noqa: E402

FPS = 25.0


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # a lag allowance far above what a busy test machine needs: no frame may be skipped here
    config = ServeConfig(max_streams=2, max_audio_seconds=8.0, max_lag_seconds=120.0)
    return create_app(config)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def avatar_id(client, portrait_png) -> str:
    r = client.post("/avatars", files={"image": ("a.png", portrait_png)}, data={"size": SIZE})
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def pcm16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2")


def chunks(pcm: np.ndarray, rate: int, seconds: float = 0.04):
    step = int(rate * seconds)
    for i in range(0, len(pcm), step):
        yield pcm[i : i + step].tobytes()


def collect(ws) -> tuple[list[tuple[int, float, bytes]], list[dict]]:
    """Frames and JSON messages until "done" (or an error)."""
    frames, messages = [], []
    while True:
        msg = ws.receive()
        if msg["type"] == "websocket.close":
            raise AssertionError(f"closed before done: {msg}")
        if msg.get("bytes") is not None:
            frames.append(unpack_frame(msg["bytes"]))
            continue
        body = json.loads(msg["text"])
        messages.append(body)
        if body["type"] in ("done", "error"):
            return frames, messages


def wait_streams_zero(client, seconds: float = 10.0) -> int:
    deadline = time.monotonic() + seconds
    while True:
        n = client.get("/health").json()["streams"]
        if n == 0 or time.monotonic() > deadline:
            return n
        time.sleep(0.05)


def test_stream_a_voice(client, app, avatar_id, voice):
    samples, rate = voice
    pcm = pcm16(samples)
    with client.websocket_connect(f"/avatars/{avatar_id}/stream") as ws:
        ws.send_text(json.dumps({"sample_rate": rate, "format": "s16le", "seed": 1}))
        ready = ws.receive_json()
        assert ready["type"] == "ready", ready
        assert ready["fps"] == FPS and ready["size"] == SIZE
        assert ready["header_bytes"] == 16 and 0 < ready["lookahead"] < 1
        for i, data in enumerate(chunks(pcm, rate)):
            ws.send_bytes(data)
            if i == 20:
                ws.send_text(json.dumps({"type": "controls", "emotion": "happy"}))
        ws.send_text(json.dumps({"type": "end"}))
        frames, messages = collect(ws)
    done = messages[-1]
    assert done["type"] == "done", messages
    seconds = len(pcm) / rate
    assert abs(len(frames) - seconds * FPS) <= 1
    assert done["frames"] == len(frames) and done["skipped"] == 0
    indices = [f[0] for f in frames]
    assert indices == list(range(len(frames)))
    np.testing.assert_allclose([f[1] for f in frames], np.array(indices) / FPS, atol=1e-9)
    images = [cv2.imdecode(np.frombuffer(f[2], np.uint8), cv2.IMREAD_COLOR) for f in frames]
    assert all(im.shape == (SIZE, SIZE, 3) for im in images)
    rig = app.state.avatars.get(avatar_id).rig
    rows, cols = mouth_box(rig)
    mouth = np.array([im[rows, cols].astype(np.float32).mean() for im in images])
    corner = np.array([im[:24, :24].astype(np.float32).mean() for im in images])
    assert mouth.std() > 1.0 and mouth.std() > 3 * corner.std()
    assert wait_streams_zero(client) == 0


def test_pause_in_the_audio_gives_idle_frames(client, avatar_id, voice):
    samples, rate = voice
    pcm = pcm16(samples[: rate // 2])
    with client.websocket_connect(f"/avatars/{avatar_id}/stream") as ws:
        ws.send_text(json.dumps({"sample_rate": rate}))
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(pcm.tobytes())
        time.sleep(1.5)  # the client stays connected but sends nothing
        ws.send_text(json.dumps({"type": "end"}))
        frames, messages = collect(ws)
    silences = [m for m in messages if m["type"] == "silence"]
    assert silences, messages
    gap = sum(m["seconds"] for m in silences)
    assert 0.5 < gap < 1.6
    assert silences[0]["start"] == pytest.approx(0.5, abs=1e-3)
    assert abs(len(frames) - (0.5 + gap) * FPS) <= 1
    assert [f[0] for f in frames] == list(range(len(frames)))


def test_disconnect_mid_stream_frees_the_session(client, avatar_id, voice):
    samples, rate = voice
    pcm = pcm16(samples)
    with client.websocket_connect(f"/avatars/{avatar_id}/stream") as ws:
        ws.send_text(json.dumps({"sample_rate": rate}))
        ws.receive_json()
        for data in chunks(pcm[:rate], rate):
            ws.send_bytes(data)
        ws.receive_bytes()  # frames are flowing
        assert client.get("/health").json()["streams"] == 1
    assert wait_streams_zero(client) == 0


def test_stream_limit_and_other_refusals(client, avatar_id):
    def refused(path: str, *messages, status: int) -> str:
        with client.websocket_connect(path) as ws:
            for m in messages:
                if isinstance(m, bytes):
                    ws.send_bytes(m)
                else:
                    ws.send_text(m)
                    if m == good:
                        assert ws.receive_json()["type"] == "ready"
            body = {"type": None}
            while body["type"] != "error":  # frames may come before the refusal
                msg = ws.receive()
                assert msg["type"] == "websocket.send", msg
                body = json.loads(msg["text"]) if msg.get("text") else {"type": "frame"}
            assert body["status"] == status, body
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_bytes()
            assert closed.value.code == 4000 + status
        if status != 429:
            assert wait_streams_zero(client) == 0
        return body["error"]

    good = json.dumps({"sample_rate": 16000})
    path = f"/avatars/{avatar_id}/stream"
    assert "avatar" in refused("/avatars/0123456789abcdef0123/stream", status=404)
    assert "json stream config" in refused(path, "not json", status=400).lower()
    assert "sample_rate" in refused(path, json.dumps({"sample_rate": 4000}), status=400)
    assert "format" in refused(
        path, json.dumps({"sample_rate": 16000, "format": "mp3"}), status=400
    )
    assert "emotion" in refused(path, json.dumps({"sample_rate": 16000, "emotion": 3}), status=400)
    assert "first message" in refused(path, b"\x00\x01", status=400)
    assert "whole number" in refused(path, good, b"\x00\x01\x02", status=400)
    assert "json" in refused(path, good, "{oops", status=400).lower()
    assert "unknown" in refused(path, good, json.dumps({"type": "dance"}), status=400)
    bad_controls = json.dumps({"type": "controls", "motion_scale": 7})
    assert "motion scale" in refused(path, good, bad_controls, status=400)
    second = np.zeros(16000, "<i2").tobytes()
    assert "limit" in refused(path, good, *[second] * 9, status=413)
    # two streams are allowed at once, the third is refused
    assert wait_streams_zero(client) == 0  # a refused stream frees its slot just after
    with client.websocket_connect(path) as a, client.websocket_connect(path) as b:
        for ws in (a, b):
            ws.send_text(good)
            reply = ws.receive_json()
            assert reply["type"] == "ready", reply
        assert "try again" in refused(path, status=429)
    assert wait_streams_zero(client) == 0


def test_late_frames_are_skipped_not_queued(portrait_png, voice):
    samples, rate = voice
    config = ServeConfig(max_lag_seconds=0.0, max_streams=1)
    with TestClient(create_app(config)) as client:
        r = client.post("/avatars", files={"image": ("a.png", portrait_png)}, data={"size": SIZE})
        aid = r.json()["id"]
        pcm = pcm16(samples)
        with client.websocket_connect(f"/avatars/{aid}/stream") as ws:
            ws.send_text(json.dumps({"sample_rate": rate}))
            ws.receive_json()
            ws.send_bytes(pcm[: int(1.5 * rate)].tobytes())  # 1.5 s at once: mostly "late"
            ws.send_text(json.dumps({"type": "end"}))
            frames, messages = collect(ws)
    done = messages[-1]
    total = round(1.5 * FPS)
    assert done["frames"] == len(frames) and done["frames"] + done["skipped"] == total
    assert done["skipped"] > 0
    indices = [f[0] for f in frames]
    assert indices == sorted(indices) and indices[-1] == total - 1


def test_face_idles_before_the_first_audio(client, avatar_id, voice):
    samples, rate = voice
    with client.websocket_connect(f"/avatars/{avatar_id}/stream") as ws:
        ws.send_text(json.dumps({"sample_rate": rate}))
        assert ws.receive_json()["type"] == "ready"
        time.sleep(1.2)  # e.g. a text-to-speech engine still thinking
        ws.send_bytes(pcm16(samples[: rate // 2]).tobytes())
        ws.send_text(json.dumps({"type": "end"}))
        frames, messages = collect(ws)
    silences = [m for m in messages if m["type"] == "silence"]
    assert silences and silences[0]["start"] == 0.0
    gap = sum(m["seconds"] for m in silences)
    assert 0.5 < gap < 1.3
    assert abs(len(frames) - (gap + 0.5) * FPS) <= 1
    assert [f[0] for f in frames] == list(range(len(frames)))


def test_a_crashed_worker_is_reported_and_replaced(client, app, avatar_id, voice):
    samples, rate = voice
    pcm = pcm16(samples)
    path = f"/avatars/{avatar_id}/stream"
    before = {w.process.pid for w in app.state.streams.pool.workers()}
    with client.websocket_connect(path) as ws:
        ws.send_text(json.dumps({"sample_rate": rate}))
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(pcm[: rate // 2].tobytes())
        ws.receive_bytes()
        for worker in app.state.streams.pool.workers():
            worker.process.kill()
        while True:
            msg = ws.receive()
            if msg.get("text"):
                body = json.loads(msg["text"])
                if body["type"] == "error":
                    break
            assert msg["type"] != "websocket.close", msg
        assert body["status"] == 500 and "worker" in body["error"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()
        assert closed.value.code == 1011
    assert wait_streams_zero(client) == 0
    # a new process took the dead one's place, and streams work again
    with client.websocket_connect(path) as ws:
        ws.send_text(json.dumps({"sample_rate": rate}))
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(pcm[: rate // 2].tobytes())
        ws.send_text(json.dumps({"type": "end"}))
        frames, messages = collect(ws)
    assert messages[-1]["type"] == "done" and abs(len(frames) - 0.5 * FPS) <= 1
    # the other killed worker is replaced when next lent; none of the dead ones is used
    with client.websocket_connect(path) as a, client.websocket_connect(path) as b:
        for ws in (a, b):
            ws.send_text(json.dumps({"sample_rate": rate}))
            assert ws.receive_json()["type"] == "ready"
    after = {w.process.pid for w in app.state.streams.pool.workers()}
    assert len(after) == 2 and not before & after
