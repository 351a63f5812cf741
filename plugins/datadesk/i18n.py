"""The languages of the data desk, in one place: how each language writes numbers and
dates (the locale table) and how each unit reads (the unit table). Charts, inline values
and the dataset pages all read them from here, so a figure reads the same in a chart, in
the prose and on its dataset's page.

- ``LOCALES``: the Babel (CLDR) locale of each site language; the d3 number and time
  locales charts are drawn with (``NUMBER_LOCALE``, ``TIME_LOCALE``: identical to the
  browser runtime's, theme/static/js/charts.js) and the date patterns of axes and labels.
- ``UNITS``: every generic unit a dataset's Table Schema may name (``"unit": "eur_bn"``),
  how it reads in each language in the prose (``12,3 Md€`` / ``€12.3bn``), which units
  convert into each other, and the short label a chart axis writes (``Md€`` / ``€bn``).
  ``ALIASES`` are the other spellings datasets use (``€ billion``). A site adds its own
  units with the ``DATADESK_UNITS`` setting; words of one site's subject do not belong here.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale

LANGS = ("fr", "en")

# Babel (CLDR) locale of each site language; inline values may override it with DATADESK_LOCALES.
LOCALES = {"fr": "fr_FR", "en": "en_US"}


def babel_locale(lang: str, locales: dict[str, str] | None = None) -> str:
    """The Babel locale name of a site language (``fr`` -> ``fr_FR``); another name is kept."""
    return (locales or LOCALES).get(lang, lang)


def locale(lang: str, locales: dict[str, str] | None = None) -> Locale:
    return Locale.parse(babel_locale(lang, locales))


# d3-format / d3-time-format definitions, identical to charts.js LOCALES.
NUMBER_LOCALE = {
    "fr": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"],
           "percent": "\u202f%"},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
}
TIME_LOCALE = {
    "fr": {"dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
           "periods": ["AM", "PM"],
           "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
           "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
           "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                      "septembre", "octobre", "novembre", "décembre"],
           "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                           "sept.", "oct.", "nov.", "déc."]},
    "en": {"dateTime": "%x, %X", "date": "%-m/%-d/%Y", "time": "%-I:%M:%S %p",
           "periods": ["AM", "PM"],
           "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
           "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
           "months": ["January", "February", "March", "April", "May", "June", "July", "August",
                      "September", "October", "November", "December"],
           "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                           "Nov", "Dec"]},
}
# d3 time formats for chart axes and tooltips.
DATE_FORMAT = {"fr": "%-d %b %Y", "en": "%b %-d, %Y"}
DAY_MONTH_FORMAT = {"fr": "%-d %b", "en": "%b %-d"}
MONTH_FORMAT = {"fr": "%b %Y", "en": "%b %Y"}
# The same dates written by Babel (chart labels, descriptions).
BABEL_DATE = {"fr": "d MMM y", "en": "MMM d, y"}
BABEL_MONTH = {"fr": "MMM y", "en": "MMM y"}

NBSP = "\u00a0"  # between a number and its unit, as CLDR's French currency pattern does


@dataclass(frozen=True)
class Unit:
    """How a quantity reads. ``base`` groups units that convert into each other
    (``eur``, ``eur_m``, ``eur_bn``) and ``factor`` is the size of one unit in the base.
    ``fr``/``en`` are the prose templates; ``label`` the short name a chart axis writes,
    per language (a unit without one is written by the chart's own UNITS)."""

    base: str
    factor: float = 1.0
    fr: str = "{n}"
    en: str = "{n}"
    cldr: str = ""  # a CLDR unit (Babel picks the plural: "1 heure", "12 heures")
    percent: bool = False  # values are fractions 0-1 shown as a percentage
    label: tuple = ()  # (("fr", "Md€"), ("en", "€bn")): hashable, the dataclass is frozen

    def template(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en

    def label_in(self, lang: str) -> str | None:
        return dict(self.label).get(lang)


def _label(fr: str, en: str) -> tuple:
    return (("fr", fr), ("en", en))


UNITS: dict[str, Unit] = {
    # money: the symbol where each language's press puts it
    "eur": Unit("eur", 1, fr="{n}" + NBSP + "€", en="€{n}", label=_label("€", "€")),
    "eur_m": Unit("eur", 1e6, fr="{n}" + NBSP + "M€", en="€{n}m"),
    "eur_bn": Unit("eur", 1e9, fr="{n}" + NBSP + "Md€", en="€{n}bn", label=_label("Md€", "€bn")),
    "usd": Unit("usd", 1, fr="{n}" + NBSP + "$", en="${n}"),
    "usd_m": Unit("usd", 1e6, fr="{n}" + NBSP + "M$", en="${n}m"),
    "usd_bn": Unit("usd", 1e9, fr="{n}" + NBSP + "Md$", en="${n}bn", label=_label("Md$", "$bn")),
    # shares: "percent" holds 0-100, "share" holds 0-1; both read as a percentage
    "percent": Unit("percent", 1, fr="{n}" + NBSP + "%", en="{n}%", label=_label("%", "%")),
    "share": Unit("share", 1, percent=True),
    # counts: the bare number; the noun belongs to the editor's sentence
    "count": Unit("count", label=_label("nombre", "number")),
    "people": Unit("people"),
    "units": Unit("units", label=_label("unités", "units")),
    "events": Unit("events"),
    "ratio": Unit("ratio"),  # "5" as in "five times the damage": the editor writes "times"
    "hour_of_day": Unit("hour_of_day", fr="{n}" + NBSP + "h", en="{n}:00"),
    # physical units through CLDR, so plurals and spacing are right in each language
    "hours": Unit("hours", cldr="duration-hour", label=_label("heures", "hours")),
    "days": Unit("days", cldr="duration-day"),
    "MW": Unit("watt", 1e6, cldr="power-megawatt"),
    "GW": Unit("watt", 1e9, cldr="power-gigawatt"),
    "km": Unit("km", cldr="length-kilometer"),
    # no unit at all (also what unit=none asks for)
    "none": Unit("none"),
}

# How datasets may spell a unit in their schema (or in a long table's unit column).
ALIASES = {
    "€": "eur", "€ million": "eur_m", "€ billion": "eur_bn", "eur billion": "eur_bn",
    "$": "usd", "$ million": "usd_m", "$ billion": "usd_bn", "usd billion": "usd_bn",
    "%": "percent", "pct": "percent", "hour": "hours", "hour of day": "hour_of_day",
    "gw": "GW", "mw": "MW", "person": "people", "unit": "units",
}


def unit_table(extra: dict | None = None) -> dict[str, Unit]:
    """UNITS with a site's own (the DATADESK_UNITS setting: name -> Unit fields)."""
    table = dict(UNITS)
    for name, spec in (extra or {}).items():
        if isinstance(spec, Unit):
            table[name] = spec
            continue
        spec = dict(spec)
        if isinstance(spec.get("label"), dict):
            spec["label"] = tuple(sorted(spec["label"].items()))
        table[name] = Unit(**{"base": name, **spec})
    return table


def lookup(name: str, table: dict[str, Unit] | None = None) -> str | None:
    """The table's name for a unit as a dataset spells it (``€ billion`` -> ``eur_bn``)."""
    table = UNITS if table is None else table
    if name in table:
        return name
    folded = name.strip().lower()
    for candidate in (ALIASES.get(name.strip()), ALIASES.get(folded), folded):
        if candidate in table:
            return candidate
    return next((key for key in table if key.lower() == folded), None)


def unit_label(name: str, lang: str, table: dict[str, Unit] | None = None) -> str | None:
    """The short label a chart writes for a unit as a dataset spells it, or None."""
    found = lookup(str(name), table)
    return None if found is None else (table or UNITS)[found].label_in(lang)


# Every spelling a chart axis knows, with its label per language: the units that have a label,
# under their own names and their aliases.
UNIT_NAMES = {spelling: {lang: UNITS[unit].label_in(lang) for lang in LANGS}
              for spelling, unit in [*((n, n) for n in UNITS), *ALIASES.items()]
              if UNITS[unit].label}
