"""FaceRig files: round trip, atomic writes, corrupt and newer files."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.errors import PortraitError
from parlante.face import FaceRig, load_rig, rig_file, save_rig


def test_round_trip_is_exact(astronaut_rig, tmp_path):
    path = tmp_path / "astronaut.rig"
    save_rig(astronaut_rig, path)
    back = load_rig(path)
    assert isinstance(back, FaceRig)
    for field in ("image", "landmarks", "person_mask", "background"):
        a, b = getattr(astronaut_rig, field), getattr(back, field)
        assert a.dtype == b.dtype and np.array_equal(a, b), field
    assert back.crop == astronaut_rig.crop
    assert back.source_sha256 == astronaut_rig.source_sha256
    assert sorted(p.name for p in tmp_path.iterdir()) == ["astronaut.rig"]  # no temp left


def test_a_failed_write_leaves_nothing_behind(astronaut_rig, tmp_path, monkeypatch):
    path = tmp_path / "old.rig"
    save_rig(astronaut_rig, path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(rig_file.np, "savez_compressed", broken)
    with pytest.raises(OSError, match="disk full"):
        save_rig(astronaut_rig, path)
    assert path.read_bytes() == before  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.rig"]


def test_corrupt_files_are_refused_by_name(astronaut_rig, tmp_path):
    good = tmp_path / "good.rig"
    save_rig(astronaut_rig, good)
    cut = tmp_path / "cut.rig"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    junk = tmp_path / "junk.rig"
    junk.write_bytes(np.random.default_rng(0).bytes(5000))
    other = tmp_path / "other.npz"
    np.savez(other, x=np.arange(3))
    for path in (cut, junk, other, tmp_path / "absent.rig"):
        with pytest.raises(PortraitError) as err:
            load_rig(path)
        assert path.name in str(err.value) and "\n" not in str(err.value)


def test_newer_format_is_refused(astronaut_rig, tmp_path, monkeypatch):
    path = tmp_path / "future.rig"
    monkeypatch.setattr(rig_file, "RIG_FORMAT", rig_file.RIG_FORMAT + 1)
    save_rig(astronaut_rig, path)
    monkeypatch.undo()
    with pytest.raises(PortraitError, match=r"future\.rig: .*newer"):
        load_rig(path)
