"""`invoke bench-charts`: how long the charts take to build, cold and warm.

Builds the real site twice into a temporary folder with an empty chart cache of its own
(the project's .cache/charts is left alone): the first build renders every chart in
both languages, the second must render none. Prints wall times and the renders and
cache hits each build reports in ``<cache>/last-run.json``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from tools.build import build_site


def _build(root: Path, settings: Path, out: Path, cache: Path) -> dict:
    start = time.perf_counter()
    build_site(settings=str(settings), output=out, quiet=True)
    wall = time.perf_counter() - start
    stats = json.loads((cache / "last-run.json").read_text(encoding="utf-8"))
    return {"wall": wall, **stats}


def run(root: Path) -> str:
    work = Path(tempfile.mkdtemp(prefix="bench-charts-"))
    try:
        cache = work / "cache"
        settings = work / "benchconf.py"
        settings.write_text(f"import sys\nsys.path.insert(0, {str(root)!r})\nfrom pelicanconf import *\n"
                            f"PATH = {str(root / 'content')!r}\nDATADESK_CHARTS_CACHE_PATH = {str(cache)!r}\n",
                            encoding="utf-8")
        charts = sorted(p.stem for p in (root / "content" / "charts").glob("*.*") if p.suffix in (".py", ".yaml"))
        cold = _build(root, settings, work / "cold", cache)
        warm = _build(root, settings, work / "warm", cache)
        sizes = sorted((p.stat().st_size, p.name) for p in (work / "warm" / "charts").rglob("*") if p.is_file())
        total = sum(s for s, _ in sizes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        f"charts: {len(charts)} definitions x 2 languages",
        "| build | wall time | chart renders | cache hits | render time |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| cold (empty cache) | {cold['wall']:.1f} s | {cold['renders']} | {cold['hits']} | {cold['seconds']:.1f} s |",
        f"| warm (nothing changed) | {warm['wall']:.1f} s | {warm['renders']} | {warm['hits']} | "
        f"{warm['seconds']:.1f} s |",
        f"French chart artefacts: {len(sizes)} files, {total / 1024:.0f} KiB; largest: "
        + ", ".join(f"{name} {size / 1024:.0f} KiB" for size, name in sizes[-3:][::-1]),
    ]
    return "\n".join(lines)
