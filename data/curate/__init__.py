"""Curation: turn the untouched upstream copies in data/raw/ into the tidy,
documented CSVs in data/, each with its description data/<name>.resource.json, and
data/datapackage.base.json (the package's own fields); the build assembles the published
datapackage.json from them (plugins/datadesk/datasets/package.py).

Run with ``invoke curate`` (or ``python data/curate``). Same input, same bytes
out: rows are sorted by primary key, floats keep their shortest repr, and the
descriptor has no timestamps.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import chernivtsi, facts, kiel_r7, kiel_site, sources, strikes
from .common import Log, bi, to_csv_text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))
from datadesk import BASE, CURATED, SUFFIX, dumps  # noqa: E402 (one layout for build and curation)

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE.parent

PACKAGE = {
    "name": "energy-front",
    **bi("Energy Front: curated datasets", "Front de l'énergie : jeux de données préparés", "title"),
    **bi("Military aid to Ukraine and the strikes on its energy system, 2022-2026: curated tables with their "
         "sources, units and caveats.",
         "L'aide militaire à l'Ukraine et les frappes sur son système énergétique, 2022-2026 : tables préparées "
         "avec leurs sources, unités et mises en garde.", "description"),
    "profile": "tabular-data-package",
    "language_conventions": "title/description are English; *_en and *_fr carry both site languages.",
}


def build_tables(raw_dir: Path, log: Log):
    tables = []
    tables += kiel_r7.build(raw_dir, log)
    tables += kiel_site.build(raw_dir, log)
    tables += facts.build(raw_dir, log)
    tables += strikes.build(raw_dir, log)
    tables += chernivtsi.build(raw_dir, log)
    tables += sources.build(log)
    return tables


def run(raw_dir: Path | None = None, out_dir: Path | None = None, echo=print) -> list[str]:
    """Curate every table into ``out_dir``; return the names written.

    Curation owns its tables' CSVs and descriptions (``<name>.resource.json``) and the
    package's base; it never touches, let alone removes, a dataset it did not make (one
    added with `invoke new-dataset`), and refuses to overwrite one that has its name."""
    raw_dir = Path(raw_dir or DATA_DIR / "raw")
    out_dir = Path(out_dir or DATA_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    log = Log()
    tables = build_tables(raw_dir, log)
    base_path = out_dir / BASE
    before = json.loads(base_path.read_text(encoding="utf-8")).get(CURATED, []) if base_path.exists() else []
    theirs = [t.name for t in tables if (out_dir / f"{t.name}{SUFFIX}").exists() and t.name not in before]
    if before and theirs:  # an editor's dataset already has the name of a curated table
        raise ValueError(f"{out_dir.name}/{theirs[0]}{SUFFIX} was not made by invoke curate (it is not in "
                         f"{BASE}'s \"{CURATED}\" list), but curation makes a table of that name; rename "
                         f"the editor's dataset (both files), then run invoke curate again.")
    for table in tables:
        text = to_csv_text(table.frame, table.resource["schema"])
        (out_dir / f"{table.name}.csv").write_bytes(text.encode("utf-8"))
        resource = {"name": table.name, "path": f"{table.name}.csv", "profile": "tabular-data-resource",
                    "format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
        resource.update(table.resource)
        resource["bytes"] = len(text.encode("utf-8"))
        (out_dir / f"{table.name}{SUFFIX}").write_bytes(dumps(resource).encode("utf-8"))
    base = {**PACKAGE, CURATED: [t.name for t in tables]}
    base_path.write_bytes(dumps(base).encode("utf-8"))
    for line in log.lines:
        echo(line)
    others = sorted(p.name[: -len(SUFFIX)] for p in out_dir.glob(f"*{SUFFIX}")
                    if p.name[: -len(SUFFIX)] not in base[CURATED])
    echo(f"wrote    {len(tables)} tables, their descriptions (<name>{SUFFIX}) and {BASE} to {out_dir}")
    if others:
        echo(f"kept     {len(others)} dataset(s) curation does not make, untouched: {', '.join(others)}")
    return [t.name for t in tables]
