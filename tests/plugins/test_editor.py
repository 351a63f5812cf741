"""The editor's workflow: what a journalist does in a day, the message each typical
mistake earns, drafts kept out of the published site, the live preview, and the guide
(EDITING.md) whose every example is built here so it cannot go stale."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

import tasks
from conftest import ROOT, copy_content, free_port, wait_until
from tools.server import stop_process

FIXTURE = ROOT / "tests" / "fixtures" / "editor"
INVOKE = str(ROOT / ".venv" / "bin" / "invoke")
SITEURL = "https://example.org/site"


# --- helpers: a copy of the project an editor works in --------------------------------

def project_copy(tmp_path: Path, real: bool = False) -> Path:
    """The fixture project (small data package), or with real=True the site's own content
    and data, in a temporary folder with settings that read its data/."""
    project = tmp_path / "project"
    if real:
        project.mkdir()
        copy_content(project / "content")  # its cache seeded: the guide's builds redo what it edits
        shutil.copytree(ROOT / "data", project / "data",
                        ignore=shutil.ignore_patterns("raw", "curate"))
        shutil.copy(FIXTURE / "editorconf.py", project / "editorconf.py")
    else:
        shutil.copytree(FIXTURE, project)
    (project / "editorpublish.py").write_text(
        f"import sys\nsys.path.insert(0, {str(project)!r})\nfrom editorconf import *\n"
        f"from publishconf import *\nDATADESK_DATA_DIR = {str(project / 'data')!r}\n",
        encoding="utf-8")
    return project


def build(project: Path, publish: bool = False, output: Path | None = None) -> Path:
    settings = project / ("editorpublish.py" if publish else "editorconf.py")
    return tasks.build_site(settings=str(settings), output=output or project / "output",
                            content=project / "content", quiet=True,
                            env={"SITEURL": SITEURL} if publish else None)


def failed_build(project: Path) -> str:
    output = project / "output"
    output.mkdir(exist_ok=True)
    (output / "index.html").write_text("previous build", encoding="utf-8")
    with pytest.raises(tasks.BuildFailed) as failure:
        build(project)
    assert (output / "index.html").read_text(encoding="utf-8") == "previous build"
    return str(failure.value)


def invoke(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([INVOKE, *args, "--content", str(project / "content")], cwd=ROOT,
                          capture_output=True, text=True)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def write(path: Path, text: str, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime:
        os.utime(path, (mtime, mtime))
    return path


# --- each typical mistake, one message with file and line -------------------------------

ARTICLE = "Title: {title}\nDate: 2022-12-02\nSlug: {slug}\nLang: fr\nCategory: Énergie\n\nTexte.\n"
MISTAKES = {
    "sans-titre.fr.md": (
        "Date: 2022-12-02\nSlug: sans-titre\nLang: fr\nCategory: Énergie\n\nTexte.\n",
        ["content/articles/sans-titre.fr.md:1: the Title line is missing; add a line such as "
         "`Title: Les frappes du 10 octobre` at the top of the file, before the first blank line."]),
    "date-fr.fr.md": (
        "Title: Date\nDate: 31/10/2022\nSlug: date-fr\nLang: fr\nCategory: Énergie\n\nTexte.\n",
        ['content/articles/date-fr.fr.md:2: Date is "31/10/2022"; expected year-month-day such '
         "as 2022-10-31, optionally with the time (2022-10-31 14:30). Write Date: 2022-10-31."]),
    "date-ambigue.fr.md": (
        "Title: Date\nDate: 03/10/2022 14h30\nSlug: date-ambigue\nLang: fr\nCategory: Énergie\n\nT.\n",
        ['content/articles/date-ambigue.fr.md:2: Date is "03/10/2022 14h30"; expected '
         "year-month-day such as 2022-10-31, optionally with the time (2022-10-31 14:30). "
         "Write Date: 2022-10-03 14:30 if the day comes first."]),
    "date-impossible.fr.md": (
        "Title: Date\nDate: 2022-02-30\nSlug: date-impossible\nLang: fr\nCategory: Énergie\n\nT.\n",
        ['content/articles/date-impossible.fr.md:2: Date is "2022-02-30", which is not a day '
         "on the calendar; check the month (01-12) and the day."]),
    "langue.fr.md": (
        "Title: Langue\nDate: 2022-12-02\nSlug: langue\nLang: de\nCategory: Énergie\n\nT.\n",
        ['content/articles/langue.fr.md:4: Lang is "de"; expected one of: fr, en (the languages '
         "this site publishes). Fix the code, e.g. Lang: fr."]),
    "suffixe.en.md": (
        "Title: Suffix\nDate: 2022-12-02\nSlug: suffixe\nLang: fr\nCategory: Énergie\n\nT.\n",
        ['content/articles/suffixe.en.md:4: Lang is "fr" but the file name ends in .en.md; '
         "expected them to agree. Change the line to Lang: en, or rename the file to end in "
         ".fr.md."]),
    "doublon.fr.md": (
        ARTICLE.format(title="Doublon", slug="hiver-des-coupures"),
        ['content/articles/doublon.fr.md:3: Slug "hiver-des-coupures" is already used by '
         "content/articles/hiver.fr.md (line 3) in French; expected each article to have its "
         "own Slug. Change one of them (a translation shares the Slug but has a different "
         "Lang)."]),
    "reserve.fr.md": (
        ARTICLE.format(title="Réservé", slug="data"),
        ['content/articles/reserve.fr.md:3: Slug "data" is the address of one of the site\'s '
         "own sections (archives, cards, category, charts, data, drafts, en, feeds, pagefind, search, "
         "tag, theme); choose another Slug, e.g. data-2022."]),
    "slug.fr.md": (
        ARTICLE.format(title="Slug", slug="Les Frappes d'Octobre"),
        ['content/articles/slug.fr.md:3: Slug is "Les Frappes d\'Octobre"; expected lower-case '
         "letters, digits and hyphens only (it becomes the address). Write Slug: "
         "les-frappes-doctobre."]),
    "traduction.en.md": (
        "Title: Winter\nDate: 2022-12-02\nSlug: hiver-des-coupure\nLang: en\nCategory: Energy\n"
        "Translation: true\n\nText.\n",
        ['content/articles/traduction.en.md:6: Translation: true says this is the translation '
         'of the article with Slug "hiver-des-coupure", but no article in another language has '
         "that Slug. Give it the original's Slug, or remove the Translation line if it stands "
         'alone. Did you mean "hiver-des-coupures" (content/articles/hiver.fr.md)?']),
    "statut.fr.md": (
        ARTICLE.format(title="Statut", slug="statut").replace("Category", "Status: publié\n"
                                                                          "Category"),
        ['content/articles/statut.fr.md:5: Status is "publié"; expected one of: published, '
         "draft, hidden. Write Status: draft while you work on it and Status: published when it "
         'is ready. Did you mean "published"?']),
    "rubrique.fr.md": (
        "Title: Rubrique\nDate: 2022-12-02\nSlug: rubrique\nLang: fr\n\nT.\n",
        ["content/articles/rubrique.fr.md:1: the Category line is missing; a published article "
         'without one is filed under "misc". Add `Category: …` (sections in use: Énergie).']),
    "francais.fr.md": (
        "Titre: En français\nDate: 2022-12-02\nSlug: francais\nLang: fr\nCatégorie: Énergie\n\nT.\n",
        ['content/articles/francais.fr.md:1: "Titre" is not a field name; expected "Title" '
         "(field names are in English: Title, Date, Slug, Lang, Category, Tags, Summary, Status, "
         "Authors). Rename it: `Title: En français`.",
         'content/articles/francais.fr.md:5: "Catégorie" is not a field name; expected '
         '"Category" (field names are in English: Title, Date, Slug, Lang, Category, Tags, '
         "Summary, Status, Authors). Rename it: `Category: Énergie`."]),
    "brouillon.fr.md": (
        ARTICLE.format(title="Oubli", slug="oubli").replace(
            "Texte.", "[À COMPLÉTER : le texte.]"),
        ['content/articles/brouillon.fr.md:7: the file still contains "[À COMPLÉTER …]" from '
         "invoke new-article; replace it with your text before publishing (or keep Status: "
         "draft)."]),
    "titre-valeur.fr.md": (
        ARTICLE.format(title="{{ value max waves.missiles_launched }} missiles", slug="tv"),
        ["content/articles/titre-valeur.fr.md:1: Title contains a shortcode; expected plain "
         "words (shortcodes such as {{ value … }} work in the text and in Summary only). "
         "Write it out."]),
    "graphique.fr.md": (
        ARTICLE.format(title="Graphique", slug="graphique").replace(
            "Texte.", "Texte.\n\n{{ chart vagues_test }}"),
        ['content/articles/graphique.fr.md:9: the chart "vagues_test" still contains '
         '"[À COMPLÉTER …]" (content/charts/vagues_test.yaml:6); write its text before '
         "publishing (or keep Status: draft)."]),
    # An intra-site link Pelican would not find: Pelican itself names neither the article
    # nor the line ("Unable to find '/articles/hivr.fr.md', skipping url replacement.").
    # The relative link to the translation is found, as Pelican finds it.
    "liens.fr.md": (
        ARTICLE.format(title="Liens", slug="liens") + "\nVoir [la note]({filename}/articles/hivr.fr.md) "
        "et [l'original]({filename}hiver.en.md).\n\n![Carte des coupures]({static}/images/carte.png)\n",
        ['content/articles/liens.fr.md:9: the link "{filename}/articles/hivr.fr.md" leads nowhere: '
         "content/articles/hivr.fr.md is not an article or page of content/ (a Markdown file). Did you "
         "mean {filename}/articles/hiver.fr.md? Write the path from content/, starting with / (e.g. "
         "{filename}/articles/x.fr.md), or from this file's folder.",
         'content/articles/liens.fr.md:11: the link "{static}/images/carte.png" leads nowhere: '
         "content/images/carte.png is not a file of content/ (a picture, a PDF…). Write the path "
         "from content/, starting with / (e.g. {static}/images/x.png), or from this file's folder."]),
    "vide.fr.md": (
        "\nUn texte sans en-tête.\n",
        ["content/articles/vide.fr.md:1: no front matter found; expected the file to start "
         "with lines such as `Title: …`, `Date: …`, `Lang: …`, then a blank line, then the "
         "text. Copy the top of an existing article, or create the file with `invoke "
         "new-article`."]),
}


@pytest.fixture(scope="module")
def mistakes_report(tmp_path_factory) -> str:
    """One build of the fixture project with every mistake at once (one run shows all)."""
    project = project_copy(tmp_path_factory.mktemp("mistakes"))
    articles = project / "content" / "articles"
    later = time.time() + 60  # the new files are newer than the fixture's own article
    for name, (text, _messages) in MISTAKES.items():
        write(articles / name, text, later)
    write(project / "content" / "charts" / "vagues_test.yaml",
          "dataset: waves\nmark: bar\nx: {field: wave_start, type: temporal, format: date}\n"
          "y: {field: missiles_launched, type: quantitative}\ntitle:\n"
          '  fr: "[À COMPLÉTER : le titre.]"\n  en: "[TO WRITE: the title.]"\n'
          "source: {fr: Test, en: Test}\n")
    (articles / "latin1.fr.md").write_bytes(ARTICLE.format(title="Été", slug="latin")
                                            .encode("latin-1"))
    return failed_build(project)


@pytest.mark.parametrize("name", list(MISTAKES))
def test_each_front_matter_mistake_gets_one_clear_message(mistakes_report, name):
    for message in MISTAKES[name][1]:
        assert message in mistakes_report
    assert mistakes_report.count(f"content/articles/{name}:") == len(MISTAKES[name][1]), \
        "one message per mistake, not Pelican's repeated ones"


def test_mistake_reports_have_no_traceback_and_no_pelican_skipping(mistakes_report):
    assert "content/articles/latin1.fr.md:1: the file is not saved as UTF-8 text" in mistakes_report
    for noise in ("Traceback", "Skipping", "Could not process", "KeyError", "Unable to find"):
        assert noise not in mistakes_report
    assert "The build failed" in mistakes_report


@pytest.mark.slow
def test_a_french_article_without_translation_and_a_checked_translation_build(tmp_path):
    project = project_copy(tmp_path)
    articles = project / "content" / "articles"
    (articles / "hiver.en.md").write_text(
        (articles / "hiver.en.md").read_text(encoding="utf-8").replace(
            "Lang: en\n", "Lang: en\nTranslation: true\n"), encoding="utf-8")
    write(articles / "seul.fr.md", ARTICLE.format(title="Seul en français", slug="seul"))
    out = build(project)
    assert (out / "seul" / "index.html").exists()
    assert not (out / "en" / "seul").exists()
    english = soup(out / "en" / "hiver-des-coupures" / "index.html")
    assert english.select_one(".lang-switch a")["href"].endswith("hiver-des-coupures/")


@pytest.mark.slow
def test_unknown_editorial_settings_are_refused(tmp_path):
    project = project_copy(tmp_path)
    conf = project / "editorconf.py"
    conf.write_text(conf.read_text() + "\nEDITORIAL_CHEK = False\n", encoding="utf-8")
    report = failed_build(project)
    assert ("pelicanconf.py: unknown setting EDITORIAL_CHEK; did you mean EDITORIAL_CHECK?; the editorial "
            "plugin knows EDITORIAL_CHECK, EDITORIAL_PLACEHOLDERS, EDITORIAL_RESERVED_SLUGS, "
            "EDITORIAL_AUTHORS. Fix the name, or remove it (see plugins/editorial/README.md).") in report


def test_every_editorial_setting_is_documented():
    from editorial import SETTINGS

    readme = (ROOT / "plugins" / "editorial" / "README.md").read_text(encoding="utf-8")
    for name in SETTINGS.names:
        assert f"`{name}`" in readme, name


# --- translations that do not pair up ---------------------------------------------------

EN_ARTICLE = "Title: {title}\nDate: {date}\nSlug: {slug}\nLang: en\nCategory: Energy\n{extra}\n{body}\n"


@pytest.mark.slow
def test_translations_that_do_not_pair_up_fail_naming_both_files(tmp_path):
    project = project_copy(tmp_path)
    articles = project / "content" / "articles"
    write(articles / "nuits.fr.md", ARTICLE.format(title="Nuits", slug="nuits-sans-courant"))
    write(articles / "nights.en.md", EN_ARTICLE.format(title="Nights", date="2022-12-02",
                                                      slug="nuits-sans-courrant", extra="",
                                                      body="Text."))
    write(articles / "vagues.fr.md", ARTICLE.format(title="Vagues", slug="vagues-octobre").replace(
        "Texte.", "Texte.\n\n{{ chart vagues_test }}"))
    write(articles / "waves.en.md", EN_ARTICLE.format(title="Waves", date="2022-12-02",
                                                     slug="october-waves", extra="",
                                                     body="Text.\n\n{{ chart vagues_test }}"))
    report = failed_build(project)
    assert ('content/articles/nights.en.md:3: its Slug "nuits-sans-courrant" differs by a few letters '
            'from "nuits-sans-courant" of content/articles/nuits.fr.md (fr), but the two are not linked '
            "as translations, so each would be published alone. If one translates the other, give "
            "them the same Slug: `Slug: nuits-sans-courant` (with `Translation: true` in the "
            "translation); if each stands alone, write `Translation: none` in both.") in report
    assert ("content/articles/waves.en.md:3: it has the same date (2022-12-02) and the same charts "
            "(vagues_test) of content/articles/vagues.fr.md (fr), but the two are not linked") in report


@pytest.mark.slow
def test_an_article_in_one_language_only_says_so(tmp_path):
    project = project_copy(tmp_path)
    articles = project / "content" / "articles"
    write(articles / "nuits.fr.md", ARTICLE.format(title="Nuits", slug="nuits-sans-courant")
          .replace("Category: Énergie\n", "Category: Énergie\nTranslation: none\n"))
    write(articles / "nights.en.md", EN_ARTICLE.format(title="Nights", date="2022-12-02",
                                                      slug="nuits-sans-courrant",
                                                      extra="Translation: none\n", body="Text."))
    site = build(project)
    assert (site / "nuits-sans-courant" / "index.html").exists()
    assert (site / "en" / "nuits-sans-courrant" / "index.html").exists()


# --- new-article ---------------------------------------------------------------------

@pytest.mark.slow
def test_new_article_creates_a_complete_draft_and_says_how_to_preview_it(tmp_path):
    project = project_copy(tmp_path)
    result = invoke(project, "new-article", "--title", "Les nuits sans courant", "--lang", "fr")
    assert result.returncode == 0, result.stderr
    path = project / "content" / "articles" / "les-nuits-sans-courant.fr.md"
    text = path.read_text(encoding="utf-8")
    fields = dict(line.split(": ", 1) for line in text.split("\n\n")[0].splitlines()
                  if ": " in line)
    assert fields["Title"] == "Les nuits sans courant"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", fields["Date"])
    assert fields["Slug"] == "les-nuits-sans-courant" and fields["Lang"] == "fr"
    assert fields["Category"] == "Énergie" and fields["Status"] == "draft"
    assert fields["Authors"] == "Rédaction Front de l'énergie"
    assert fields["Summary"].startswith("[À COMPLÉTER")
    assert "Tags:" in text
    out = result.stdout
    assert "Created content/articles/les-nuits-sans-courant.fr.md (a draft" in out
    assert "http://127.0.0.1:8000/drafts/les-nuits-sans-courant/" in out
    assert ("invoke new-article --lang en --translation-of les-nuits-sans-courant --title"
            in out)
    # the draft builds as it is, and only as a draft
    site = build(project)
    assert (site / "drafts" / "les-nuits-sans-courant" / "index.html").exists()
    assert "les-nuits-sans-courant" not in (site / "index.html").read_text(encoding="utf-8")


def test_new_article_refuses_to_overwrite_and_explains(tmp_path):
    project = project_copy(tmp_path)
    first = invoke(project, "new-article", "--title", "Les nuits sans courant")
    path = project / "content" / "articles" / "les-nuits-sans-courant.fr.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMon texte.\n", encoding="utf-8")
    before = path.read_bytes()
    again = invoke(project, "new-article", "--title", "Les nuits sans courant")
    assert first.returncode == 0 and again.returncode == 1
    assert again.stderr.strip() == (
        'new-article: the Slug "les-nuits-sans-courant" is already used in fr by '
        "content/articles/les-nuits-sans-courant.fr.md; choose another title, or pass --slug "
        "another-address.")
    assert "Traceback" not in again.stderr + again.stdout
    assert path.read_bytes() == before


def test_new_article_translation_checks_the_original(tmp_path):
    project = project_copy(tmp_path)
    wrong = invoke(project, "new-article", "--title", "Winter", "--lang", "en",
                   "--translation-of", "hiver-des-coupure")
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == (
        "new-article: --translation-of hiver-des-coupure: no article has that Slug; the slugs "
        'are: hiver-des-coupures. Did you mean "hiver-des-coupures"?')
    done = invoke(project, "new-article", "--title", "Winter", "--lang", "en",
                  "--translation-of", "hiver-des-coupures")
    assert done.returncode == 1  # the fixture already has the English version
    assert "content/articles/hiver.en.md is already the en version" in done.stderr


# --- new-dataset ---------------------------------------------------------------------

POINTS = ("date,oblast,points,source_url\n2022-11-25,Kyivska,410,https://example.org/a\n"
          "2022-11-25,Lvivska,380,https://example.org/a\n2022-12-02,Kyivska,530,https://example.org/b\n")


@pytest.mark.slow
def test_a_csv_without_description_fails_the_build_naming_the_command(tmp_path):
    project = project_copy(tmp_path)
    write(project / "data" / "points.csv", POINTS)
    report = failed_build(project)
    assert ("data/points.csv: expected a description beside it (data/points.resource.json), found "
            "none. Run `invoke new-dataset data/points.csv`, which writes one from the file, then "
            "fill in what it marks.") in report


@pytest.mark.slow
def test_new_dataset_infers_the_schema_and_marks_what_to_write(tmp_path):
    project = project_copy(tmp_path)
    write(project / "data" / "points.csv", POINTS)
    made = invoke(project, "new-dataset", "data/points.csv")
    assert made.returncode == 0, made.stderr
    path = project / "data" / "points.resource.json"
    res = json.loads(path.read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    assert {n: f["type"] for n, f in fields.items()} == {
        "date": "date", "oblast": "string", "points": "integer", "source_url": "string"}
    assert all(f["constraints"]["required"] for f in fields.values())
    assert fields["source_url"]["format"] == "uri"
    assert res["schema"]["primaryKey"] == ["date", "oblast"]  # not "points", unique by chance
    assert (res["as_of"], res["temporal"]) == ("2022-12-02", {"start": "2022-11-25", "end": "2022-12-02"})
    assert fields["points"]["unit"].startswith("[TO WRITE") and "unit" not in fields["oblast"]
    out = made.stdout
    assert "Created data/points.resource.json, the description of data/points.csv." in out
    assert "primary key: date + oblast (no two rows share it)" in out
    assert 'data/points.resource.json:8: "title_en": "[TO WRITE: the dataset\'s title in English]"' in out
    # the build refuses the marked description, naming each line
    report = failed_build(project)
    assert ('data/points.resource.json:9: resource "points": "title_fr" still says "[À COMPLÉTER …]", '
            "left by invoke new-dataset; expected the real text.") in report
    # once written, the dataset builds, with its page, and is in the published package
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'"\[(?:TO WRITE|À COMPLÉTER)[^"]*\]"', '"Texte écrit"', text)
    text = text.replace('"url": "Texte écrit"', '"url": "https://example.org/"')
    res = json.loads(text)
    res["licenses"][0]["path"] = "https://example.org/terms"  # the address its mark asks for
    res["caveats_en"] = res["caveats_fr"] = []
    path.write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    site = build(project)
    assert (site / "data" / "points" / "index.html").exists()
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["resources"][-1]["name"] == "points"
    assert package["resources"][-1]["title"] == "Texte écrit"  # the plain key, from title_en
    again = invoke(project, "new-dataset", "data/points.csv")
    assert again.returncode == 1 and "data/points.resource.json already exists" in again.stderr


# --- small fixes the first edition left ----------------------------------------------

@pytest.mark.parametrize("command", ["new-article", "new-chart", "new-dataset"])
def test_help_shows_the_options_instead_of_running_the_command(tmp_path, command):
    project = project_copy(tmp_path)
    shown = invoke(project, command, "--help")
    assert shown.returncode == 0, shown.stderr
    assert f"new-{command.split('-')[1]} [--options]" in shown.stdout
    assert not list((project / "content" / "articles").glob("*help*"))


def test_the_address_printed_follows_the_preview_port(tmp_path):
    project = project_copy(tmp_path)
    given = invoke(project, "new-article", "--title", "Un", "--port", "8123")
    assert "http://127.0.0.1:8123/drafts/un/" in given.stdout, given.stderr
    # without --port: the port the running preview recorded (invoke livereload --port 8124)
    write(project / ".cache" / "livereload-port", "8124")
    running = invoke(project, "new-article", "--title", "Deux")
    assert "http://127.0.0.1:8124/drafts/deux/" in running.stdout, running.stderr


def test_new_chart_leaves_the_french_source_line_to_write_in_french(tmp_path):
    project = project_copy(tmp_path)
    made = invoke(project, "new-chart", "--dataset", "waves", "--id", "vagues_source")
    assert made.returncode == 0, made.stderr
    chart = yaml.safe_load((project / "content" / "charts" / "vagues_source.yaml").read_text(
        encoding="utf-8"))
    assert chart["source"] == {
        "fr": "[À COMPLÉTER : la source en français ; en anglais : Fixture Institute]",
        "en": "Fixture Institute"}


@pytest.mark.slow
def test_the_unknown_unit_advice_works(tmp_path):
    project = project_copy(tmp_path)
    described = project / "data" / "waves.resource.json"
    res = json.loads(described.read_text(encoding="utf-8"))
    field = next(f for f in res["schema"]["fields"] if f["name"] == "drones_launched")
    field["unit"] = "salvos"
    described.write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    article = project / "content" / "articles" / "hiver.fr.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nAu plus {{ value max "
                       "waves.drones_launched }}.\n", encoding="utf-8")
    report = failed_build(project)
    assert 'waves.drones_launched is measured in "salvos", a unit this site does not know yet; ' \
           "write unit=none to show the bare number" in report
    article.write_text(article.read_text(encoding="utf-8").replace(
        "{{ value max waves.drones_launched }}.", "{{ value max waves.drones_launched unit=none }}."),
        encoding="utf-8")
    page = soup(build(project) / "hiver-des-coupures" / "index.html")
    assert re.search(r"Au plus\s*43\s*\.", page.get_text(" ", strip=True))


# --- an editor's day -------------------------------------------------------------------

def fill(path: Path, body: str, summary: str) -> None:
    """What the editor does in the file new-article made: write, then publish."""
    text = path.read_text(encoding="utf-8")
    head, _ = text.split("\n\n", 1)
    head = re.sub(r"Summary: .*", f"Summary: {summary}", head)
    head = head.replace("Status: draft", "Status: published").replace("Tags:", "Tags: hiver")
    path.write_text(f"{head}\n\n{body}\n", encoding="utf-8")


@pytest.mark.slow
def test_an_editors_day(tmp_path):
    project = project_copy(tmp_path)
    articles = project / "content" / "articles"
    made = invoke(project, "new-article", "--title", "Les nuits sans courant", "--lang", "fr",
                  "--section", "Énergie")
    assert made.returncode == 0, made.stderr
    chart = invoke(project, "new-chart", "--dataset", "waves", "--id", "vagues_nuits")
    assert chart.returncode == 0, chart.stderr
    assert "{{ chart vagues_nuits }}" in chart.stdout
    chart_file = project / "content" / "charts" / "vagues_nuits.yaml"
    chart_file.write_text(chart_file.read_text(encoding="utf-8")
                          .replace("[À COMPLÉTER : le titre, une phrase qui dit ce que montre le "
                                   "graphique.]", "Les vagues de frappes de l'automne")
                          .replace("[TO WRITE: the title, a sentence that says what the chart "
                                   "shows.]", "The autumn strike waves")
                          .replace("[À COMPLÉTER : la source en français ; en anglais : Fixture "
                                   "Institute]", "Institut de test"), encoding="utf-8")
    fill(articles / "les-nuits-sans-courant.fr.md",
         "La plus lourde vague compte {{ value max waves.missiles_launched }} missiles.\n\n"
         "{{ chart vagues_nuits }}",
         "Des nuits sans électricité.")
    english = invoke(project, "new-article", "--title", "Nights without power", "--lang", "en",
                     "--translation-of", "les-nuits-sans-courant")
    assert english.returncode == 0, english.stderr
    assert "http://127.0.0.1:8000/en/drafts/les-nuits-sans-courant/" in english.stdout
    fill(articles / "les-nuits-sans-courant.en.md",
         "The heaviest wave had {{ value max waves.missiles_launched }} missiles.\n\n"
         "{{ chart vagues_nuits }}", "Nights without power.")

    site = build(project)
    home = soup(site / "index.html")
    assert "Les nuits sans courant" in home.get_text()
    category = next(p for p in (site / "category").glob("*/index.html")
                    if "Les nuits sans courant" in p.read_text(encoding="utf-8"))
    assert soup(category).find("h1").get_text(strip=True).endswith("Énergie")
    page = soup(site / "les-nuits-sans-courant" / "index.html")
    assert page.select_one(".story-body a.dv").get_text() == "98"
    assert page.select_one("figure.chart")["id"] == "chart-vagues_nuits"
    en_page = soup(site / "en" / "les-nuits-sans-courant" / "index.html")
    assert en_page.select_one(".lang-switch a")["href"].endswith("les-nuits-sans-courant/")
    assert "Nights without power" in soup(site / "en" / "index.html").get_text()

    published = build(project, publish=True, output=tmp_path / "published")
    feed = (published / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "Les nuits sans courant" in feed
    assert f"{SITEURL}/les-nuits-sans-courant/" in feed
    sitemap = (published / "sitemap.xml").read_text(encoding="utf-8")
    assert f"{SITEURL}/les-nuits-sans-courant/" in sitemap
    assert f"{SITEURL}/en/les-nuits-sans-courant/" in sitemap


# --- drafts --------------------------------------------------------------------------

@pytest.mark.slow
def test_drafts_stay_out_of_the_published_site(tmp_path):
    project = project_copy(tmp_path)
    write(project / "content" / "articles" / "secret.fr.md",
          "Title: Brouillon confidentiel\nDate: 2022-12-03\nSlug: brouillon-confidentiel\n"
          "Lang: fr\nCategory: Énergie\nStatus: draft\n\n"
          "Motcléintrouvable et {{ value max waves.missiles_launched }} missiles.\n")
    write(project / "content" / "articles" / "secret.en.md",
          "Title: Confidential draft\nSlug: brouillon-confidentiel\nLang: en\nStatus: draft\n"
          "Translation: true\n\n[TO WRITE: the text.]\n")
    preview = build(project)
    assert (preview / "drafts" / "brouillon-confidentiel" / "index.html").exists()
    assert (preview / "en" / "drafts" / "brouillon-confidentiel" / "index.html").exists()
    assert "Brouillon confidentiel" not in (preview / "index.html").read_text(encoding="utf-8")
    # a draft says it is one, in its language
    banner = soup(preview / "drafts" / "brouillon-confidentiel" / "index.html").select_one(".draft-notice")
    assert banner.get_text(" ", strip=True).startswith("Brouillon\u202f: vous seul voyez cette page"), (
        "French puts a narrow no-break space before the colon")
    banner = soup(preview / "en" / "drafts" / "brouillon-confidentiel" / "index.html").select_one(
        ".draft-notice")
    assert banner.get_text(" ", strip=True).startswith("Draft: only you see this page")

    site = build(project, publish=True, output=tmp_path / "published")
    leaks = [p for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json")
             and ("brouillon-confidentiel" in p.read_text(encoding="utf-8", errors="replace")
                  or "Brouillon confidentiel" in p.read_text(encoding="utf-8", errors="replace"))]
    assert not leaks, leaks
    assert not list(site.rglob("drafts"))
    import gzip

    for fragment in (site / "pagefind").rglob("*.pf_fragment"):
        assert b"Motcl\xc3\xa9introuvable" not in gzip.decompress(fragment.read_bytes())


# --- the live preview ------------------------------------------------------------------

class Events:
    """The preview's event stream, read as a browser's EventSource would (reconnecting if
    the preview restarts, as it does when plugin code changes)."""

    def __init__(self, url: str):
        self.url = url + "__live/events"
        self.stream = urllib.request.urlopen(self.url, timeout=30)

    def wait_for(self, kind: str, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.stream.readline().decode()
            if not line:  # the preview restarted: connect again once it answers
                self.stream = wait_until(lambda: urllib.request.urlopen(self.url, timeout=30),
                                         max(deadline - time.monotonic(), 1),
                                         f"the restarted preview to answer at {self.url}")
                continue
            if line.startswith("data: ") and json.loads(line[6:])["type"] == kind:
                return json.loads(line[6:])
        raise TimeoutError(f"no {kind} event")


def page_shows(url: str, needle: str, timeout: float = 90) -> bool:
    """Poll the page (the preview may be restarting) until it holds needle; fail saying so."""
    return wait_until(lambda: needle in urllib.request.urlopen(url, timeout=10).read().decode(),
                      timeout, f"{url} to show {needle!r}", every=0.2)


def test_the_preview_reloads_after_a_save_and_shows_a_failed_build(tmp_path, browser):
    project = project_copy(tmp_path)
    port = free_port()
    log = tmp_path / "livereload.log"
    proc = subprocess.Popen([INVOKE, "livereload", "--port", str(port), "--content",
                             str(project / "content")], cwd=ROOT, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    try:
        def started() -> bool:
            assert proc.poll() is None, f"the preview exited:\n{log.read_text()}"
            return "Preview at" in log.read_text()

        wait_until(started, 120, "the preview to say `Preview at` in its log", every=0.2)
        url = f"http://127.0.0.1:{port}/"
        story = url + "hiver-des-coupures/"
        page = urllib.request.urlopen(story).read().decode()
        assert '<script src="/__live/reload.js" defer></script></body>' in page
        assert "EventSource" in urllib.request.urlopen(url + "__live/reload.js").read().decode()
        events = Events(url)
        article = project / "content" / "articles" / "hiver.fr.md"
        article.write_text(article.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n",
                           encoding="utf-8")
        assert events.wait_for("reload")
        assert page_shows(story, "Une phrase ajoutée.")
        # a CSV edit shows in the value that reads it
        waves = project / "data" / "waves.csv"
        waves.write_text(waves.read_text(encoding="utf-8").replace("w4,2022-11-15,98,",
                                                                   "w4,2022-11-15,99,"),
                         encoding="utf-8")
        assert page_shows(story, ">99</a> missiles")
        # a mistake: the page stays as it was, and is told why
        article.write_text(article.read_text(encoding="utf-8").replace(
            "Date: 2022-12-01 09:00", "Date: 01/12/2022"), encoding="utf-8")
        failed = events.wait_for("failed")
        assert ('content/articles/hiver.fr.md:2: Date is "01/12/2022"; expected year-month-day'
                in failed["message"])
        assert "Une phrase ajoutée." in urllib.request.urlopen(story).read().decode()
        # the page says so in its own language (a page opened after the failure too)
        page = browser.new_page()
        page.goto(story)
        page.wait_for_selector("#live-build-failed")
        shown = page.inner_text("#live-build-failed")
        assert shown.startswith("L'aperçu n'est plus à jour : la dernière construction a échoué.")
        assert 'content/articles/hiver.fr.md:2: Date is "01/12/2022"' in shown
        english = browser.new_page()
        english.goto(url + "en/hiver-des-coupures/")
        english.wait_for_selector("#live-build-failed")
        assert english.inner_text("#live-build-failed").startswith(
            "The preview is out of date: the last build failed.")
        # while it rebuilds, a small sign says so, then the fixed page loads
        article.write_text(article.read_text(encoding="utf-8").replace(
            "Date: 01/12/2022", "Date: 2022-12-01 09:00"), encoding="utf-8")
        page.wait_for_selector("#live-rebuilding", state="attached", timeout=60_000)
        assert page.inner_text("#live-rebuilding") == "Reconstruction…"
        page.wait_for_load_state("load")
        assert events.wait_for("reload")
        page.close()
        english.close()
    finally:
        stop_process(proc)


# --- EDITING.md: every example builds --------------------------------------------------

FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.M | re.S)


def guide_blocks() -> list[tuple[str, dict, str]]:
    """(language, attributes, text) of each fenced block of EDITING.md, in order."""
    blocks = []
    for lang, info, text in FENCE.findall((ROOT / "EDITING.md").read_text(encoding="utf-8")):
        attrs = dict(part.split("=", 1) if "=" in part else (part, True)
                     for part in info.split())
        blocks.append((lang, attrs, text))
    return blocks


def apply_block(project: Path, lang: str, attrs: dict, text: str) -> None:
    target = project / attrs["file"]
    if attrs.get("before"):  # a line put into an existing file, before the line given
        current = target.read_text(encoding="utf-8")
        at = current.index("\n" + attrs["before"]) + 1
        target.write_text(current[:at] + text + "\n" + current[at:], encoding="utf-8")
    elif attrs.get("add"):  # a YAML list, newest first: above the first entry
        current = target.read_text(encoding="utf-8")
        first = re.search(r"^- ", current, re.M)
        at = first.start() if first else len(current)
        target.write_text(current[:at] + text + "\n" + current[at:], encoding="utf-8")
    else:
        write(target, text)


def guide_sections() -> list[tuple[str, list[tuple[str, dict, str]]]]:
    """(heading, blocks) of each numbered section of EDITING.md, in the guide's order."""
    text = (ROOT / "EDITING.md").read_text(encoding="utf-8")
    parts = re.split(r"^(## \d+\. .*)$", text, flags=re.M)
    sections = []
    for heading, body in zip(parts[1::2], parts[2::2]):
        blocks = []
        for lang, info, block in FENCE.findall(body):
            attrs = dict(part.split("=", 1) if "=" in part else (part, True) for part in info.split())
            blocks.append((lang, attrs, block))
        sections.append((heading, blocks))
    return sections


