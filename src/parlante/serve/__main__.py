"""``python -m parlante.serve [flags]``: the same as ``parlante serve``."""

import sys

from parlante.serve.cli import serve_main

sys.exit(serve_main())
