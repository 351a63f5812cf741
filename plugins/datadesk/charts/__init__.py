"""Altair charts rendered at build time and placed with {{ chart ID }} (see ../README.md, "Charts")."""

import os as _os
import time as _time

# Charts are drawn in UTC whatever the machine's zone: vl-convert's JavaScript engine
# reads the process's time zone once, when it first draws, and parses and labels dates in
# it (the air-defence timeline moved between TZ=UTC and UTC+14). So the zone is pinned
# here, before anything is drawn; the cache key records it (build.environment).
_os.environ["TZ"] = "UTC"
_time.tzset()

from . import theme  # noqa: E402, F401  (registers the house theme, once, on import)
