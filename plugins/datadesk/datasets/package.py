"""The data package, assembled from one description per dataset.

    data/<name>.csv                the table
    data/<name>.resource.json      its description: a Frictionless resource descriptor
    data/datapackage.base.json     the package's own fields, and the datasets `invoke curate`
                                   makes, in the order the catalogue lists them

The build assembles ``datapackage.json`` (the base's fields, then every resource) and
publishes it; nobody edits a generated file by hand, and `invoke curate` rewrites only the
descriptions of the datasets it makes. Why JSON and not YAML: a resource descriptor file
is Frictionless's own format (``frictionless validate data/x.resource.json`` reads it),
it goes into the published package unchanged (YAML would turn ``as_of: 2022-12-02`` into
a date and ``no`` into false), and `invoke new-dataset` writes it for the editor, who only
replaces the marked values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

BASE = "datapackage.base.json"
SUFFIX = ".resource.json"
CURATED = "curated"  # the base's list of the datasets curation makes (not published)
# What `invoke new-dataset` leaves to be written; the build refuses a description holding one.
TO_FILL = ("[À COMPLÉTER", "[TO WRITE")


@dataclass
class Assembled:
    descriptor: dict | None
    base_display: str = ""
    # resource name -> (display path of its description, its text) for line numbers
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def description_path(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / f"{name}{SUFFIX}"


def dumps(descriptor: dict) -> str:
    """The one JSON layout of every descriptor file (curate, new-dataset, the published one)."""
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"


def _load(path: Path, display: str) -> tuple[dict | None, str, Problem | None]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, text, Problem(display, exc.lineno, exc.colno,
                                   f"expected valid JSON, found {exc.msg}. Fix the syntax (a missing "
                                   f"comma or quote?).")
    if not isinstance(value, dict):
        return None, text, Problem(display, 1, None, "expected a JSON object ({ … }), found "
                                                     f"{type(value).__name__}. Restore the file from git.")
    return value, text, None


def assemble(data_dir: Path, display_dir: str) -> Assembled:
    """The package as published, from the base and every description; every problem at once."""
    data_dir = Path(data_dir)
    base_display = f"{display_dir}/{BASE}"
    out = Assembled(None, base_display)
    if not (data_dir / BASE).exists():
        out.problems.append(Problem(base_display, None, None,
                                    "expected the package's own description, found no such file. "
                                    "Re-run `invoke curate`."))
        return out
    base, _text, problem = _load(data_dir / BASE, base_display)
    if problem:
        out.problems.append(problem)
        return out
    order = list(base.pop(CURATED, []))
    resources = {}
    described = sorted(data_dir.glob(f"*{SUFFIX}"))
    for path in described:
        name = path.name[: -len(SUFFIX)]
        display = f"{display_dir}/{path.name}"
        res, text, problem = _load(path, display)
        if problem:
            out.problems.append(problem)
            continue
        out.texts[name] = (display, text)
        if res.get("name") != name or res.get("path") != f"{name}.csv":
            out.problems.append(Problem(display, 1, None,
                                        f'expected "name": "{name}" and "path": "{name}.csv" (the file '
                                        f'names), found "name": {json.dumps(res.get("name"))} and "path": '
                                        f'{json.dumps(res.get("path"))}. Make them agree with the file '
                                        f"names (or rename both files)."))
            continue
        # The plain keys stay English so any Frictionless tool reads the package: a
        # description that gives only the paired keys gets them from the English ones.
        for obj in [res, *res.get("schema", {}).get("fields", [])]:
            for key in ("title", "description"):
                if key not in obj and obj.get(f"{key}_en"):
                    obj[key] = obj[f"{key}_en"]
        csv = data_dir / res["path"]
        if csv.exists():
            res["bytes"] = csv.stat().st_size
        resources[name] = res
    for csv in sorted(data_dir.glob("*.csv")):
        if f"{csv.stem}{SUFFIX}" not in {p.name for p in described}:
            out.problems.append(Problem(
                f"{display_dir}/{csv.name}", None, None,
                f"expected a description beside it ({display_dir}/{csv.stem}{SUFFIX}), found none. Run "
                f"`invoke new-dataset {display_dir}/{csv.name}`, which writes one from the file, then "
                f"fill in what it marks."))
    ordered = [n for n in order if n in resources] + sorted(n for n in resources if n not in order)
    out.descriptor = {**base, "resources": [resources[n] for n in ordered]}
    return out
