"""Motion: AudioTrack + Controls -> Motion, the role of VASA-1's diffusion transformer,
here a hand-made, CPU-cheap generator behind an interface a learned one could replace."""

from parlante.motion.channels import CHANNELS, HEAD_CHANNELS, INDEX, RANGES
from parlante.motion.codes import Motion, MotionFrame
from parlante.motion.controls import EMOTIONS, Controls
from parlante.motion.stream import MotionGenerator, MotionStream, generate_motion

__all__ = [
    "CHANNELS",
    "EMOTIONS",
    "HEAD_CHANNELS",
    "INDEX",
    "RANGES",
    "Controls",
    "Motion",
    "MotionFrame",
    "MotionGenerator",
    "MotionStream",
    "generate_motion",
]
