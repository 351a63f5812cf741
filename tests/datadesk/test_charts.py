"""Charts: every real chart validates in both languages; the figure, its downloads and the
embed page in a real build; the render cache; each editor mistake's message; alt text;
the lint (units, translations, colours a colour-blind reader cannot tell apart)."""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from datadesk import datasets as catalog
import tasks
from datadesk.charts import build, colour, definitions, lint, render, settings as chart_settings, theme
from datadesk.charts import charts as plugin
from datadesk import SettingsError
from datadesk.charts.errors import ChartError
from datadesk.charts.text import T
from conftest import ROOT
from datadesk import links
from datadesk.desk import Desk, DeskCache
from datadesk.shortcodes import ShortcodeContext, ShortcodeError

FIXTURE = ROOT / "tests" / "fixtures" / "charts"
REAL_CHARTS = sorted(definitions.find(ROOT / "content" / "charts"))
LANGS = ("fr", "en")
CONF = chart_settings.values({})


# The real and fixture datasets are only read here: validated once for the module, as the
# preview's cache keeps them (by content hash), instead of once per chart and language.
_READ_ONLY = DeskCache()


def real_catalog():
    return catalog.get_catalog(ROOT / "data", cache=_READ_ONLY)


def fixture_catalog():
    return catalog.get_catalog(FIXTURE / "data", cache=_READ_ONLY)


# --- every chart of the site ------------------------------------------------------------

def test_the_eight_stories_have_their_charts():
    expected = {"aid_inkind_gap", "air_defence_timeline", "heavy_weapons_by_category", "aid_share_delivered", "heavy_weapons_cumulative",
                "aid_monthly_by_type", "strike_waves_autumn_2022", "strikes_weekly", "strikes_and_damage_statements",
                "chernivtsi_outages_heatmap"}
    assert expected <= set(REAL_CHARTS)
    kinds = {definitions.find(ROOT / "content" / "charts")[c].suffix for c in REAL_CHARTS}
    assert ".yaml" in kinds, "at least one chart is written the editor's way, in YAML"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("chart_id", REAL_CHARTS)
def test_every_chart_validates_and_passes_the_lint(chart_id, lang):
    path = definitions.find(ROOT / "content" / "charts")[chart_id]
    defn = definitions.load(chart_id, path, f"content/charts/{path.name}")
    cat = real_catalog()
    frames = definitions.select_rows(defn, cat)
    units, titles = build.field_meta(defn, cat)
    t = T(lang, defn.labels, defn.units, field_units=units, field_titles=titles)
    arg = frames[defn.primary] if len(frames) == 1 else frames
    spec = defn.chart(arg, t).to_dict(validate=True)  # raises if Vega-Lite would reject it
    assert spec["$schema"].endswith("v6.json") or "v6" in spec["$schema"]
    built = build.build_chart(defn, cat, lang, CONF)
    assert lint.lint(defn, built.specs, built.t, CONF["DATADESK_CHARTS_MIN_DELTA_E"]) == []
    assert built.texts["title"] and built.texts["source"]
    # the data travels as JSON values, never as inline CSV text (Vega would need eval)
    for name in ("vega_wide", "vega_narrow"):
        text = json.dumps(built.specs[name])
        assert '"csv"' not in text and built.specs[name]["datasets"]
        assert built.specs[name]["config"]["locale"]["number"]["decimal"] == ("," if lang == "fr" else ".")
        # the live view is the picture's own spec (same size, legend, footer), ARIA kept
        picture = name.split("_")[1]
        same = {k: v for k, v in built.specs[name].items() if k != "config"}
        assert same == {k: v for k, v in built.specs[picture].items() if k != "config"}
        assert built.specs[picture]["config"]["aria"] is False and "aria" not in built.specs[name]["config"]


def test_the_csv_extract_is_exactly_the_rows_charted():
    cat = real_catalog()
    path = ROOT / "content" / "charts" / "aid_inkind_gap.py"
    built = build.build_chart(definitions.load("aid_inkind_gap", path, "content/charts/aid_inkind_gap.py"),
                              cat, "fr", CONF)
    extract = pd.read_csv(pd.io.common.BytesIO(built.csv["aid_inkind_gap.csv"]))
    source = cat.frame("kiel_r7_inkind_aid")
    expected = source[source["committed_eur_bn"] >= 0.1]
    assert list(extract.columns) == ["donor", "committed_eur_bn", "delivered_eur_bn", "share_delivered_pct"]
    assert extract["donor"].tolist() == expected["donor"].tolist()
    assert len(extract) < len(source)  # the filter is in the file, not only in the picture


