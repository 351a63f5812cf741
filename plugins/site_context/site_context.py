"""Template helpers that every page type shares: dates and numbers in the page's
language (Babel) and reading time; and the one place that keeps the build time out of
the output, so two builds of one commit are byte-identical."""

from __future__ import annotations

import datetime as dt
import functools
import math
from itertools import islice

from babel.dates import format_date
from babel.numbers import format_decimal
from datadesk import i18n
from datadesk.typography import french
from markupsafe import Markup
from pelican import signals

WORDS_PER_MINUTE = 200


def babel_locale(lang: str) -> str:
    """The data desk's locale table: dates and numbers in templates read as in charts and prose."""
    return i18n.babel_locale(lang)


def date_filter(value, lang: str = "fr", fmt: str = "long") -> str:
    """``10 octobre 2022`` / ``October 10, 2022``."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return _formatted_date(value, lang, fmt)


@functools.lru_cache(maxsize=4096)
def _formatted_date(value: dt.date, lang: str, fmt: str) -> str:
    """Once per date, language and format (every list page shows each article's date)."""
    text = format_date(value, format=fmt, locale=babel_locale(lang))
    if lang == "fr" and value.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]  # « 1er décembre 2026 », as French writes the first of the month
    return text


def number_filter(value, lang: str = "fr") -> str:
    return format_decimal(value, locale=babel_locale(lang))


# What a reader does not read word by word: pictures' text, data tables, code, and in a
# chart's figure everything but its title and subtitle (the figcaption).
SKIPPED = ("svg", "table", "pre", "code", "script", "style", "template", "math")
# A story's closing list of references (titles and URLs) is looked up, not read.
REFERENCE_HEADINGS = {"sources"}


def prose_words(html: str) -> int:
    """Words of the prose a reader reads: not SVG text, tables, code, a chart's
    description, notes, downloads and data (only its title and subtitle count), or the
    list of references under a "Sources" heading.

    lxml's parser (C), walked once: every article page asks for its reading time, and a
    BeautifulSoup tree of each article was a tenth of a build at 1,000 articles. Text is
    split where elements meet, as ``get_text(" ")`` does."""
    from lxml import html as lxml_html

    if not html or not html.strip():
        return 0
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    pieces: list[str] = []

    def walk(element) -> None:
        if element.text:
            pieces.append(element.text)
        skipping = False
        for child in element:
            if not isinstance(child.tag, str):  # a comment: its text is not read, its tail is
                _tail(child, pieces)
                continue
            name = child.tag.lower()
            if name in ("h2", "h3"):
                words = " ".join(p.strip() for p in child.itertext() if p.strip())
                skipping = words.lower() in REFERENCE_HEADINGS
                if skipping:  # the heading and the blocks after it, up to the next heading
                    _tail(child, pieces)
                    continue
            elif skipping and "footnote" in (child.get("class") or "").split():
                skipping = False
            if skipping and name != "figure":  # a figure's caption is read wherever it stands
                _tail(child, pieces)
                continue
            if name == "figure":
                caption = next(child.iter("figcaption"), None)
                pieces.append(" " + (_text(caption) if caption is not None else "") + " ")
            elif name not in SKIPPED:
                walk(child)
            _tail(child, pieces)

    walk(root)
    return len(" ".join(pieces).split())


def _text(element) -> str:
    """An element's text as ``get_text(" ")`` gives it (pieces joined by spaces)."""
    return " ".join(element.itertext())


def _tail(element, pieces: list[str]) -> None:
    # The text after an element is its parent's, and is read even when the element is not.
    if element.tail:
        pieces.append(element.tail)


def reading_minutes(html: str) -> int:
    """Minutes at 200 words a minute, prose only (see prose_words); at least 1."""
    return max(1, math.ceil(prose_words(html) / WORDS_PER_MINUTE))


def html(value) -> Markup:
    """The one place a template marks text from content as HTML: article and page bodies
    and summaries, which the Markdown reader has already passed through the allow-list
    sanitiser (plugins/sanitise). Everything else a template prints is escaped."""
    return Markup(value or "")


class SiteTextError(ValueError):
    """A site text setting (SITE_DESCRIPTION, SITE_SOURCES) is not one text per language."""


def text_in(value, lang: str = "fr") -> str:
    """A site's own words from its settings, ``{"fr": ..., "en": ...}``, in ``lang``, set as
    that language is set (French: ’ and the narrow space before « : »), as the theme's own
    translated strings are. The theme names no site, subject or source of its own: these
    come from settings (SITE_DESCRIPTION, SITE_SOURCES in pelicanconf.py)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dict) or not isinstance(value.get(lang), str):
        raise SiteTextError(
            f"pelicanconf.py: a site text setting is {value!r}; expected one text per language "
            f'with a "{lang}" text, e.g. SITE_DESCRIPTION = {{"fr": "…", "en": "…"}}.')
    text = value[lang]
    if lang == "fr":
        text = french(text)
    return text


def isodate(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if value else ""


def related_stories(articles, article, count: int = 3) -> list:
    """The stories an article's "Related stories" lists: the first ``count`` of the site's
    ``articles`` other than ``article`` (by slug), in the list's order. It stops at the
    ``count``-th, so each page looks at a few articles, not all of them (filtering the whole
    list for every article made the site's pages cost the square of its size)."""
    slug = getattr(article, "slug", None)
    return list(islice((other for other in articles if getattr(other, "slug", None) != slug), count))


def add_filters(pelican) -> None:
    filters = pelican.settings.setdefault("JINJA_FILTERS", {})
    filters.update(
        {
            "date_in": date_filter,
            "number_in": number_filter,
            "reading_minutes": reading_minutes,
            "isodate": isodate,
            "html": html,
            "text_in": text_in,
            "related_stories": related_stories,
        }
    )


def register() -> None:
    signals.initialized.connect(add_filters)
