"""What validation remembers between builds of one process (livereload: kept in the
desk's cache, see datadesk/desk.py), and the foreign-key check that runs on it.

A file's own problems (types, constraints, formulas, duplicates, rules) depend only on
its bytes and its resource in datapackage.json, so they are kept by a digest of both and
a rebuild re-validates only the files that changed. Foreign keys cross files: they are
checked on every run, but against the key cells typed once per file content. The check
is Frictionless's own (same typing, same "all keys empty: skip" rule, same message), so
the report is the one a full validation gives.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .problems import Problem, Records, show


@dataclass
class Checked:
    """One file's validation: its own problems, and its key cells typed on demand."""
    digest: str
    records: Records | None
    problems: list[Problem]
    schema: object = None  # the Frictionless Schema the rows were typed with (None: not parsed)
    keys: dict = field(default_factory=dict)  # fields tuple -> [(row_number, typed cells)]

    def typed(self, fields: tuple) -> list[tuple[int, tuple]]:
        """Frictionless's typed value of ``fields`` in every row, as its row stream reads them."""
        if fields not in self.keys:
            readers = [self.schema.get_field(name).create_cell_reader() for name in fields]
            positions = [[f.name for f in self.schema.fields].index(name) for name in fields]
            rows = []
            for row_number, _line, cells in self.records.data():
                rows.append((row_number, tuple(
                    reader(cells[pos] if pos < len(cells) else None)[0]
                    for reader, pos in zip(readers, positions))))
            self.keys[fields] = rows
        return self.keys[fields]

    def lookup(self, fields: tuple) -> set:
        key = ("lookup", fields)
        if key not in self.keys:
            self.keys[key] = {cells for _n, cells in self.typed(fields) if set(cells) != {None}}
        return self.keys[key]


def digest(raw: bytes, resource: dict, display: str) -> str:
    text = json.dumps(resource, sort_keys=True, ensure_ascii=False, default=str) + "\0" + display
    return hashlib.sha256(text.encode("utf-8") + b"\0" + raw).hexdigest()


def fields_of(fk: dict, key: str = "fields") -> list[str]:
    value = fk[key] if key == "fields" else fk["reference"]["fields"]
    return value if isinstance(value, list) else [value]


def foreign_key_problems(res: dict, entry: Checked, display: str, targets: dict[str, Checked],
                         fks: list[dict]) -> list[Problem]:
    """Rows of ``res`` whose key is not in the referenced file (``fks``: the keys to check)."""
    names = [f["name"] for f in res["schema"]["fields"]]
    # As the Frictionless path did: a message per key columns, worded from the resource's keys.
    fk_columns = {tuple(fields_of(fk)): (fields_of(fk), fk["reference"]["resource"], fields_of(fk, "reference"))
                  for fk in res["schema"].get("foreignKeys", [])}
    problems = []
    for fk in fks:
        target_name = fk["reference"]["resource"] or res["name"]
        source_key = tuple(fields_of(fk, "reference"))
        table = targets[target_name].lookup(source_key)
        fields, target, tfields = fk_columns[tuple(fields_of(fk))]
        for row_number, cells in entry.typed(tuple(fields_of(fk))):
            if set(cells) == {None} or cells in table:
                continue
            raw = entry.records.rows[row_number - 1]
            values = ", ".join(raw[names.index(f)] if names.index(f) < len(raw) else "" for f in fields)
            problems.append(Problem(display, entry.records.line_of(row_number), names.index(fields[0]) + 1,
                                    f"{', '.join(fields)}: expected a value listed in {target}.csv "
                                    f"({', '.join(tfields)}), found {show(values)}. Correct it, or add that "
                                    f"row to data/{target}.csv."))
    return problems
