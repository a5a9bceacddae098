"""AnimateOptions: every option of ``parlante animate``, the single source of the CLI flags.

Each field's ``metadata["help"]`` is its documentation; ``parlante.cli`` derives the command
line from these fields, so the Python API and the CLI cannot drift apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from parlante.motion.controls import EMOTIONS, Controls


def _opt(default, help: str, **extra):  # noqa: A002 - mirrors argparse's name
    return field(default=default, metadata={"help": help, **extra})


@dataclass
class AnimateOptions:
    """Options of one animation; defaults make a 512x512, 25 fps video."""

    size: int = _opt(512, "output width and height in pixels (256-1024)")
    fps: float = _opt(25.0, "video frame rate")
    face: int = _opt(0, "which face to animate when the portrait shows several (0 = largest)")
    head_distance: float = _opt(
        1.0, "framing: 1 = head and shoulders, >1 farther (smaller face), <1 closer (0.6-2)"
    )
    gaze: tuple[float, float] = _opt(
        (0.0, 0.0), "main gaze direction YAW,PITCH in degrees (+ = image right / down)"
    )
    emotion: str = _opt("neutral", "expression", choices=EMOTIONS)
    emotion_strength: float = _opt(0.6, "strength of the expression, 0-1")
    motion_scale: float = _opt(1.0, "head and face liveliness: 0 still, 1 natural, 2 lively")
    seed: int = _opt(0, "random seed: same seed, same video")
    transcript: str | None = _opt(
        None, "English transcript (text or a .txt path): sharper visemes by forced alignment"
    )
    crf: int = _opt(20, "H.264 quality (lower is better, 18-28)")
    label: str | None = _opt(None, "visible corner label, e.g. 'AI-generated'")
    max_audio_seconds: float = _opt(3600.0, "refuse longer audio")

    def __post_init__(self) -> None:
        if not 256 <= self.size <= 1024:
            raise ValueError(f"size must be 256-1024, got {self.size}")
        if self.size % 2:
            raise ValueError(f"size must be even, got {self.size}")
        if not 5.0 <= self.fps <= 60.0:
            raise ValueError(f"fps must be 5-60, got {self.fps}")
        if not 0 <= self.crf <= 51:
            raise ValueError(f"crf must be 0-51, got {self.crf}")
        self.controls()  # validates the controls' ranges

    def controls(self) -> Controls:
        return Controls(
            gaze=self.gaze,
            emotion=self.emotion,
            emotion_strength=self.emotion_strength,
            motion_scale=self.motion_scale,
            seed=self.seed,
        )

    def settings(self) -> dict[str, str]:
        """The options as strings, for provenance metadata (the transcript is not recorded)."""
        out = {k: str(v) for k, v in asdict(self).items() if k != "transcript"}
        out["transcript"] = "yes" if self.transcript else "no"
        return out
