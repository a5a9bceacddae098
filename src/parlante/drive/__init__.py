"""Video-driven animation: a driving video's performance -> motion codes -> any portrait.

``extract_motion`` turns a video into a Performance (codes relative to the driver's
neutral frame), ``save_motion``/``load_motion`` (``parlante.motion.motion_file``) store
it, ``drive`` renders a portrait performing it, and ``style_from_video`` /
``apply_style`` carry a real speaker's motion style over to audio-driven motion.
MediaPipe loads on first use.
"""

from parlante.drive.extract import LiveExtractor, Performance, extract_motion
from parlante.drive.retarget import ALL_PARTS, PARTS, parse_parts, retarget
from parlante.drive.run import animate_styled, drive, driver_motion
from parlante.drive.style import MotionStyle, apply_style, style_from_video, style_of
from parlante.drive.video import DriveError

__all__ = [
    "ALL_PARTS",
    "PARTS",
    "DriveError",
    "LiveExtractor",
    "MotionStyle",
    "Performance",
    "animate_styled",
    "apply_style",
    "drive",
    "driver_motion",
    "extract_motion",
    "parse_parts",
    "retarget",
    "style_from_video",
    "style_of",
]
