"""``parlante batch JOBS --out DIR``: the command line of run_batch.

Exit codes: 0 every job done or skipped, 1 some job failed, 2 the job file (or an option)
cannot be used, 130 interrupted (no partial file is left; run again to resume).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from parlante.cli import add_option_flags, options_from_args
from parlante.errors import ParlanteError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="parlante batch",
        description="Make many talking-face videos from a job file: one row per video "
        "(CSV with a header, or JSON Lines) with columns portrait, audio (or motion), output "
        "and any animation option (emotion, seed, gaze as 'yaw,pitch', motion_scale, size, "
        "...). Relative paths are relative to the job file. Finished videos are skipped on "
        "re-runs, so an interrupted batch resumes where it stopped.",
    )
    p.add_argument("jobs", help="job file: .csv, .tsv, .jsonl or .json")
    p.add_argument("-o", "--out", required=True, help="output folder (created if missing)")
    p.add_argument(
        "--workers", type=int, default=None,
        help="parallel worker processes (default: one per core); with --ray and no address, "
        "the CPUs of the local Ray",
    )  # fmt: skip
    p.add_argument(
        "--ray", nargs="?", const="", default=None, metavar="ADDRESS",
        help="run on Ray: alone, a local Ray; with an address (host:6379, ray://host:10001, "
        "auto), that cluster (needs pip install 'parlante[ray]')",
    )  # fmt: skip
    p.add_argument(
        "--retries", type=int, default=1,
        help="extra attempts per failed job; bad input is not retried (default: 1)",
    )  # fmt: skip
    p.add_argument(
        "--report", default=None, metavar="PATH",
        help="report file (.csv or .jsonl); default: OUT/report.csv and OUT/report.jsonl",
    )  # fmt: skip
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    add_option_flags(p)
    return p


def batch_main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from parlante.batch.runner import run_batch

    try:
        report = run_batch(
            args.jobs,
            args.out,
            options=options_from_args(args),
            workers=args.workers,
            ray_address=args.ray,
            retries=args.retries,
            progress=not args.quiet,
            report=args.report,
        )
    except (ParlanteError, ValueError) as exc:
        print(f"parlante batch: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("parlante batch: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    if not args.quiet:
        for job in report.jobs:
            if job.status == "failed":
                print(f"{job.job}: {job.error}", file=sys.stderr)
        print(f"parlante batch: {report.summary()}", file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(batch_main())
