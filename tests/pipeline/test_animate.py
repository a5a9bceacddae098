"""End to end: portrait + voice -> MP4 whose length, motion and marks are right."""

import hashlib

import av
import numpy as np
import pytest

from parlante.io.video import probe_duration
from parlante.options import AnimateOptions


def _frames(path):
    with av.open(str(path)) as c:
        return np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)])


@pytest.fixture(scope="module")
def talk(tmp_path_factory, portrait_png, voice_wav):
    from parlante.pipeline import animate

    out = tmp_path_factory.mktemp("talk") / "talk.mp4"
    animate(portrait_png, voice_wav, out, AnimateOptions(size=256, seed=1))
    return out


def test_duration_equals_audio(talk, voice_wav):
    from parlante.audio import load_audio

    samples, rate = load_audio(voice_wav)
    vdur, adur, frames = probe_duration(talk)
    assert frames == round(len(samples) * 25 / rate)
    assert abs(vdur - len(samples) / rate) <= 1 / 25
    assert abs(adur - len(samples) / rate) <= 1 / 25
    assert list(talk.parent.iterdir()) == [talk]  # no partial file left behind


def test_mouth_moves_background_still(talk, portrait_png):
    from parlante.face import analyze_portrait

    rig = analyze_portrait(portrait_png, size=256)
    frames = _frames(talk).astype(np.float32)
    lm = rig.landmarks
    mouth = lm[[61, 291, 0, 17]]
    x0, x1 = int(mouth[:, 0].min()) - 4, int(mouth[:, 0].max()) + 4
    y0, y1 = int(mouth[:, 1].min()) - 4, int(mouth[:, 1].max()) + 8
    mouth_var = frames[:, y0:y1, x0:x1].std(axis=0).mean()
    corner_var = frames[:, :24, :24].std(axis=0).mean()  # top-left background corner
    assert mouth_var > 4 * max(corner_var, 0.5)


def test_same_seed_same_video_other_seed_differs(tmp_path, talk, portrait_png, voice_wav):
    from parlante.pipeline import animate

    same = animate(portrait_png, voice_wav, tmp_path / "same.mp4", AnimateOptions(size=256, seed=1))
    other = animate(
        portrait_png, voice_wav, tmp_path / "other.mp4", AnimateOptions(size=256, seed=2)
    )
    a, b, c = _frames(talk), _frames(same), _frames(other)
    assert np.array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 0.05


def test_video_carries_provenance(talk, portrait_png):
    from parlante.provenance import verify_file

    report = verify_file(talk)
    assert report.watermark.found
    assert report.manifest.present and report.manifest.valid and report.manifest.ai_generated
    assert report.watermark.payload is not None
    info = report.manifest.info
    assert info is not None and info.watermark_payload == report.watermark.payload
    assert info.source_sha256 == hashlib.sha256(portrait_png.read_bytes()).hexdigest()
    assert info.settings["seed"] == "1"


def test_saved_rig_gives_the_same_video_and_fps_is_honoured(tmp_path, portrait_png, voice_wav):
    """A portrait analysed once and saved (``parlante analyze``) animates exactly like the
    portrait itself; --fps sets the frame count from the audio's length."""
    from parlante.audio import load_audio
    from parlante.face import analyze_portrait, save_rig
    from parlante.pipeline import animate

    rig_path = tmp_path / "face.npz"
    save_rig(analyze_portrait(portrait_png, size=256), rig_path)
    opts = AnimateOptions(size=256, seed=4, fps=30)
    a = animate(portrait_png, voice_wav, tmp_path / "a.mp4", opts)
    b = animate(rig_path, voice_wav, tmp_path / "b.mp4", opts)
    fa, fb = _frames(a), _frames(b)
    assert np.array_equal(fa, fb)
    samples, rate = load_audio(voice_wav)
    assert len(fa) == round(len(samples) * 30 / rate)
