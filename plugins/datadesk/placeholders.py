"""Charts and inline values converted as placeholders, filled after the conversion.

The Markdown reader (shortcodes.py) converts a file once and keeps the result
(articles.py). What a ``{{ value … }}`` or ``{{ chart … }}`` shows depends on a dataset (a
cell, the rows of a figure's data table), and a kept conversion that held their HTML would
have to be made again whenever one of those datasets changed. So the conversion writes a
**placeholder** where each goes, and the kept HTML holds the placeholders, not the
figures: it depends on the file's text and the reader's settings only. Each time the file
is read (a conversion or a kept entry), :func:`fill` puts each one's HTML in place, asking
the shortcode's handler again (the values' memo and ``.cache/values``, the figures' memo
and ``.cache/prepared``, keyed by the datasets' content hashes); so a CSV edit converts no
article again, and recomputes the values and charts of that dataset only.

The filling is done in the reader, before Pelican makes the content object: everything that
shows the HTML (the article page, the summary on listing pages, the feeds, the search index,
the JSON-LD, the social cards' description) sees the filled HTML, and nothing else changes.
One exception: the main site's run reads the files of its language subsites too, only to
link them as translations, and leaves the body of such a file unfilled when it has a
``Summary:`` (``ShortcodeMarkdownReader._body_unseen``); the subsite's own run fills it.
Were a page or feed of the main site ever to show it, its placeholders would fail the build.

A placeholder is ``U+E000 datadesk: <20 hex digits> U+E001``: two private-use characters
around a digest of the file's path, the shortcode's rank in the file, its name and arguments.
It cannot be forged: a source file that holds either private-use character is refused with
its line and column (:func:`refuse`) before it is converted, and :func:`fill` replaces only
the placeholders the conversion of that very file wrote, each exactly once; one it did not
write fails the build. A placeholder left in a written page or feed fails the build with the
file and line (``links.check_written``).
"""

from __future__ import annotations

import re

from .store import key_of

OPEN, CLOSE = "\ue000", "\ue001"
PREFIX = OPEN + "datadesk:"
MARKER = re.compile("\ue000datadesk:([0-9a-f]{20})\ue001")
HELD = ("value", "chart")  # the shortcodes whose HTML reads datasets: placeholders


def marker(display: str, rank: int, name: str, args: str) -> tuple[str, str]:
    """(id, placeholder) of the ``rank``-th shortcode of a file (ids are the same in every build)."""
    ident = key_of("placeholder", display, rank, name, args)[:20]
    return ident, f"{PREFIX}{ident}{CLOSE}"


def refuse(text: str, display: str) -> list[str]:
    """The problems of a source file holding a placeholder's characters (``file:line: …``)."""
    problems = []
    if OPEN not in text and CLOSE not in text:
        return problems
    for number, line in enumerate(text.splitlines(), start=1):
        for column, char in enumerate(line, start=1):
            if char in (OPEN, CLOSE):
                problems.append(
                    f"{display}:{number}: the character U+{ord(char):04X} (column {column}, a private-use "
                    f"character that shows as nothing) cannot be written in a source file: the build "
                    f"marks where a chart or an inline value goes with it. Delete it.")
    return problems


def unwrap(html: str, placeholder: str, block_level: bool) -> str:
    """What the sanitiser does when it puts a shortcode's HTML back: a block-level one (a
    figure) standing alone is not kept inside a paragraph."""
    if block_level:
        return html.replace(f"<p>{placeholder}</p>", placeholder)
    return html


def fill(html: str, answers: dict[str, str], seen: set[str]) -> str:
    """``html`` with each placeholder replaced by its answer (``answers``: id -> HTML).
    Raises KeyError naming a placeholder this file's conversion did not write, or wrote
    once and is found again; ``seen`` collects the ids filled (across the body and fields)."""
    if OPEN not in html:
        return html

    def put(match: re.Match) -> str:
        ident = match.group(1)
        if ident not in answers or ident in seen:
            raise KeyError(ident)
        seen.add(ident)
        return answers[ident]

    return MARKER.sub(put, html)


def leftover(text: str) -> int | None:
    """The 1-based line of the first placeholder left in ``text`` (None: none)."""
    at = text.find(PREFIX)
    return None if at < 0 else text.count("\n", 0, at) + 1
