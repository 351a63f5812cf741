"""The stories and pages as readers get them, checked against their markdown.

Every article and page is built in its language; every chart an article places is on the
page with its picture, source line and data; every article has its sources, byline, date,
reading time and standfirst; the data articles give the as-of date of each dataset; no
number the data holds is typed by hand in the prose; and every link is well formed.

All checks read the session build (``built_site``) and the markdown; nothing is rebuilt.
"""

from __future__ import annotations

import csv
import re
import sys
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from babel.dates import format_date
from bs4 import BeautifulSoup

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "content"))

from datadesk import datasets as catalog  # noqa: E402  (plugins/ is on sys.path through conftest)
from datadesk.shortcodes import SHORTCODE  # noqa: E402
from datadesk.desk import DeskCache  # noqa: E402
from story_markdown import (RELAYED, URL_START, Doc, chart_ids, listed_datasets,  # noqa: E402
                            markdown_links, numbers_in, read_doc, relay_host, typed_numbers,
                            url_problems, value_shortcodes, words)

CONTENT = ROOT / "content"
# The issue names two data explainers; each needs at least four charts.
DATA_ARTICLES = {"defense-aerienne-armes-lourdes", "front-energetique"}
MIN_CHARTS = 4
DATA_USED = {"fr": "Données utilisées", "en": "Data used"}


def all_docs(folder: str) -> list[Doc]:
    return [read_doc(p) for p in sorted((CONTENT / folder).glob("*.md"))]


ARTICLES = all_docs("articles")
PAGES = [d for d in all_docs("pages") if d.meta.get("status", "").lower() != "hidden"]
DOCS = ARTICLES + PAGES


# --------------------------------------------------------------------------- built pages

@lru_cache(maxsize=None)
def _parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


# The real datasets are only read here: validated once for the module, as the preview's cache
# keeps them (by content hash), not once per article and dataset (each validation of the
# whole catalogue reads every row of every CSV).
_READ_ONLY = DeskCache()


def real_catalog():
    return catalog.get_catalog(ROOT / "data", cache=_READ_ONLY)


def page_of(site: Path, doc: Doc) -> BeautifulSoup:
    path = doc.built(site)
    assert path.is_file(), f"{doc.rel}: no built page at {path.relative_to(site)}"
    return _parse(path)


def target_of(page: Path, href: str) -> Path:
    """The file a relative href of a built page leads to (directory URLs -> index.html)."""
    target = (page.parent / unquote(href.split("#")[0].split("?")[0])).resolve()
    return target / "index.html" if target.is_dir() or href.split("#")[0].endswith("/") else target


def dataset_links(tag, page: Path) -> set[str]:
    names = set()
    for a in tag.select("a[href]"):
        match = re.search(r"(?:^|/)data/([a-z0-9_]+)/$", a["href"])
        if match and target_of(page, a["href"]).is_file():
            names.add(match.group(1))
    return names


# --------------------------------------------------------------------------- 1. both languages

def read_twin(doc: Doc, lang: str) -> Doc:
    return next(d for d in DOCS if d.slug == doc.slug and d.lang == lang)


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.rel)
def test_each_article_and_page_is_built_in_its_language(built_site, doc):
    page = page_of(built_site, doc)
    assert page.html.get("lang") == doc.lang, f"{doc.rel}: <html lang> is {page.html.get('lang')!r}"
    h1 = page.select_one("main h1")
    assert h1 is not None and words(h1.get_text()) == words(doc.meta["title"]), (
        f"{doc.rel}: the page's heading is {h1 and h1.get_text()!r}, not the title "
        f"{doc.meta['title']!r}")


