"""Intra-site links that lead nowhere, named with the file and line that hold them.

An editor links another article with ``[la note]({filename}/articles/x.fr.md)`` and a
picture with ``![…]({static}/images/x.png)``. When the file is not there (a typo, a file
renamed or deleted), Pelican logs only ``Unable to find '/x.fr.md', skipping url
replacement.`` when it writes the page: no article, no line, and the link would be
published as it was typed. This check runs once every file is read
(``all_generators_finalized``), finds the same links Pelican will replace (its own pattern,
``Content._get_intrasite_link_regex``) and looks each up the way Pelican does
(``Content._link_replacer``), without its side effects; each one Pelican would not find is
an error with the file, the line, what the path was taken to mean and the closest file
that exists. Pelican's own vaguer warning for that link is then left out of the report.
"""

from __future__ import annotations

import difflib
import logging
import os
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlparse

from datadesk.shortcodes import display_path

logger = logging.getLogger(__name__)

KINDS = {"filename": "generated_content", "static": "static_content", "attach": "static_content"}
DEFAULT_REGEX = "[{|](?P<what>.*?)[|}]"  # Pelican's INTRASITE_LINK_REGEX
PELICANS = "Unable to find '%s', skipping url replacement."  # pelican/contents.py, 4.12


class _Reported(logging.Filter):
    """Drops Pelican's "Unable to find" warning for a link this check reported (by the
    link's text): the build's report lists the precise message once, not a vague twin."""

    def __init__(self):
        super().__init__()
        self.values: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == PELICANS and record.args and record.args[0] in self.values)


REPORTED = _Reported()
logging.getLogger("pelican.contents").addFilter(REPORTED)


def _find(content, context: dict, key: str, path: str):
    """What Pelican's ``_link_replacer`` finds for ``path`` in ``context[key]`` (None if nothing)."""
    if path.startswith("/"):
        path = path[1:]
    else:  # relative to the source path of this content
        path = content.get_relative_source_path(os.path.join(content.relative_dir, path))
    return (context.get(key) or {}).get(path)


def found(content, context: dict, what: str, value: str) -> bool:
    """Whether Pelican finds the target of ``{what}value`` linked from ``content``: the path,
    unquoted, HTML-unescaped; a ``{filename}`` may also name a static file (Pelican warns
    with the file's name then)."""
    key = KINDS[what]
    url = urlparse(value)
    for path in (url.path, unquote(url.path), urlparse(unescape(url.geturl())).path):
        target = _find(content, context, key, path)
        # Pelican's static generator adds a linked file to the context before it knows the
        # file is there (it then logs "Cannot get modification stamp", naming no article)
        if target is not None and (key != "static_content" or os.path.isfile(target.source_path)):
            return True
    return what == "filename" and found(content, context, "static", value)


def _line(source: Path, text: str) -> int | None:
    """The first line of the source file holding ``text`` (as typed, or HTML-unescaped)."""
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for wanted in (text, unescape(text)):
        for number, line in enumerate(lines, 1):
            if wanted in line:
                return number
    return None


def _meant(content, settings: dict, value: str) -> str:
    """Where the path was looked for, as the editor knows it (content/…)."""
    path = urlparse(value).path
    folder = Path(settings["PATH"]) if path.startswith("/") else Path(content.source_path).parent
    return display_path(os.path.normpath(folder / path.lstrip("/")), settings)


def _closest(context: dict, what: str, value: str) -> str | None:
    """The known file whose path from content/ is closest to the one typed."""
    known = sorted(path for path, target in (context.get(KINDS[what]) or {}).items()
                   if what == "filename" or os.path.isfile(target.source_path))
    typed = urlparse(value).path.lstrip("/")
    match = difflib.get_close_matches(typed, known, 1, 0.6)
    if not match:  # a file moved to another folder: the same name elsewhere
        names = [k for k in known if Path(k).name == Path(typed).name]
        match = names[:1]
    return f"{{{what}}}/{match[0]}" if match else None


def problems(content, context: dict, settings: dict) -> list[tuple[str, int | None, str, str]]:
    """(display path, line, message, link value) for each intra-site link of ``content`` that
    Pelican would leave as typed."""
    html = getattr(content, "_content", None)
    source = getattr(content, "source_path", None)
    if not html or not source:
        return []
    if settings.get("INTRASITE_LINK_REGEX") == DEFAULT_REGEX and not any(
            f"{{{what}}}" in html or f"|{what}|" in html for what in KINDS):
        return []  # no link to look up (a plain search, much quicker than Pelican's pattern)
    out = []
    for match in content._get_intrasite_link_regex().finditer(html):
        what, value = match.group("what"), match.group("value")
        if what not in KINDS or found(content, context, what, value):
            continue
        typed = match.group("path")
        expected = ("an article or page of content/ (a Markdown file)" if what == "filename"
                    else "a file of content/ (a picture, a PDF…)")
        hint = _closest(context, what, value)
        example = "{filename}/articles/x.fr.md" if what == "filename" else f"{{{what}}}/images/x.png"
        fix = (f"Did you mean {hint}? " if hint else "") + (
            f"Write the path from content/, starting with / (e.g. {example}), or from this file's folder.")
        message = (f'the link "{typed}" leads nowhere: {_meant(content, settings, value)} is not '
                   f"{expected}. {fix}")
        out.append((display_path(source, settings), _line(Path(source), typed), message, value))
    return out


def _contents(generators) -> list:
    """Every article and page the generators made, their translations and drafts included."""
    seen, out = set(), []
    for generator in generators:
        for name in ("articles", "translations", "drafts", "drafts_translations", "hidden_articles",
                     "hidden_translations", "pages", "hidden_pages", "draft_pages", "draft_translations"):
            for content in getattr(generator, name, None) or ():
                if id(content) not in seen:
                    seen.add(id(content))
                    out.append(content)
    return out


def check_links(generators) -> None:
    """``all_generators_finalized``: every content's intra-site links looked up, each one
    that leads nowhere logged as an error (the build fails, output/ is left as it was)."""
    if not generators:
        return
    settings = generators[0].settings
    context = generators[0].context
    for content in _contents(generators):
        for display, line, message, value in problems(content, context, settings):
            REPORTED.values.add(value)
            where = f"{display}:{line}" if line else display
            logger.error("%s: %s", where, message)
