"""The one error base of the site's generator: every mistake an editor can meet (a bad
cell, chart, shortcode, setting, front matter, corrections entry...) is a ``DeskError``.

An error knows where it is (``file``, ``line``, ``column``), what is wrong (``message``)
and how to fix it (``fix``), and is shown one way: ``render`` below, which ``str()`` of
every error returns, the build's report prints and the preview's overlay shows.

The form is the house style's (STYLE.md, "Errors"): one line an editor's tools can jump
to, ``file:line:column: message. Fix.`` Errors that gather several problems (all the bad
cells of all the datasets, every broken entry of the corrections log) carry the whole
report as their message, one problem per line.
"""

from __future__ import annotations


class DeskError(Exception):
    """A problem an editor can fix: where, what, how. Subclasses say which part found it."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 column: int | None = None, fix: str | None = None):
        self.message = str(message)
        self.file = None if file is None else str(file)
        self.line = line
        self.column = column
        self.fix = fix
        super().__init__(self.message)

    @property
    def location(self) -> str:
        """``file:line:column`` with what is known (``""`` when nothing is)."""
        return location(self.file, self.line, self.column)

    def __str__(self) -> str:
        return render(self)

    def as_dict(self) -> dict:
        """For a program (the preview, tests): the parts, and the line a person reads."""
        return {"kind": type(self).__name__, "file": self.file, "line": self.line,
                "column": self.column, "message": self.message, "fix": self.fix,
                "text": render(self)}


class TranslationCatalogError(DeskError):
    """A translation catalogue (a gettext ``.po`` file of the theme) cannot be read; raised by
    the i18n_catalogs plugin. Not the data catalogue."""


def location(file: str | None, line: int | None = None, column: int | None = None) -> str:
    if not file:
        return ""
    parts = [str(file)] + [str(n) for n in (line, column) if n is not None]
    if column is not None and line is None:
        parts = [str(file)]  # a column without its line points nowhere
    return ":".join(parts)


def render(error: BaseException) -> str:
    """How an error reads, in the terminal, the build report and the preview:
    ``file:line:column: message Fix.`` (the parts that are known). Errors that are not the
    desk's read as their own text, prefixed by their class so they are not mistaken for
    an editor's mistake."""
    if not isinstance(error, DeskError):
        return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    where = error.location
    text = f"{where}: {error.message}" if where else error.message
    if error.fix:
        text = f"{text} {error.fix}"
    return text
