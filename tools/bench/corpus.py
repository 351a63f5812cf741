"""A synthetic copy of the project at the size a newsroom reaches, for `invoke bench`.

``make_corpus(root, into, articles=1000, charts=200)`` writes into ``into``:

- ``project/``: the project's ``content/`` and ``data/`` (the three real stories, their
  charts and datasets kept), plus ``articles // 2`` French articles and their English
  translations (~600 words each, one chart placement and three inline values each) and
  ``charts`` more YAML charts (variants of the real YAML chart, each drawn separately);
- ``project/benchconf.py``: the project's settings pointed at that copy, with caches of
  its own under ``project/.cache`` (the project's .cache is left alone);
- ``plain/``: the same Markdown files only, and ``plain/plainconf.py``: plain Pelican (no
  plugins, its default theme), the yardstick the project is compared with.

Everything is made from a fixed seed: two corpora of the same size are byte-identical.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

WORDS = {
    "fr": ("réseau électrique centrale sous-station transformateur frappe vague missile drone "
           "défense aérienne coupure courant hiver ville région opérateur réparation ingénieur "
           "équipe ligne haute tension chauffage eau hôpital école foyer semaine jour nuit "
           "gouvernement ministre rapport donnée chiffre source estimation livraison aide "
           "promesse système batterie obus char blindé partenaire donateur Kyiv Kharkiv Odessa "
           "Lviv Tchernivtsi Dnipro consommation production importation générateur").split(),
    "en": ("power grid plant substation transformer strike wave missile drone air defence outage "
           "electricity winter city region operator repair engineer crew high voltage line heating "
           "water hospital school household week day night government minister report data figure "
           "source estimate delivery aid pledge system battery shell tank armoured partner donor "
           "Kyiv Kharkiv Odesa Lviv Chernivtsi Dnipro consumption output import generator").split(),
}
GLUE = {"fr": "le la les un une des du de et à dans pour avec sur par selon après avant".split(),
        "en": "the a an of and to in for with on by after before from at as".split()}
CATEGORIES = {"fr": ["Énergie", "Aide militaire", "Données"], "en": ["Energy", "Military aid", "Data"]}
TAGS = {"fr": [f"sujet {n}" for n in range(40)], "en": [f"topic {n}" for n in range(40)]}
REAL_CHARTS = ["aid_monthly_by_type", "strikes_weekly", "heavy_weapons_by_category",
               "aid_share_delivered", "strike_waves_autumn_2022"]
# Inline values the real stories use, so the synthetic ones read the same datasets.
VALUES = [
    ("kiel_allocations_monthly", "{{ value sum kiel_allocations_monthly.military_eur_bn }}"),
    ("strikes_waves", "{{ value strikes_waves.missiles_launched wave_start=2022-11-15 }}"),
    ("kiel_r7_inkind_aid", "{{ value share kiel_r7_inkind_aid.delivered_eur_bn of=committed_eur_bn }}"),
    ("chernivtsi_outages_daily", "{{ value mean chernivtsi_outages_daily.hours_off date=2022-12-22 }}"),
]
YAML_CHARTS = ["aid_monthly_by_type"]  # the real charts written in YAML (the bench_ ones are too)
CHART_DATASETS = {"aid_monthly_by_type": "kiel_allocations_monthly", "strikes_weekly": "strikes_weekly",
                  "heavy_weapons_by_category": "kiel_r7_heavy_weapons",
                  "aid_share_delivered": "kiel_r7_inkind_aid", "strike_waves_autumn_2022": "strikes_waves"}
EDIT_MARK = "Édition du banc d'essai"
# The CSV cell the benchmark edits: the missiles launched in the wave of 15 November 2022,
# which the synthetic articles show with {{ value strikes_waves.missiles_launched ... }}.
CSV_CELL = ("strikes_waves", "missiles_launched", "wave_start", "2022-11-15")


def _sentence(rng: random.Random, lang: str, words: int) -> str:
    out = []
    for _ in range(words):
        out.append(rng.choice(WORDS[lang]) if rng.random() < 0.6 else rng.choice(GLUE[lang]))
    return out[0].capitalize() + " " + " ".join(out[1:]) + "."


def _paragraph(rng: random.Random, lang: str, words: int) -> str:
    done, sentences = 0, []
    while done < words:
        n = rng.randint(12, 24)
        sentences.append(_sentence(rng, lang, n))
        done += n
    return " ".join(sentences)


def chart_yaml(number: int) -> str:
    """A variant of the real YAML chart: its own title and height, so each is drawn anew."""
    mark = ("bar", "line", "area")[number % 3]
    return f"""\
