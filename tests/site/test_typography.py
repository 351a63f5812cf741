"""French typography in everything the chart layer and the dataset pages generate.

The prose is set by hand; these strings are generated (titles, axes, legends, tooltips,
alt text, descriptions, data tables, dataset pages), so a test reads them all in the
built site and fails on each mistake: a straight apostrophe, a missing narrow no-break
space before : ; ! ? », « 1 » for the first of the month, a plural after 0 or 1,
« Mrd € », the English spelling of Tchernivtsioblenergo, a digit under ten in running
prose, an English licence name on a French page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

MONTHS = r"(?:janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.|janvier|février|avril|" \
         r"juillet|septembre|octobre|novembre|décembre)"
SPACE = "[ \u00a0]"
# Words ending in s that are not plurals, or stay the same in the singular.
NOT_PLURAL = {"mois", "fois", "pays", "mars", "plus", "sans", "dans", "sous", "avis", "paris", "jours-hommes", "temps",
              "poids", "prix", "cours", "corps", "bras", "gaz", "lieux"}
# Words a digit under ten may precede in running prose: units and months.
UNIT_WORDS = {"h", "heure", "heures", "km", "gw", "mw", "md€", "m€", "md$", "millions", "million", "milliards",
              "milliard", "%", "€", "$"}
LICENCE_EN = ("Unclear, attribution requested", "Not stated", "unclear-attribution-requested")

RULES = [
    ("straight apostrophe (write ’)", re.compile(r"[A-Za-zÀ-ÿ]'[A-Za-zÀ-ÿ]")),
    ("space before : ; ! ? » must be a narrow no-break space (U+202F)",
     re.compile(rf"{SPACE}[:;!?»]")),
    ("space after « must be a narrow no-break space (U+202F)", re.compile(rf"«{SPACE}")),
    ("no space at all before ; ! ? »", re.compile(r"[A-Za-zÀ-ÿ0-9)][;!?»]")),
    ("the first of the month is « 1er »", re.compile(rf"(?<![\d,.]){'1'}[ \u00a0\u202f]{MONTHS}")),
    ("« Mrd € »: write « Md€ »", re.compile(r"Mrd\s?€")),
    ("Chernivtsioblenergo: in French, Tchernivtsioblenergo", re.compile(r"(?<!T)Chernivtsioblenergo")),
]
PLURAL = re.compile(r"(?<![\d,.\u202f])[01][ \u00a0\u202f]([a-zà-ÿ]{3,}s)\b")
SMALL = re.compile(r"(?<![\w,.\u202f\u00a0/–-])([2-9])[ \u00a0\u202f]([a-zà-ÿ%€$]\S*)")
# A digit before these is a label or one end of a range: « groupes 4 et 6 », « 3 par jour ».
LINK_WORDS = {"et", "ou", "à", "au", "aux", "du", "de", "des", "sur", "en", "par"}


def mistakes(text: str, prose: bool = False, code: bool = False) -> list[str]:
    """Each typographic mistake in one French string, named; ``prose`` adds the running-prose
    rule (numbers under ten in words); ``code`` (a Vega expression, where « ? : » are
    operators) leaves the spacing rules out."""
    found = []
    for name, rule in RULES:
        if code and "space" in name:
            continue
        for match in rule.finditer(text):
            if name.startswith("no space") and re.search(r"https?://\S*$", text[:match.end()]):
                continue
            found.append(f"{name}: …{text[max(0, match.start() - 25):match.end() + 15]}…")
    for match in PLURAL.finditer(text):
        if match.group(1).lower() not in NOT_PLURAL:
            found.append(f"plural after {match.group(0)[0]} (« 1 unité », « 0 heure »): …{match.group(0)}…")
    if prose:
        for match in SMALL.finditer(text):
            word = match.group(2).rstrip(".,;:)").lower()
            if word not in UNIT_WORDS | LINK_WORDS and not re.fullmatch(MONTHS, match.group(2).rstrip(",;:)")):
                found.append(f"number under ten in running prose (write it out): …{match.group(0)}…")
    return found


def test_each_rule_catches_its_mistake_and_passes_good_french():
    bad = {
        "l'Ukraine": "straight apostrophe",
        "Source : Kiel": "narrow no-break space",
        "« bombe sale »": "after «",
        "Pourquoi?": "no space at all",
        "le 1 oct. 2022": "1er",
        "12,3 Mrd €": "Mrd",
        "programmes de Chernivtsioblenergo": "Tchernivtsioblenergo",
        "1 unités": "plural",
        "0 heures": "plural",
    }
    for text, rule in bad.items():
        assert any(rule in m for m in mistakes(text)), f"{text!r} is not caught ({rule})"
    assert any("under ten" in m for m in mistakes("Diagramme : 5 catégories", prose=True))
    good = ("l’Ukraine", "Source\u202f: Kiel", "«\u202fbombe sale\u202f»", "Pourquoi\u202f?", "le 1er oct. 2022",
            "12,3\u00a0Md€", "programmes de Tchernivtsioblenergo", "1 unité", "0 heure", "trois mois",
            "https://example.org/a;b", "17 heures")
    for text in good:
        assert mistakes(text, prose=True) == [], f"{text!r} wrongly flagged: {mistakes(text, prose=True)}"


def french_chart_strings(site: Path) -> list[tuple[str, str, bool]]:
    """(where, text, is running prose) for every string a French chart produces."""
    found = []
    for path in sorted((site / "charts").glob("*/*.fr*.vg.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        found += [(f"{path.relative_to(site)}", s, "code") for s in strings_of(spec, skip_data=True)]
    for path in sorted((site / "charts").glob("*/*.fr*.svg")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        found += [(f"{path.relative_to(site)}", t.get_text(), False) for t in soup.find_all("text")]
    for path in sorted(site.glob("*/index.html")):
        if path.parent.name in ("en", "data", "charts"):
            continue
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for figure in page.select("figure.chart"):
            where = f"{path.relative_to(site)} #{figure.get('id')}"
            for el in figure.select(".chart-description, .chart-notes"):
                found.append((where, el.get_text(), True))
            for img in figure.select("img[alt]"):
                found.append((where, img["alt"], True))
            for el in figure.select("figcaption, .chart-source, caption, th"):
                found.append((where, el.get_text(), False))
            # Data cells the chart layer formats (numbers, dates), not the data's own words.
            for el in figure.select("td"):
                cell = el.get_text(" ").strip()
                if not re.search(r"[A-Za-z]{2,}", re.sub(MONTHS, "", cell)):
                    found.append((where, cell, False))
    return found


def strings_of(value, skip_data: bool) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in strings_of(v, skip_data)]
    if isinstance(value, dict):
        return [s for k, v in value.items() if not (skip_data and k in ("data", "values", "$schema", "format",
                                                                         "locale", "usermeta"))
                for s in strings_of(v, skip_data)]
    return []


def french_dataset_strings(site: Path) -> list[tuple[str, str, bool]]:
    found = []
    for path in sorted((site / "data").glob("*/index.html")) + [site / "data" / "index.html"]:
        if not path.exists():
            continue
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        main = page.select_one("main")
        for el in main.select("p, li, dd, dt, h1, h2, h3, caption, th, figcaption"):
            if el.find_parent("table") and el.name not in ("th", "caption"):
                continue
            if el.find_parent(attrs={"lang": "en"}):
                continue  # the English citation a French page also offers
            found.append((f"{path.relative_to(site)}", el.get_text(), el.name in ("p", "li", "dd")))
    return found


@pytest.fixture(scope="module")
def french_strings(built_site):
    return french_chart_strings(built_site) + french_dataset_strings(built_site)


def test_the_french_strings_are_many(french_strings):
    assert len(french_strings) > 500, "the scan reads the charts and dataset pages"


def test_every_french_chart_and_dataset_string_is_well_set(french_strings):
    problems = sorted({f"{where}: {m}" for where, text, kind in french_strings
                       for m in mistakes(text, prose=kind is True, code=kind == "code")})
    assert not problems, f"{len(problems)} typographic mistakes:\n" + "\n".join(problems[:80])


def test_licence_names_on_french_dataset_pages_are_in_french(built_site):
    problems = []
    for path in sorted((built_site / "data").glob("*/index.html")):
        main = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one("main")
        for table in main.select("table"):
            table.decompose()  # the preview shows the file's own cells, exactly as they are
        text = main.get_text(" ")
        problems += [f"{path.relative_to(built_site)}: {name}" for name in LICENCE_EN if name in text]
    assert not problems, "English licence names on French pages:\n" + "\n".join(problems)


def test_dates_the_browser_formats_follow_the_language():
    # The live view formats some dates itself (tooltips, ARIA labels): the rules above
    # must hold there too, « 1er » included, which no d3 format can write.
    from datadesk.charts.render import localise_dates

    spec = {"marks": [{"encode": {"update": {
        "tooltip": {"signal": '{"Semaine": timeFormat(datum["week_start"], "%-d %b %Y")}'},
        "description": {"signal": '"end: " + (timeFormat(datum["end"], "%b %d, %Y"))'}}}}],
        "axes": [{"format": "%b %d, %Y"}, {"format": "%b %Y"}]}
    fr = localise_dates(spec, "fr")
    update = fr["marks"][0]["encode"]["update"]
    assert update["tooltip"]["signal"] == (
        '{"Semaine": (date(datum["week_start"]) === 1 ? timeFormat(datum["week_start"], "1er %b %Y") '
        ': timeFormat(datum["week_start"], "%-d %b %Y"))}')
    assert '"%b %d, %Y"' not in update["description"]["signal"]
    assert fr["axes"] == [{"format": "%-d %b %Y"}, {"format": "%b %Y"}]
    en = localise_dates(spec, "en")
    assert en["axes"][0] == {"format": "%b %-d, %Y"} and "1er" not in json.dumps(en)


def test_no_french_live_view_writes_a_first_of_the_month_as_1(built_site):
    guarded = re.compile(r'\(date\((.+?)\) === 1 \? timeFormat\(\1, "1er ([^"]*)"\) : timeFormat\(\1, "%-d \2"\)\)')
    checked = 0
    for path in sorted((built_site / "charts").glob("*/*.fr*.vg.json")):
        for text in strings_of(json.loads(path.read_text(encoding="utf-8")), skip_data=True):
            assert "%b %d, %Y" not in text, (path.name, text)
            if "%-d" in text and "timeFormat(" in text:
                checked += 1
                # every day-of-month format sits in the guard that writes « 1er » on the 1st
                assert "%-d" not in guarded.sub("", text), (path.name, text)
    assert checked, "no French live view formats a day of the month: the test checks nothing"
