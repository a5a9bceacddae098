"""Live streaming over loopback: first-frame latency, frame latency, fps, dropped frames.

    .venv/bin/python bench/stream.py [--seconds 12] [--size 512] [--streams 1,2]
                                     [--chunk-ms 20,40] [--portrait P]

Starts ``parlante serve`` in a subprocess on a free port, uploads a portrait, then streams a
generated voice over the WebSocket in real-time-paced chunks (sizes drawn between the
--chunk-ms bounds), with 1 and then 2 concurrent streams. Figures per run:

- first frame: from sending the first audio chunk to receiving the first frame.
- beyond lookahead: the same minus the audio the motion lookahead must wait for (the part
  the server's speed decides).
- frame latency p50/p95: a frame's arrival minus the moment the audio at its pts was sent
  (what a live viewer's picture lags its voice, lookahead included).
- fps: frames received per second of streaming; dropped: frames the server skipped
  because they were late, plus any never received.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, extra: list[str]) -> subprocess.Popen:
    cmd = [
        sys.executable, "-m", "parlante.serve", "--port", str(port), "--max-streams", "4",
        "--log-level", "warning", *extra,
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start in 60 s")


def make_voice(seconds: float) -> tuple[np.ndarray, int]:
    from parlante.audio import speak
    from parlante.demo import DEMO_TEXT

    samples, rate = speak(DEMO_TEXT, voice="en")
    reps = int(np.ceil(seconds * rate / len(samples)))
    samples = np.tile(np.asarray(samples, np.float32), reps)[: int(seconds * rate)]
    return samples, int(rate)


@dataclass
class Run:
    sent_at: list[float] = field(default_factory=list)  # per chunk: send time
    chunk_start: list[float] = field(default_factory=list)  # per chunk: audio seconds
    arrivals: dict[int, tuple[float, float]] = field(default_factory=dict)  # i -> (t, pts)
    lookahead: float = 0.0
    done: dict = field(default_factory=dict)
    expected: int = 0


async def one_stream(url: str, pcm: np.ndarray, rate: int, chunk_ms: tuple[float, float], seed):
    from websockets.asyncio.client import connect

    run = Run()
    rng = np.random.default_rng(seed)
    header = struct.Struct("<4sId")
    async with connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"sample_rate": rate, "format": "s16le"}))
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready", ready
        run.lookahead = ready["lookahead"]
        fps = ready["fps"]
        run.expected = int(np.floor(len(pcm) * fps / rate + 0.5))

        async def receive() -> None:
            async for message in ws:
                if isinstance(message, bytes):
                    _, index, pts = header.unpack_from(message)
                    run.arrivals[index] = (time.perf_counter(), pts)
                else:
                    body = json.loads(message)
                    if body["type"] in ("done", "error"):
                        run.done = body
                        return

        receiver = asyncio.create_task(receive())
        start = time.perf_counter()
        i = 0
        while i < len(pcm):
            n = int(rng.uniform(*chunk_ms) / 1000 * rate)
            # real-time pacing: a chunk leaves once the clock has reached its end
            due = start + (i + n) / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            run.chunk_start.append(i / rate)
            run.sent_at.append(time.perf_counter())
            await ws.send(pcm[i : i + n].tobytes())
            i += n
        await ws.send(json.dumps({"type": "end"}))
        await asyncio.wait_for(receiver, 60)
    return run


def summarise(run: Run) -> dict:
    starts = np.array(run.chunk_start)
    sent = np.array(run.sent_at)
    idx = sorted(run.arrivals)
    t = np.array([run.arrivals[i][0] for i in idx])
    pts = np.array([run.arrivals[i][1] for i in idx])
    # the audio at time pts left the client with the chunk that holds it
    k = np.searchsorted(starts, pts, side="right") - 1
    latency = t - sent[np.clip(k, 0, len(sent) - 1)]
    first = t[0] - sent[0]
    span = t[-1] - t[0]
    return {
        "first_ms": first * 1000,
        "beyond_ms": (first - run.lookahead) * 1000,
        "p50_ms": float(np.percentile(latency, 50) * 1000),
        "p95_ms": float(np.percentile(latency, 95) * 1000),
        "fps": (len(idx) - 1) / span if span > 0 else float("nan"),
        "dropped": run.expected - len(idx),
        "skipped": run.done.get("skipped", -1),
        "lookahead_ms": run.lookahead * 1000,
        "frames": len(idx),
    }


async def bench(url: str, pcm, rate, n: int, chunk_ms) -> list[dict]:
    runs = await asyncio.gather(*(one_stream(url, pcm, rate, chunk_ms, s) for s in range(n)))
    return [summarise(r) for r in runs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=12.0, help="length of the streamed voice")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--streams", default="1,2", help="concurrent stream counts to run")
    ap.add_argument("--chunk-ms", default="20,40", help="MIN,MAX chunk duration in ms")
    ap.add_argument("--portrait", help="image (default: the demo portrait)")
    ap.add_argument("--server-args", default="", help="extra `parlante serve` flags, quoted")
    args = ap.parse_args()
    chunk_ms = tuple(float(v) for v in args.chunk_ms.split(","))

    import httpx
    from PIL import Image

    if args.portrait:
        image = Path(args.portrait).read_bytes()
    else:
        from parlante.demo import demo_portrait

        buf = io.BytesIO()
        Image.fromarray(demo_portrait()).save(buf, format="PNG")
        image = buf.getvalue()
    samples, rate = make_voice(args.seconds)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")

    port = free_port()
    proc = start_server(port, args.server_args.split())
    try:
        r = httpx.post(
            f"http://127.0.0.1:{port}/avatars",
            files={"image": ("portrait.png", image)},
            data={"size": str(args.size)},
            timeout=120,
        )
        r.raise_for_status()
        url = f"ws://127.0.0.1:{port}/avatars/{r.json()['id']}/stream"
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"{args.size}x{args.size}, {args.seconds:g} s voice at {rate} Hz, chunks "
            f"{chunk_ms[0]:g}-{chunk_ms[1]:g} ms, real-time paced, {os.cpu_count()} cores, "
            f"load average {load:.1f} before the run, server flags: {args.server_args or '-'}"
        )
        cols = ("streams", "first_ms", "beyond_ms", "p50_ms", "p95_ms", "fps", "dropped")
        print(" ".join(f"{c:>10}" for c in cols) + "   (lookahead ms)")
        asyncio.run(bench(url, pcm[: rate * 2], rate, 1, chunk_ms))  # warm-up
        for n in (int(v) for v in args.streams.split(",")):
            for i, s in enumerate(asyncio.run(bench(url, pcm, rate, n, chunk_ms))):
                label = f"{n}" + (f".{i + 1}" if n > 1 else "")
                row = [label] + [
                    f"{s[c]:.1f}" if isinstance(s[c], float) else str(s[c]) for c in cols[1:]
                ]
                print(" ".join(f"{v:>10}" for v in row) + f"   ({s['lookahead_ms']:.0f})")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
