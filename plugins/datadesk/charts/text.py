"""What a chart definition gets as ``t``: its language, its labels and formatting helpers.

``t`` is the only way a chart function learns about language and house conventions;
it does no I/O. Numbers and dates follow the site's conventions, the same ones the
browser runtime uses (theme/static/js/charts.js): fr ``1 234,5 €`` (U+202F between
thousands), ``10 oct. 2022``; en ``€1,234.5``, ``Oct 10, 2022``.
"""

from __future__ import annotations

import functools

import datetime as dt
import math
from dataclasses import dataclass, field

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from .. import lazy
from . import theme
from ..errors import DeskError
from ..typography import french
# The languages, locales, date patterns and unit labels are the desk's one table.
from ..i18n import (BABEL_DATE, BABEL_MONTH, DATE_FORMAT, DAY_MONTH_FORMAT, LANGS,  # noqa: F401
                    MONTH_FORMAT, NUMBER_LOCALE, TIME_LOCALE, UNIT_NAMES, babel_locale)

alt = lazy.module("altair")

@dataclass(frozen=True)
class Countries:
    """What a site says about the country names in its data (pelicanconf.py, plugins/datadesk/README.md):
    ``columns`` hold country names (data tables show them in the reader's language),
    ``names`` gives names that are not countries in each language (``{"EU": {"fr": "UE", "en": "EU"}}``),
    ``codes`` the ISO code of names the data spell otherwise than CLDR's English names
    (``{"Czech Republic": "CZ"}``). The generator knows no site's names."""

    columns: frozenset = frozenset()
    names: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)

    @classmethod
    def of(cls, conf: dict) -> "Countries":
        return cls(frozenset(conf.get("DATADESK_COUNTRY_COLUMNS") or ()),
                   dict(conf.get("DATADESK_COUNTRY_NAMES") or {}),
                   {k.strip().lower(): v for k, v in (conf.get("DATADESK_COUNTRY_CODES") or {}).items()})


def country_name(name: str, lang: str, countries: Countries | None = None) -> str:
    """A country's name in ``lang`` (CLDR territory names via Babel); unknown names unchanged."""
    countries = countries or Countries()
    if name in countries.names:
        return countries.names[name][lang]
    territories = _territories()
    key = name.strip().lower()
    code = countries.codes.get(key) or territories["code"].get(key)
    if code is None:
        return name
    return name if lang == "en" and key not in countries.codes else territories[lang].get(code, name)


@functools.cache
def _territories() -> dict:
    """CLDR's territory names (Babel), read once: "code" (English name -> code), "fr", "en".
    Babel's data are the same in every build: nothing to invalidate."""
    english = Locale("en").territories
    return {"code": {v.lower(): k for k, v in english.items() if len(k) == 2},
            "fr": Locale("fr").territories, "en": english}


SOURCE_PREFIX = {"fr": "Source\u202f: ", "en": "Source: "}
SOURCES_PREFIX = {"fr": "Sources\u202f: ", "en": "Sources: "}


class TextError(DeskError):
    """A label or unit a chart asks for is missing (or missing in one language)."""


def _french(text: str, prose: bool = False) -> str:
    return french(text, prose)


def pick(value, lang: str, what: str):
    """``{"fr": ..., "en": ...}`` -> the ``lang`` text; anything else is a missing translation."""
    if isinstance(value, dict):
        text = value.get(lang)
        if isinstance(text, str) and text.strip():
            return _french(text) if lang == "fr" else text
        raise TextError(f"{what} has no {lang} text")
    raise TextError(f'{what} is "{value}"; expected one text per language, {{fr: ..., en: ...}}')