# --- a real build of the fixture project -------------------------------------------------

def copy_project(tmp: Path) -> Path:
    project = tmp / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns(".cache", "__pycache__"))
    (project / "chartsconf.py").write_text(
        (FIXTURE / "chartsconf.py").read_text(encoding="utf-8"), encoding="utf-8")
    return project


def build_project(project: Path, out: Path) -> dict:
    tasks.build_site(settings=str(project / "chartsconf.py"), output=out, content=project / "content",
                     quiet=True)
    return json.loads((project / ".cache" / "charts" / "last-run.json").read_text())


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("charts"))
    out = project / "output"
    cold = build_project(project, out)
    return project, out, cold


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")  # lxml nests <img> in <source>


def resolve(page_path: Path, url: str) -> Path:
    assert not url.startswith("/"), f"{url} starts with / (breaks sites under a sub-path)"
    target = (page_path.parent / url.split("#")[0]).resolve()
    return target / "index.html" if url.endswith("/") else target


@pytest.mark.parametrize("lang", LANGS)
def test_an_article_shows_each_chart_as_a_complete_figure(fixture_build, lang):
    _, out, _ = fixture_build
    article = out / ("story" if lang == "fr" else "en/story") / "index.html"
    doc = page(article)
    figures = doc.select("figure.chart")
    assert [f["id"] for f in figures] == ["chart-gap", "chart-weekly"]
    gap = figures[0]
    assert gap["data-chart-id"] == "gap" and gap["data-lang"] == lang
    # heading levels follow the article: h2 before any section, h3 inside a "##" section
    assert [f.select_one(".chart-title").name for f in figures] == ["h2", "h3"]
    title = gap.select_one("figcaption .chart-title").get_text()
    assert title == ("Promis <et> livré" if lang == "fr" else "Committed <and> delivered")  # escaped, shown as text
    assert gap.select_one(".chart-subtitle")
    frame = gap.select_one(".chart-frame")
    assert not frame.get("style")  # no inline style (the CSP has no style-src-attr 'unsafe-inline')
    # Two pictures, the phone one hidden until site.css's container query shows it; each
    # <img>'s width and height reserve its box before it loads, dark <source> included.
    wide, narrow = frame.select("picture")
    assert (wide["data-variant"], narrow["data-variant"]) == ("wide", "narrow")
    assert not wide.has_attr("hidden") and narrow.has_attr("hidden")
    sizes = {}
    for picture, expected in ((wide, CONF["DATADESK_CHARTS_WIDTH"]), (narrow, CONF["DATADESK_CHARTS_NARROW_WIDTH"])):
        img = picture.select_one("img")
        sizes[picture["data-variant"]] = (int(img["width"]), int(img["height"]))
        assert int(img["width"]) == expected
        (dark,) = picture.select("source")
        assert dark["media"] == "(prefers-color-scheme: dark)" and dark["srcset"].endswith(".dark.svg")
        assert (int(dark["width"]), int(dark["height"])) == sizes[picture["data-variant"]]
        assert img["loading"] == "lazy" and img["alt"].strip()
        svg = resolve(article, img["src"]).read_text(encoding="utf-8")
        assert f'width="{img["width"]}" height="{img["height"]}"' in svg[:400]
        for url in (img["src"], dark["srcset"]):
            assert resolve(article, url).is_file(), url
    assert ".narrow." in narrow.select_one("img")["src"]
    img = wide.select_one("img")
    for attr in ("data-vega-spec", "data-vega-spec-dark", "data-vega-spec-narrow", "data-vega-spec-narrow-dark"):
        assert resolve(article, gap[attr]).is_file(), attr
    # The live view of each picture is drawn from that picture's own spec, at its size.
    narrow_spec = json.loads(resolve(article, gap["data-vega-spec-narrow"]).read_text(encoding="utf-8"))
    assert narrow_spec["width"] == sizes["narrow"][0]
    assert doc.select_one(f"#{img['aria-describedby']}").get_text().startswith(img["alt"])
    data_link = gap.select_one(".chart-source a")
    assert data_link["href"].endswith("data/aid/") and resolve(article, data_link["href"]).is_file()
    assert gap.select_one(".chart-notes")
    downloads = {a.get_text(): a["href"] for a in gap.select(".chart-downloads a")}
    files = [u for u in downloads.values() if not u.startswith("#") and not u.endswith("/")]
    assert {Path(u).suffix for u in files} == {".csv", ".png", ".svg"}
    for url in downloads.values():
        if not url.startswith("#"):
            assert resolve(article, url).exists(), url
    assert "#chart-gap" in downloads.values()
    table = gap.select_one("details.chart-table table")
    cells = [td.get_text() for td in table.select("tbody td")]
    assert "Most aid <script>alert(1)</script>, delivered slowly" in cells  # text, not markup
    assert not table.select("script")
    assert ("États-Unis" if lang == "fr" else "United States") in cells
    assert ("15,2" if lang == "fr" else "15.2") in cells
    assert len(table.select("tbody tr")) == 5  # Malta (0.01 bn) is filtered out, as in the chart
    assert doc.select_one('script[src$="theme/js/charts.js"]')


