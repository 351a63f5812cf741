"""Validate the datasets' descriptions (see package.py) and every CSV they describe; return all problems.

Order of work per file: bytes (encoding, empty) -> structure (delimiter,
header, header-only) -> Frictionless (types, constraints, foreign keys) on the
rows exactly as we parsed them, so its row numbers map to editor lines ->
our own checks (formula injection, duplicate keys, cross-field rules).
A file with a structural problem gets no row checks: they would only repeat it.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path


from .. import lazy
from ..i18n import LANGS
from ..store import code_version, key_of
from . import checks, links
from .package import TO_FILL, assemble
from .problems import Problem, Records, show

frictionless = lazy.module("frictionless")

NUMERIC = {"integer", "number"}
# Frictionless errors our own checks already word better.
OURS = {"primary-key", "unique-error"}
TYPE_EXPECTED = {
    "integer": "a whole number", "number": "a number (with a dot as decimal separator)",
    "date": "a date written YYYY-MM-DD", "datetime": "a date and time written YYYY-MM-DDTHH:MM:SS",
    "boolean": "true or false", "year": "a year like 2022", "string": "text",
}
DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


def resource_problems(res: dict, text: str, display: str) -> list[Problem]:
    """Metadata the site's pages need, for one dataset's description (``display``, whose
    ``text`` gives the lines): bilingual titles and descriptions, units, publisher, licence..."""
    problems = []

    def line_of(needle: str, after: int = 0) -> tuple[int | None, int]:
        pos = text.find(needle, after)
        return (text.count("\n", 0, pos) + 1, pos) if pos >= 0 else (None, after)

    def need(cond: bool, line, what: str, fix: str):
        if not cond:
            problems.append(Problem(display, line, None, f"{what}. {fix}"))

    name = res.get("name", "?")
    line, pos = line_of(f'"name": "{name}"')
    where = f'resource "{name}"'
    for key in ("title", "description"):
        for lang in LANGS:
            need(bool(res.get(f"{key}_{lang}")), line, f'{where}: expected "{key}_{lang}", found none',
                 f"Add the {key} in {'French' if lang == 'fr' else 'English'}.")
    for lang in LANGS:
        need(isinstance(res.get(f"caveats_{lang}"), list), line,
             f'{where}: expected a "caveats_{lang}" list, found none', "Add it (it may be empty: []).")
    need(bool((res.get("publisher") or {}).get("name")), line, f'{where}: expected "publisher" with a name, '
         f"found none", "Name who published the data.")
    need(bool(res.get("licenses")), line, f'{where}: expected "licenses", found none',
         'Give the licence, or "Unclear, attribution requested".')
    need(bool(res.get("as_of")), line, f'{where}: expected "as_of", found none', "Give the last date covered.")
    schema = res.get("schema") or {}
    need(bool(schema.get("fields")), line, f'{where}: expected schema fields, found none',
         "Re-run `invoke curate`.")
    need(bool(schema.get("primaryKey")), line, f'{where}: expected a primaryKey, found none',
         "Name the column(s) that identify a row.")
    for fld in schema.get("fields", []):
        fline, _ = line_of(f'"name": "{fld.get("name")}"', pos)
        fwhere = f'{where}, field "{fld.get("name")}"'
        for key in ("title", "description"):
            for lang in LANGS:
                need(bool(fld.get(f"{key}_{lang}")), fline, f'{fwhere}: expected "{key}_{lang}", found none',
                     f"Add the {key} in {'French' if lang == 'fr' else 'English'}.")
        key = schema.get("primaryKey") or []
        if fld.get("type") in NUMERIC and fld.get("name") not in key:  # identifiers have no unit
            need(bool(fld.get("unit")), fline, f'{fwhere}: expected a "unit" (a number needs one), found none',
                 'Add the unit, e.g. "€ billion", "units", "percent".')
    for number, text_line in enumerate(text.splitlines(), start=1):
        marker = next((m for m in TO_FILL if m in text_line), None)
        if marker:
            key = text_line.split(":", 1)[0].strip().strip('"') if '":' in text_line else "this value"
            problems.append(Problem(display, number, None,
                                    f'{where}: "{key}" still says "{marker} …]", left by invoke new-dataset; '
                                    f"expected the real text. Write it in place of the brackets."))
    return problems


def descriptor_problems(assembled) -> list[Problem]:
    descriptor = assembled.descriptor
    resources = descriptor.get("resources")
    if not resources:
        return [Problem(assembled.base_display, None, None, "expected at least one dataset description "
                        "(<name>.resource.json beside its CSV), found none. Re-run `invoke curate`.")]
    problems = []
    for res in resources:
        display, text = assembled.texts[res["name"]]
        problems += resource_problems(res, text, display)
    return problems


URL_KEYS = {"path", "url", "homepage", "href"}
SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")


def _line(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def location_problems(assembled, data_dir: Path, display_dir: str) -> list[Problem]:
    """Every resource file resolves inside the data folder once symlinks are followed (no
    absolute path, no "..", no link out), and every URL in the descriptions is http(s)."""
    descriptor = assembled.descriptor
    problems = []
    inside = Path(data_dir).resolve()

    def walk(value, display: str, text: str):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in URL_KEYS and isinstance(item, str):
                    scheme = SCHEME.match(item)
                    if not scheme or scheme.group(1).lower() not in ("http", "https"):
                        problems.append(Problem(
                            display, _line(text, f'"{key}": {json.dumps(item)}'), None,
                            f'"{key}": expected an http(s) address, found {json.dumps(item[:80])}. '
                            "Write the full address starting with https://."))
                else:
                    walk(item, display, text)
        elif isinstance(value, list):
            for item in value:
                walk(item, display, text)

    for res in descriptor.get("resources", []):
        display, text = assembled.texts.get(res.get("name"), (assembled.base_display, ""))
        rel = res.get("path")
        line = _line(text, f'"path": {json.dumps(rel)}')
        if not isinstance(rel, str) or not rel.strip():
            problems.append(Problem(display, line, None, f'resource "{res.get("name", "?")}": expected "path", '
                                    "the file name of its CSV in this folder. Add it."))
        else:
            target = (Path(data_dir) / rel).resolve()
            if SCHEME.match(rel) or Path(rel).is_absolute() or not target.is_relative_to(inside):
                problems.append(Problem(
                    display, line, None,
                    f'resource "{res.get("name", "?")}": path "{rel}" resolves to {target}, outside '
                    f"{display_dir}/. A dataset's file must be inside {display_dir}/ after symlinks are "
                    f'followed: no absolute path, no "..", no link to another folder. Copy the file into '
                    f"{display_dir}/ (through data/raw/ and `invoke curate`) and name it here."))
        walk({k: v for k, v in res.items() if k != "path"}, display, text)  # its own path: checked above
    walk({k: v for k, v in descriptor.items() if k != "resources"}, assembled.base_display, "")
    return problems


MAX_BYTES = 5 * 1024 * 1024  # a curated CSV is at most a few hundred kilobytes today


def size_problem(res: dict, path: Path, display: str) -> Problem | None:
    """A file larger than its limit (``max_bytes`` of the resource, else MAX_BYTES),
    found from its size on disk before anything reads it."""
    own = res.get("max_bytes")
    if own is not None and not (isinstance(own, int) and not isinstance(own, bool) and own > 0
                                and str(res.get("max_bytes_reason") or "").strip()):
        return Problem(display, None, None, f'expected "max_bytes" to be a positive whole number of bytes with a '
                       f'"max_bytes_reason", found {json.dumps(own)}. Fix resource "{res["name"]}" in '
                       "data/datapackage.json.")
    limit = own or MAX_BYTES
    size = path.stat().st_size
    if size <= limit:
        return None
    whose = f'its "max_bytes"' if own else "the default"
    return Problem(display, None, None,
                   f"expected at most {limit:,} bytes ({whose}), found {size:,}. Nothing in it was read. "
                   "Aggregate or split it in `invoke curate`, or, if readers need every row, give resource "
                   f'"{res["name"]}" "max_bytes": <n> and "max_bytes_reason": "why" in data/datapackage.json.')


def _expected(field: dict, constraint: str) -> str:
    cons = field.get("constraints", {})
    if constraint == "minimum":
        return f"a number >= {cons['minimum']}"
    if constraint == "maximum":
        return f"a number <= {cons['maximum']}"
    if constraint == "enum":
        return "one of " + ", ".join(str(v) for v in cons["enum"])
    if constraint == "pattern":
        if field.get("format") == "uri":
            return "a web address starting with http:// or https://"
        return f"text matching the pattern {cons['pattern']}"
    if constraint in ("minLength", "maxLength"):
        return f"text of {constraint.replace('Length', '')} length {cons[constraint]}"
    return f"a value meeting {constraint} {cons.get(constraint)}"


def _fix(field: dict, cell: str, kind: str) -> str:
    required = field.get("constraints", {}).get("required")
    if kind == "date":
        match = DMY.fullmatch(cell.strip())
        if match:
            day, month, year = (int(g) for g in match.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"Write it as {year:04d}-{month:02d}-{day:02d}."
        return "Write dates as YYYY-MM-DD, e.g. 2022-10-31."
    if kind == "number" and re.fullmatch(r"-?\d+,\d+", cell.strip()):
        return f"Write it as {cell.strip().replace(',', '.')}."
    if kind == "minimum" and field.get("type") in NUMERIC:
        base = "A count or amount cannot be negative: fix the cell"
        return base + ("." if required else ", or leave it empty if unknown.")
    return "Fix the cell." if required else "Fix the cell, or leave it empty (this column allows missing values)."


def frictionless_problems(error, field_by_pos: dict, names: list[str], records: Records, display: str,
                          fk_columns: dict) -> Problem | None:
    kind = error.type
    if kind in OURS:
        return None
    line = records.line_of(error.row_number) if getattr(error, "row_number", None) else None
    fnum = getattr(error, "field_number", None)
    field = field_by_pos.get(fnum, {})
    name = field.get("name", "")
    cell = getattr(error, "cell", None)
    if kind == "blank-row":
        return Problem(display, line, None, "expected a data row, found a blank line. Delete the blank line.")
    if kind == "missing-cell":
        return Problem(display, line, fnum,
                       f"{name}: expected {len(names)} cells in this row, found the row ends before column {fnum}. "
                       f"Add the missing cells (or check for a comma or line break that is not inside quotes).")
    if kind == "extra-cell":
        return Problem(display, line, fnum,
                       f"expected {len(names)} cells in this row, found an extra cell {show(cell)}. "
                       f"Remove it, or put quotes around a cell that contains a comma.")
    if kind == "type-error":
        ftype = field.get("type", "string")
        expected = TYPE_EXPECTED.get(ftype, ftype)
        if field.get("format") == "uri":
            expected = "a web address starting with http:// or https://"
        return Problem(display, line, fnum, f"{name}: expected {expected}, found {show(cell)}. "
                                            f"{_fix(field, cell or '', ftype)}")
    if kind == "constraint-error":
        constraint = re.search(r'constraint "(\w+)"', error.note or "")
        constraint = constraint.group(1) if constraint else ""
        if constraint == "required":
            if getattr(error, "cells", None) is not None and fnum and fnum > len(error.cells):
                return None  # the missing-cell message says it better
            return Problem(display, line, fnum, f"{name}: expected a value (the column is required), "
                                                f"found an empty cell. Fill it in.")
        return Problem(display, line, fnum, f"{name}: expected {_expected(field, constraint)}, found {show(cell)}. "
                                            f"{_fix(field, cell or '', constraint)}")
    if kind == "foreign-key":
        fields, target, tfields = fk_columns.get(_fk_fields(error.note), (None, None, None))
        if fields is None:
            return Problem(display, line, None, f"expected a known reference, found: {error.note}. Fix the key.")
        values = ", ".join(error.cells[names.index(f)] if names.index(f) < len(error.cells) else "" for f in fields)
        return Problem(display, line, names.index(fields[0]) + 1,
                       f"{', '.join(fields)}: expected a value listed in {target}.csv ({', '.join(tfields)}), "
                       f"found {show(values)}. Correct it, or add that row to data/{target}.csv.")
    return Problem(display, line, fnum, f"{name + ': ' if name else ''}expected valid data, found {kind}: "
                                        f"{error.note}. Fix the cell.")


def _fk_fields(note: str) -> tuple:
    match = re.search(r'for "([^"]+)"', note or "")
    return tuple(s.strip() for s in match.group(1).split(",")) if match else ()


def _parse(res: dict, raw: bytes, display: str, known: set):
    """(records, structural problems, the Frictionless schema or None) of one file."""
    names = [f["name"] for f in res["schema"]["fields"]]
    text_csv, found = checks.decode(raw, display, names)
    records = Records(text_csv) if text_csv is not None else None
    if records is not None:
        found = checks.structure(records, display, names)
    if found:
        return records, found, None
    # Keys into other files are checked by links.foreign_key_problems, on every run; a key
    # into a resource the package does not have stays here, for Frictionless to report.
    schema = {k: v for k, v in res["schema"].items() if k != "foreignKeys"}
    schema["foreignKeys"] = [fk for fk in res["schema"].get("foreignKeys", [])
                             if (fk["reference"]["resource"] or res["name"]) not in known]
    return records, [], frictionless.Schema.from_descriptor(schema)


def _check_file(res: dict, raw: bytes, display: str, value: str, known: set) -> links.Checked:
    """One file's own problems: how it was saved, then its rows (all but foreign keys)."""
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    records, found, schema = _parse(res, raw, display, known)
    if found:
        return links.Checked(value, records, found)
    # Built as objects, not a descriptor: Frictionless deep-copies inline data in descriptors.
    resource = frictionless.Resource(name=res["name"], data=records.rows, schema=schema)
    frictionless.Package(name="data", resources=[resource])
    by_pos = {i + 1: f for i, f in enumerate(fields)}
    fk_columns = {tuple(links.fields_of(fk)): (links.fields_of(fk), fk["reference"]["resource"],
                                                links.fields_of(fk, "reference"))
                  for fk in res["schema"].get("foreignKeys", [])}
    problems = []
    for task in resource.validate(limit_errors=10_000).tasks:
        for error in task.errors:
            problem = frictionless_problems(error, by_pos, names, records, display, fk_columns)
            if problem:
                problems.append(problem)
    problems += checks.formulas(records, display, fields)
    problems += checks.duplicates(records, display, fields, res["schema"])
    problems += checks.rules(records, display, fields, res)
    return links.Checked(value, records, problems, schema)


