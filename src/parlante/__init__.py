"""Parlante: one portrait + one voice recording -> a lip-synced talking-face video.

    import parlante
    parlante.animate("portrait.jpg", "speech.wav", "talk.mp4", emotion="happy")

Heavy stages (MediaPipe, numba) load on first use, so ``import parlante`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "animate": "parlante.pipeline",
    "AnimateOptions": "parlante.options",
    "Controls": "parlante.motion.controls",
    "Motion": "parlante.motion.codes",
    "MotionFrame": "parlante.motion.codes",
    "FaceRig": "parlante.face.rig",
    "AudioTrack": "parlante.audio.track",
    "ParlanteError": "parlante.errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'parlante' has no attribute {name!r}")
