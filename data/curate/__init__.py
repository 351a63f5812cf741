"""Curation: turn the untouched upstream copies in data/raw/ into the tidy,
documented CSVs in data/ and their data/datapackage.json.

Run with ``invoke curate`` (or ``python data/curate``). Same input, same bytes
out: rows are sorted by primary key, floats keep their shortest repr, and the
descriptor has no timestamps.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import chernivtsi, facts, kiel_r7, kiel_site, sources, strikes
from .common import Log, bi, to_csv_text

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
    """Curate every table into ``out_dir``; return the names written."""
    raw_dir = Path(raw_dir or DATA_DIR / "raw")
    out_dir = Path(out_dir or DATA_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    log = Log()
    tables = build_tables(raw_dir, log)
    resources = []
    for table in tables:
        text = to_csv_text(table.frame, table.resource["schema"])
        (out_dir / f"{table.name}.csv").write_bytes(text.encode("utf-8"))
        resource = {"name": table.name, "path": f"{table.name}.csv", "profile": "tabular-data-resource",
                    "format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
        resource.update(table.resource)
        resource["bytes"] = len(text.encode("utf-8"))
        resources.append(resource)
    descriptor = {**PACKAGE, "resources": resources}
    body = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    (out_dir / "datapackage.json").write_bytes(body.encode("utf-8"))
    for line in log.lines:
        echo(line)
    echo(f"wrote    {len(tables)} tables and datapackage.json to {out_dir}")
    return [t.name for t in tables]