def verdict(res: dict, raw: bytes, display: str, value: str, known: set) -> dict:
    """In a worker: one file's own validation, as plain data (what the store keeps)."""
    entry = _check_file(res, raw, display, value, known)
    return {"problems": _problems_json(entry.problems), "parsed": entry.schema is not None}


def _parsed(res: dict, raw: bytes, display: str, value: str, known: set, stored: dict) -> links.Checked:
    """A file whose verdict is known (stored, or from a worker): only parsed, for its rows."""
    records, _found, schema = _parse(res, raw, display, known)
    return links.Checked(value, records, _problems_of(stored["problems"]), schema if stored["parsed"] else None)


def _verdicts(pending: list, known: set, pool, remote: list | None) -> dict:
    """display -> verdict of the files the workers validated (two or more to validate and a
    pool); a file missing from it (a worker died, or raised) is validated in this process."""
    if pool is None or len(pending) < 2:
        return {}
    workers, count = pool
    try:
        executor = workers.executor(count)
        # The largest files first: the last file to finish is a small one.
        order = sorted(pending, key=lambda item: -len(item[1]))
        futures = [(item[2], executor.submit(verdict, item[0], item[1], item[2], item[3], known)) for item in order]
    except (BrokenProcessPool, RuntimeError, OSError):
        workers.fail()
        return {}
    found = {}
    for display, future in futures:
        try:
            found[display] = future.result()
        except BrokenProcessPool:  # a worker died: the rest are validated here
            workers.fail()
            break
        except Exception:  # noqa: BLE001 (validated again here, where it raises with its own traceback)
            continue
        if remote is not None:
            remote.append(display)
    return found


