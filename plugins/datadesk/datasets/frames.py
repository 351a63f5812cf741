"""Load a validated CSV into pandas with the types its Table Schema declares:
dates and datetimes as datetime64, integers as nullable Int64, numbers as
float64, booleans as nullable boolean, text as str (missing = NaN)."""

from __future__ import annotations

from pathlib import Path

from .. import lazy

pd = lazy.module("pandas")


TRUE = {"true", "True", "TRUE", "1"}
FALSE = {"false", "False", "FALSE", "0"}


def load_frame(path: Path, fields: list[dict]) -> pd.DataFrame:
    # Everything as text first: pandas' own guessing would turn "001" or "NA" into something else.
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for field in fields:
        name, kind = field["name"], field.get("type", "string")
        column = frame[name].str.strip()
        empty = column == ""
        if kind == "integer":
            frame[name] = pd.to_numeric(column.mask(empty)).astype("Int64")
        elif kind == "number":
            frame[name] = pd.to_numeric(column.mask(empty)).astype("float64")
        elif kind == "date":
            frame[name] = pd.to_datetime(column.mask(empty), format="%Y-%m-%d")
        elif kind == "datetime":
            frame[name] = pd.to_datetime(column.mask(empty), format="ISO8601")
        elif kind == "year":
            frame[name] = pd.to_numeric(column.mask(empty)).astype("Int64")
        elif kind == "boolean":
            frame[name] = column.map(lambda v: True if v in TRUE else False if v in FALSE else pd.NA).astype(
                "boolean")
        else:
            frame[name] = frame[name].mask(frame[name] == "")
    return frame
