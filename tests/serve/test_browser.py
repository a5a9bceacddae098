"""The web page in headless Chromium: upload a portrait, play a voice, see frames arrive.

Needs Debian's ``chromium`` (``scripts/setup.sh ... --browser``) and ``playwright`` (the
``serve`` extra); Playwright's own browser download is never used.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on PATH (install it: scripts/setup.sh dev,serve --browser)",
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    # a fake microphone (a beep) that needs no permission prompt
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    uvicorn = pytest.importorskip("uvicorn")
    from parlante.serve import ServeConfig, create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # no frame may be skipped for lateness, however busy the test machine is
    config = ServeConfig(
        port=port,
        jobs_dir=tmp_path_factory.mktemp("browser-jobs"),
        max_lag_seconds=60.0,
        max_streams=1,
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def page(server_url):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 900, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(server_url + "/")
        yield page
        browser.close()


def frame_count(page) -> int:
    return int(page.locator("#frame-count").inner_text())


def test_a_bad_portrait_is_explained_in_plain_words(page, tmp_path):
    note = tmp_path / "notes.txt"
    note.write_text("not a photo")
    page.set_input_files("#portrait-file", str(note))
    page.wait_for_selector("#error:not([hidden])")
    text = page.locator("#error").inner_text()
    assert "portrait cannot be used" in text and "not an image" in text


def test_upload_portrait_play_voice_and_watch_it_talk(
    page, tmp_path, portrait_png, voice_wav, voice
):
    samples, rate = voice
    portrait = tmp_path / "astronaut.png"
    portrait.write_bytes(portrait_png)
    audio = tmp_path / "hello.wav"
    audio.write_bytes(voice_wav)

    page.set_input_files("#portrait-file", str(portrait))
    page.wait_for_function(
        "document.getElementById('portrait-status').textContent.includes('ready')"
    )
    assert page.locator("#error").is_hidden()
    assert int(page.locator("#stage").get_attribute("width")) == 512  # default avatar size

    page.set_input_files("#audio-file", str(audio))
    page.click("#play-file")
    page.wait_for_function("Number(document.getElementById('frame-count').textContent) > 5")
    first = frame_count(page)
    time.sleep(0.5)
    assert frame_count(page) > first  # frames keep arriving while the voice plays
    page.wait_for_function("document.body.dataset.state === 'finished'", timeout=60_000)
    expected = len(samples) / rate * 25
    assert abs(frame_count(page) - expected) <= 1
    assert int(page.locator("#shown-count").inner_text()) > 0
    assert page.locator("#error").is_hidden()
    # the finished video of the same voice can be downloaded
    page.wait_for_selector("#job-link:not([hidden])", timeout=90_000)
    href = page.locator("#job-link").get_attribute("href")
    assert href.startswith("/jobs/") and href.endswith("/video")


def test_microphone_drives_the_face_live(page, server_url):
    import httpx

    page.wait_for_selector("#mic:not([disabled])")  # a portrait is loaded (previous test)
    page.click("#mic")
    page.wait_for_function("document.body.dataset.state === 'listening'")
    page.wait_for_function("Number(document.getElementById('frame-count').textContent) > 10")
    assert page.locator("#error").is_hidden()
    page.click("#stop")
    page.wait_for_function("document.body.dataset.state === 'stopped'")
    deadline = time.monotonic() + 10
    while httpx.get(server_url + "/health").json()["streams"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert httpx.get(server_url + "/health").json()["streams"] == 0
