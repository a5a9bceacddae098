"""``parlante serve`` as a command: flag checking, and a real server answering on its port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from parlante.serve import serve_main

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")


def test_bad_flags_exit_with_2(capsys):
    assert serve_main(["--port", "70000"]) == 2
    assert "port" in capsys.readouterr().err
    assert serve_main(["--jpeg-quality", "10"]) == 2
    with pytest.raises(SystemExit) as exc:
        serve_main(["--max-streams", "many"])
    assert exc.value.code == 2


def test_server_starts_and_answers(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "parlante.serve", "--port", str(port), "--max-streams", "1"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "no answer in 60 s"
                time.sleep(0.2)
        assert health["max_streams"] == 1 and health["streams"] == 0
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and "Parlante" in page.text
    finally:
        proc.terminate()
        proc.wait(15)