# Synthetic chart {number} for the benchmark.
dataset: kiel_allocations_monthly
fold:
  columns: [military_eur_bn, financial_eur_bn, humanitarian_eur_bn]
  as: [type, value_eur_bn]
mark: {mark}
x: {{field: month, type: temporal, timeUnit: yearmonth, format: month}}
y: {{field: value_eur_bn, type: quantitative, aggregate: sum}}
color: {{field: type, type: nominal, colors: [blue, orange, green]}}
tooltip: [month, type, value_eur_bn]
height: {300 + number % 40}
narrow_height: 300
labels:
  month: {{fr: Mois, en: Month}}
  type: {{fr: Type d'aide, en: Type of aid}}
  value_eur_bn: {{fr: Aide allouée, en: Aid allocated}}
  military_eur_bn: {{fr: Militaire, en: Military}}
  financial_eur_bn: {{fr: Financière, en: Financial}}
  humanitarian_eur_bn: {{fr: Humanitaire, en: Humanitarian}}
units:
  value_eur_bn: € billion
title:
  fr: "Graphique d'essai n° {number}"
  en: "Test chart no. {number}"
subtitle:
  fr: Allocations d'aide à l'Ukraine par mois et par type (milliards d'euros)
  en: Aid allocated to Ukraine per month and type (€ billion)
source:
  fr: Institut de Kiel pour l'économie mondiale, Ukraine Support Tracker, version 29 (avril 2026)
  en: Kiel Institute for the World Economy, Ukraine Support Tracker, release 29 (April 2026)
"""


def _choices(number: int, charts: int) -> tuple[str, list]:
    """The chart and the three inline values of article ``number`` (the same in both languages)."""
    pick = random.Random(number)
    chart = (f"bench_{pick.randrange(charts):03d}" if charts and pick.random() < 0.5
             else pick.choice(REAL_CHARTS))
    return chart, pick.sample(VALUES, 3), pick


def shows_csv_cell(number: int, charts: int) -> bool:
    """Whether article ``number`` shows the cell ``edit_csv_cell`` changes."""
    dataset, column, _key, when = CSV_CELL
    return any(f"{dataset}.{column} " in code and when in code for _name, code in _choices(number, charts)[1])


def article(number: int, lang: str, charts: int) -> str:
    """Synthetic article ``number`` in ``lang`` (the French and English share their slug)."""
    rng = random.Random(number * 2 + (lang == "en"))
    chart, values, pick = _choices(number, charts)  # the same choices in both languages
    datasets = sorted({name for name, _ in values} | ({CHART_DATASETS[chart]} if chart in CHART_DATASETS
                                                      else {"kiel_allocations_monthly"}))
    category = CATEGORIES[lang][number % 3]
    tags = ", ".join(TAGS[lang][i] for i in sorted(pick.sample(range(40), 3)))
    day = 1 + number % 28
    month = 1 + (number // 28) % 12
    year = 2023 + number // 336
    title = (f"Article d'essai n° {number}" if lang == "fr" else f"Test article no. {number}")
    body = [_paragraph(rng, lang, 90) + " " + values[0][1] + "."]
    for section in range(3):
        body.append(("## Partie " if lang == "fr" else "## Part ") + str(section + 1))
        body.append(_paragraph(rng, lang, 80) + " " + values[(section + 1) % 3][1] + ".")
        body.append(_paragraph(rng, lang, 80))
        if section == 0:
            body.append("{{ chart " + chart + " }}")
    header = [f"Title: {title}", f"Slug: essai-{number:04d}", f"Lang: {lang}",
              f"Date: {year}-{month:02d}-{day:02d}", f"Category: {category}", f"Tags: {tags}",
              "Authors: " + ("Rédaction" if lang == "fr" else "Desk"),
              f"Datasets: {', '.join(datasets)}",
              "Summary: " + _sentence(rng, lang, 20)]
    return "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"


def settings_file(root: Path, project: Path) -> str:
    return (f"import sys\nsys.path.insert(0, {str(root)!r})\nfrom pelicanconf import *  # noqa\n"
            f"PATH = {str(project / 'content')!r}\n"
            f"DATADESK_DATA_DIR = {str(project / 'data')!r}\n"
            f"CACHE_PATH = {str(project / '.cache' / 'pelican')!r}\n"
            f"DATADESK_CHARTS_CACHE_PATH = {str(project / '.cache' / 'charts')!r}\n"
            f"DISCOVERY_CARDS_CACHE_PATH = {str(project / '.cache' / 'cards')!r}\n")


PLAIN_SETTINGS = """\
SITENAME = "Plain"
SITEURL = ""
RELATIVE_URLS = True
PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
PLUGINS = []
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""


def make_corpus(root: Path, into: Path, articles: int = 1000, charts: int = 200) -> dict:
    """Write the synthetic project and its plain-Pelican twin into ``into`` (see above)."""
    into = Path(into)
    project, plain = into / "project", into / "plain"
    shutil.copytree(root / "content", project / "content")
    shutil.copytree(root / "data", project / "data", ignore=shutil.ignore_patterns("raw", "curate"))
    folder = project / "content" / "articles" / "essais"
    folder.mkdir(parents=True)
    for number in range(articles // 2):
        for lang in ("fr", "en"):
            (folder / f"essai-{number:04d}.{lang}.md").write_text(article(number, lang, charts),
                                                                  encoding="utf-8")
    for number in range(charts):
        (project / "content" / "charts" / f"bench_{number:03d}.yaml").write_text(chart_yaml(number),
                                                                                 encoding="utf-8")
    (project / "benchconf.py").write_text(settings_file(root, project), encoding="utf-8")
    for sub in ("articles", "pages"):
        shutil.copytree(project / "content" / sub, plain / "content" / sub)
    (plain / "plainconf.py").write_text(PLAIN_SETTINGS, encoding="utf-8")
    edited = min(7, articles // 2 - 1)
    shows = next((n for n in range(articles // 2) if shows_csv_cell(n, charts)), None)
    # The chart the preview's chart measure edits: the first YAML chart an article places.
    charted = next((n for n in range(articles // 2) if _choices(n, charts)[0] in YAML_CHARTS
                    or _choices(n, charts)[0].startswith("bench_")), None)
    # A page showing the edited cell and placing a chart that draws the same dataset.
    both = next((n for n in range(articles // 2) if shows_csv_cell(n, charts)
                 and CHART_DATASETS.get(_choices(n, charts)[0]) == CSV_CELL[0]), None)
    return {"project": project, "settings": project / "benchconf.py", "plain": plain,
            "plain_settings": plain / "plainconf.py",
            "article": folder / f"essai-{edited:04d}.fr.md",
            "plain_article": plain / "content" / "articles" / "essais" / f"essai-{edited:04d}.fr.md",
            "article_page": f"essai-{edited:04d}/index.html",
            "article_en": folder / f"essai-{edited:04d}.en.md",
            "plain_article_en": plain / "content" / "articles" / "essais" / f"essai-{edited:04d}.en.md",
            "article_page_en": f"en/essai-{edited:04d}/index.html",
            "csv": project / "data" / f"{CSV_CELL[0]}.csv",
            "csv_page": None if shows is None else f"essai-{shows:04d}/index.html",
            "chart": None if charted is None else project / "content" / "charts" / f"{_choices(charted, charts)[0]}.yaml",
            "chart_page": None if charted is None else f"essai-{charted:04d}/index.html",
            "csv_chart_page": None if both is None else f"essai-{both:04d}/index.html"}


def edit_article(path: Path, stamp: str) -> None:
    """Change one paragraph of a synthetic article (appends a marked sentence)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\n{EDIT_MARK} {stamp}.\n", encoding="utf-8")


def edit_csv_cell(csv: Path, stamp: int) -> str:
    """Set the cell ``CSV_CELL`` names (a value the synthetic articles show) to ``500 + stamp
    % 400``: a new value for each stamp, within the dataset's constraints, that the pages show
    as written (three digits, no separator). Returns that number as text."""
    _dataset, column, key, when = CSV_CELL
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    col, at = header.index(column), header.index(key)
    value = str(500 + stamp % 400)
    for i, line in enumerate(lines[1:], start=1):
        cells = line.rstrip("\r\n").split(",")
        if cells[at] == when:
            cells[col] = value
            lines[i] = ",".join(cells) + line[len(line.rstrip("\r\n")):]
            break
    else:
        raise ValueError(f"{csv}: no row with {key} = {when}")
    csv.write_text("".join(lines), encoding="utf-8")
    return value


CHART_EDIT = " ✎ "  # what separates a chart's French subtitle from the stamp an edit adds


def edit_chart(path: Path, stamp: str) -> None:
    """Change a YAML chart's French subtitle (drawn in its PNG, shown in its figure): the
    stamp of the previous edit is replaced by ``stamp``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("subtitle:"))
    fr = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("  fr:"))
    lines[fr] = lines[fr].rstrip("\n").split(CHART_EDIT)[0] + CHART_EDIT + stamp + "\n"
    path.write_text("".join(lines), encoding="utf-8")