@pytest.mark.parametrize("lang", LANGS)
def test_each_chart_has_an_embed_page_with_a_copyable_iframe(fixture_build, lang):
    _, out, _ = fixture_build
    embed = out / ("" if lang == "fr" else "en") / "charts" / "gap" / "index.html"
    doc = page(embed)
    assert doc.html["lang"] == lang
    assert doc.select_one("h1.chart-title")
    assert not doc.select(".site-header, nav")  # minimal chrome
    snippet = doc.select_one("textarea.chart-embed-snippet").get_text()
    assert snippet.startswith("<iframe src=") and "charts/gap/" in snippet
    img = doc.select_one("figure.chart picture img")
    assert resolve(embed, img["src"]).is_file()


def test_downloads_are_the_chart_in_every_form(fixture_build):
    _, out, _ = fixture_build
    folder = out / "charts" / "gap"
    assert (folder / "gap.fr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (folder / "gap.fr.light.svg").read_text()
    assert svg.startswith("<svg") and "Institut de test" in svg  # the source is credited on the image
    assert "Fixture Institute" in (out / "en" / "charts" / "gap" / "gap.en.dark.svg").read_text()
    vega = json.loads((folder / "gap.fr.vg.json").read_text())
    assert vega["$schema"].endswith("vega/v6.json")
    assert all("values" in d or "source" in d or "name" in d for d in vega["data"])
    assert '"csv"' not in (folder / "gap.fr.vg.json").read_text()
    dark = json.loads((folder / "gap.fr.dark.vg.json").read_text())
    assert dark != vega and theme.colour("blue", "dark").lower() in json.dumps(dark).lower()
    extract = pd.read_csv(folder / "gap.csv")
    assert extract["donor"].tolist() == ["United States", "Poland", "United Kingdom", "Germany", "Canada"]


def test_dataset_pages_list_the_charts_that_use_them(fixture_build):
    _, out, _ = fixture_build
    assert "Promis &lt;et&gt; livré" in (out / "data" / "aid" / "index.html").read_text()
    assert "Committed &lt;and&gt; delivered" in (out / "en" / "data" / "aid" / "index.html").read_text()


def test_a_rebuild_renders_nothing_and_one_changed_row_renders_only_its_chart(fixture_build, tmp_path):
    project, out, cold = fixture_build
    assert cold["renders"] == 4  # 2 charts x 2 languages, cold
    warm_out = tmp_path / "warm"
    warm = build_project(project, warm_out)
    assert warm["renders"] == 0 and warm["hits"] == 4
    for path in (out / "charts").rglob("*"):  # byte-identical artefacts
        if path.is_file():
            assert path.read_bytes() == (warm_out / path.relative_to(out)).read_bytes(), path
    weekly = project / "data" / "weekly.csv"
    weekly.write_text(weekly.read_text().replace("2022-11-28,2,5", "2022-11-28,3,5"))
    changed = build_project(project, tmp_path / "changed")
    assert changed["renders"] == 2 and changed["hits"] == 2  # weekly in fr and en; gap from the cache
    assert "2022-11-28,3,5" in (tmp_path / "changed" / "charts" / "weekly" / "weekly.csv").read_text()


@pytest.mark.slow
def test_published_figures_use_the_site_address_everywhere(tmp_path):
    project = copy_project(tmp_path)
    settings = project / "chartspublish.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(project)!r})\nfrom chartsconf import *\n"
                        f"from publishconf import *\nDATADESK_DATA_DIR = {str(project / 'data')!r}\n")
    out = tasks.build_site(settings=str(settings), output=tmp_path / "output", content=project / "content",
                           quiet=True, env={"SITEURL": "https://example.org/site"})
    english = (out / "en" / "story" / "index.html").read_text(encoding="utf-8")
    assert 'src="https://example.org/site/en/charts/gap/gap.en.light.svg"' in english
    assert 'data-vega-spec="https://example.org/site/en/charts/gap/gap.en.vg.json"' in english
    embed = (out / "charts" / "gap" / "index.html").read_text(encoding="utf-8")
    assert "&lt;iframe src=&#34;https://example.org/site/charts/gap/&#34;" in embed or \
        '&lt;iframe src="https://example.org/site/charts/gap/"' in embed
    leaked = [p for p in out.rglob("*") if p.suffix in (".html", ".xml") and links.MARKER in p.read_text()]
    assert not leaked, leaked