@pytest.mark.parametrize("kind,docs", [("articles", ARTICLES), ("pages", PAGES)])
def test_every_slug_exists_in_both_languages(built_site, kind, docs):
    by_slug: dict[str, set[str]] = {}
    for doc in docs:
        by_slug.setdefault(doc.slug, set()).add(doc.lang)
    missing = {slug: {"fr", "en"} - langs for slug, langs in by_slug.items() if langs != {"fr", "en"}}
    assert not missing, f"{kind} without a translation: {missing}"
    for doc in docs:
        page = page_of(built_site, doc)
        other = "en" if doc.lang == "fr" else "fr"
        links = [a["href"] for a in page.select(f'a[hreflang="{other}"]')]
        assert any(target_of(doc.built(built_site), h) == read_twin(doc, other).built(built_site).resolve()
                   for h in links), f"{doc.rel}: no link to its {other} version ({links})"



# --------------------------------------------------------------------------- 2. charts, sources

@pytest.mark.parametrize("doc", ARTICLES, ids=lambda d: d.rel)
def test_each_chart_is_on_the_page_with_picture_source_and_data(built_site, doc):
    page, path = page_of(built_site, doc), doc.built(built_site)
    placed = chart_ids(doc)
    problems = []
    for line, chart in placed:
        where = f"{doc.rel}:{line}: {{{{ chart {chart} }}}}"
        figure = page.select_one(f'figure.chart[id="chart-{chart}"]')
        if figure is None:
            problems.append(f"{where}: no figure#chart-{chart} on the built page")
            continue
        img = figure.select_one("picture img[src]")
        pictures = ([img["src"]] if img else []) + [s["srcset"] for s in figure.select("picture source")]
        if not img:
            problems.append(f"{where}: the figure has no static picture")
        problems += [f"{where}: picture {p} is not in the build" for p in pictures
                     if not target_of(path, p).is_file()]
        source = figure.select_one(".chart-source")
        if source is None or not source.get_text(strip=True):
            problems.append(f"{where}: no source line")
        elif not dataset_links(source, path):
            problems.append(f"{where}: the source line links no dataset page that exists")
        csvs = [a["href"] for a in figure.select("a[download][href]") if a["href"].endswith(".csv")]
        if not csvs:
            problems.append(f"{where}: no CSV download")
        for href in csvs:
            file = target_of(path, href)
            if not file.is_file() or file.read_text(encoding="utf-8").count("\n") < 2:
                problems.append(f"{where}: the CSV {href} is missing or has no rows")
    shown = [f["id"].removeprefix("chart-") for f in page.select(".story-body figure.chart")]
    if shown != [c for _line, c in placed]:
        problems.append(f"{doc.rel}: the page shows the charts {shown}, the markdown places "
                        f"{[c for _l, c in placed]}")
    if doc.slug in DATA_ARTICLES and len(placed) < MIN_CHARTS:
        problems.append(f"{doc.rel}: {len(placed)} charts; a data article needs at least {MIN_CHARTS}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", ARTICLES, ids=lambda d: d.rel)
def test_each_article_has_standfirst_byline_date_reading_time_and_sources(built_site, doc):
    page, path = page_of(built_site, doc), doc.built(built_site)
    head = page.select_one(".story-head")
    assert head is not None, f"{doc.rel}: no article header"
    standfirst = head.select_one(".standfirst")
    # The Summary's words, in order, with whatever its value shortcodes show in between.
    pieces = [re.escape(words(p)) for p in SHORTCODE.split(doc.meta.get("summary", ""))[::3]]
    assert doc.meta.get("summary") and standfirst is not None and re.fullmatch(
        r"\w*?".join(pieces), words(standfirst.get_text())), f"{doc.rel}: the standfirst is not the Summary"
    byline = head.select_one(".byline")
    assert byline is not None and words(doc.meta["authors"]) in words(byline.get_text()), (
        f"{doc.rel}: no byline naming {doc.meta['authors']!r}")
    published = head.select_one(".meta time[datetime]")
    assert published is not None and published["datetime"].startswith(doc.meta["date"][:10]), (
        f"{doc.rel}: the date shown is not {doc.meta['date']}")
    expected = format_date(date.fromisoformat(doc.meta["date"][:10]), "long", locale=doc.lang)
    assert published.get_text(strip=True) == expected, f"{doc.rel}: the date reads {published.get_text()!r}"
    minutes = re.search(r"\b(\d+) min\b", head.select_one(".meta").get_text())
    assert minutes and int(minutes.group(1)) >= 1, f"{doc.rel}: no reading time"

    body = page.select_one(".story-body")
    heading = next((h for h in body.find_all("h2") if h.get_text(strip=True) == "Sources"), None)
    assert heading is not None, f'{doc.rel}: no "Sources" heading'
    listing = heading.find_next_sibling()
    assert listing is not None and listing.name == "ul", (
        f"{doc.rel}: the Sources heading is not followed by a list")
    items = listing.find_all("li", recursive=False)
    assert len(items) >= 3, f"{doc.rel}: only {len(items)} sources"
    bare = [li.get_text(" ", strip=True)[:80] for li in items
            if not any(a["href"].startswith("https://") for a in li.select("a[href]"))]
    assert not bare, f"{doc.rel}: sources without a link: {bare}"

    related = page.select_one("aside.related")
    others = {d.slug for d in ARTICLES if d.lang == doc.lang and d.slug != doc.slug}
    linked = {target_of(path, a["href"]).parent.name for a in related.select("a[href]")} if related else set()
    assert others and others <= linked, f"{doc.rel}: related stories link {linked}, expected {others}"


