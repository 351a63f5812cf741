"""The build runner and the static server (used by tasks.py; not a Pelican plugin)."""

from .server import make_server  # noqa: F401
from .sitebuild import (  # noqa: F401
    FATAL,
    OUTPUT,
    PYTHON,
    BuildFailed,
    build_in_process,
    build_site,
    pelican_command,
    swap_in,
)
