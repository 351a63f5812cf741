"""What ``{{ value ... }}`` asks for, and the rows of a dataset that answer it.

Parsing knows nothing about datasets; selection works on a pandas DataFrame and its
Table Schema fields, so each error can name the valid columns, values or ranges.
"""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import lazy
from ..errors import DeskError

pd = lazy.module("pandas")

AGGREGATES = ["sum", "min", "max", "mean", "count", "distinct", "share", "first", "last"]
OPTIONS = ["format", "unit", "by", "of", "within"]
OPERATORS = [">=", "<=", "!=", "=", ">", "<"]
TOKEN = re.compile(r"^(?P<key>[A-Za-z_][\w:]*)(?P<op>>=|<=|!=|=|>|<)(?P<value>.*)$", re.S)
COLUMN_PREFIX = "column:"  # filters a column that is named like an option: column:unit=GW
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
NUMERIC = {"integer", "number", "year"}
DATES = {"date", "datetime"}


class QueryError(DeskError, ValueError):
    """The shortcode cannot be answered; the message says what is wrong and how to fix it."""


@dataclass
class Filter:
    column: str
    op: str
    text: str  # as the editor typed it, for messages

    def __str__(self) -> str:
        return f"{self.column}{self.op}{self.text}"


@dataclass
class Query:
    aggregate: str | None
    dataset: str
    column: str
    filters: list[Filter] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


