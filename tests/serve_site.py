"""Serve a built site for tests: ``python tests/serve_site.py DIR PORT PREFIX``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.server import make_server  # noqa: E402

if __name__ == "__main__":
    directory, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    make_server(Path(directory), port=port, prefix=prefix).serve_forever()
