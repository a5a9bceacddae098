"""``parlante serve``: the web page, HTTP API and live WebSocket on one port."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import typing
from collections.abc import Sequence
from pathlib import Path

from parlante.serve.config import ServeConfig


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parlante serve",
        description="Serve the Parlante web page (http://HOST:PORT/), its HTTP API "
        "(docs at /docs) and live talking-face streams over WebSocket.",
    )
    hints = typing.get_type_hints(ServeConfig)
    for f in dataclasses.fields(ServeConfig):
        kind = hints[f.name]
        if kind == Path | None:
            kind = Path
        parser.add_argument(
            "--" + f.name.replace("_", "-"),
            dest=f.name,
            type=kind,
            default=f.default,
            metavar="DIR" if kind is Path else None,
            help=f.metadata["help"]
            + ("" if "default" in f.metadata["help"] else f" (default: {f.default})"),
        )
    parser.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    return parser


def serve_main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted; exit code 0, or 2 for a bad flag value."""
    args = build_parser().parse_args(argv)
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(ServeConfig)}
    try:
        config = ServeConfig(**values)
    except ValueError as err:
        print(f"parlante serve: error: {err}", file=sys.stderr)
        return 2
    try:
        import uvicorn

        from parlante.serve.app import create_app
    except ImportError as err:
        print(
            f"parlante serve: error: {err.name} is missing: pip install 'parlante[serve]'",
            file=sys.stderr,
        )
        return 2
    app = create_app(config)
    shown = "localhost" if config.host in ("127.0.0.1", "0.0.0.0") else config.host
    print(f"Parlante: open http://{shown}:{config.port}/ (API docs at /docs)", file=sys.stderr)
    try:
        uvicorn.run(app, host=config.host, port=config.port, log_level=args.log_level)
    except OSError as err:
        print(f"parlante serve: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(serve_main())
