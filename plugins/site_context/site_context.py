"""Template helpers that every page type shares: dates and numbers in the page's
language (Babel) and reading time; and the one place that keeps the build time out of
the output, so two builds of one commit are byte-identical."""

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


def plugin_settings(settings: dict, prefix: str, defaults: dict, plugin: str,
                    error: type[Exception] = ValueError) -> dict:
    """A plugin's settings family, defaults filled in; an unknown ``PREFIX*`` key is an
    error that names it (a typo in pelicanconf.py must not be silently ignored)."""
    unknown = sorted(k for k in settings if k.startswith(prefix) and k not in defaults)
    if unknown:
        raise error(
            f"pelicanconf.py: unknown setting {unknown[0]}; the {plugin} plugin knows "
            f"{', '.join(sorted(defaults))} (see plugins/{plugin}/README.md)."
        )
    return {key: settings.get(key, default) for key, default in defaults.items()}


def babel_locale(lang: str) -> str:
    return LOCALES.get(lang, lang)


def date_filter(value, lang: str = "fr", fmt: str = "long") -> str:
    """``10 octobre 2022`` / ``October 10, 2022``."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    text = format_date(value, format=fmt, locale=babel_locale(lang))
    if lang == "fr" and value.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]  # « 1er décembre 2026 », as French writes the first of the month
    return text


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
