"""Checks Frictionless cannot make or words badly: how the file was saved
(encoding, delimiter, empty, header), spreadsheet formula injection, duplicate
keys, and the cross-field rules declared in each resource's ``rules``."""

from __future__ import annotations

import datetime as dt

import sanitise

from .problems import Problem, Records, show

BOM = b"\xef\xbb\xbf"
# Types Frictionless checks strictly (a cell that is not a number/date/boolean is already
# refused); every other column holds text a spreadsheet could run.
TYPED = {"integer", "number", "boolean", "date", "datetime", "time", "year", "yearmonth", "duration"}
REGENERATE = "Re-run `invoke curate` to regenerate it, or restore it from git"



def described(display: str) -> str:
    """The description file beside a CSV, as messages name it: data/x.csv -> data/x.resource.json."""
    return display[:-4] + ".resource.json" if display.endswith(".csv") else display

def decode(raw: bytes, display: str, names: list[str]) -> tuple[str | None, list[Problem]]:
    """UTF-8 with or without a BOM, any line ending; anything else is one clear problem."""
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    if not raw.strip():
        return None, [Problem(display, 1, None,
                              f"expected a header row ({', '.join(names)}) and data rows, found an empty file. "
                              f"{REGENERATE}.")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = raw[line_start: exc.start].decode("latin-1").count(",") + 1
        byte = raw[exc.start]
        char = bytes([byte]).decode("cp1252", errors="replace")
        return None, [Problem(display, line, column,
                              f"expected UTF-8 text, found byte 0x{byte:02X} (\"{char}\" in Latin-1/Windows-1252): "
                              f"the file was saved in another encoding. Save it again as \"CSV UTF-8\" "
                              f"(or convert it: iconv -f latin1 -t utf-8).")]


def structure(records: Records, display: str, names: list[str]) -> list[Problem]:
    """Delimiter, header-only and header problems. Any of them stops that file's row checks."""
    header = records.rows[0] if records.rows else []
    joined = ",".join(header)
    for delimiter, label in ((";", "semicolons"), ("\t", "tabs")):
        if len(header) == 1 and len(names) > 1 and delimiter in header[0]:
            return [Problem(display, 1, None,
                            f"expected columns separated by commas, found {label} ({show(joined)}). "
                            f"Save the file as comma-separated CSV (in a French-locale spreadsheet choose "
                            f"\"CSV UTF-8 (comma delimited)\"), or {REGENERATE.lower()}.")]
    problems = []
    stripped = [h.strip() for h in header]
    for position, name in enumerate(names, start=1):
        if name not in stripped:
            after = f" (after \"{names[position - 2]}\")" if position > 1 else " (first column)"
            problems.append(Problem(display, 1, position,
                                    f"expected column \"{name}\"{after}, found it missing from the header. "
                                    f"Add the column back, or remove it from the schema in {described(display)}."))
    for position, label in enumerate(stripped, start=1):
        if label not in names:
            problems.append(Problem(display, 1, position,
                                    f"expected only the schema's {len(names)} columns, found extra column "
                                    f"{show(label)}. Remove the column, or describe it in {described(display)}."))
    if not problems and stripped != names:
        for position, (label, name) in enumerate(zip(stripped, names), start=1):
            if label != name:
                problems.append(Problem(display, 1, position,
                                        f"expected column \"{name}\" here, found \"{label}\". Put the columns "
                                        f"in the schema's order: {', '.join(names)}."))
                break
    if problems:
        return problems
    if not any(row for row in records.rows[1:]):
        return [Problem(display, 2, None,
                        f"expected at least one data row, found only the header. {REGENERATE}.")]
    return []


def formulas(records: Records, display: str, fields: list[dict]) -> list[Problem]:
    """A cell a spreadsheet would run as a formula: = + - @ first, after trimming and
    width-normalising (so a leading space, TAB, CR or a full-width ＝ does not hide it).

    Every header and every cell of every column that is not typed as a number, a date or a
    boolean is checked (``string``, ``any``...); a plain number such as -3 is a number."""
    problems = []
    for index, label in enumerate(records.rows[0] if records.rows else []):
        why = sanitise.formula_start(label)
        if why:
            problems.append(Problem(
                display, 1, index + 1,
                f"expected a plain column name, found {show(label)}, which starts with {why} and would "
                f"run as a formula when the file is opened in a spreadsheet. Rename the column."))
    text_columns = [(i, f["name"]) for i, f in enumerate(fields) if f.get("type", "string") not in TYPED]
    for _, line, cells in records.data():
        for index, name in text_columns:
            why = sanitise.formula_start(cells[index]) if index < len(cells) else None
            if why:
                problems.append(Problem(
                    display, line, index + 1,
                    f"{name}: expected plain text, found {show(cells[index])}, which starts with "
                    f"{why} and would run as a formula when the file is opened in a "
                    f"spreadsheet. Reword the cell so it starts with a letter or digit."))
    return problems


def duplicates(records: Records, display: str, fields: list[dict], schema: dict) -> list[Problem]:
    names = [f["name"] for f in fields]
    keys = []
    primary = schema.get("primaryKey") or []
    if isinstance(primary, str):
        primary = [primary]
    if primary:
        keys.append((list(primary), "primary key"))
    for f in fields:
        if f.get("constraints", {}).get("unique") and [f["name"]] != list(primary):
            keys.append(([f["name"]], "unique column"))
    problems = []
    for key, kind in keys:
        if not all(k in names for k in key):
            continue
        idx = [names.index(k) for k in key]
        seen: dict[tuple, int] = {}
        for _, line, cells in records.data():
            if not cells or len(cells) <= max(idx):
                continue
            value = tuple(cells[i].strip() for i in idx)
            if all(v == "" for v in value):
                continue
            if value in seen:
                problems.append(Problem(
                    display, line, idx[0] + 1,
                    f"{', '.join(key)}: expected a unique value ({kind}), found "
                    f"{show(', '.join(value))} again (first on line {seen[value]}). "
                    f"Delete the duplicate row or correct its {', '.join(key)}."))
            else:
                seen[value] = line
    return problems


def _number(cell: str):
    try:
        return float(cell)
    except (TypeError, ValueError):
        return None


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) >= 1e-4 or value == 0 else repr(value)


