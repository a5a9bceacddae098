"""Controls: the user's knobs over a performance (CLI flags and API arguments)."""

from __future__ import annotations

from dataclasses import dataclass

EMOTIONS: tuple[str, ...] = ("neutral", "happy", "sad", "angry", "surprised")


@dataclass
class Controls:
    """Knobs that shape the generated motion. Each field is a CLI flag of the same name."""

    gaze: tuple[float, float] = (0.0, 0.0)
    """Main gaze direction (yaw, pitch) in degrees; + is image right / down."""
    emotion: str = "neutral"
    """Expression offset: one of neutral, happy, sad, angry, surprised."""
    emotion_strength: float = 0.6
    """0 = none, 1 = full expression."""
    motion_scale: float = 1.0
    """Head and face liveliness: 0 = still head, 1 = natural, 2 = lively."""
    seed: int = 0
    """Same seed, same performance; another seed, another natural performance."""

    def __post_init__(self) -> None:
        if self.emotion not in EMOTIONS:
            raise ValueError(f"emotion must be one of {', '.join(EMOTIONS)}, got {self.emotion!r}")
        if not 0.0 <= self.emotion_strength <= 1.0:
            raise ValueError(f"emotion strength must be in [0, 1], got {self.emotion_strength}")
        if not 0.0 <= self.motion_scale <= 3.0:
            raise ValueError(f"motion scale must be in [0, 3], got {self.motion_scale}")
        self.gaze = (float(self.gaze[0]), float(self.gaze[1]))
