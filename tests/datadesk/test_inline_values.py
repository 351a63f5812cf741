"""Inline values: what a reader sees for each `{{ value … }}` an editor writes, in both
languages, and the message an editor gets for each mistake. Data: tests/fixtures/editor/data."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import tasks
from conftest import ROOT

from datadesk.values import inline_values as iv
from datadesk import SettingsError
from datadesk import links
from datadesk.desk import CACHE_KEY, Desk, DeskCache
from datadesk.shortcodes import ShortcodeContext, ShortcodeError

FIXTURE = ROOT / "tests" / "fixtures" / "editor"
NB = "\u202f"  # CLDR French group separator (narrow no-break space)
SP = "\u00a0"  # between a French number and its unit


# The fixture's datasets are only read by the handler calls below: validated once for the
# module (kept by content hash, as the preview keeps them), not once per call.
_READ_ONLY = DeskCache()


def settings(**extra) -> dict:
    return {"PATH": str(FIXTURE / "content"), "DATADESK_DATA_DIR": str(FIXTURE / "data"),
            CACHE_KEY: _READ_ONLY, **extra}


def ctx(lang: str = "fr", line: int = 7, **extra) -> ShortcodeContext:
    return ShortcodeContext(path="content/articles/x.fr.md", line=line, lang=lang,
                            settings=settings(**extra), block=False)


def shown(args: str, lang: str = "fr", **extra) -> str:
    """The text a reader sees for a shortcode."""
    return BeautifulSoup(iv.handle(args, ctx(lang, **extra)), "html.parser").get_text()


def error(args: str, lang: str = "fr") -> str:
    with pytest.raises(ShortcodeError) as failure:
        iv.handle(args, ctx(lang))
    return str(failure.value)


CASES = [
    # a cell picked by key, with the unit of its column (€ billion)
    ("aid.committed_eur_bn donor=Germany", "0,74" + SP + "Md€", "€0.74bn"),
    ('aid.committed_eur_bn donor="United States"', "15,2" + SP + "Md€", "€15.2bn"),
    ("aid.share_delivered_pct donor=Germany", "81,1" + SP + "%", "81.1%"),
    # converted to euros, grouped the way each language groups digits
    ('aid.committed_eur_bn donor="United States" unit=eur',
     f"15{NB}200{NB}000{NB}000{SP}€", "€15,200,000,000"),
    ("aid.committed_eur_bn donor=Germany unit=none format=decimal:2", "0,74", "0.74"),
    # a long table: the unit comes from the row's own unit column
    ("indicators.value fact_id=damage-2023-04-05", "10" + SP + "Md$", "$10bn"),
    ("indicators.value fact_id=stations-2022-10-18", "30" + SP + "%", "30%"),
    ("indicators.value fact_id=people-2022-11-07", f"4{NB}500{NB}000", "4,500,000"),
    ("indicators.value fact_id=people-2022-11-07 format=compact", "4,5 millions", "4.5 million"),
    ("indicators.publisher fact_id=damage-2023-04-05", "World Bank", "World Bank"),
    # a small count in words, as running prose writes it; feminine on request in French
    ("waves.missiles_launched wave_id=w2 format=words", "trois", "three"),
    ("count waves.wave_id wave_start<=2022-10-17 format=words:f", "deux", "two"),
    ("count waves.wave_id wave_id=w1 format=words:f", "une", "one"),
    # how many different values: days, not attack windows
    ("distinct waves.wave_start drones_launched>0", "4", "4"),
    # aggregates
    ("sum waves.missiles_launched wave_start>=2022-10-10 wave_start<=2022-11-23", "305", "305"),
    ("sum aid.committed_eur_bn", "19,2" + SP + "Md€", "€19.2bn"),
    ("mean waves.missiles_launched", "63,5", "63.5"),
    ("max waves.missiles_launched", "98", "98"),
    ("min waves.wave_start", "10 oct. 2022", "Oct 10, 2022"),
    ("last waves.wave_start format=month", "déc. 2022", "Dec 2022"),
    ("first waves.wave_start format=date:long", "10 octobre 2022", "October 10, 2022"),
    ("last waves.missiles_launched wave_start<=2022-11-15", "98", "98"),
    ("count waves.wave_id wave_start<2022-11-01", "3", "3"),
    ("count waves.drones_launched", "5", "5"),  # one wave has no drone count
    # share: a part of the column's total; of=: a ratio of two columns; within=: a bounded whole
    ("share aid.delivered_eur_bn donor=Poland", "31" + SP + "%", "31%"),
    ("share waves.missiles_shot_down of=missiles_launched wave_start>=2022-10-10 "
     "wave_start<=2022-11-23 format=percent:1", "70,5" + SP + "%", "70.5%"),
    ("share indicators.value indicator=people_without_power publisher=Ukrenergo "
     "within=indicator", "38" + SP + "%", "38%"),
    # quotes as word processors type them
    ("aid.committed_eur_bn donor=“United Kingdom”", "1,5" + SP + "Md€", "€1.5bn"),
    ("aid.committed_eur_bn donor=«\u00a0United Kingdom\u00a0»", "1,5" + SP + "Md€", "€1.5bn"),
]


@pytest.mark.parametrize("args, fr, en", CASES, ids=[c[0][:60] for c in CASES])
def test_values_are_written_the_way_each_language_writes_them(args, fr, en):
    assert shown(args, "fr") == fr
    assert shown(args, "en") == en


def test_a_value_links_to_its_dataset_and_names_the_csv_line():
    html = iv.handle("aid.delivered_eur_bn donor=Poland", ctx("fr"))
    link = BeautifulSoup(html, "html.parser").a
    assert link["class"] == ["dv"]
    assert link["href"] == links.MARKER + "data/aid/"
    # the first row's note spans two lines of the CSV: Poland starts on line 4
    assert link["title"] == "Source\u00a0: Aide en nature (test) — aid.csv, ligne 4"
    english = BeautifulSoup(iv.handle("aid.delivered_eur_bn donor=Poland", ctx("en")),
                            "html.parser").a
    assert english["title"] == "Source: In-kind aid (fixture) — aid.csv, line 4"


def test_an_aggregate_says_which_rows_it_sums():
    html = iv.handle("sum waves.missiles_launched wave_start>=2022-10-10 wave_start<=2022-11-23",
                     ctx("en"))
    assert BeautifulSoup(html, "html.parser").a["title"] == (
        'Source: Strike waves (fixture) — waves.csv: sum of "Missiles launched" over 5 rows '
        "where wave_start ≥ 2022-10-10, wave_start ≤ 2022-11-23")


def test_a_value_in_the_summary_is_not_a_link():
    html = iv.handle("aid.delivered_eur_bn donor=Poland", ctx("fr", line=0))
    assert html.startswith('<span class="dv" title="Source')


def test_the_link_can_be_turned_off_and_the_class_changed():
    html = iv.handle("max waves.missiles_launched", ctx(DATADESK_VALUES_LINK=False,
                                                        DATADESK_VALUES_CLASS="figure"))
    assert html.startswith('<span class="figure"') and ">98</span>" in html


def test_a_site_can_add_its_own_units():
    units = {"count": {"fr": "{n} engins", "en": "{n} projectiles"}}
    assert shown("max waves.missiles_launched", "fr", DATADESK_UNITS=units) == "98 engins"
    assert shown("max waves.missiles_launched", "en", DATADESK_UNITS=units) == "98 projectiles"


MISTAKES = [
    ("strike.missiles", 'there is no dataset "strike"; the datasets are: aid, indicators, '
                        "sources, waves."),
    ("wave.missiles_launched", 'there is no dataset "wave"; the datasets are: aid, indicators, '
                               'sources, waves. Did you mean "waves"?'),
    ("waves.missiles", 'waves has no column "missiles"; its columns are: wave_id, wave_start, '
                       "missiles_launched, missiles_shot_down, drones_launched, source_id. "
                       'Did you mean "missiles_launched"?'),
    ("aid.committed_eur_bn pays=Germany", 'aid has no column "pays"; its columns are: donor, '
                                          "committed_eur_bn, delivered_eur_bn, "
                                          "share_delivered_pct, note, source_id."),
    ("aid.committed_eur_bn donor=germany",
     "no row of aid has donor=germany; donor is one of: Germany, Poland, United Kingdom, "
     'United States. Did you mean "Germany"? (Capitals count.)'),
    ("aid.committed_eur_bn donor=France",
     "no row of aid has donor=France; donor is one of: Germany, Poland, United Kingdom, "
     "United States."),
    ("waves.missiles_launched wave_start=2023-01-01",
     "no row of waves has wave_start=2023-01-01; wave_start runs from 2022-10-10 to "
     "2022-12-16. Change the value or the comparison."),
    ("waves.missiles_launched wave_start=10/10/2022",
     'wave_start is a date; expected YYYY-MM-DD (e.g. 2022-10-10), found "10/10/2022".'),
    ("indicators.value indicator=people_without_power date=2022-11-17",
     "2 rows of indicators match indicator=people_without_power, date=2022-11-17 (lines 3, 4 "
     "of its CSV), and a value needs exactly one. They differ in fact_id, publisher: add a "
     "key such as fact_id=people-2022-11-17 to pick one, or use an aggregate (sum, max, "
     "last …) to combine them."),
    ("aid.committed_eur_bn",
     "4 rows of aid match no filter (lines 2, 4, 5, 6 of its CSV), and a value needs exactly "
     "one. They differ in donor, delivered_eur_bn, share_delivered_pct: add a key such as "
     'donor="United States" to pick one, or use an aggregate (sum, max, last …) to combine '
     "them."),
    ("sum waves.wave_id", "sum needs a column of numbers, and waves.wave_id holds string "
                          "values; use count to count rows, or first/last/min/max to show "
                          "one value."),
    ("total waves.missiles_launched", '"total" is not an aggregate; expected one of: sum, '
                                      "min, max, mean, count, distinct, share, first, last."),
    ("waves.drones_launched wave_id=w6", "the drones_launched cell of waves is empty at line "
                                         "7 of its CSV; pick another row or fill the cell."),
    ("sum indicators.value date>=2022-11-01",
     "the matching rows of indicators mix units (people, usd_bn); add a filter such as "
     "column:unit=people to keep one."),
    ("max waves.missiles_launched format=pourcent",
     "format=pourcent is not a format; expected one of: integer, decimal, decimal:N, percent, "
     "percent:N, compact, words, words:f, date, date:long, month, month:long, year, text (N is a number of "
     "decimals, e.g. decimal:1)."),
    ("waves.missiles_launched wave_id=w1 format=words",
     "format=words writes whole numbers from 0 to 19 in words; this value is 84. Remove format= to show it "
     "in digits."),
    ("max waves.missiles_launched format=date",
     "format=date applies to dates, and this value is a number; use integer, decimal:N, "
     "percent or compact."),
    ("aid.committed_eur_bn donor=Germany unit=usd",
     "unit=usd cannot show a value measured in eur_bn; units that fit: eur, eur_bn, eur_m, "
     "none."),
    ("aid.committed_eur_bn donor=Germany unit=tonnes",
     "unit=tonnes is not a unit; expected one of: eur, eur_m, eur_bn, usd, usd_m, usd_bn, "
     "percent, share, count, people, units, events, ratio, hour_of_day, "
     "hours, days, MW, GW, km, none."),
    ('aid.committed_eur_bn donor="United States', 'a quotation mark is not closed; write '
                                                  'key="two words" with both quotes.'),
    ("waves", 'expected DATASET.COLUMN, found "waves"; write {{ value DATASET.COLUMN '
              "key=value }} or {{ value sum DATASET.COLUMN column>=value }}."),
    ("max waves.missiles_launched wave_start", '"wave_start" is not a filter or an option; '
                                               "write column=value (quotes around values with "
                                               'spaces: key="two words").'),
]


@pytest.mark.parametrize("args, message", MISTAKES, ids=[m[0][:50] for m in MISTAKES])
def test_each_mistake_says_what_is_wrong_and_how_to_fix_it(args, message):
    assert error(args) == f"{{{{ value {args} }}}}: {message}"


def test_unknown_settings_are_refused_with_the_list_of_settings():
    class Fake:
        settings = {"DATADESK_VALUES_LINKS": False}

    with pytest.raises(SettingsError) as failure:
        iv.configure(Fake())
    assert str(failure.value).startswith("pelicanconf.py: unknown setting DATADESK_VALUES_LINKS; did you "
                                         "mean DATADESK_VALUES_LINK?; the datadesk plugin knows "
                                         "DATADESK_DATA_DIR, ")

    Fake.settings = {"DATADESK_UNITS": {"tonnes": {"fr": "t"}}}
    with pytest.raises(SettingsError, match=r"^pelicanconf.py: DATADESK_UNITS\['tonnes'\] needs an 'en' "):
        iv.configure(Fake())


def test_every_setting_and_unit_is_documented():
    readme = (ROOT / "plugins" / "datadesk" / "README.md").read_text(encoding="utf-8")
    for name in iv.SETTINGS:
        assert f"`{name}`" in readme, name
    from datadesk.values.formatting import UNITS

    for unit in UNITS:
        assert f"`{unit}`" in readme, unit


# --- in a real build -------------------------------------------------------------------

def fixture_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    return project


def build(project: Path, out: Path, publish: bool = False):
    env = {"SITEURL": "https://example.org/site"} if publish else None
    settings = project / "editorconf.py"
    if publish:
        (project / "editorpublish.py").write_text(
            "import sys\nsys.path.insert(0, %r)\nfrom editorconf import *\n"
            "from publishconf import *\nDATADESK_DATA_DIR = %r\n"
            % (str(project), str(project / "data")), encoding="utf-8")
        settings = project / "editorpublish.py"
    return tasks.build_site(settings=str(settings), output=out, content=project / "content",
                            quiet=True, env=env)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    project = fixture_project(tmp_path_factory.mktemp("values"))
    return build(project, project / "output")


def test_values_render_inside_paragraphs_lists_and_the_summary(fixture_site):
    page = BeautifulSoup((fixture_site / "hiver-des-coupures" / "index.html").read_text(), "lxml")
    body = page.select_one(".story-body")
    values = [a.get_text() for a in body.select("a.dv")]
    assert values == ["305", "70,5" + SP + "%", "98", "15 nov. 2022", "1,8" + SP + "Md€",
                      "31" + SP + "%"]
    assert "{{ value ne.doit pas être lu }}" in body.get_text()  # code is left alone
    standfirst = page.select_one(".standfirst")
    assert standfirst.select_one("span.dv").get_text() == "4,5 millions"
    english = BeautifulSoup((fixture_site / "en" / "hiver-des-coupures" / "index.html")
                            .read_text(), "lxml")
    assert [a.get_text() for a in english.select(".story-body a.dv")][:2] == ["305", "70.5%"]


def test_value_links_lead_to_the_dataset_page_from_every_page(fixture_site):
    for page_path in [fixture_site / "hiver-des-coupures" / "index.html",
                      fixture_site / "en" / "hiver-des-coupures" / "index.html"]:
        text = page_path.read_text(encoding="utf-8")
        assert links.MARKER not in text
        for link in BeautifulSoup(text, "lxml").select("a.dv"):
            target = (page_path.parent / link["href"]).resolve() / "index.html"
            assert target.exists(), f"{page_path}: {link['href']}"
    assert not [p for p in fixture_site.rglob("*.html") if links.MARKER in p.read_text()]


def test_dataset_pages_list_the_articles_that_use_them(fixture_site):
    page = (fixture_site / "data" / "waves" / "index.html").read_text(encoding="utf-8")
    assert "L’hiver des coupures" in page, "French pages set the title with a typographic apostrophe"


@pytest.mark.slow
def test_published_values_link_with_the_site_address(tmp_path):
    project = fixture_project(tmp_path)
    out = build(project, tmp_path / "output", publish=True)
    html = (out / "hiver-des-coupures" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/site/data/waves/"' in html
    english = (out / "en" / "hiver-des-coupures" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/site/en/data/waves/"' in english
    feed = (out / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert links.MARKER not in feed and "https://example.org/site/data/waves/" in feed


@pytest.mark.slow
def test_a_wrong_value_fails_the_build_naming_the_file_and_line(tmp_path):
    project = fixture_project(tmp_path)
    article = project / "content" / "articles" / "hiver.fr.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "{{ value max waves.missiles_launched }}", "{{ value max waves.missile_launched }}"),
        encoding="utf-8")
    out = tmp_path / "output"
    with pytest.raises(tasks.BuildFailed) as failure:
        build(project, out)
    report = str(failure.value)
    line = next(i for i, text in enumerate(article.read_text().splitlines(), 1)
                if "missile_launched" in text)
    assert (f"content/articles/hiver.fr.md:{line}: {{{{ value max waves.missile_launched }}}}: "
            f'waves has no column "missile_launched"') in report
    assert 'Did you mean "missiles_launched"?' in report
    assert "Traceback" not in report and "Could not process" not in report
    assert not out.exists()


def test_french_writes_the_first_of_the_month_as_an_ordinal():
    from babel import Locale

    from datadesk.values.formatting import format_date_value

    fr, en = Locale.parse("fr_FR"), Locale.parse("en_US")
    assert format_date_value(dt.date(2022, 12, 1), "date:long", fr) == "1er décembre 2022"
    assert format_date_value(dt.date(2022, 12, 2), "date:long", fr) == "2 décembre 2022"
    assert format_date_value(dt.date(2022, 12, 1), "date:long", en) == "December 1, 2022"


def test_after_a_data_edit_only_that_dataset_is_worked_out_again(tmp_path):
    """The preview keeps values between rebuilds: an edited CSV must show its new figure,
    even when the edit keeps the file's size and lands within the same clock tick, while
    values from untouched datasets are reused rather than recomputed."""
    import os

    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", data)
    conf = {"DATADESK_DATA_DIR": str(data)}
    cache = DeskCache()  # what the preview keeps between builds
    desk = None

    def rebuild():
        nonlocal desk
        desk = Desk(settings(**conf), cache)

    def show(args):
        page = ShortcodeContext(path="content/articles/x.fr.md", line=7, lang="fr",
                                settings=desk.settings, block=False, desk=desk)
        return BeautifulSoup(iv.handle(args, page), "html.parser").get_text()

    rebuild()
    assert show("aid.committed_eur_bn donor=Germany") == "0,74" + SP + "Md€"
    waves_value = show("sum waves.missiles_launched")
    kept = {k: v for k, v in cache.values.items() if v[1] == "waves"}
    assert kept
    aid = data / "aid.csv"
    before = aid.stat()
    aid.write_text(aid.read_text(encoding="utf-8").replace("Germany,0.74,", "Germany,0.99,"),
                   encoding="utf-8")
    os.utime(aid, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same clock tick
    assert aid.stat().st_size == before.st_size
    rebuild()
    assert show("aid.committed_eur_bn donor=Germany") == "0,99" + SP + "Md€"
    assert show("sum waves.missiles_launched") == waves_value
    assert all(cache.values[k] is v for k, v in kept.items()), "untouched dataset recomputed"


def test_links_are_written_from_the_page_they_end_up_on_and_none_is_left_unresolved(tmp_path, caplog):
    html = f'<a href="{links.site_link("data/aid/")}">x</a>'
    assert links.resolve(html, "../..") == '<a href="../../data/aid/">x</a>'
    assert links.resolve(html, ".") == '<a href="./data/aid/">x</a>'
    assert links.resolve(html, "https://example.org/site/") == '<a href="https://example.org/site/data/aid/">x</a>'
    page = tmp_path / "story" / "index.html"
    page.parent.mkdir()
    page.write_text("<p>\n" + html + "\n", encoding="utf-8")
    links.check_written(str(page), {})
    assert f"{page}:2: a link of a chart or an inline value was written unresolved" in caplog.text
    assert "site_links" in caplog.text


def test_arguments_parsed_once_give_a_query_of_their_own_each_time():
    """query.parse keeps each parsed shortcode's query for the process: every call gets a new
    Query (the handler changes its column for label_fr/label_en), and arguments that do not
    parse raise every time."""
    from datadesk.values import query as q

    args = "sum strikes_waves.missiles_launched wave_start>=2022-10-10 format=integer"
    first = q.parse(args)
    first.column = "label_fr"
    first.options["unit"] = "none"
    again = q.parse(args)
    assert again == q._parse(args) and again is not first
    assert again.column == "missiles_launched" and "unit" not in again.options
    for _ in range(2):
        with pytest.raises(q.QueryError, match="quotation mark"):
            q.parse('strikes_waves.missiles_launched region="Kyiv')
