"""Numbers, dates and units written the way each language writes them (Babel, CLDR).

The unit table (``datadesk/i18n.py``) is the one place that says how a dataset unit reads
in prose: ``eur_bn`` is ``12,3 Md€`` in French and ``€12.3bn`` in English. Datasets name their
units in the Table Schema (``"unit": "eur_bn"`` on a field); a site may add its own
with the ``DATADESK_UNITS`` setting.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import get_minus_sign_symbol
from babel.units import format_unit

from .. import i18n
from ..errors import DeskError
# The unit table (how each unit reads, which convert into each other) is the desk's one
# table, shared with the charts and the dataset pages.
from ..i18n import ALIASES, NBSP, UNITS, Unit, lookup, unit_table  # noqa: F401

FORMATS = ["integer", "decimal", "decimal:N", "percent", "percent:N", "compact", "words", "words:f",
           "date", "date:long", "month", "month:long", "year", "text"]
# Whole numbers under twenty in words, as running prose writes them ("the seven datasets",
# "six jours"); words:f is the French feminine ("une batterie"). Larger numbers stay digits.
NUMBER_WORDS = {
    "fr": ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
           "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf"],
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
           "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"],
}
DATE_PATTERNS = {"date": "medium", "date:long": "long", "month": "MMM y",
                 "month:long": "MMMM y", "year": "y"}


class FormatError(DeskError, ValueError):
    """A format= or unit= the editor wrote does not exist; the message lists the valid ones."""


def babel_locale(lang: str, locales: dict[str, str] | None = None) -> Locale:
    return i18n.locale(lang, locales)


def check_format(fmt: str) -> None:
    name, _, digits = fmt.partition(":")
    if name in ("decimal", "percent") and (digits == "" or digits.isdigit()):
        return
    if fmt in FORMATS:
        return
    raise FormatError(
        f'format={fmt} is not a format; expected one of: {", ".join(FORMATS)} '
        f"(N is a number of decimals, e.g. decimal:1)."
    )


def _fraction_digits(value: float, fmt: str | None, default_max: int | None = None) -> tuple[int, int]:
    if fmt == "integer":
        return 0, 0
    name, _, digits = (fmt or "").partition(":")
    if name in ("decimal", "percent") and digits:
        return int(digits), int(digits)
    if name == "percent":
        return 0, 0
    if default_max is not None:
        return 0, default_max
    # As the press writes them: "154 Md€", "12,3 Md€", "0,25 Md€".
    if abs(value) >= 100 or value == 0:
        return 0, 0
    return (0, 1) if abs(value) >= 1 else (0, 2)


def _round(value: float, digits: int) -> Decimal:
    quantum = Decimal(1).scaleb(-digits)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value: float, locale: Locale, digits: tuple[int, int], percent: bool = False) -> str:
    pattern = copy.copy(locale.percent_formats[None] if percent else locale.decimal_formats[None])
    pattern.frac_prec = digits
    shown = _round(value * 100 if percent else value, digits[1])
    text = pattern.apply(shown / 100 if percent else shown, locale)
    return text


def format_quantity(value: float, unit: Unit, fmt: str | None, lang: str, locale: Locale,
                    integer_column: bool = False) -> str:
    """``1 234,5 €`` / ``€1,234.5``; ``34 %`` / ``34%``; ``12 heures`` / ``12 hours``."""
    if fmt in ("words", "words:f"):
        if float(value) != int(value) or not 0 <= value < len(NUMBER_WORDS["en"]):
            raise FormatError(f"format={fmt} writes whole numbers from 0 to 19 in words; this value is {value:g}. "
                              "Remove format= to show it in digits.")
        word = NUMBER_WORDS.get(lang, NUMBER_WORDS["en"])[int(value)]
        return "une" if word == "un" and fmt == "words:f" else word
    if fmt == "compact":
        from babel.numbers import format_compact_decimal

        text = format_compact_decimal(value, format_type="long", locale=locale, fraction_digits=1)
        return unit.template(lang).replace("{n}", text) if not unit.cldr else text
    if fmt and fmt.startswith("percent") and unit.base not in ("percent", "share", "none"):
        raise FormatError(
            f"format={fmt} shows a share as a percentage, but this value is in {unit.base}; "
            "use it on a share or percent column, or with the share aggregate."
        )
    if fmt and fmt.startswith("percent") or unit.percent:
        digits = _fraction_digits(value, fmt if fmt and fmt.startswith("percent") else "percent")
        if unit.base == "percent":  # already 0-100
            value = value / 100
        return format_number(value, locale, digits, percent=True)
    default_max = 0 if integer_column and fmt is None else None
    digits = _fraction_digits(value, fmt, default_max)
    if unit.cldr:
        pattern = "#,##0" + ("." + "0" * digits[0] + "#" * (digits[1] - digits[0]) if digits[1] else "")
        return format_unit(float(_round(value, digits[1])), unit.cldr, length="long" if unit.base in (
            "hours", "days") else "short", format=pattern, locale=locale)
    number = format_number(abs(value), locale, digits)
    text = unit.template(lang).replace("{n}", number)
    if _round(value, digits[1]) < 0:
        text = get_minus_sign_symbol(locale) + text  # "-€1.2bn", not "€-1.2bn"
    return text


def convert(value: float, source: Unit, target: Unit, source_name: str, target_name: str) -> float:
    """Express ``value`` (in ``source``) in ``target``: 1 500 000 000 eur -> 1.5 eur_bn."""
    if source is target or target.base == "none":
        return value
    if source.base != target.base:
        raise FormatError(
            f"unit={target_name} cannot show a value measured in {source_name}; "
            f"units that fit: {', '.join(sorted(_same_base(source)))}, none."
        )
    return value * source.factor / target.factor


def _same_base(unit: Unit) -> list[str]:
    return [name for name, other in UNITS.items() if other.base == unit.base]


def format_date_value(value, fmt: str | None, locale: Locale) -> str:
    """``10 oct. 2022`` / ``Oct 10, 2022``; ``oct. 2022`` with format=month."""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        value = value.date()
    fmt = fmt or "date"
    if fmt not in DATE_PATTERNS:
        raise FormatError(
            f"format={fmt} does not apply to a date; expected one of: {', '.join(DATE_PATTERNS)}."
        )
    text = format_date(value, DATE_PATTERNS[fmt], locale=locale)
    if locale.language == "fr" and value.day == 1 and text.startswith("1 "):
        # French writes the first of the month as an ordinal: « le 1er décembre 2022 ».
        text = "1er" + text[1:]
    return text


BOOLEANS = {"fr": ("oui", "non"), "en": ("yes", "no")}


def format_boolean(value: bool, lang: str) -> str:
    yes, no = BOOLEANS.get(lang, BOOLEANS["en"])
    return yes if value else no