def as_of_texts(as_of: str, lang: str) -> list[str]:
    day = date.fromisoformat(as_of)
    text = format_date(day, "long", locale=lang)
    # French writes the first of the month "1er".
    return [text, text.replace("1 ", "1er ", 1)] if lang == "fr" and day.day == 1 else [text]


@pytest.mark.parametrize("doc", ARTICLES, ids=lambda d: d.rel)
def test_data_used_gives_each_dataset_and_its_as_of_date(built_site, doc):
    page, path = page_of(built_site, doc), doc.built(built_site)
    body = page.select_one(".story-body")
    figures = body.select("figure.chart")
    from_charts = set().union(*(dataset_links(f.select_one(".chart-source"), path) for f in figures))
    from_values = {re.search(r"data/([a-z0-9_]+)/$", a["href"]).group(1) for a in body.select("a.dv[href]")}
    listed = set(listed_datasets(doc))
    if doc.slug not in DATA_ARTICLES:
        assert not (listed or from_charts or from_values or value_shortcodes(doc)), (
            f"{doc.rel}: a prose piece uses datasets {listed | from_charts | from_values}")
        return
    assert listed, f"{doc.rel}: a data article declares no Datasets:"
    unlisted = (from_charts | from_values) - listed
    assert not unlisted, f"{doc.rel}: Datasets: lacks {sorted(unlisted)}, which its charts or values use"
    heading = next((h for h in body.find_all("h2") if h.get_text(strip=True) == DATA_USED[doc.lang]), None)
    assert heading is not None, f'{doc.rel}: no "{DATA_USED[doc.lang]}" section'
    listing = heading.find_next_sibling("ul")
    assert listing is not None, f'{doc.rel}: "{DATA_USED[doc.lang]}" is not followed by a list'
    items = listing.find_all("li", recursive=False)
    cat = real_catalog()
    problems = []
    for name in sorted(listed | from_charts):
        item = next((li for li in items if name in dataset_links(li, path)), None)
        if item is None:
            problems.append(f"{name}: not linked in {DATA_USED[doc.lang]!r}")
            continue
        dates = as_of_texts(cat.resource(name)["as_of"], doc.lang)
        text = " ".join(item.get_text(" ").split())
        if not any(d in text for d in dates):
            problems.append(f"{name}: its as-of date {dates[0]!r} is not stated in: {text[:160]}…")
    assert not problems, f"{doc.rel}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- 3. hand-typed numbers

def shown_values(site: Path, doc: Doc) -> list[tuple[int, str, str]]:
    """(line, shortcode, text shown) for each value shortcode of the body, in order."""
    page = page_of(site, doc)
    shown = [" ".join(el.get_text().split()) for el in page.select(".story-body .dv")]
    codes = value_shortcodes(doc)
    assert len(shown) == len(codes), (
        f"{doc.rel}: {len(codes)} value shortcodes in the body, {len(shown)} values on the page")
    return [(line, code, text) for (line, code), text in zip(codes, shown)]


