"""The project's tools: the build runner, the static server, the live preview, the
editor's scaffolds and the benchmarks (see README.md beside this file).

None of them is a Pelican plugin and none imports tasks.py: tasks.py imports them. The
editor tools read the site's plugins (the front-matter reader, the dataset catalogue) as
Pelican loads them, from plugins/ (pelicanconf.py's PLUGIN_PATHS), so that folder is put
on the import path here.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "plugins"

if str(PLUGINS) not in sys.path:
    sys.path.insert(0, str(PLUGINS))
