"""ServeConfig: the server's address and limits, one field per ``parlante serve`` flag."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


def _opt(default, help: str):  # noqa: A002 - mirrors argparse's name
    return field(default=default, metadata={"help": help})


@dataclass
class ServeConfig:
    """Limits protect a shared machine: every one is checked before the expensive work."""

    host: str = _opt("127.0.0.1", "address to listen on (0.0.0.0 = every interface)")
    port: int = _opt(8000, "TCP port")
    max_image_mb: float = _opt(20.0, "refuse portrait uploads larger than this many MB")
    max_image_pixels: int = _opt(36_000_000, "refuse portraits with more pixels (width*height)")
    max_audio_seconds: float = _opt(600.0, "refuse longer audio (jobs and live streams)")
    max_audio_mb: float = _opt(100.0, "refuse audio uploads larger than this many MB")
    max_streams: int = _opt(
        2, "live streams at once, one worker process each; more are refused (429)"
    )
    max_jobs: int = _opt(16, "video jobs queued or running at once; more are refused (429)")
    max_avatars: int = _opt(64, "portraits kept in memory; the oldest unused one is dropped")
    job_workers: int = _opt(1, "video jobs rendered at the same time")
    cache_dir: Path | None = _opt(None, "keep analysed portraits here (.npz) across restarts")
    jobs_dir: Path | None = _opt(None, "folder for finished videos (default: a temporary one)")
    jpeg_quality: int = _opt(85, "JPEG quality of live frames (50-95)")
    lookahead_ms: float = _opt(
        40.0,
        "audio the live motion reads ahead: 40 = first frame in ~70 ms, mouth <= 40 ms later "
        "than offline; 200 = exactly the offline motion, ~230 ms",
    )
    max_lag_seconds: float = _opt(
        0.5, "a live frame this late against the audio clock is skipped, not rendered"
    )
    idle_after_seconds: float = _opt(
        0.5, "a live stream with no audio for this long goes on with a resting face"
    )

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be 1-65535, got {self.port}")
        if min(self.max_streams, self.max_jobs, self.job_workers) < 1:
            raise ValueError("max-streams, max-jobs and job-workers must be at least 1")
        if not 50 <= self.jpeg_quality <= 95:
            raise ValueError(f"jpeg quality must be 50-95, got {self.jpeg_quality}")
        if self.max_image_mb <= 0 or self.max_audio_mb <= 0 or self.max_audio_seconds <= 0:
            raise ValueError("size and duration limits must be positive")
        if self.cache_dir is not None:
            self.cache_dir = Path(self.cache_dir)
        if self.jobs_dir is not None:
            self.jobs_dir = Path(self.jobs_dir)

    @property
    def max_image_bytes(self) -> int:
        return int(self.max_image_mb * 1e6)

    @property
    def max_audio_bytes(self) -> int:
        return int(self.max_audio_mb * 1e6)
