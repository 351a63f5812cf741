"""`invoke new-dataset data/file.csv`: the description of a CSV, written from the file.

It reads the CSV, infers each column's type with Frictionless (the library that
validates the data at build time), which columns are never empty (required), and which
columns identify a row (primary-key candidates); it writes ``data/<name>.resource.json``
beside the CSV with every text the editor must write marked ``[TO WRITE: …]`` /
``[À COMPLÉTER : …]``, which the build refuses until they are replaced; and it prints what
remains to do. It never overwrites a description.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from datadesk import SUFFIX, TO_FILL, DeskError, description_path, dumps

NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
NUMERIC = {"integer", "number"}
URL = re.compile(r"^https?://\S+$")
URL_PATTERN = r"https?://[^\s]+"
EN, FR = TO_FILL[1], TO_FILL[0]
TYPE_WORDS = {"string": "text", "integer": "whole number", "number": "number", "date": "date",
              "datetime": "date and time", "boolean": "true/false", "year": "year", "time": "time"}


class DatasetError(DeskError):
    """The CSV cannot be described as it is; the message says why and what to do."""


@dataclass
class Described:
    path: Path  # the description written
    csv: Path
    fields: list[dict]
    key: list[str]
    candidates: list[list[str]]
    dates: tuple[str, str] | None
    todo: list[tuple[int, str]] = field(default_factory=list)  # (line, what to write)


def _rows(path: Path, shown: str) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError(f'{shown}: expected UTF-8 text, found another encoding. Save it again as '
                           f'"CSV UTF-8" (or convert it: iconv -f latin1 -t utf-8).') from None
    rows = [r for r in csv.reader(io.StringIO(text))]
    if not rows or not any(c.strip() for c in rows[0]):
        raise DatasetError(f"{shown}: expected a header row and data rows, found an empty file.")
    header = [h.strip() for h in rows[0]]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        raise DatasetError(f"{shown}:1: expected columns separated by commas, found "
                           f"{'semicolons' if ';' in header[0] else 'tabs'}. Save the file as "
                           f'comma-separated "CSV UTF-8".')
    data = [r for r in rows[1:] if any(c.strip() for c in r)]
    if not data:
        raise DatasetError(f"{shown}:2: expected at least one data row, found only the header.")
    return header, data


def _candidates(header: list[str], data: list[list[str]], required: set[str], skip: set[str]) -> list[list[str]]:
    """Sets of one to three required columns whose values never repeat, smallest first."""
    usable = [h for h in header if h in required and h not in skip]
    found: list[list[str]] = []
    for size in (1, 2, 3):
        for combo in itertools.combinations(usable, size):
            if any(set(c) <= set(combo) for c in found):
                continue  # a smaller key already inside it
            index = [header.index(c) for c in combo]
            values = [tuple(r[i] if i < len(r) else "" for i in index) for r in data]
            if len(set(values)) == len(values):
                found.append(list(combo))
        if found:
            break
    return found


def new_dataset(csv_path: Path, data_dir: Path, display_dir: str = "data") -> Described:
    from frictionless import describe

    csv_path = Path(csv_path)
    shown = f"{display_dir}/{csv_path.name}"
    if csv_path.suffix != ".csv":
        raise DatasetError(f"{csv_path}: expected a .csv file, e.g. {display_dir}/points_chaleur.csv.")
    if not csv_path.is_file():
        raise DatasetError(f"{shown}: no such file; put the CSV in {display_dir}/ first, then run "
                           f"invoke new-dataset {shown}.")
    if csv_path.resolve().parent != Path(data_dir).resolve():
        raise DatasetError(f"{csv_path}: expected the CSV in {display_dir}/ (the build reads only "
                           f"that folder); move it there, then run invoke new-dataset "
                           f"{display_dir}/{csv_path.name}.")
    name = csv_path.stem
    if not NAME.match(name):
        better = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "dataset"
        raise DatasetError(f'{shown}: the file name "{name}" becomes the dataset\'s name, which '
                           f"takes lower-case letters, digits and underscores only; rename the file "
                           f"{display_dir}/{better}.csv, then run the command again.")
    target = description_path(data_dir, name)
    if target.exists():
        raise DatasetError(f"{display_dir}/{target.name} already exists; it was not changed. Edit it, "
                           f"or delete it first to start again from the CSV.")
    header, data = _rows(csv_path, shown)
    inferred = {f.name: f for f in describe(str(csv_path), type="schema").fields}
    fields, required, urls, dates = [], set(), set(), []
    for position, column in enumerate(header):
        values = [r[position].strip() if position < len(r) else "" for r in data]
        kind = inferred[column].type if column in inferred else "string"
        if kind == "any":
            kind = "string"
        fld = {"name": column, "type": kind}
        filled = [v for v in values if v]
        if kind == "string" and filled and all(URL.match(v) for v in filled):
            fld["format"] = "uri"
            urls.add(column)
        fld["title_en"] = f"{EN}: the column's title in English]"
        fld["title_fr"] = f"{FR} : le titre de la colonne en français]"
        fld["description_en"] = f"{EN}: what one cell of this column says]"
        fld["description_fr"] = f"{FR} : ce que dit une case de cette colonne]"
        constraints = {}
        if len(filled) == len(values):
            constraints["required"] = True
            required.add(column)
        if column in urls:
            constraints["pattern"] = URL_PATTERN
        if constraints:
            fld["constraints"] = constraints
        if kind == "date" and filled:
            dates += filled
        fields.append(fld)
    # A key of names and dates rather than of measured numbers (410 points is unique by chance).
    measured = {f["name"] for f in fields if f["type"] in NUMERIC}
    candidates = (_candidates(header, data, required, urls | measured)
                  or _candidates(header, data, required, urls))
    key = candidates[0] if candidates else []
    for fld in fields:
        if fld["type"] in NUMERIC and fld["name"] not in key:
            fld["unit"] = f"{EN}: the unit, e.g. count, hours, € billion, %]"
    span = (min(dates), max(dates)) if dates else None
    resource = {
        "name": name, "path": csv_path.name, "profile": "tabular-data-resource", "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8",
        "title_en": f"{EN}: the dataset's title in English]",
        "title_fr": f"{FR} : le titre du jeu de données en français]",
        "description_en": f"{EN}: what one row says, and where the figures come from]",
        "description_fr": f"{FR} : ce que dit une ligne, et d'où viennent les chiffres]",
        "publisher": {"name": f"{EN}: who published the figures]",
                      "url": f"{EN}: the address of their page, https://…]"},
        "licenses": [{"name": f"{EN}: the licence's short name, e.g. CC-BY-4.0, or "
                              f"unclear-attribution-requested]",
                      "title": f"{EN}: the licence's name, or Unclear, attribution requested]",
                      "path": f"{EN}: the address of the licence or terms, https://…]"}],
        "citation": f"{EN}: how the publisher asks to be cited]",
        "release": f"{EN}: which release or document, e.g. Bulletin of 2 December 2022]",
        "as_of": span[1] if span else f"{EN}: the last date the figures cover, YYYY-MM-DD]",
    }
    if span:
        resource["temporal"] = {"start": span[0], "end": span[1]}
    resource["caveats_en"] = [f"{EN}: what a reader should know before using the figures, or "
                              f"make the list empty: []]"]
    resource["caveats_fr"] = [f"{FR} : ce qu'un lecteur doit savoir avant d'utiliser les "
                              f"chiffres, ou videz la liste : []]"]
    schema = {"fields": fields}
    if key:
        schema["primaryKey"] = key
    resource["schema"] = schema
    text = dumps(resource)
    target.write_text(text, encoding="utf-8")
    todo = [(n, line.strip().rstrip(",")) for n, line in enumerate(text.splitlines(), start=1)
            if any(m in line for m in TO_FILL)]
    return Described(target, csv_path, fields, key, candidates, span, todo)


def describe_result(made: Described, display_dir: str = "data") -> str:
    shown = f"{display_dir}/{made.path.name}"
    columns = ", ".join(f"{f['name']} ({TYPE_WORDS.get(f['type'], f['type'])}"
                        f"{', never empty' if f.get('constraints', {}).get('required') else ''})"
                        for f in made.fields)
    lines = [f"Created {shown}, the description of {display_dir}/{made.csv.name}.",
             f"  columns: {columns}"]
    if made.key:
        others = [" + ".join(c) for c in made.candidates if c != made.key]
        lines.append(f"  primary key: {' + '.join(made.key)} (no two rows share it)"
                     + (f"; other candidates: {'; '.join(others)}" if others else ""))
    else:
        lines.append("  primary key: none found (every set of up to three never-empty columns "
                     "repeats); add the column that tells rows apart, then set \"primaryKey\".")
    if made.dates:
        lines.append(f"  dates from {made.dates[0]} to {made.dates[1]}: \"temporal\" and \"as_of\" "
                     f"say so; check them.")
    lines.append(f"Still to write ({len(made.todo)}): replace each bracket in {shown}; the build "
                 f"refuses the dataset until none is left:")
    lines += [f"  {shown}:{number}: {what}" for number, what in made.todo]
    lines.append("Check the types, the required columns and the key above, then run `invoke build`: it "
                 "checks every cell against this description. The dataset's page is then at data/"
                 f"{made.path.name[:-len(SUFFIX)]}/.")
    return "\n".join(lines)
