"""`python -m tools.check [--only a,b] [--skip c] [--site DIR]`: the same as `invoke check`."""

import sys

from .runner import main

sys.exit(main())
