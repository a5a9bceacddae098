"""What a batch keeps in its output folder so that re-runs resume and workers share work.

DIR/.cache/rigs/<key>.npz    analysed portraits (FaceRig), one per distinct portrait
DIR/.cache/manifest.jsonl    one line per finished output: size, sha256, job fingerprint
DIR/.cache/logs/             stderr of the local worker processes
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from parlante import __version__
from parlante.options import AnimateOptions

CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def rig_key(portrait_sha256: str, options: AnimateOptions) -> str:
    """Cache key of an analysed portrait: its bytes and the options that shape the rig.

    The package version is part of it: another analysis algorithm must not reuse old rigs.
    """
    text = (
        f"{portrait_sha256}|{options.size}|{options.face}|{options.head_distance!r}|{__version__}"
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def job_fingerprint(
    portrait_sha256: str, audio_sha256: str, motion_sha256: str, options: AnimateOptions
) -> str:
    """What an output depends on: input bytes and every option (transcript text included)."""
    settings = {k: repr(v) for k, v in asdict(options).items()}
    transcript = options.transcript or ""
    if transcript.lower().endswith(".txt") and Path(transcript).is_file():
        settings["transcript"] = file_sha256(Path(transcript))
    text = json.dumps([portrait_sha256, audio_sha256, motion_sha256, settings], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class DoneRecord:
    """A finished output as it was when it was made."""

    output: str
    """Path relative to the output folder."""
    size: int
    sha256: str
    fingerprint: str
    video_seconds: float


class BatchState:
    """The ``.cache`` folder of one output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.root = out_dir / ".cache"
        self.rigs = self.root / "rigs"
        self.logs = self.root / "logs"
        self.manifest_path = self.root / "manifest.jsonl"
        for folder in (self.rigs, self.logs):
            folder.mkdir(parents=True, exist_ok=True)

    def rig_path(self, key: str) -> Path:
        return self.rigs / f"{key}.npz"

    def read_manifest(self) -> dict[str, DoneRecord]:
        """Latest record per output; lines cut short by a crash are ignored."""
        records: dict[str, DoneRecord] = {}
        try:
            lines = self.manifest_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return records
        for line in lines:
            try:
                record = DoneRecord(**json.loads(line))
            except (ValueError, TypeError):
                continue
            records[record.output] = record
        return records

    def record(self, record: DoneRecord) -> None:
        """Append one record and make it durable before the job counts as done."""
        with open(self.manifest_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(record)) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def relative(self, output: Path) -> str:
        return output.relative_to(self.out_dir).as_posix()


def remove_partials(output: Path) -> int:
    """Delete the hidden temporary files a killed writer may leave for ``output``.

    Matches ``parlante.io.video.partial_path`` (``.<name>.<pid>.partial<suffix>``) and the
    signing copy ``sign_file`` makes of that (``..<name>.<pid>.partial<suffix>.<pid>...``).
    Returns how many were removed.
    """
    removed = 0
    name = glob.escape(output.name)
    for pattern in (f".{name}.*.partial*", f"..{name}.*.partial*"):
        for temp in output.parent.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
                removed += 1
    return removed