def names_list(names, limit: int = 12) -> str:
    names = list(names)
    shown = ", ".join(str(n) for n in names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def did_you_mean(word: str, choices, cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=cutoff)
    return f' Did you mean "{close[0]}"?' if close else ""


# Each shortcode's arguments parsed once per process (a build reads the same ones in its
# conversions, their records and the placeholders' fills, both languages): args -> Query.
# Only queries that parse are kept; bounded, for a long-running preview.
_PARSED: dict[str, Query] = {}
_PARSED_MAX = 20_000


def parse(args: str) -> Query:
    """``sum strikes.missiles wave_start>=2022-10-10 format=integer`` -> Query (a new object
    each time: the caller may change it; its filters are never changed)."""
    kept = _PARSED.get(args)
    if kept is None:
        kept = _parse(args)  # raises QueryError: nothing kept
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[args] = kept
    return Query(kept.aggregate, kept.dataset, kept.column, list(kept.filters), dict(kept.options))


def _parse(args: str) -> Query:
    text = args.translate(QUOTES).replace("\u00a0", " ").replace("\u202f", " ")
    try:
        tokens = shlex.split(text)
    except ValueError:
        raise QueryError('a quotation mark is not closed; write key="two words" with both quotes.')
    usage = ("write {{ value DATASET.COLUMN key=value }} or "
             "{{ value sum DATASET.COLUMN column>=value }}")
    if not tokens:
        raise QueryError(f"the value has nothing to show; {usage}.")
    aggregate = None
    if "." not in tokens[0] and "=" not in tokens[0] and (
            tokens[0].lower() in AGGREGATES or (len(tokens) > 1 and "." in tokens[1])):
        word = tokens.pop(0).lower()
        if word not in AGGREGATES:
            raise QueryError(f'"{word}" is not an aggregate; expected one of: '
                             f"{', '.join(AGGREGATES)}.{did_you_mean(word, AGGREGATES)}")
        aggregate = word
    if not tokens or "." not in tokens[0] or TOKEN.match(tokens[0]):
        found = f'found "{tokens[0]}"' if tokens else "found nothing"
        raise QueryError(f"expected DATASET.COLUMN{' after ' + aggregate if aggregate else ''}, "
                         f"{found}; {usage}.")
    dataset, _, column = tokens.pop(0).partition(".")
    query = Query(aggregate, dataset, column)
    for token in tokens:
        match = TOKEN.match(token)
        if not match:
            raise QueryError(f'"{token}" is not a filter or an option; write column=value '
                             f'(quotes around values with spaces: key="two words").')
        key, op, value = match.group("key", "op", "value")
        value = value.strip()  # « United Kingdom » comes with spaces inside
        if key in OPTIONS:
            if op != "=":
                raise QueryError(f"write {key}=…, not {key}{op}….")
            query.options[key] = value
        else:
            query.filters.append(Filter(key.removeprefix(COLUMN_PREFIX), op, value))
    return query


# --- values typed by the schema -------------------------------------------------------

def typed(text: str, kind: str, column: str):
    """The editor's text as the column's type, or a message saying what was expected."""
    if kind in DATES:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?", text):
            raise QueryError(f'{column} is a date; expected YYYY-MM-DD (e.g. 2022-10-10), '
                             f'found "{text}".')
        try:
            return pd.Timestamp(text)
        except ValueError:
            raise QueryError(f'{column}={text} is not a real date; check the day and month.')
    if kind in NUMERIC:
        try:
            return int(text) if kind in ("integer", "year") else float(text)
        except ValueError:
            hint = " Use a dot for decimals." if "," in text else ""
            raise QueryError(f'{column} holds numbers; found "{text}".{hint}')
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise QueryError(f'{column} is true or false; found "{text}".')
        return text.lower() == "true"
    return text


def column_kind(frame: pd.DataFrame, fields: dict, column: str) -> str:
    kind = fields.get(column, {}).get("type")
    if kind:
        return kind
    dtype = frame[column].dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    return "string"


def shown(value, kind: str) -> str:
    if kind in DATES and not pd.isna(value):
        return pd.Timestamp(value).strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M")
    return str(value)


def compare(series: pd.Series, op: str, value) -> pd.Series:
    ops = {"=": series.eq, "!=": series.ne, ">=": series.ge, "<=": series.le,
           ">": series.gt, "<": series.lt}
    return ops[op](value).fillna(False).astype(bool)


def select(frame: pd.DataFrame, fields: dict, filters: list[Filter], dataset: str) -> pd.DataFrame:
    """Rows matching every filter; when none do, say which filter emptied the selection
    and what the column holds among the rows still in play."""
    rows = frame
    for index, flt in enumerate(filters):
        kind = column_kind(frame, fields, flt.column)
        value = typed(flt.text, kind, flt.column)
        kept = rows[compare(rows[flt.column], flt.op, value)]
        if kept.empty:
            raise QueryError(_nothing_matches(rows, flt, kind, dataset, filters[:index], value))
        rows = kept
    return rows


def _nothing_matches(rows, flt: Filter, kind: str, dataset: str, before, value) -> str:
    where = f" among the rows with {', '.join(map(str, before))}" if before else ""
    present = rows[flt.column].dropna()
    if kind in DATES or kind in NUMERIC:
        low, high = shown(present.min(), kind), shown(present.max(), kind)
        return (f"no row of {dataset} has {flt}{where}; {flt.column} runs from {low} to {high}. "
                f"Change the value or the comparison.")
    values = sorted({str(v) for v in present})
    hint = ""
    if isinstance(value, str):
        same = [v for v in values if v.lower() == value.lower()]
        hint = f' Did you mean "{same[0]}"? (Capitals count.)' if same else did_you_mean(value, values)
    return (f"no row of {dataset} has {flt}{where}; {flt.column} is one of: "
            f"{names_list(values)}.{hint}")


def one_row(rows: pd.DataFrame, query: Query, line_of) -> pd.Series:
    """A cell is picked by key: exactly one row must match."""
    if len(rows) == 1:
        return rows.iloc[0]
    filters = ", ".join(map(str, query.filters)) or "no filter"
    lines = names_list([line_of(i) for i in rows.index], 6)
    differing = [c for c in rows.columns if rows[c].astype(str).nunique() > 1
                 and c != query.column][:3]
    advice = "Use an aggregate (sum, max, last …) to combine them."
    if differing:
        col = differing[0]
        example = rows[col].dropna().astype(str).iloc[0] if rows[col].notna().any() else ""
        advice = (f"They differ in {', '.join(differing)}: add a key such as "
                  f"{col}={_quote(example)} to pick one, or use an aggregate "
                  f"(sum, max, last …) to combine them.")
    raise QueryError(f"{len(rows)} rows of {query.dataset} match {filters} (lines {lines} of its "
                     f"CSV), and a value needs exactly one. {advice}")


def _quote(text: str) -> str:
    return f'"{text}"' if " " in text else text


# --- answers ---------------------------------------------------------------------------

@dataclass
class Answer:
    value: Any
    kind: str  # a Table Schema type
    unit: str | None  # a name in the unit table, or None
    rows: list  # index labels of the rows the value comes from
    integer: bool = False  # show without decimals unless format= says otherwise


def answer(frame: pd.DataFrame, fields: dict, query: Query, line_of: Callable) -> Answer:
    """The value a query asks for; ``line_of(index)`` gives the CSV line of a row."""
    rows = select(frame, fields, query.filters, query.dataset)
    col, agg = query.column, query.aggregate
    kind = column_kind(frame, fields, col)
    if agg is None:
        row = one_row(rows, query, line_of)
        if pd.isna(row[col]):
            raise QueryError(f"the {col} cell of {query.dataset} is empty at line "
                             f"{line_of(row.name)} of its CSV; pick another row or fill the cell.")
        unit = unit_of(fields, col, rows.loc[[row.name]], query)
        return Answer(row[col], kind, unit, [row.name], kind in ("integer", "year"))
    if agg in ("sum", "mean", "share") and kind not in NUMERIC - {"year"}:
        raise QueryError(f"{agg} needs a column of numbers, and {query.dataset}.{col} holds "
                         f"{'dates' if kind in DATES else kind + ' values'}; use count to count "
                         f"rows, or first/last/min/max to show one value.")
    if agg in ("min", "max") and kind not in NUMERIC | DATES:
        raise QueryError(f"{agg} needs numbers or dates, and {query.dataset}.{col} holds "
                         f"{kind} values; use first or last, or a key to pick one row.")
    values = rows[col].dropna()
    if agg == "count":
        return Answer(int(values.count()), "integer", None, list(values.index), True)
    if agg == "distinct":  # how many different values: days with an attack, not attacks
        return Answer(int(values.nunique()), "integer", None, list(values.index), True)
    if values.empty:
        raise QueryError(f"the {len(rows)} matching rows of {query.dataset} all have an empty "
                         f"{col}; change the filters.")
    unit = unit_of(fields, col, rows, query)
    integer = kind == "integer"
    if agg == "sum":
        return Answer(_plain(values.sum()), kind, unit, list(values.index), integer)
    if agg == "mean":
        return Answer(float(values.mean()), "number", unit, list(values.index))
    if agg in ("min", "max"):
        picked = values.idxmin() if agg == "min" else values.idxmax()
        return Answer(_plain(values.loc[picked]), kind, unit, [picked], integer)
    if agg == "share":
        return _share(frame, fields, query, rows, values)
    order = query.options.get("by") or next(
        (name for name, spec in fields.items() if spec.get("type") in DATES), None)
    ordered = rows.loc[values.index]
    if order:
        ordered = ordered.sort_values(order, kind="stable", na_position="first")
    picked = ordered.index[0 if agg == "first" else -1]
    return Answer(_plain(rows.loc[picked, col]), kind, unit, [picked], integer)


def _share(frame, fields, query: Query, rows, values) -> Answer:
    """share = the part's sum divided by the whole's sum (see README, "share")."""
    if "of" in query.options:
        whole_rows, whole_col = rows, query.options["of"]
    else:
        scope = [c.strip() for c in query.options.get("within", "").split(",") if c.strip()]
        missing = [c for c in scope if c not in {f.column for f in query.filters}]
        if missing:
            raise QueryError(f"within={','.join(scope)} names {', '.join(missing)}, which no "
                             f"filter uses; within lists filtered columns that also bound the whole.")
        whole_rows = select(frame, fields, [f for f in query.filters if f.column in scope],
                            query.dataset)
        whole_col = query.column
    whole = whole_rows[whole_col].dropna().sum()
    if not whole:
        raise QueryError(f"the whole for this share ({whole_col} over {len(whole_rows)} rows) "
                         f"is zero, so there is no share to show.")
    return Answer(float(values.sum()) / float(whole), "number", "share", list(values.index))


def unit_of(fields: dict, column: str, rows: pd.DataFrame, query: Query) -> str | None:
    """The schema's unit for the column; in long tables (``"unit": "see column unit"``, or no
    unit and a ``unit`` column), the unit the rows themselves carry."""
    unit = fields.get(column, {}).get("unit")
    pointer = re.fullmatch(r"see column (\w+)", unit or "")
    source = pointer.group(1) if pointer else None
    if source is None and not unit and "unit" in rows.columns and column != "unit":
        source = "unit"
    if source is None or source not in rows.columns:
        return unit
    units = sorted({str(u) for u in rows[source].dropna()})
    if len(units) > 1:
        raise QueryError(f"the matching rows of {query.dataset} mix units ({', '.join(units)}); "
                         f"add a filter such as column:{source}={units[0]} to keep one.")
    return units[0] if units else None


def _plain(value):
    """numpy and pandas scalars as Python ones, for Babel."""
    return value.item() if hasattr(value, "item") else value
