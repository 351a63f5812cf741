"""``python data/curate [--raw DIR] [--out DIR]``: see curate/__init__.py."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curate import run  # noqa: E402

parser = argparse.ArgumentParser(prog="curate", description="Curate data/raw into data/*.csv")
parser.add_argument("--raw", type=Path, default=None, help="raw directory (default data/raw)")
parser.add_argument("--out", type=Path, default=None, help="output directory (default data/)")
args = parser.parse_args()
run(args.raw, args.out)
