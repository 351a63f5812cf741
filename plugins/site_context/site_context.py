"""Template helpers that every page type shares: dates and numbers in the page's
language (Babel), reading time, and the URL of the same page in the other language."""

from __future__ import annotations

import datetime as dt
import math
import re

from babel.dates import format_date
from babel.numbers import format_decimal
from pelican import signals

LOCALES = {"fr": "fr_FR", "en": "en_US"}
WORDS_PER_MINUTE = 200
TAG = re.compile(r"<[^>]+>")


def babel_locale(lang: str) -> str:
    return LOCALES.get(lang, lang)


def date_filter(value, lang: str = "fr", fmt: str = "long") -> str:
    """``10 octobre 2022`` / ``October 10, 2022``."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format=fmt, locale=babel_locale(lang))


def number_filter(value, lang: str = "fr") -> str:
    return format_decimal(value, locale=babel_locale(lang))


def reading_minutes(html: str) -> int:
    words = len(TAG.sub(" ", html or "").split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def isodate(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if value else ""


def add_filters(pelican) -> None:
    filters = pelican.settings.setdefault("JINJA_FILTERS", {})
    filters.update(
        {
            "date_in": date_filter,
            "number_in": number_filter,
            "reading_minutes": reading_minutes,
            "isodate": isodate,
        }
    )


def register() -> None:
    signals.initialized.connect(add_filters)
