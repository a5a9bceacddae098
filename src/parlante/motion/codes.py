"""Motion: per-frame head pose and facial dynamics codes, the motion/ -> render/ interface."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from parlante.motion.channels import CHANNELS, INDEX


@dataclass
class Motion:
    """A clip of motion codes.

    values: (T, C) float32, column order ``CHANNELS`` (see ``parlante.motion.channels``).
    fps: frames per second of the clip.
    """

    values: np.ndarray
    fps: float
    channels: tuple[str, ...] = field(default=CHANNELS)

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=np.float32)
        if self.values.ndim != 2 or self.values.shape[1] != len(self.channels):
            raise ValueError(
                f"motion values must be (T, {len(self.channels)}), got {self.values.shape}"
            )

    @classmethod
    def zeros(cls, n_frames: int, fps: float) -> Motion:
        return cls(np.zeros((n_frames, len(CHANNELS)), np.float32), fps)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def duration(self) -> float:
        """Seconds."""
        return len(self) / self.fps

    def channel(self, name: str) -> np.ndarray:
        """(T,) view of one named channel; writes go through to ``values``."""
        return self.values[:, INDEX[name]]

    def frame(self, i: int) -> MotionFrame:
        return MotionFrame(self.values[i])


class MotionFrame:
    """One frame's codes with attribute access: ``f.jaw_open``, ``f.yaw``."""

    __slots__ = ("vector",)

    def __init__(self, vector: np.ndarray) -> None:
        self.vector = np.asarray(vector, dtype=np.float32)

    def __getattr__(self, name: str) -> float:
        try:
            return float(self.vector[INDEX[name]])
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def neutral(cls) -> MotionFrame:
        return cls(np.zeros(len(CHANNELS), np.float32))

    @classmethod
    def of(cls, **values: float) -> MotionFrame:
        """A frame with the named channels set and the others at rest."""
        v = np.zeros(len(CHANNELS), np.float32)
        for name, x in values.items():
            v[INDEX[name]] = x
        return cls(v)
