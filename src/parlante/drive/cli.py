"""Command line of video-driven animation: ``parlante drive``, ``parlante motion``, and the
``--motion`` / ``--style-from`` flags of ``parlante animate``.

Entry points return an exit code like ``parlante.cli.main``: 0 success, 2 bad input (one
line on stderr), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from parlante.options import AnimateOptions


def _neutral(text: str) -> str | int:
    if text in ("auto", "first"):
        return text
    try:
        index = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected auto, first or a frame number, got {text!r}"
        ) from None
    if index < 0:
        raise argparse.ArgumentTypeError(f"frame number must be >= 0, got {index}")
    return index


def _parts(text: str) -> tuple[str, ...]:
    from parlante.drive.retarget import parse_parts

    try:
        return parse_parts(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_extraction_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("driving video")
    g.add_argument(
        "--smooth", action="store_true",
        help="remove landmark jitter (zero-phase filtering; blinks stay sharp)",
    )  # fmt: skip
    g.add_argument(
        "--driver-face", type=int, default=0, metavar="N",
        help="which face drives when the video shows several (0 = largest)",
    )  # fmt: skip
    g.add_argument(
        "--neutral", type=_neutral, default="auto", metavar="auto|first|N",
        help="the driver's rest frame that codes are relative to (default: auto, the most "
        "neutral frame: eyes open, mouth closed, head at its usual pose)",
    )  # fmt: skip


def build_motion_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="parlante motion",
        description="Extract a driving video's performance once into a .motion file "
        "(head pose, expressions, blinks, gaze, mouth as Parlante motion codes).",
    )
    p.add_argument("video", help="driving video (any size and frame rate)")
    p.add_argument("-o", "--output", required=True, help="output .motion file")
    p.add_argument(
        "--fps", type=float, default=None, help="resample to this rate (default: the video's)"
    )
    p.add_argument("--max-seconds", type=float, default=None, help="only the first seconds")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    _add_extraction_flags(p)
    return p


def build_drive_parser() -> argparse.ArgumentParser:
    from parlante.cli import add_option_flags

    p = argparse.ArgumentParser(
        prog="parlante drive",
        description="Make a portrait perform a driving video (or a .motion file): its head "
        "motion, expressions, blinks, gaze and mouth, with the video's sound.",
    )
    p.add_argument("portrait", help="image or a saved face rig (.npz)")
    p.add_argument("driver", help="driving video, or a .motion file from `parlante motion`")
    p.add_argument("-o", "--output", required=True, help="output .mp4")
    p.add_argument(
        "--audio", default=None,
        help="sound to use instead of the driver's (a silent driver gets a silent track)",
    )  # fmt: skip
    p.add_argument(
        "--parts", type=_parts, default="all", metavar="LIST",
        help="what to transfer: any of pose,eyes,mouth,brows (default: all); the rest "
        "follows the audio",
    )  # fmt: skip
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _add_extraction_flags(p)
    add_option_flags(p)
    return p


def _run(fn, argv: Sequence[str] | None) -> int:
    from parlante.cli import run_command

    return run_command(fn, argv)


def motion_main(argv: Sequence[str] | None = None) -> int:
    """``parlante motion VIDEO -o FILE.motion``."""
    return _run(_motion, argv)


def drive_main(argv: Sequence[str] | None = None) -> int:
    """``parlante drive PORTRAIT DRIVER -o OUT.mp4``."""
    return _run(_drive, argv)


def _motion(argv: Sequence[str] | None) -> int:
    from parlante.drive.extract import extract_motion
    from parlante.drive.style import style_of
    from parlante.drive.video import probe_driver
    from parlante.motion.motion_file import save_motion
    from parlante.motion.resample import resample_motion

    args = build_motion_parser().parse_args(argv)
    frames = None
    if args.max_seconds is not None:
        frames = max(1, round(args.max_seconds * probe_driver(args.video).fps))
    perf = extract_motion(
        args.video, neutral=args.neutral, smooth=args.smooth, face=args.driver_face,
        max_frames=frames, progress=not args.quiet,
    )  # fmt: skip
    motion, valid = perf.motion, perf.valid
    if args.fps is not None and abs(args.fps - motion.fps) > 1e-6:
        motion = resample_motion(motion, args.fps)
        valid = None
    out = save_motion(motion, args.output, neutral=perf.neutral, source=perf.source, valid=valid)
    if not args.quiet:
        seen = 100.0 * float(perf.valid.mean())
        print(
            f"{out}: {len(motion)} frames at {motion.fps:g} fps, face seen in {seen:.0f} %, "
            f"neutral frame {perf.neutral.frame}",
            file=sys.stderr,
        )
        for line in style_of(perf.motion).lines():
            print("  " + line, file=sys.stderr)
    return 0


def _drive(argv: Sequence[str] | None) -> int:
    from parlante.cli import options_from_args
    from parlante.drive.run import drive

    args = build_drive_parser().parse_args(argv)
    out = drive(
        args.portrait, args.driver, args.output, options_from_args(args),
        audio=args.audio, parts=args.parts,
        smooth=args.smooth, driver_face=args.driver_face, neutral=args.neutral,
        progress=not args.quiet,
    )  # fmt: skip
    if not args.quiet:
        print(out, file=sys.stderr)
    return 0


# --- parlante animate --motion / --style-from -----------------------------------------


def add_animate_flags(p: argparse.ArgumentParser) -> None:
    """The animate flags that take motion from elsewhere (added to ``parlante animate``)."""
    g = p.add_argument_group("motion from a video")
    x = g.add_mutually_exclusive_group()
    x.add_argument(
        "--motion", default=None, metavar="FILE",
        help="perform this .motion file (from `parlante motion`) or driving video instead "
        "of the audio-driven motion; the audio is the sound track",
    )  # fmt: skip
    x.add_argument(
        "--style-from", default=None, metavar="VIDEO",
        help="lips follow the audio, but head motion, blink rate and expressiveness take "
        "the style of the speaker in this video",
    )  # fmt: skip


def animate_from_args(args: argparse.Namespace, options: AnimateOptions) -> Path | None:
    """Run ``parlante animate`` with ``--motion`` or ``--style-from``; None if neither given."""
    motion_src = getattr(args, "motion", None)
    style_src = getattr(args, "style_from", None)
    progress = not getattr(args, "quiet", False)
    if motion_src:
        from parlante.drive.run import drive

        return drive(
            args.portrait, motion_src, args.output, options, audio=args.audio, progress=progress
        )
    if style_src:
        from parlante.drive.run import animate_styled

        style = style_from_path(style_src, progress=progress)
        return animate_styled(
            args.portrait, args.audio, args.output, style, options, progress=progress
        )
    return None


def style_from_path(path: str | Path, *, progress: bool = False):
    """The MotionStyle of the speaker in a video (or of a .motion file's performance)."""
    from parlante.drive.run import is_motion_file
    from parlante.drive.style import style_from_video, style_of
    from parlante.motion.motion_file import load_motion

    if is_motion_file(path):
        return style_of(load_motion(path))
    return style_from_video(path, progress=progress)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(drive_main())
