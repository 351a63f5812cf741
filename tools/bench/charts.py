"""`invoke bench-charts`: how long the charts take to build, cold and warm, and how much
drawing them in parallel saves.

Without ``--charts``: builds the real site twice into a temporary folder with an empty
chart cache of its own (the project's .cache/charts is left alone): the first build
renders every chart in both languages, the second must render none. Prints wall times and
the renders and cache hits each build reports in ``<cache>/last-run.json``.

With ``--charts N``: a synthetic copy of the project (tools/bench/corpus.py) with N more
YAML charts, built once per ``--workers`` value (``DATADESK_CHARTS_WORKERS``: 1 draws in
the build's own process, 2 or more in that many worker processes), each time with the
project's rendered charts copied in and the N new ones to draw: the time each spent having
the charts that missed prepared and drawn (``seconds`` of its report), the speed-up over one worker, and the peak memory of the build and its workers together.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from tools.build import ROOT, build_site, pelican_command


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


def _measured_build(settings: Path, out: Path) -> tuple[float, int]:
    """(wall seconds, peak resident bytes of the build and its workers together), measured as
    `invoke bench` measures every build (tools/bench/scale.py's ``timed_process``)."""
    from tools.bench.scale import timed_process

    log = out.with_name(out.name + ".log")
    seconds, _largest, peak, code = timed_process(pelican_command(str(settings), out), ROOT, log,
                                                  env={"PYTHONHASHSEED": "0"})
    if code != 0:
        raise RuntimeError(f"the benchmark build failed:\n{log.read_text(encoding='utf-8')}")
    return seconds, peak


def run_parallel(root: Path, charts: int, workers: list[int]) -> str:
    """Draw ``charts`` new charts (x 2 languages) once per workers value; see the module doc."""
    from tools.bench.corpus import make_corpus

    work = Path(tempfile.mkdtemp(prefix="bench-charts-"))
    rows = []
    try:
        corpus = make_corpus(root, work / "corpus", articles=2, charts=charts)
        project = corpus["project"]
        warm = root / ".cache" / "charts"  # the project's own charts: drawn already, if built once
        for count in workers:
            cache = project / ".cache"
            shutil.rmtree(cache, ignore_errors=True)
            if warm.is_dir():
                shutil.copytree(warm, cache / "charts")
            settings = project / f"workers{count}.py"
            settings.write_text(corpus["settings"].read_text(encoding="utf-8")
                                + f"DATADESK_CHARTS_WORKERS = {count}\n", encoding="utf-8")
            wall, peak = _measured_build(settings, work / f"out{count}")
            stats = json.loads((cache / "charts" / "last-run.json").read_text(encoding="utf-8"))
            rows.append((count, wall, stats, peak))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = next((r[2]["seconds"] for r in rows if r[0] == 1), None)
    lines = [f"charts: {charts} new charts x 2 languages to draw (the project's own from its cache)",
             "| workers | wall time | chart renders | prepare + draw time | speed-up | peak memory |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for count, wall, stats, peak in rows:
        speed = f"{base / stats['seconds']:.2f}x" if base and stats["seconds"] else "-"
        lines.append(f"| {count} | {wall:.1f} s | {stats['renders']} | {stats['seconds']:.1f} s | {speed} | "
                     f"{peak / 2**20:.0f} MiB |")
    return "\n".join(lines)
