"""Independent measurement of talking-face videos (``parlante eval``).

Everything is measured from the decoded frames and audio (a fresh face detection per frame),
never from Parlante's own motion values, so any video can be compared with any other.
"""

from parlante.eval.cli import eval_main
from parlante.eval.decode import VideoError
from parlante.eval.evaluate import evaluate_video
from parlante.eval.report import (
    EvalReport,
    Eyes,
    HeadMotion,
    Identity,
    LipSync,
    Mouth,
    ReferenceMatch,
    Series,
    Stability,
    VideoSummary,
)

__all__ = [
    "EvalReport",
    "Eyes",
    "HeadMotion",
    "Identity",
    "LipSync",
    "Mouth",
    "ReferenceMatch",
    "Series",
    "Stability",
    "VideoError",
    "VideoSummary",
    "eval_main",
    "evaluate_video",
]