@pytest.fixture(scope="module")
def guide_site(tmp_path_factory, project_cache):
    """The editor's day as EDITING.md tells it, on a fresh copy of the project: each
    section's commands and files in order, and the site builds after every section (so no
    example needs one that comes later). The last build is the one the tests read."""
    import shlex

    project = project_copy(tmp_path_factory.mktemp("guide"), real=True)
    snippets, site, built_after = [], None, []
    for heading, blocks in guide_sections():
        changed = False
        for lang, attrs, text in blocks:
            if attrs.get("run"):
                for line in text.splitlines():
                    if line.startswith("invoke "):
                        result = invoke(project, *shlex.split(line)[1:])
                        assert result.returncode == 0, f"{heading}: {line}\n{result.stdout}{result.stderr}"
                        changed = True
            elif attrs.get("snippet"):
                snippets.append(text)
                changed = True
            elif "file" in attrs and not attrs.get("mistakes"):
                apply_block(project, lang, attrs, text)
                changed = True
        if not changed:
            continue
        if snippets:
            write(project / "content" / "articles" / "extraits-du-guide.fr.md",
                  "Title: Extraits du guide\nDate: 2026-11-26\nSlug: extraits-du-guide\nLang: fr\n"
                  "Category: Énergie\nTranslation: none\n\n" + "\n\n".join(snippets))
        try:
            site = build(project)
        except tasks.BuildFailed as failure:
            pytest.fail(f"EDITING.md, after {heading!r}: the site does not build:\n{failure}")
        built_after.append(heading)
    return project, site, built_after