def produced_values(site: Path, doc: Doc) -> dict[float, str]:
    produced = {}
    for line, code, text in shown_values(site, doc):
        for value in numbers_in(text):
            produced.setdefault(value, f"{code} (line {line}, shows {text!r})")
    return produced


def used_datasets(site: Path, doc: Doc) -> set[str]:
    page, path = page_of(site, doc), doc.built(site)
    body = page.select_one(".story-body")
    names = set(listed_datasets(doc))
    names |= {re.search(r"data/([a-z0-9_]+)/$", a["href"]).group(1) for a in body.select("a.dv[href]")}
    for figure in body.select("figure.chart"):
        names |= dataset_links(figure.select_one(".chart-source"), path)
    return names


def cell_values(names: set[str]) -> dict[float, str]:
    cells: dict[float, str] = {}
    for name in sorted(names):
        for value, hint in dataset_cells(name).items():
            cells.setdefault(value, hint)
    return cells


def _options(value: float) -> set[float]:
    """A value and the roundings prose uses (one decimal, two below 1)."""
    return {value} if value.is_integer() else {value, round(value, 1), round(value, 2)}


@lru_cache(maxsize=None)
def dataset_cells(name: str) -> dict[float, str]:
    """Every number a dataset holds, and the sums an editor would most likely type by hand
    (a column's total, its total per value of a category column), each with the CSV line
    or the shortcode that writes it."""
    cat = real_catalog()
    frame = cat.frame(name).reset_index(drop=True)
    resource = cat.resource(name)
    key = resource.get("schema", {}).get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    lines = csv_lines(ROOT / "data" / resource["path"])
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]
    # Columns an editor filters on (donor, category, system...): few distinct values.
    categories = [c for c in frame.columns if c not in numeric and 1 < frame[c].nunique() <= 60]
    cells: dict[float, str] = {}
    for column in numeric:
        for position, value in frame[column].dropna().items():
            for option in _options(float(value)) - cells.keys():
                pick = " ".join(f"{k}={_arg(frame.at[position, k])}" for k in key if k != column)
                cells[option] = (f"{resource['path']} line {lines[position]}: "
                                 f"{{{{ value {name}.{column} {pick} }}}}")
    for column in numeric:
        sums = [(float(frame[column].sum()), "")]
        for category in categories:
            for group, total in frame.groupby(category)[column].sum().items():
                sums.append((float(total), f" {category}={_arg(group)}"))
        for total, pick in sums:
            for option in _options(total) - cells.keys():
                cells[option] = f"{{{{ value sum {name}.{column}{pick} }}}}"
    return cells


