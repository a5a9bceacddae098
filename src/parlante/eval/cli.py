"""``parlante eval``: the command-line front end of evaluate_video."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from parlante.errors import ParlanteError
from parlante.eval.evaluate import evaluate_video


def build_parser(prog: str = "parlante eval") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Measure a talking-face video (anyone's): lip sync, mouth, head motion, "
        "blinks, identity, stability. Independent of how the video was made.",
    )
    parser.add_argument("video", help="video file to measure (mp4, mov, ...)")
    parser.add_argument("--portrait", help="image whose identity the video should keep")
    parser.add_argument("--audio", help="speech to sync against (default: the video's own)")
    parser.add_argument("--reference", help="real video of the same audio to compare mouths")
    parser.add_argument(
        "--no-identity", action="store_true", help="skip the identity check (saves ~2.5 s)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def eval_main(argv: Sequence[str] | None = None) -> int:
    """Run ``parlante eval``; 0 on success, 2 on bad input (one-line error on stderr)."""
    args = build_parser().parse_args(argv)
    try:
        report = evaluate_video(
            args.video,
            portrait=args.portrait,
            audio=args.audio,
            reference=args.reference,
            identity=not args.no_identity,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except ParlanteError as exc:
        print(f"parlante eval: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.to_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(eval_main())