def rules(records: Records, display: str, fields: list[dict], resource: dict) -> list[Problem]:
    """Cross-field rules: ``less_or_equal``, ``sum_equals``, the stated date range, a source per row."""
    names = [f["name"] for f in fields]
    col = {n: i for i, n in enumerate(names)}
    problems = []

    def cell(cells, name):
        i = col.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    temporal = resource.get("temporal") or {}
    start, end = temporal.get("start"), temporal.get("end")
    date_fields = [f["name"] for f in fields if f.get("type") == "date"]
    source_fields = [n for n in ("source_url", "source_id") if n in col]
    for _, line, cells in records.data():
        if len(cells) != len(names):
            continue  # blank, short or long rows are reported as such; their values are not where we look
        for rule in resource.get("rules", []):
            kind, name = rule.get("rule"), rule.get("field")
            if kind == "less_or_equal":
                low, high = _number(cell(cells, name)), _number(cell(cells, rule["other"]))
                # Relative tolerance: values computed upstream in floating point (1.0000000000000002).
                if low is not None and high is not None and low > high + 1e-9 * max(abs(high), 1.0):
                    problems.append(Problem(
                        display, line, col[name] + 1,
                        f"{name}: expected at most {rule['other']} ({_fmt(high)}), found {_fmt(low)}. "
                        f"Check both cells: {name} cannot exceed {rule['other']}."))
            elif kind == "sum_equals":
                parts = [_number(cell(cells, p)) for p in rule["parts"]]
                total = _number(cell(cells, name)) if name else float(rule["value"])
                if total is None or any(p is None for p in parts):
                    continue
                if abs(sum(parts) - total) > float(rule.get("tolerance", 1e-9)) + 1e-12:
                    target = name or rule["parts"][0]
                    what = name if name else str(rule["value"])
                    problems.append(Problem(
                        display, line, col[target] + 1,
                        f"{' + '.join(rule['parts'])}: expected to add up to {what} ({_fmt(total)}), "
                        f"found {_fmt(sum(parts))}. Fix the parts or the total."))
        for name in date_fields:
            value = cell(cells, name)
            try:
                day = dt.date.fromisoformat(value) if value else None
            except ValueError:
                continue  # reported by Frictionless as a bad date
            if day and start and end and not (start <= day.isoformat() <= end):
                problems.append(Problem(
                    display, line, col[name] + 1,
                    f"{name}: expected a date from {start} to {end} (the dataset's stated coverage), "
                    f"found \"{value}\". Fix the date, or widen \"temporal\" in {described(display)}."))
        if source_fields and not any(cell(cells, n) for n in source_fields):
            problems.append(Problem(
                display, line, col[source_fields[0]] + 1,
                f"{' or '.join(source_fields)}: expected a source for this row, found an empty cell. "
                f"Add the link to the document the row comes from."))
    return problems