def csv_lines(path: Path) -> list[int]:
    """The line each data row starts on (a quoted cell may span lines), as an editor sees it."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader, starts = csv.reader(handle), []
        next(reader)
        last = reader.line_num
        for row in reader:
            if any(cell.strip() for cell in row):
                starts.append(last + 1)
            last = reader.line_num
    return starts


def _arg(value) -> str:
    text = value.date().isoformat() if hasattr(value, "date") else str(value)
    return f'"{text}"' if " " in text else text


# Hand-typed numbers that are right to type by hand although a dataset happens to hold the
# same value. Keyed by file and the exact phrase around the number; each says why.
# An entry that no longer matches anything fails the test, so the list cannot go stale.
ALLOWED: dict[tuple[str, str], str] = {
    # The price of the T-72B deal, from the US DoD release; 90 is also the number of tanks.
    ("defense-aerienne-armes-lourdes.en.md", "approximately $90 million"): "deal price (DoD)",
    ("defense-aerienne-armes-lourdes.fr.md", "environ 90 millions de dollars"): "deal price (DoD)",
    # The size of the US aid package, from Business Insider; not a count of vehicles.
    ("defense-aerienne-armes-lourdes.en.md", "a $400 million package"): "package (Business Insider)",
    ("defense-aerienne-armes-lourdes.fr.md", "paquet de 400 millions de dollars"): "package (Business Insider)",
    # The names of the Kiel tracker's releases (French writes "7e version", an ordinal).
    ("defense-aerienne-armes-lourdes.en.md", "Release 7"): "name of a release",
    ("defense-aerienne-armes-lourdes.en.md", "Release 29"): "name of a release",
    # OSW's own drone count, cited, set against ours on purpose.
    ("front-energetique.en.md", "It counts 24 drones"): "OSW count (cited)",
    ("front-energetique.fr.md", "L'OSW compte, lui, 24 drones"): "OSW count (cited)",
    # Quotes: the words of Shmyhal (babel.ua) and of Ihnat (babel.ua), not our data.
    ("front-energetique.en.md", "approximately 100 missiles"): "quote (babel.ua)",
    ("front-energetique.fr.md", "environ 100 missiles"): "quote (babel.ua)",
    ("front-energetique.en.md", "more than 420 missiles and 430 kamikaze drones"): "quote (babel.ua)",
    ("front-energetique.fr.md", "plus de 420 missiles et 430 drones kamikazes"): "quote (babel.ua)",
    # A day of the month: the evening of November 17 (English writes "the 17th").
    ("front-energetique.fr.md", "le 17 au soir"): "a date",
    # Calendar lengths of the two periods compared (days from October 10 to 26, from
    # October 27 to November 23), not data: the days with drones beside them are values.
    ("front-energetique.en.md", "of the 17 days"): "calendar days",
    ("front-energetique.en.md", "of the 28 days"): "calendar days",
    ("front-energetique.fr.md", "jours sur 17"): "calendar days",
    ("front-energetique.fr.md", "jours sur 28"): "calendar days",
    # Numbers in words that are not data: the length of the campaign, the Kyiv Independent's
    # count of large strikes (cited), Ukrenergo's "six" (cited), how many figures or
    # estimates a sentence compares, the press's four IRIS-T systems (cited), elapsed time.
    ("front-energetique.en.md", "In six weeks"): "length of the period",
    ("front-energetique.fr.md", "En six semaines"): "length of the period",
    ("front-energetique.en.md", "the five large waves"): "Kyiv Independent count (cited)",
    ("front-energetique.fr.md", "des cinq grandes vagues"): "Kyiv Independent count (cited)",
    ("front-energetique.en.md", "Five big waves"): "Kyiv Independent count (cited)",
    ("front-energetique.fr.md", "Cinq grandes vagues"): "Kyiv Independent count (cited)",
    ("front-energetique.en.md", "We count five large-scale strikes"): "Kyiv Independent count (cited)",
    ("front-energetique.fr.md", "Nous comptons cinq grandes frappes"): "Kyiv Independent count (cited)",
    ("front-energetique.en.md", "Ukrenergo counted six"): "Ukrenergo count (cited)",
    ("front-energetique.fr.md", "Ukrenergo comptait six"): "Ukrenergo count (cited)",
    ("front-energetique.en.md", "a series: two describe"): "figures compared",
    ("front-energetique.fr.md", "série : deux décrivent"): "figures compared",
    ("front-energetique.en.md", "The two estimates"): "estimates compared",
    ("front-energetique.fr.md", "Les deux estimations"): "estimates compared",
    ("defense-aerienne-armes-lourdes.en.md", "the first of four promised"): "press count (Der Spiegel)",
    ("defense-aerienne-armes-lourdes.fr.md", "le premier des quatre systèmes"): "press count (Der Spiegel)",
    ("defense-aerienne-armes-lourdes.en.md", "the press's four"): "press count (Der Spiegel)",
    ("defense-aerienne-armes-lourdes.fr.md", "les quatre de la presse"): "press count (Der Spiegel)",
    ("defense-aerienne-armes-lourdes.en.md", "receive four systems"): "quote (Schwäbische Zeitung)",
    ("defense-aerienne-armes-lourdes.fr.md", "recevoir quatre systèmes"): "quote (Schwäbische Zeitung)",
    ("defense-aerienne-armes-lourdes.en.md", "a little over four months"): "elapsed time",
    ("defense-aerienne-armes-lourdes.fr.md", "un peu plus de quatre mois"): "elapsed time",
    ("defense-aerienne-armes-lourdes.en.md", "Four years on"): "elapsed time",
    ("defense-aerienne-armes-lourdes.fr.md", "Quatre ans plus tard"): "elapsed time",
    ("defense-aerienne-armes-lourdes.en.md", "Kiel's two releases"): "releases compared",
    ("defense-aerienne-armes-lourdes.fr.md", "des deux versions"): "releases compared",
}


@pytest.mark.parametrize("doc", ARTICLES, ids=lambda d: d.rel)
def test_no_number_the_data_holds_is_typed_by_hand(built_site, doc):
    # Both languages' values: a number typed by hand in one language is often still a
    # shortcode in the other.
    produced = {}
    for twin in (d for d in ARTICLES if d.slug == doc.slug):
        for value, hint in produced_values(built_site, twin).items():
            produced.setdefault(value, hint if twin is doc else f"{hint} in {twin.path.name}")
    cells = cell_values(used_datasets(built_site, doc))
    offending, used = [], set()
    for typed in typed_numbers(doc, produced, cells):
        allowed = [key for key in ALLOWED if key[0] == doc.path.name and any(
            m.start() <= typed.span[0] and typed.span[1] <= m.end()
            for m in re.finditer(re.escape(key[1]), typed.text))]
        if allowed:
            used.update(allowed)
            continue
        offending.append(f"{typed.where}: {typed.number!r} in \"{typed.phrase}\" equals "
                         + "; ".join(typed.matches[:2]))
    stale = [f"{k[0]}: {k[1]!r}" for k in ALLOWED if k[0] == doc.path.name and k not in used]
    assert not offending and not stale, (
        "Numbers the data holds, typed by hand (write them with the shortcode named):\n"
        + "\n".join(offending)
        + ("\nAllow-list entries that no longer match anything (remove them):\n" + "\n".join(stale)
           if stale else ""))


def test_the_allow_list_names_articles_and_explains_each_entry():
    names = {doc.path.name for doc in ARTICLES}
    assert all(file in names and phrase and reason for (file, phrase), reason in ALLOWED.items())


SAMPLE = """Title: Sample
Slug: sample
Lang: en
Summary: Russia fired 84 missiles on October 10, 2022.

