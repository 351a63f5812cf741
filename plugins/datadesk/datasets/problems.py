"""The one error type of the catalog and the shape of every message in it:

    data/<file>.csv:<line>:<column>: <column name>: expected <what>, found <what>. <How to fix.>

``line`` is the line number an editor sees in a text editor (the header is
line 1; a quoted cell spanning several lines moves the following rows down).
``column`` is the 1-based position of the column in the header. File-level
problems leave out the column, descriptor-level problems the line too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..errors import DeskError


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class DataValidationError(DeskError):
    """Curated data does not match its description (data/<name>.resource.json). ``str()`` is the full report."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = (f"{count} problem{'s' if count != 1 else ''} in the curated data; "
                f"the build stopped before writing anything.")
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


def show(value, limit: int = 60) -> str:
    """A cell as an editor recognises it: quoted, shortened, line breaks visible."""
    if value is None:
        return "an empty cell"
    text = str(value)
    if text == "":
        return "an empty cell"
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


class Records:
    """Parses CSV text once, remembering on which line each record starts.

    Record 1 is the header. A blank line is a record of its own (an empty list),
    which is also how Frictionless numbers rows, so Frictionless's
    ``row_number`` indexes this list directly.
    """

    def __init__(self, text: str):
        self.rows: list[list[str]] = []
        self.lines: list[int] = []
        reader = csv.reader(io.StringIO(text, newline=""))
        previous = 0
        for row in reader:
            self.rows.append(row)
            self.lines.append(previous + 1)
            previous = reader.line_num

    def line_of(self, row_number: int) -> int:
        """Editor line of Frictionless's ``row_number`` (1 = header)."""
        if 1 <= row_number <= len(self.lines):
            return self.lines[row_number - 1]
        return row_number

    def data(self):
        """(row_number, line, cells) for every record after the header."""
        for index in range(1, len(self.rows)):
            yield index + 1, self.lines[index], self.rows[index]