def test_the_guides_day_runs_end_to_end_building_after_each_step(guide_site):
    _project, _site, built_after = guide_site
    steps = [h.split(". ", 1)[1] for h in built_after]
    assert steps == ["Write an article", "Translate it", "Add a chart, in YAML",
                     "Write figures from the data", "Publish a correction", "Add a dataset"]


def test_the_guide_has_examples_of_each_step():
    kinds = {(lang, tuple(sorted(attrs))) for lang, attrs, _text in guide_blocks()}
    files = [attrs.get("file", "") for _lang, attrs, _text in guide_blocks()]
    assert any(f.endswith(".fr.md") for f in files) and any(f.endswith(".en.md") for f in files)
    assert any(f.startswith("content/charts/") and f.endswith(".yaml") for f in files)
    assert "content/corrections.yaml" in files
    assert any(f.startswith("data/") and f.endswith(".resource.json") for f in files)
    assert any(f.startswith("data/") and f.endswith(".csv") for f in files)
    assert ("markdown", ("snippet",)) in kinds and ("sh", ("run",)) in kinds
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(EDITING.md)" in readme, "README links to the guide"


def test_every_example_of_the_guide_builds(guide_site):
    project, site, _steps = guide_site
    article = soup(site / "nuits-sans-courant" / "index.html")
    assert len(article.select(".story-body a.dv")) == 4
    assert article.select_one(".standfirst span.dv")
    assert article.select_one("figure#chart-coupures_tchernivtsi")
    assert "corrections/#2026-11-27-nuits-sans-courant" in str(article)
    english = soup(site / "en" / "nuits-sans-courant" / "index.html")
    assert english.select_one("figure#chart-coupures_tchernivtsi")
    assert english.select_one(".lang-switch a")["href"].endswith("nuits-sans-courant/")
    snippets = soup(site / "extraits-du-guide" / "index.html")
    assert "985" in [a.get_text() for a in snippets.select("a.dv")]
    assert (site / "data" / "exemple_points_chaleur" / "index.html").exists()
    corrections = (site / "corrections" / "index.html").read_text(encoding="utf-8")
    assert "2026-11-27-nuits-sans-courant" in corrections


@pytest.mark.slow
def test_the_guides_error_messages_are_the_builds(tmp_path, project_cache):
    blocks = guide_blocks()
    mistake = next((attrs, text) for _l, attrs, text in blocks if attrs.get("mistakes"))
    shown = next(text for _l, attrs, text in blocks if attrs.get("errors"))
    after = next(text for _l, attrs, text in blocks if attrs.get("errors-after-fix"))
    project = project_copy(tmp_path, real=True)
    target = project / mistake[0]["file"]
    write(target, mistake[1])
    report = failed_build(project)
    for line in shown.strip().splitlines():
        assert line in report
    write(target, mistake[1].replace("01/12/2022", "2022-12-01").replace("publie", "published")
          .replace('"Un exemple d\'erreurs"', "Un exemple d'erreurs"))
    report = failed_build(project)
    for line in after.strip().splitlines():
        assert line in report
