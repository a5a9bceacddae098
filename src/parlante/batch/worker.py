"""A local batch worker: ``python -m parlante.batch.worker``, driven by ``LocalPool``.

Reads pickled tasks from stdin and writes one pickled TaskResult per task to stdout, each
framed by an 8-byte big-endian length. Anything libraries print goes to stderr (a log file),
never into the protocol. SIGTERM and SIGINT unwind the current task, so the video being
written is dropped (VideoWriter removes its temporary file), then the worker exits with 130.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import sys
from typing import BinaryIO

HEADER = struct.Struct(">Q")


def send(stream: BinaryIO, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def recv(stream: BinaryIO) -> object | None:
    """The next object, or None at a clean end of stream. EOFError if cut in the middle."""
    header = read_exact(stream, HEADER.size)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    data = read_exact(stream, length)
    if data is None:
        raise EOFError("stream ended inside a message")
    return pickle.loads(data)


def read_exact(stream: BinaryIO, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            if got:
                raise EOFError("stream ended inside a message")
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _warm_up() -> None:
    """Import the pipeline before the first task, so that no job's time includes it."""
    with contextlib.suppress(Exception):  # the first task will report the same failure
        import parlante.pipeline  # noqa: F401


def main() -> int:
    from parlante.batch.work import THREAD_ENV

    for name, value in THREAD_ENV.items():
        os.environ.setdefault(name, value)
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # stray prints of any library land in the log, not in the protocol
    signal.signal(signal.SIGTERM, _interrupt)
    requests = sys.stdin.buffer
    try:
        from parlante.batch.work import AnalysisTask, limit_threads, run_analysis, run_render

        limit_threads()
        _warm_up()
        while (task := recv(requests)) is not None:
            if isinstance(task, AnalysisTask):
                _, result = run_analysis(task)
            else:
                result = run_render(task)
            send(replies, result)
    except KeyboardInterrupt:
        return 130
    except (BrokenPipeError, EOFError):  # the driver went away
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
