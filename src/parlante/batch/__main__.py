"""``python -m parlante.batch JOBS --out DIR`` (same as ``parlante batch``)."""

if __name__ == "__main__":
    import sys

    from parlante.batch.cli import batch_main

    sys.exit(batch_main())
