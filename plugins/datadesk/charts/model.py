"""What a chart definition is, whichever file it came from (``definitions.py`` reads the
Python ones, ``yamlchart.py`` the YAML ones; both build these)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import ChartError

TEXT_KEYS = ("title", "subtitle", "notes", "source", "alt", "description")
FILTER = re.compile(r"^\s*([A-Za-z_]\w*)\s*(>=|<=|!=|==|=|>|<|\bin\b)\s*(.+?)\s*$")


@dataclass
class DataUse:
    name: str
    columns: list[str] | None = None  # None: every column
    filters: list[str] = field(default_factory=list)


@dataclass
class Definition:
    id: str
    path: Path
    display: str  # as editors see it: content/charts/<id>.py
    kind: str  # "python" | "yaml"
    uses: list[DataUse]
    text: dict
    labels: dict
    units: dict
    chart: Callable
    select: Callable | None = None
    table: Callable | None = None
    max_rows: int | None = None
    max_rows_reason: str | None = None
    lines: dict = field(default_factory=dict)  # key -> line in the file, for messages

    def where(self, key: str | None = None) -> str:
        line = self.lines.get(key) if key else None
        return f"{self.display}:{line}" if line else self.display

    def error(self, what: str, fix: str, key: str | None = None, line: int | None = None) -> ChartError:
        where = f"{self.display}:{line}" if line else self.where(key)
        return ChartError(self.id, what, fix, where)

    @property
    def primary(self) -> str:
        return self.uses[0].name


def _filters(chart_id, value, where) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    bad = [v for v in value if not isinstance(v, str) or not FILTER.match(v)]
    if bad:
        raise ChartError(chart_id, f'filter {bad[0]!r} is not "column operator value"',
                         'Write filters like "date >= 2022-12-01" or "group in [1, 2]" '
                         "(operators: = != < <= > >= in).", where)
    return list(value)