@pytest.mark.slow
def test_a_broken_chart_fails_the_build_at_the_article_line_and_keeps_output(tmp_path):
    project = copy_project(tmp_path)
    out = tmp_path / "output"
    out.mkdir()
    (out / "keep.txt").write_text("previous build")
    (project / "content" / "charts" / "gap.py").write_text(
        (FIXTURE / "content" / "charts" / "gap.py").read_text().replace('"delivered_eur_bn", "note"',
                                                                        '"delivered", "note"'))
    with pytest.raises(tasks.BuildFailed) as failure:
        build_project(project, out)
    report = str(failure.value)
    assert ('content/articles/story.fr.md:10: chart "gap" (content/charts/gap.py:7): dataset "aid" has no '
            'column "delivered". Use one of: donor, committed_eur_bn, delivered_eur_bn, note.') in report
    assert "Traceback" not in report
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


# --- what editors get wrong, and what they are told --------------------------------------

def write_chart(tmp_path: Path, name: str, text: str) -> dict:
    charts_dir = tmp_path / "content" / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    (charts_dir / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return {"PATH": str(tmp_path / "content"), "DATADESK_DATA_DIR": str(FIXTURE / "data"),
            "THEME": str(ROOT / "theme"), "DEFAULT_LANG": "fr"}


GOOD = '''
    import altair as alt
    DATASET = "aid"
    COLUMNS = ["donor", "committed_eur_bn"]
    TEXT = {"title": {"fr": "Titre", "en": "Title"}, "source": {"fr": "Source", "en": "Source"}}
    LABELS = {"amount": {"fr": "Promis", "en": "Committed"}}
    def chart(df, t):
        return alt.Chart(df).mark_bar().encode(
            y="donor:N", x=alt.X("committed_eur_bn:Q", title=t.axis_title("amount", "committed_eur_bn")),
            tooltip=["donor:N"])
'''


def shortcode_error(settings: dict, args: str) -> str:
    ctx = ShortcodeContext(path="content/articles/x.fr.md", line=12, lang="fr", settings=settings, block=True)
    with pytest.raises(ShortcodeError) as failure:
        plugin.chart_shortcode(args, ctx)
    return str(failure.value)


def test_a_good_chart_gives_its_figure(tmp_path):
    settings = write_chart(tmp_path, "ok.py", GOOD)
    ctx = ShortcodeContext(path="content/articles/x.fr.md", line=3, lang="fr", settings=settings, block=True)
    html = plugin.chart_shortcode("ok", ctx)
    assert '<figure class="chart" id="chart-ok"' in html and "\n\n" not in html


def test_a_rebuild_prepares_again_only_the_charts_whose_file_or_data_changed(tmp_path, monkeypatch):
    settings = write_chart(tmp_path, "one.py", GOOD)
    write_chart(tmp_path, "two.py", GOOD.replace('"Titre"', '"Deux"'))
    shutil.copytree(FIXTURE / "data", tmp_path / "data")
    settings["DATADESK_DATA_DIR"] = str(tmp_path / "data")
    # Prepared in this process, where the spy below sees them (two misses would otherwise go
    # to the worker processes: tests/datadesk/test_chart_workers.py).
    settings["DATADESK_CHARTS_WORKERS"] = 1
    prepared = []
    real = plugin.build_chart
    monkeypatch.setattr(plugin, "build_chart", lambda defn, *a: prepared.append(defn.id) or real(defn, *a))
    cache = DeskCache()  # what the preview keeps between builds; each build has its own desk

    def rebuild():
        return plugin.SiteCharts(settings, "fr", Desk(settings, cache))

    first = rebuild()
    assert sorted(prepared) == ["one", "two"]
    prepared.clear()
    two = tmp_path / "content" / "charts" / "two.py"
    two.write_text(two.read_text(encoding="utf-8").replace('"Deux"', '"Deux bis"'), encoding="utf-8")
    second = rebuild()
    assert prepared == ["two"] and second.builds["one"] is first.builds["one"]
    assert second.builds["two"].texts["title"] == "Deux bis"
    prepared.clear()
    # The same size, within the same clock tick: the content hash still tells.
    before = two.stat()
    two.write_text(two.read_text(encoding="utf-8").replace('"Deux bis"', '"Deux ter"'), encoding="utf-8")
    os.utime(two, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert two.stat().st_size == before.st_size
    assert rebuild().builds["two"].texts["title"] == "Deux ter" and prepared == ["two"]
    prepared.clear()
    weekly = tmp_path / "data" / "weekly.csv"  # a dataset neither chart reads
    weekly.write_text(weekly.read_text(encoding="utf-8").replace("2022-11-28,2,5", "2022-11-28,3,5"),
                      encoding="utf-8")
    rebuild()
    assert prepared == []
    aid = tmp_path / "data" / "aid.csv"
    aid.write_text(aid.read_text(encoding="utf-8").replace("Poland,", "Pologne,"), encoding="utf-8")
    third = rebuild()
    assert sorted(prepared) == ["one", "two"]
    assert "Pologne" in [row[0][0] for row in third.builds["one"].table["rows"]]


@pytest.mark.parametrize("name, text, message", [
    ("ok.py", GOOD.replace('DATASET = "aid"', 'DATASET = "aide"'),
     'chart "ok" (content/charts/ok.py:3): dataset "aide" does not exist. Use one of: aid, weekly'),
    ("ok.py", GOOD.replace('"committed_eur_bn"]', '"commited_eur_bn"]'),
     'chart "ok" (content/charts/ok.py:4): dataset "aid" has no column "commited_eur_bn". Use one of: donor, '
     'committed_eur_bn, delivered_eur_bn, note.'),
    ("ok.py", GOOD.replace("return alt.Chart(df)", "df = df.iloc[99]\n        return alt.Chart(df)"),
     'chart "ok" (content/charts/ok.py:8): chart() raised IndexError: single positional indexer is '
     "out-of-bounds. Fix the chart function at the line named"),
    ("ok.py", GOOD.replace('y="donor:N"', 'y=alt.Y("donor:N", sort="sideways")'),
     'chart "ok" (content/charts/ok.py:7): the Vega-Lite spec is invalid:'),
    ("ok.py", GOOD.replace("return alt.Chart(df)", "df = pd.concat([df] * 1500)\n        return alt.Chart(df)")
     .replace("import altair as alt", "import altair as alt\n    import pandas as pd"),
     'chart "ok" (content/charts/ok.py:8): the chart passes 9000 rows to Vega-Lite; the limit is 5000. '
     "Aggregate in chart() or in `invoke curate`"),
    ("ok.py", GOOD.replace('"source": {"fr": "Source", "en": "Source"}', '"notes": {"fr": "n", "en": "n"}'),
     'chart "ok" (content/charts/ok.py:5): it has no source. Add TEXT["source"]'),
    ("ok.yaml", "dataset: aid\nmark: bar\nx: donor:N\ny: committed_eur_bn:Q\ncolour: donor:N\n",
     'chart "ok" (content/charts/ok.yaml:5): unknown key "colour". Use only:'),
])
def test_each_mistake_says_what_is_wrong_where_and_how_to_fix_it(tmp_path, name, text, message):
    settings = write_chart(tmp_path, name, text)
    assert shortcode_error(settings, "ok").startswith(message)


def test_too_many_selected_rows_names_the_limit_and_the_way_out(tmp_path):
    settings = write_chart(tmp_path, "ok.py", GOOD)
    settings["DATADESK_CHARTS_MAX_ROWS"] = 3
    message = shortcode_error(settings, "ok")
    assert message.startswith('chart "ok" (content/charts/ok.py): it selects 6 rows; the limit is 3 '
                              "(DATADESK_CHARTS_MAX_ROWS).")
    assert "MAX_ROWS_REASON" in message


def test_a_chart_may_raise_the_row_limit_with_a_reason(tmp_path):
    text = GOOD.replace('DATASET = "aid"', 'DATASET = "aid"\n    MAX_ROWS = 10\n    MAX_ROWS_REASON = "all donors"')
    settings = write_chart(tmp_path, "ok.py", text)
    settings["DATADESK_CHARTS_MAX_ROWS"] = 3
    ctx = ShortcodeContext(path="x.fr.md", line=1, lang="fr", settings=settings, block=True)
    assert 'id="chart-ok"' in plugin.chart_shortcode("ok", ctx)
    no_reason = GOOD.replace('DATASET = "aid"', 'DATASET = "aid"\n    MAX_ROWS = 10')
    assert "MAX_ROWS is set without" in shortcode_error(write_chart(tmp_path / "b", "ok.py", no_reason), "ok")


def test_an_unknown_chart_id_lists_the_charts_there_are(tmp_path):
    settings = write_chart(tmp_path, "ok.py", GOOD)
    assert shortcode_error(settings, "okk") == (
        'chart "okk": there is no chart with this id. Check the spelling (charts: ok), or add '
        "content/charts/okk.py or .yaml.")


def test_a_chart_must_stand_alone_on_its_line(tmp_path):
    settings = write_chart(tmp_path, "ok.py", GOOD)
    ctx = ShortcodeContext(path="x.fr.md", line=1, lang="fr", settings=settings, block=False)
    with pytest.raises(ShortcodeError, match="must stand alone on its line"):
        plugin.chart_shortcode("ok", ctx)


def test_unknown_settings_are_refused():
    with pytest.raises(SettingsError, match="unknown setting DATADESK_CHARTS_WIDHT; did you mean "
                                            "DATADESK_CHARTS_WIDTH\\?; the datadesk plugin knows DATADESK_"):
        chart_settings.values({"DATADESK_CHARTS_WIDHT": 600})
    with pytest.raises(SettingsError, match="DATADESK_CHARTS_WORKERS = 'two'; expected a whole number like 2"):
        chart_settings.values({"DATADESK_CHARTS_WORKERS": "two"})
    with pytest.raises(SettingsError, match="CHARTS_WIDTH was renamed DATADESK_CHARTS_WIDTH"):
        chart_settings.values({"CHARTS_WIDTH": 600})


def test_every_setting_is_documented():
    readme = (ROOT / "plugins" / "datadesk" / "README.md").read_text(encoding="utf-8")
    for name in (n for n in chart_settings.desk_settings.DATADESK.names if "_CHARTS_" in n):
        assert f"`{name}`" in readme, name


# --- alt text and the lint --------------------------------------------------------------

def built(tmp_path, text: str, lang: str, name: str = "c.py"):
    settings = write_chart(tmp_path, name, text)
    defn = definitions.load("c", Path(settings["PATH"]) / "charts" / name, f"content/charts/{name}")
    return defn, build.build_chart(defn, fixture_catalog(), lang, CONF)


def test_alt_text_and_description_say_what_is_measured_and_where_the_extremes_are(tmp_path):
    settings = {"PATH": str(FIXTURE / "content"), "DATADESK_DATA_DIR": str(FIXTURE / "data"),
                "THEME": str(ROOT / "theme"), "DATADESK_CHARTS_CACHE_PATH": str(tmp_path / "cache")}
    site = {lang: plugin.SiteCharts(settings, lang) for lang in LANGS}
    fr, en = site["fr"].builds["gap"].extra, site["en"].builds["gap"].extra
    assert fr["alt"] == "Diagramme en barres\u202f: Promis <et> livré"
    assert en["alt"] == "Bar chart: Committed <and> delivered"
    assert "de 0,74\u00a0Md€ (Allemagne) à 15,2\u00a0Md€ (États-Unis)" in fr["description"]
    assert "from 0.74\u00a0€ bn (Germany) to 15.2\u00a0€ bn (United States)" in en["description"]
    weekly = site["en"].builds["weekly"].extra["description"]
    assert weekly.startswith("Line chart: Strikes per week.")
    assert "to 128\u00a0per week (Oct 17, 2022, Drones)" in weekly
    assert "latest value, Nov 28, 2022: Missiles 2\u00a0per week, Drones 5\u00a0per week" in weekly


def test_an_editor_can_write_the_alt_text_and_description(tmp_path):
    text = GOOD.replace('"source":', '"alt": {"fr": "Barres par donateur", "en": "Bars by donor"}, "source":')
    settings = write_chart(tmp_path, "ok.py", text)
    site = plugin.SiteCharts(settings, "en")
    assert site.builds["ok"].extra["alt"] == "Bars by donor"
    assert 'alt="Bars by donor"' in site.figure("ok")


def test_a_quantitative_axis_without_its_unit_fails_the_lint(tmp_path):
    defn, b = built(tmp_path, GOOD.replace('title=t.axis_title("amount", "committed_eur_bn")', 'title="Promis"'), "fr")
    problems = lint.lint(defn, b.specs, b.t, 10)
    assert problems == ['the x axis title "Promis" does not give the unit "Md€" of "committed_eur_bn"; title it '
                        'with t.axis_title("committed_eur_bn") or write the unit in it']


def test_a_category_axis_without_its_field_in_a_tooltip_fails_the_lint(tmp_path):
    defn, b = built(tmp_path, GOOD.replace('tooltip=["donor:N"]', 'tooltip=["committed_eur_bn:Q"]'), "fr")
    assert lint.lint(defn, b.specs, b.t, 10) == [
        'the y axis shows the categories of "donor", which no tooltip shows; add alt.Tooltip("donor:N", ...) '
        "(an axis cuts long labels with an ellipsis, the tooltip gives them whole)"]


def test_a_label_missing_in_one_language_fails_the_lint_of_that_language_only(tmp_path):
    """Each language's build checks its own texts: a missing one is reported once."""
    text = GOOD.replace('LABELS = {', 'LABELS = {"other": {"fr": "Autre"}, ')
    defn, b = built(tmp_path, text, "fr")
    assert lint.lint(defn, b.specs, b.t, 10) == []
    defn, b = built(tmp_path, text, "en")
    assert lint.lint(defn, b.specs, b.t, 10) == [
        'LABELS["other"] has no English text; add "en": "…" to LABELS["other"].']


@pytest.mark.parametrize("name, text, message", [
    ("c.py", GOOD.replace('"en": "Title"', '"de": "Titel"'),
     'content/charts/c.py:5: chart "c": TEXT["title"] has no English text. Add "en": "…" to TEXT["title"].'),
    ("c.yaml", "dataset: aid\nmark: bar\nx: donor:N\ny: committed_eur_bn:Q\ntitle:\n  fr: Promis\n"
               "source: {fr: Test, en: Test}\n",
     'content/charts/c.yaml:5: chart "c": the title has no English text. Add a line "  en: …" under '
     '"title:" (a chart\'s texts are written in French and in English).'),
    ("c.yaml", "dataset: aid\nmark: bar\nx: donor:N\ny: committed_eur_bn:Q\ntitle: Promis\n"
               "source: {fr: Test, en: Test}\n",
     'content/charts/c.yaml:5: chart "c": the title is one text ("Promis"); a chart\'s texts are written '
     'in French and in English. Write two lines under "title:": "  fr: …" and "  en: …".'),
])
def test_a_missing_text_is_named_in_plain_words_at_its_line(tmp_path, name, text, message):
    settings = write_chart(tmp_path, name, text)
    defn = definitions.load("c", Path(settings["PATH"]) / "charts" / name, f"content/charts/{name}")
    with pytest.raises(ChartError) as failure:
        build.build_chart(defn, fixture_catalog(), "en", CONF)
    assert str(failure.value) == message


BAD_PALETTE = GOOD.replace('y="donor:N"', 'y="donor:N", color=alt.Color("donor:N", scale=alt.Scale(range=["#d62728", '
                                          '"#2ca02c"]))')


def test_a_palette_colour_blind_readers_cannot_tell_apart_fails_the_lint(tmp_path):
    defn, b = built(tmp_path, BAD_PALETTE, "fr")
    problems = lint.lint(defn, b.specs, b.t, 10)
    assert any("#d62728 and #2ca02c look alike with deuteranopia" in p for p in problems), problems
    settings = write_chart(tmp_path / "site", "ok.py", BAD_PALETTE)
    assert "(content/charts/ok.py:7): in the light picture, colours" in shortcode_error(settings, "ok")


def test_the_house_palette_passes_for_every_vision_in_both_pictures():
    for mode in theme.MODES:
        assert colour.closest_pairs(theme.palette(mode)[:5], CONF["DATADESK_CHARTS_MIN_DELTA_E"]) == []


def test_colour_simulation_keeps_greys_and_merges_red_and_green_for_deuteranopes():
    for vision in colour.VISIONS:  # Machado 2009 rows sum to 1: white stays white
        assert all(abs(c - 1) < 0.01 for c in colour.simulate((1, 1, 1), vision))
    assert colour.distance("#d62728", "#2ca02c") > 50
    assert colour.distance("#d62728", "#2ca02c", "deuteranopia") < 10
    assert round(colour.delta_e2000((50, 2.6772, -79.7751), (50, 0, -82.7485)), 4) == 2.0425  # Sharma 2005


def test_rendering_the_same_chart_twice_gives_the_same_bytes(tmp_path):
    _, first = built(tmp_path, GOOD, "en")
    assert render.render(first, CONF)[0] == render.render(first, CONF)[0]


def test_specs_do_not_depend_on_how_many_charts_were_built_before(tmp_path):
    text = GOOD.replace(".encode(", ".add_params(alt.selection_point(on='pointerover')).encode(")
    _, first = built(tmp_path, text, "fr")
    alt.selection_point()  # bumps Altair's global counter of unnamed params
    _, second = built(tmp_path, text, "fr")
    assert first.key == second.key
    assert re.search(r'"param_1"', json.dumps(first.specs["wide"]))


def test_svg_ids_do_not_depend_on_what_was_drawn_before():
    from datadesk.charts.render import stable_svg_ids

    first = '<linearGradient id="gradient_5"/><rect fill="url(#gradient_5)"/><g clip-path="url(#clip_12)"/>'
    later = '<linearGradient id="gradient_15"/><rect fill="url(#gradient_15)"/><g clip-path="url(#clip_3)"/>'
    assert stable_svg_ids(first) == stable_svg_ids(later)
    assert stable_svg_ids(first) == '<linearGradient id="gradient_0"/><rect fill="url(#gradient_0)"/><g clip-path="url(#clip_0)"/>'
    two = stable_svg_ids('<g id="gradient_9"/><g id="gradient_4"/><use href="#gradient_9"/>')
    assert two == '<g id="gradient_0"/><g id="gradient_1"/><use href="#gradient_0"/>'


YAML_HEAD = "dataset: aid\nmark: bar\nx: donor:N\ny: committed_eur_bn:Q\n"


@pytest.mark.parametrize("text, message", [
    (YAML_HEAD + "title:\n  fr: Promesses : ce qui est arrivé\n  en: Pledges\n",
     'content/charts/c.yaml:6: chart "c": this text contains a colon followed by a space (« : »), which '
     "YAML reads as the start of another key. Put the whole text in double quotes: "
     '`fr: "Promesses : ce qui est arrivé"` (en français : mettez le texte entre guillemets droits, "…").'),
    (YAML_HEAD + "title:\n  fr: \"Front\" de l'énergie\n  en: Front\n",
     'content/charts/c.yaml:6: chart "c": the text starts with a quotation but goes on after it. Put the '
     'whole text in double quotes: `fr: "\\"Front\\" de l\'énergie"`'),
    (YAML_HEAD + "title:\n  fr: \"Promesses\n  en: Pledges\n",
     'content/charts/c.yaml:6: chart "c": a quote opened on this line is never closed.'),
    (YAML_HEAD + "title:\n  fr: Promesses\n   en: Pledges\n",
     'content/charts/c.yaml:7: chart "c": this line is indented more than the line above, so YAML reads '
     "it as part of it. Line it up with the other keys at its level (two spaces per level, no tabs)."),
    (YAML_HEAD + "title:\n\tfr: Promesses\n",
     'content/charts/c.yaml:6: chart "c": this line is indented with a tab. Indent with spaces only'),
    (YAML_HEAD + "tooltip: [donor, committed_eur_bn\n",
     'content/charts/c.yaml:5: chart "c": a list opened on this line is never closed. Add ] at its end'),
])
def test_yaml_syntax_mistakes_are_named_in_plain_words_at_their_line(tmp_path, text, message):
    settings = write_chart(tmp_path, "c.yaml", text)
    with pytest.raises(ChartError) as failure:
        definitions.load("c", Path(settings["PATH"]) / "charts" / "c.yaml", "content/charts/c.yaml")
    assert str(failure.value).startswith(message), str(failure.value)