class T:
    """Language, labels and house helpers for one rendering of one chart.

    ``t("key")`` -> label from LABELS; ``t.unit(field)``; ``t.axis_title(key, field)``;
    ``t.number(x)``, ``t.date(d)`` (Python text, e.g. for annotations); d3 formats
    ``t.date_format``, ``t.month_format``, ``t.day_month_format``; ``t.color(name)``;
    ``t.width`` / ``t.narrow`` (the picture being drawn); ``t.source`` (source line).
    """

    def __init__(self, lang: str, labels: dict, units: dict, *, width: int = 640,
                 narrow: bool = False, field_units: dict | None = None,
                 field_titles: dict | None = None, source: str = "", countries: Countries | None = None):
        if lang not in LANGS:
            raise TextError(f'language "{lang}" is not one of {", ".join(LANGS)}')
        self.lang = lang
        self.width = width
        self.narrow = narrow
        self._labels = labels or {}
        self._units = units or {}
        self._field_units = field_units or {}
        self._field_titles = field_titles or {}  # the datasets' own column titles, {fr, en}
        self.source = source
        self._countries = countries or Countries()
        self.date_format = DATE_FORMAT[lang]
        self.day_month_format = DAY_MONTH_FORMAT[lang]
        self.month_format = MONTH_FORMAT[lang]
        self.palette = theme.palette("light")

    def __call__(self, key: str) -> str:
        if key not in self._labels and key in self._field_titles:
            return pick(self._field_titles[key], self.lang, f'column title "{key}"')
        if key not in self._labels:
            known = ", ".join(sorted(self._labels)) or "none"
            raise TextError(f'label "{key}" is not in LABELS (known: {known})')
        return pick(self._labels[key], self.lang, f'label "{key}"')

    def has(self, key: str) -> bool:
        return key in self._labels or key in self._field_titles

    def label(self, key: str, default: str | None = None) -> str:
        """A label, or ``default`` (else the key itself) when LABELS has none: for category values."""
        if self.has(key):
            return self(key)
        return key if default is None else default

    def raw_unit(self, field: str) -> str | None:
        """The unit as a schema spells it (``€ billion``): the chart's UNITS may name one
        for a derived field (``UNITS = {"value": "€ billion"}``), else the dataset's schema."""
        declared = self._units.get(field)
        return declared if isinstance(declared, str) else self._field_units.get(field)

    def unit(self, field: str) -> str:
        """The unit of ``field`` in this language: UNITS first, then the dataset's schema."""
        if field in self._units and not isinstance(self._units[field], str):
            return pick(self._units[field], self.lang, f'unit of "{field}"')
        raw = self.raw_unit(field)
        if raw is None:
            raise TextError(f'no unit for "{field}": add it to UNITS, {{"{field}": {{"fr": ..., "en": ...}}}}')
        if raw in UNIT_NAMES:
            return UNIT_NAMES[raw][self.lang]
        raise TextError(f'unit "{raw}" of "{field}" has no translation: add UNITS '
                        f'{{"{field}": {{"fr": ..., "en": ...}}}}')

    def axis_title(self, key: str, field: str | None = None) -> str:
        """``"Label (unit)"``: the form the lint expects on a quantitative axis."""
        unit = self.unit(field or key)
        label = self(key)
        return label if f"({unit})" in label else f"{label} ({unit})"

    def number(self, value, decimals: int | None = None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        fmt = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=fmt, locale=babel_locale(self.lang))

    def date(self, value, month: bool = False) -> str:
        if hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime()
        if isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        if isinstance(value, dt.datetime):
            value = value.date()
        pattern = BABEL_MONTH[self.lang] if month else BABEL_DATE[self.lang]
        text = format_date(value, pattern, locale=babel_locale(self.lang))
        return _french(text) if self.lang == "fr" else text  # « 1er oct. 2022 »

    def country(self, name: str) -> str:
        """A country's name in this language (\"United States\" -> \"États-Unis\"); the site's
        DATADESK_COUNTRY_NAMES and DATADESK_COUNTRY_CODES first."""
        return country_name(name, self.lang, self._countries)

    def value(self, column: str, value):
        """A data value as the reader should see it: LABELS translate category values, and
        names in the site's DATADESK_COUNTRY_COLUMNS are given in this language."""
        if isinstance(value, str):
            if value in self._labels:
                return self(value)
            if column in self._countries.columns:
                return self.country(value)
        return value

    def color(self, name: str) -> str:
        """A house colour by name (blue, orange, green, vermillion, purple, sky, grey,
        pale_blue, pale_orange, ink, muted); the dark picture gets its twin."""
        return theme.colour(name, "light")

    def tooltip_date(self, field: str, title: str) -> alt.Tooltip:
        return alt.Tooltip(f"{field}:T", title=title, format=self.date_format)