def _problems_json(problems: list[Problem]) -> list:
    return [[p.path, p.line, p.column, p.message] for p in problems]


def _problems_of(stored: list) -> list[Problem]:
    return [Problem(path, line, column, message) for path, line, column, message in stored]


def validate(data_dir: Path, display_dir: str, kept: dict | None = None, store=None,
             folder: tuple | None = None, pool=None,
             remote: list | None = None) -> tuple[dict | None, list[Problem], list[str]]:
    """Return (descriptor, problems, files read again) for the package in ``data_dir``.
    ``kept`` (display path -> links.Checked, from the desk's cache) holds each file's own
    validation from earlier runs; a file whose bytes and description are unchanged is not
    read again.

    ``store`` (a datadesk.store.Store, kept between build processes) holds the verdicts of
    earlier processes: the whole package's, by the content hash of every file of the folder
    (``folder``: (name, digest) of each, from the desk's snapshot), and each file's own
    problems, by its digest (links.digest: its bytes, its description, its name). A file
    whose verdict is stored is parsed (its rows, for the foreign keys) but not validated.

    ``pool`` (the build's worker processes and their number, ``Desk.pool``): when two files
    or more are to be validated, the workers validate them side by side (``verdict``: plain
    data back, the verdict the store keeps) and this process parses them, as it parses a
    file whose verdict is stored; their display names are added to ``remote``."""
    kept = {} if kept is None else kept
    assembled = assemble(data_dir, display_dir)
    if assembled.descriptor is None:
        return None, assembled.problems, []
    descriptor = assembled.descriptor
    package_key = None
    if store is not None and folder is not None:
        # Where each file really is (a link may point elsewhere with the same bytes).
        real = [(name, os.path.realpath(Path(data_dir) / name)) for name, _digest in folder]
        package_key = key_of("package", code_version(), display_dir, str(data_dir), folder, real)
        verdict = store.get(package_key, f"{display_dir}/")
        if verdict is not None:
            return descriptor, _problems_of(verdict["problems"]), []
    problems = assembled.problems + descriptor_problems(assembled)
    problems += location_problems(assembled, Path(data_dir), display_dir)
    if problems:
        return descriptor, problems, []
    known = {r["name"] for r in descriptor["resources"]}
    checked, validated, pending = {}, [], []
    for res in descriptor["resources"]:
        display = f"{display_dir}/{res['path']}"
        path = Path(data_dir) / res["path"]
        if not path.exists():
            problems.append(Problem(display, None, None, f'expected the file of resource "{res["name"]}", '
                                                         f"found no such file. Re-run `invoke curate`."))
            continue
        too_big = size_problem(res, path, display)
        if too_big:  # before reading it: a 50 MB file is refused in a moment, naming the file
            problems.append(too_big)
            continue
        raw = path.read_bytes()
        value = links.digest(raw, res, display)
        entry = kept.get(display)
        if entry is None or entry.digest != value:  # new or changed since the last run
            file_key = key_of("dataset", code_version(), value)
            stored = store.get(file_key, display) if store is not None else None
            if stored is None:
                pending.append((res, raw, display, value, file_key))
                checked[res["name"]] = None  # validated below (in the workers when several are)
                continue
            entry = _parsed(res, raw, display, value, known, stored)  # validated by an earlier build process
            kept[display] = entry
        checked[res["name"]] = entry
    verdicts = _verdicts(pending, known, pool, remote)
    for res, raw, display, value, file_key in pending:
        if display in verdicts:
            entry = _parsed(res, raw, display, value, known, verdicts[display])
        else:
            entry = _check_file(res, raw, display, value, known)
        validated.append(display)
        if store is not None:
            store.put(file_key, {"problems": _problems_json(entry.problems), "parsed": entry.schema is not None})
        kept[display] = checked[res["name"]] = entry
    for entry in checked.values():
        problems += entry.problems
    # Keep only the files of the package just validated (a test's copy is not kept forever).
    current = {f"{display_dir}/{r['path']}" for r in descriptor["resources"]}
    for display in [d for d in kept if d not in current]:
        del kept[display]
    parsed = {name for name, entry in checked.items() if entry.schema is not None}
    for res in descriptor["resources"]:
        if res["name"] not in parsed:
            continue
        # A reference into a file that is already broken would only echo its problems.
        fks = [fk for fk in res["schema"].get("foreignKeys", [])
               if (fk["reference"]["resource"] or res["name"]) in parsed]
        problems += links.foreign_key_problems(res, checked[res["name"]], f"{display_dir}/{res['path']}",
                                               checked, fks)
    order = {f"{display_dir}/{r['path']}": i for i, r in enumerate(descriptor["resources"])}
    problems.sort(key=lambda p: (order.get(p.path, -1), p.line or 0, p.column or 0, p.message))
    if package_key is not None:
        store.put(package_key, {"problems": _problems_json(problems)})
    return descriptor, problems, validated
