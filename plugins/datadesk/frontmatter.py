"""The front matter of Markdown articles and pages: the one reader of it in the project,
public as ``datadesk.frontmatter``.

The Markdown reader (``shortcodes.py``: where the header ends, the page's language), the
editorial checks, the corrections log (which Slugs exist), the new-article scaffold and the
tests all read the header here, so a line one of them sees as a field is a
field for all of them, and for Pelican: parsing follows Python-Markdown's ``meta`` extension
(what Pelican's Markdown reader uses), line numbers included.

- :func:`parse` reads text; :func:`read` reads a file (a file that is not UTF-8 is a
  :class:`Problem`, with the fix).
- :class:`FrontMatter` holds each field with its line and its name as typed, the lines an
  editor sees as the header (up to the first blank line), the lines Markdown's ``meta``
  extension takes, and the lines that look like fields after the header ended early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

META = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
# "Catégorie: …": Markdown ends the front matter at a key with an accent, and the rest
# of the header becomes text; such a line is still worth naming.
LOOSE = re.compile(r"^[ ]{0,3}(?P<key>[^\s:]+):\s*(?P<value>.*)")
BEGIN = re.compile(r"^-{3}(\s.*)?")
END = re.compile(r"^(-{3}|\.{3})(\s.*)?")


@dataclass
class Source:
    path: Path  # on disk
    display: str  # as the editor knows it: content/articles/x.fr.md
    kind: str  # "article" or "page"


class Fields:
    """``value`` and ``line`` of a header's ``fields`` (key -> (value, line, as typed)): the
    front matter read here, and what the editorial checks keep of it (editorial.checks.Summary)."""

    fields: dict[str, tuple[str, int, str]]

    def value(self, key: str) -> str | None:
        return self.fields[key][0] if key in self.fields else None

    def line(self, key: str, default: int = 1) -> int:
        return self.fields[key][1] if key in self.fields else default


@dataclass
class FrontMatter(Fields):
    source: Source
    fields: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # key -> (value, line, as typed)
    text: str = ""
    stray: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # after the front matter
    # The header as the editor sees it: (line number, line) up to the first blank line or
    # the closing ---/... (a line that ended Markdown's front matter early is still in it).
    header: list[tuple[int, str]] = field(default_factory=list)
    start: int = 0  # 1 when the file opens with ---, else 0 (index of the first header line)
    meta_length: int = 0  # leading lines Markdown's meta extension takes (markers included)


@dataclass
class Problem:
    display: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.display}:{self.line}: {self.message}"


def parse(text: str, source: Source | None = None) -> FrontMatter:
    """The front matter of ``text`` as Python-Markdown's ``meta`` extension reads it: fields
    are ``Key: value`` lines (up to three leading spaces), a line indented by four spaces or
    more continues the previous field, and the header ends at a blank line, at ``---`` or
    ``...``, or at the first line that is neither (which Markdown then reads as text)."""
    matter = FrontMatter(source, text=text)
    lines = text.splitlines()
    start = matter.start = 1 if lines and BEGIN.match(lines[0]) else 0
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip() or END.match(line):
            break
        matter.header.append((number, line))
    key = None
    matter.meta_length = start
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip() or END.match(line):
            matter.meta_length = number  # Markdown takes the blank line or marker too
            break
        meta = META.match(line)
        if meta:
            key = meta.group("key").lower()
            matter.fields.setdefault(key, (meta.group("value").strip(), number, meta.group("key")))
            matter.meta_length = number
            continue
        more = META_MORE.match(line)
        if more and key:
            value, first, typed = matter.fields[key]
            matter.fields[key] = (f"{value} {more.group('value').strip()}".strip(), first, typed)
            matter.meta_length = number
            continue
        for later, rest in enumerate(lines[number - 1:], start=number):
            loose = LOOSE.match(rest)
            if not rest.strip() or not loose:
                break
            matter.stray[loose.group("key").lower()] = (loose.group("value").strip(), later,
                                                        loose.group("key"))
        break
    return matter


def lang_of(matter: FrontMatter, path: str | Path, default: str) -> str:
    """The language of a document: its ``Lang:`` field, else its ``.fr.md`` suffix, else
    ``default`` (the Markdown reader's, datadesk/shortcodes.py, and the up-to-date check's)."""
    lang = (matter.value("lang") or "").split()
    if len(lang) == 1:
        return lang[0].lower()
    suffixes = Path(path).suffixes
    if len(suffixes) >= 2 and len(suffixes[-2]) == 3:
        return suffixes[-2][1:].lower()
    return default


def read(source: Source) -> tuple[FrontMatter | None, Problem | None]:
    """The front matter of a file, or the problem that keeps it from being read."""
    try:
        text = source.path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return None, Problem(source.display, 1, "the file is not saved as UTF-8 text; expected "
                             "UTF-8, found another encoding. Save it again as UTF-8 (in most "
                             "editors: File > Save with encoding > UTF-8).")
    return parse(text, source), None