On Monday, October 10, 2022, between 6am and 2pm, Russia fired {{ value x.y }} Kh-101 missiles; 84 were counted.
In all 1,821 drones and a 23.3% share; €40.7bn pledged; 4.5 million people; T-72B tanks; the 17th; 2022–23.
Selon [l'armée](https://example.org/84-missiles) 1 821 drones, une part de 23,3 % et 40,7 Md€, le 10 et 17 octobre.

## Sources

- Reuters, "84 missiles hit Ukraine", October 10, 2022. <https://example.org/84>
"""


def test_the_hand_typed_number_check_catches_both_languages_formats(tmp_path):
    path = tmp_path / "sample.en.md"
    path.write_text(SAMPLE, encoding="utf-8")
    produced = {84.0: "{{ value x.y }}"}
    cells = {1821.0: "x.csv line 2", 23.3: "x.csv line 3", 40.7: "x.csv line 4", 4.5e6: "x.csv line 5"}
    found = [(t.where.rsplit(":", 1)[1], t.number) for t in typed_numbers(read_doc(path), produced, cells)]
    assert found == [("4", "84"), ("6", "84"), ("7", "1,821"), ("7", "23.3"), ("7", "40.7"), ("7", "4.5"),
                     ("8", "1 821"), ("8", "23,3"), ("8", "40,7")]


# --------------------------------------------------------------------------- 4. links

# Hosts the research notes name as aggregators (or, for Sputnik, as a source to replace):
# cite the primary publisher instead, or name the relay in the link's text or source line.
AGGREGATORS = {"breaknlinks.com", "newser.com", "voi.id", "actucameroun.com",
               "ieu-monitoring.com", "sputniknews.com"}


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.rel)
def test_every_external_link_is_well_formed(built_site, doc):
    page = page_of(built_site, doc)
    main = page.select_one("main")
    built = {a["href"] for a in main.select("a[href]")}
    problems = []
    for link in markdown_links(doc):
        problems += [f"{link.where}: {link.url} {p}" for p in url_problems(link.url)]
        if link.kind == "bare":
            problems.append(f"{link.where}: {link.url} is not a link; write <{link.url}> or [text]({link.url})")
        elif link.url not in built:
            problems.append(f"{link.where}: {link.url} is not a link on the built page (markdown mistake?)")
        relay = relay_host(link.url, AGGREGATORS)
        if relay and not (relay.rsplit(".", 1)[0] in link.text.lower() and RELAYED.search(link.context)):
            problems.append(f"{link.where}: {link.url} is an aggregator ({relay}); cite the primary "
                            f"publisher, or say it relays one and name {relay} in the link text")
    # The page's own address (the sharing links' "link to this story") is not an external
    # link: in the preview it is the local server's http:// address.
    own = {link["href"] for link in page.select('link[rel="canonical"]')}
    for href in sorted(h for h in built if URL_START.match(h) and h not in own):
        problems += [f"{doc.rel} (built page): {href} {p}" for p in url_problems(href)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", ARTICLES, ids=lambda d: d.rel)
def test_every_source_cited_inline_is_listed_under_sources(doc):
    links = markdown_links(doc)
    listed = {link.url for link in links if doc.sections.get(link.line) == "Sources"}
    missing = [f"{link.where}: {link.url}" for link in links
               if link.kind == "inline" and doc.sections.get(link.line) != "Sources" and link.url not in listed]
    assert not missing, "Cited in the text but missing from the Sources list:\n" + "\n".join(missing)


MD_RELATIVE = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s]+)\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.rel)
def test_internal_links_of_the_markdown_resolve_in_the_built_site(built_site, doc):
    path = doc.built(built_site)
    problems = []
    for number, text in doc.body:
        for match in MD_RELATIVE.finditer(text):
            href = match.group(1)
            target = target_of(path, href)
            if href.startswith("/"):
                problems.append(f"{doc.rel}:{number}: {href} starts with / (breaks under a sub-path)")
            elif not target.is_file():
                problems.append(f"{doc.rel}:{number}: {href} leads to nothing in the built site")
            elif "#" in href and not _parse(target).find(id=href.split("#", 1)[1]):
                problems.append(f"{doc.rel}:{number}: {href}: no such anchor on that page")
    assert not problems, "\n".join(problems)


WORDS_SAMPLE = """Title: Sample
Slug: sample
Lang: en

Kiel's seven and the press's four; the first of four promised. Six such days, in six weeks.
Les sept de Kiel ; six jours de ce type ; {{ value x.y format=words }} de plus.
"""


def test_the_hand_typed_number_check_reads_number_words_in_both_languages(tmp_path):
    path = tmp_path / "sample.en.md"
    path.write_text(WORDS_SAMPLE, encoding="utf-8")
    # The story shows 7 and 6 through shortcodes; 4 is only a cell of some dataset, which a
    # word is not checked against ("four years on" is no datum).
    produced = {7.0: "{{ value x.y }}", 6.0: "{{ value x.z }}"}
    cells = {4.0: "x.csv line 2"}
    found = [(t.where.rsplit(":", 1)[1], t.number) for t in typed_numbers(read_doc(path), produced, cells)]
    assert found == [("5", "seven"), ("5", "Six"), ("5", "six"), ("6", "sept"), ("6", "six")]
    assert numbers_in("sept") == {7.0} and numbers_in("seven") == {7.0}
