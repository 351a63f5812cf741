"""Shared pieces of curation: the Table record, deterministic CSV writing, the
curation log, and helpers that build bilingual Table Schema descriptors.

Descriptors use *paired keys* for the two languages: ``title`` and
``description`` stay plain English strings (so any Frictionless tool reads the
package) and ``title_en``/``title_fr``/``description_en``/``description_fr``
carry the site's two languages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field as dc_field
from pathlib import Path

import pandas as pd
import sanitise  # plugins/sanitise: the one CSV writer (on the path via tasks.py)

URL_PATTERN = r"https?://[^\s]+"


@dataclass
class Table:
    """One curated resource: its rows and its description (data/<name>.resource.json)."""

    name: str
    frame: pd.DataFrame
    resource: dict


@dataclass
class Log:
    """Collects what curation read, kept and dropped, printed at the end."""

    lines: list[str] = dc_field(default_factory=list)

    def read(self, path: Path, rows: int, what: str = "rows") -> None:
        self.lines.append(f"read     {rel(path)}: {rows} {what}")

    def kept(self, name: str, rows: int, note: str = "") -> None:
        extra = f" ({note})" if note else ""
        self.lines.append(f"kept     data/{name}.csv: {rows} rows{extra}")

    def dropped(self, source: str, rows: int, reason: str) -> None:
        if rows:
            self.lines.append(f"dropped  {source}: {rows} rows, {reason}")

    def note(self, text: str) -> None:
        self.lines.append(f"note     {text}")


def rel(path: Path) -> str:
    parts = Path(path).parts
    if "raw" in parts:
        return "data/" + "/".join(parts[parts.index("raw"):])
    return str(path)


def bi(en: str, fr: str, key: str) -> dict:
    """Paired-language keys: ``key`` (English, for standard tools), ``key_en``, ``key_fr``."""
    return {key: en, f"{key}_en": en, f"{key}_fr": fr}


def field(name: str, type_: str, title: tuple[str, str], description: tuple[str, str],
          *, unit: str | None = None, required: bool = False, fmt: str | None = None,
          **constraints) -> dict:
    """A Table Schema field with titles/descriptions in both languages.

    ``title`` and ``description`` are ``(english, french)`` pairs. Constraints
    are passed as keywords (``minimum=0``, ``enum=[...]``, ``pattern=...``).
    """
    out: dict = {"name": name, "type": type_}
    if fmt:
        out["format"] = fmt
    out.update(bi(title[0], title[1], "title"))
    out.update(bi(description[0], description[1], "description"))
    if unit:
        out["unit"] = unit
    cons = dict(constraints)
    if required:
        cons = {"required": True, **cons}
    if cons:
        out["constraints"] = cons
    return out


def text_field(name: str, title_en: str, title_fr: str, description_en: str, description_fr: str,
               **kw) -> dict:
    """A string field: ``field`` with its titles and descriptions given flat, en then fr."""
    return field(name, "string", (title_en, title_fr), (description_en, description_fr), **kw)

def source_url_field(required: bool = True) -> dict:
    return field("source_url", "string", ("Source URL", "URL de la source"),
                 ("Web address of the document this row comes from.",
                  "Adresse web du document d'où provient cette ligne."),
                 fmt="uri", required=required, pattern=URL_PATTERN)


def source_id_field() -> dict:
    return field("source_id", "string", ("Source", "Source"),
                 ("Key into the sources table (publisher, licence, release).",
                  "Clé vers la table des sources (éditeur, licence, version)."),
                 required=True)


def source_fk() -> dict:
    return {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}}


def month_start(year: pd.Series, month: pd.Series) -> pd.Series:
    return pd.to_datetime({"year": year.astype(int), "month": month.astype(int), "day": 1})


def to_csv_text(frame: pd.DataFrame, schema: dict) -> str:
    """Serialise a frame deterministically following its schema's field types.

    Floats use Python's shortest round-trip repr, so values read from the raw
    files are written back unchanged; integers never gain a ``.0``; booleans
    are ``true``/``false``; dates are ISO; missing values are empty cells.
    """
    names = [f["name"] for f in schema["fields"]]
    types = {f["name"]: f["type"] for f in schema["fields"]}
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ValueError(f"curation bug: columns {missing} missing from frame")
    columns = [[_cell(v, types[n]) for v in frame[n].tolist()] for n in names]
    # one writer for every published CSV: a CR inside a cell is quoted too (plugins/sanitise)
    return sanitise.csv_text([names, *zip(*columns)])


def _cell(value, type_: str) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if type_ == "integer":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"curation bug: {value!r} is not an integer")
        return str(int(value))
    if type_ == "number":
        value = float(value)
        return str(int(value)) if value.is_integer() else repr(value)
    if type_ == "boolean":
        return "true" if bool(value) else "false"
    if type_ == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)
