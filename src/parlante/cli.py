"""Command line: ``parlante animate | demo | analyze | verify | eval``.

Exit codes: 0 success, 1 internal failure, 2 bad input (one-line error), 130 interrupted.
The animate flags are derived from ``AnimateOptions`` fields.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import os
import sys
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path

from parlante import __version__
from parlante.errors import ParlanteError
from parlante.options import AnimateOptions

DELEGATED: dict[str, tuple[str, str, str, str]] = {
    # command: (module, entry point taking argv, help, usage)
    "verify": (
        "parlante.provenance",
        "verify_main",
        "look for Parlante's watermark and C2PA manifest in a video or image",
        "FILE [--json]",
    ),
    "eval": (
        "parlante.eval",
        "eval_main",
        "measure a talking-face video (lip sync, motion, blinks, identity)",
        "VIDEO [--portrait P] [--audio A] [--reference R] [--json]",
    ),
    "drive": (
        "parlante.drive.cli",
        "drive_main",
        "make a portrait perform a driving video or a .motion file",
        "PORTRAIT DRIVER -o OUT.mp4 [options]",
    ),
    "motion": (
        "parlante.drive.cli",
        "motion_main",
        "extract a driving video's performance to a .motion file",
        "VIDEO -o OUT.motion [options]",
    ),
    "batch": (
        "parlante.batch",
        "batch_main",
        "make many videos from a CSV or JSON Lines job file (local workers or Ray)",
        "JOBS --out DIR [options]",
    ),
    "serve": (
        "parlante.serve.cli",
        "serve_main",
        "start the web page, HTTP API and live streaming server",
        "[--host H] [--port P] [options]",
    ),
}


def _gaze(text: str) -> tuple[float, float]:
    try:
        yaw, pitch = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YAW,PITCH in degrees, got {text!r}") from None
    return yaw, pitch


def _field_type(f: dataclasses.Field) -> Callable[[str], object]:
    hint = typing.get_type_hints(AnimateOptions)[f.name]
    if isinstance(hint, types.UnionType):  # "X | None"
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if typing.get_origin(hint) is tuple:
        return _gaze
    return hint


def add_option_flags(parser: argparse.ArgumentParser, skip: Sequence[str] = ()) -> None:
    """One ``--flag`` per AnimateOptions field, with its documented help and default."""
    group = parser.add_argument_group("animation options")
    for f in dataclasses.fields(AnimateOptions):
        if f.name in skip:
            continue
        kwargs: dict = {"help": f"{f.metadata['help']} (default: {f.default})"}
        if "choices" in f.metadata:
            kwargs["choices"] = f.metadata["choices"]
        kwargs["type"] = _field_type(f)
        metavar = {"gaze": "YAW,PITCH", "transcript": "TEXT|FILE", "label": "TEXT"}
        if f.name in metavar:
            kwargs["metavar"] = metavar[f.name]
        group.add_argument(
            "--" + f.name.replace("_", "-"), dest=f.name, default=argparse.SUPPRESS, **kwargs
        )


def options_from_args(args: argparse.Namespace) -> AnimateOptions:
    names = {f.name for f in dataclasses.fields(AnimateOptions)}
    return AnimateOptions(**{k: v for k, v in vars(args).items() if k in names})


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parlante",
        description="One portrait + one voice recording -> a lip-synced talking-face video, "
        "on the CPU, offline. Every video carries an invisible watermark and a signed "
        "C2PA manifest; `parlante verify` detects them.",
    )
    parser.add_argument("--version", action="version", version=f"parlante {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("animate", help="make a talking-face MP4 from a portrait and a voice")
    p.add_argument("portrait", help="image (JPEG/PNG/WebP/...) or a saved face rig (.npz)")
    p.add_argument("audio", help="voice recording (wav/mp3/m4a/flac/ogg, or a video's audio)")
    p.add_argument("-o", "--output", required=True, help="output .mp4 path")
    _add_common(p)
    add_option_flags(p)
    _add_drive_flags(p)

    p = sub.add_parser("demo", help="make a demo video with a built-in portrait and voice")
    p.add_argument("-o", "--output", default="demo.mp4", help="output .mp4 (default: demo.mp4)")
    _add_common(p)
    add_option_flags(p, skip=("transcript",))

    p = sub.add_parser("analyze", help="analyse a portrait once and save its face rig (.npz)")
    p.add_argument("portrait", help="image file")
    p.add_argument("-o", "--output", required=True, help="output .npz path")
    p.add_argument("--size", type=int, default=512, help="output size in pixels (default: 512)")
    p.add_argument("--face", type=int, default=0, help="which face (0 = largest)")
    p.add_argument("--head-distance", type=float, default=1.0, help="framing (default: 1)")

    for name, (_, _, help_text, usage) in DELEGATED.items():
        p = sub.add_parser(name, help=help_text, add_help=False)
        p.add_argument("args", nargs=argparse.REMAINDER, help=usage)
    return parser


# --- video-driven animation (parlante.drive): drive, motion, animate --motion/--style-from ---


def _add_drive_flags(animate: argparse.ArgumentParser) -> None:
    from parlante.drive.cli import add_animate_flags

    add_animate_flags(animate)


def _run_drive(args: argparse.Namespace) -> int | None:
    """Exit code of the drive/motion commands, the animated path of animate --motion /
    --style-from, or None when the command is none of these."""
    if args.command == "animate" and (args.motion or args.style_from):
        from parlante.drive.cli import animate_from_args

        out = animate_from_args(args, options_from_args(args))
        if not args.quiet:
            print(out, file=sys.stderr)
        return 0
    return None


def _run(args: argparse.Namespace) -> int:
    code = _run_drive(args)
    if code is not None:
        return code
    if args.command == "animate":
        from parlante.pipeline import animate

        out = animate(
            args.portrait,
            args.audio,
            args.output,
            options_from_args(args),
            progress=not args.quiet,
        )
        if not args.quiet:
            print(out, file=sys.stderr)
        return 0
    if args.command == "demo":
        from parlante.demo import make_demo

        out = make_demo(args.output, options_from_args(args), progress=not args.quiet)
        if not args.quiet:
            print(out, file=sys.stderr)
        return 0
    if args.command == "analyze":
        from parlante.face import analyze_portrait, save_rig

        rig = analyze_portrait(
            args.portrait, size=args.size, face_index=args.face, head_distance=args.head_distance
        )
        save_rig(rig, Path(args.output))
        return 0
    raise AssertionError(args.command)


@contextlib.contextmanager
def native_stderr_silenced():
    """Send C/C++ libraries' stderr (MediaPipe's TFLite and glog chatter) to /dev/null while
    Python's own ``sys.stderr`` (progress bars, errors) keeps the real terminal.
    Set PARLANTE_DEBUG=1 to see the native messages."""
    if os.environ.get("PARLANTE_DEBUG"):
        yield
        return
    sys.stderr.flush()
    real = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    python_stderr = sys.stderr
    sys.stderr = open(real, "w", buffering=1, closefd=False)  # noqa: SIM115 - restored below
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr = python_stderr
        os.dup2(real, 2)
        os.close(real)


def main(argv: Sequence[str] | None = None) -> int:
    with native_stderr_silenced():
        return _main(argv)


def _main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:  # commands with their own parsers (and full --help)
        module, func, _, _ = DELEGATED[argv[0]]
        return getattr(importlib.import_module(module), func)(argv[1:])
    args = build_parser().parse_args(argv)
    return run_command(_run, args)


def run_command(fn: Callable[..., int], *args) -> int:
    """``fn(*args)`` with the CLI's error conventions: a user error is one line on stderr
    and exit code 2; Ctrl-C is exit code 130."""
    try:
        return fn(*args)
    except (ParlanteError, ValueError, FileNotFoundError) as exc:
        print(f"parlante: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("parlante: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
