"""A chart prepared and drawn in one of the build's worker processes (render.Pool).

When several charts miss the prepared store (``.cache/prepared``), the build process sends
each one to a worker as a job (``job``: plain data, the chart's file, language, settings
and the validated catalogue's description) and the worker prepares it with the build's own
function (``charts.prepare_chart``: load, build, lint, describe, data table), draws the
files the render cache lacks and puts them there (``render.Cache.put``, atomic), then
answers with plain JSON data (``run``): the prepared chart's payload or its error's fields,
the render's meta, and the content hashes of every file it read. The build process checks
those hashes against its own snapshot (a file edited meanwhile: the chart is prepared
again in the build process), checks the drawn files as it checks every cache entry, keeps
the payload in the store exactly as it keeps one it prepared itself, and assembles the
pages. A job the worker could not run (an unexpected exception, a worker that died) is
prepared in the build process instead, so it fails there with the same message.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..datasets.catalog import Catalog
from ..snapshot import DeskCache, Snapshot, file_digest
from . import render
from .charts import Prepared, _plain, data_key, draw_failure, prepare_chart
from .errors import ChartError

# A worker's typed frames, by content hash (catalog.frame): a dataset read by several of
# its jobs is parsed once.
_CACHE = DeskCache()


def job(chart_id: str, path: Path, display: str, lang: str, conf: dict, catalog, cache_path: Path,
        shared: list[Path]) -> dict:
    """What a worker needs to prepare and draw one chart (plain data)."""
    return {"id": chart_id, "path": str(path), "display": display, "lang": lang, "conf": dict(conf),
            "data_dir": str(catalog.data_dir), "descriptor": catalog.descriptor, "out": catalog.output_dir,
            "cache": str(cache_path), "shared": [str(p) for p in shared]}


def error_fields(exc: ChartError) -> list:
    return [exc.chart_id, exc.what, exc.fix, exc.where]


def error_of(fields: list) -> ChartError:
    """The ChartError a worker reported, as the build process would have raised it."""
    return ChartError(*fields)


def run(job: dict) -> dict:
    """In a worker: prepare the chart, draw its files into the render cache when missing.
    Returns plain data only (see the module's doc)."""
    start = time.perf_counter()
    render.own_fonts()  # (a worker whose first job this is, before its warm-up)
    snapshot = Snapshot()
    path = Path(job["path"])
    shared = snapshot.key(Path(p) for p in job["shared"])
    before = file_digest(path)
    catalog = Catalog(Path(job["data_dir"]), job["descriptor"], job["out"], snapshot, _CACHE)
    uses, result = prepare_chart(job["id"], path, job["display"], job["lang"], job["conf"], catalog)
    answer = {"id": job["id"], "lang": job["lang"], "uses": None if uses is None else list(uses),
              "definition": before if before == file_digest(path) else None, "shared": _plain(shared),
              "data": _plain(data_key(catalog, snapshot, uses)), "prepared": None, "error": None,
              "meta": None, "drawn": False, "failure": None, "draw_seconds": 0.0}
    if isinstance(result, ChartError):
        answer["error"] = error_fields(result)
    else:
        answer["prepared"] = result.payload()
        built = result.built
        cache = render.Cache(Path(job["cache"]))
        meta = cache.get(built.key, f"{built.id} ({built.lang})")
        if meta is None:
            drawing = time.perf_counter()
            try:
                files, meta = render._assemble(built, render._draw_here(built, job["conf"]))
            except Exception as exc:  # noqa: BLE001 (vl-convert's ValueError: the chart's own failure)
                answer["failure"] = error_fields(draw_failure(built, exc))
                meta = None
            else:
                cache.put(built.key, files, meta)
                answer["drawn"] = True
            answer["draw_seconds"] = time.perf_counter() - drawing
        answer["meta"] = meta
    answer["seconds"] = time.perf_counter() - start
    return answer


def result_of(answer: dict):
    """(datasets read, Prepared or ChartError) of a worker's answer."""
    uses = None if answer["uses"] is None else tuple(answer["uses"])
    if answer["error"] is not None:
        return uses, error_of(answer["error"])
    return uses, Prepared.of_payload(answer["prepared"])
