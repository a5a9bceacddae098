"""``parlante serve``: web page, HTTP API (avatars, video jobs) and live WebSocket streams.

Needs the ``serve`` extra (FastAPI, uvicorn, python-multipart). ``create_app`` builds the
ASGI application; ``serve_main`` is the command line.
"""

from __future__ import annotations

from parlante.serve.cli import serve_main
from parlante.serve.config import ServeConfig

__all__ = ["ServeConfig", "create_app", "serve_main"]


def create_app(config: ServeConfig | None = None):
    """The FastAPI application (imported lazily: FastAPI is an optional dependency)."""
    from parlante.serve.app import create_app as _create

    return _create(config)
