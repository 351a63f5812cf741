"""One locale table and one unit table (plugins/datadesk/i18n.py): a figure reads the same in
a chart, in the prose and on its dataset's page, in each language."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from datadesk import i18n
from datadesk.charts.text import T
from datadesk.values import formatting


def test_no_other_module_keeps_a_locale_or_unit_table():
    tables = re.compile(r'"fr_FR"|"janvier"|"shortMonths": \[|"€bn"|Unit\("eur"')
    found = [str(path.relative_to(ROOT)) for path in (ROOT / "plugins").rglob("*.py")
             if path.name != "i18n.py" and tables.search(path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("spelling, fr, en", [("€ billion", "Md€", "€bn"), ("eur_bn", "Md€", "€bn"),
                                              ("usd_bn", "Md$", "$bn"), ("%", "%", "%"),
                                              ("hours", "heures", "hours")])
def test_a_chart_axis_writes_the_units_of_the_one_table(spelling, fr, en):
    for lang, label in (("fr", fr), ("en", en)):
        t = T(lang, {}, {}, field_units={"value": spelling})
        assert t.unit("value") == label
        assert i18n.unit_label(spelling, lang) == label


def test_the_prose_and_the_chart_read_a_unit_from_the_same_entry():
    unit = formatting.UNITS[formatting.lookup("€ billion", formatting.UNITS)]
    assert unit is i18n.UNITS["eur_bn"]
    assert unit.template("fr") == "{n}\u00a0Md€" and unit.label_in("fr") == "Md€"
    assert unit.template("en") == "€{n}bn" and unit.label_in("en") == "€bn"


def test_a_site_unit_joins_the_table():
    table = i18n.unit_table({"tonnes": {"fr": "{n} t", "en": "{n} t", "label": {"fr": "t", "en": "t"}}})
    assert i18n.lookup("Tonnes", table) == "tonnes"
    assert i18n.unit_label("tonnes", "fr", table) == "t"
    assert "tonnes" not in i18n.UNITS  # the generic table is not changed


def test_every_part_uses_the_same_locale():
    from site_context import site_context

    for lang in i18n.LANGS:
        assert site_context.babel_locale(lang) == i18n.LOCALES[lang]
        assert str(formatting.babel_locale(lang)) == i18n.LOCALES[lang]
    assert set(i18n.NUMBER_LOCALE) == set(i18n.TIME_LOCALE) == set(i18n.LANGS)
