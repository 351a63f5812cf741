"""A second site on the same generator: tests/fixtures/othersite is a bike-share desk with
its own settings, datasets, YAML chart and article pair, and none of this project's content.

It is copied to a temporary folder and built with the project's build runner (warnings are
fatal, as in the real build), with Python's audit hook watching every file the build opens:
the build must not read this project's content/, data/ or settings, and nothing this site
publishes may carry this project's words. A generator that names our donors, units or
sources, or reads our folders, fails here.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from bs4 import BeautifulSoup

import tasks

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "othersite"
# What the build must not open: this project's own site (its content, data and settings).
OURS = [ROOT / "content", ROOT / "data", ROOT / "pelicanconf.py", ROOT / "publishconf.py"]
# Words of this project's subject, sources and name; none belongs to the bike-share site.
OUR_WORDS = re.compile(
    r"Kiel|Ukrain|Front de l.énergie|Energy Front|Chernivtsi|Tchernivtsi|oblenergo|Ukrenergo|Zelensk"
    r"|Shahed|missile|\bdrones?\b|NASAMS|IRIS-T|\bdonors?\b|donateur|Peace Facility|Commission et Conseil"
    r"|\bstrikes?\b|\bfrappes?\b|énergétique|air defence|défense aérienne|armée de l.air",
    re.IGNORECASE)
TEXT_SUFFIXES = {".html", ".xml", ".json", ".csv", ".js", ".css", ".txt", ".svg", ".webmanifest"}

# Installed in the build's Python (through PYTHONPATH) before anything else runs: every
# file or folder the build opens or lists under one of OURS is written to the log. One
# lister is left out: pkgutil, which Frictionless uses to find its plugins, lists every
# folder of the import path (the build runner puts the project root on it) to see whether
# it is a package; it reads no file there. And shutil.rmtree, removing a folder of the
# build's own (the search plugin's copy of the French pages, which holds a data/ folder),
# opens each subfolder by its bare name relative to its parent's descriptor, not to the
# working directory: such a name says nothing of where the folder is (the folder rmtree
# was given is still checked, by its own path).
AUDIT = '''
import os, sys
_LOG = os.environ["OTHERSITE_AUDIT_LOG"]
_OURS = tuple(p for p in os.environ["OTHERSITE_FORBIDDEN"].split(os.pathsep) if p)
_busy = []

def _hook(event, args):
    if _busy or event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    if event == "os.listdir" and sys._getframe(1).f_code.co_filename.endswith("pkgutil.py"):
        return
    path = args[0]
    if (event == "open" and isinstance(path, str) and not os.path.isabs(path)
            and sys._getframe(1).f_code.co_name == "_rmtree_safe_fd"):
        return
    if not isinstance(path, (str, bytes, os.PathLike)):
        return
    _busy.append(1)
    try:
        full = os.path.abspath(os.fsdecode(path))
        if any(full == p or full.startswith(p + os.sep) for p in _OURS):
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{event} {full}\\n")
    finally:
        _busy.pop()

sys.addaudithook(_hook)
'''


def settings_of(path: Path) -> dict:
    namespace: dict = {"__file__": str(path)}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture(scope="module")
def other(tmp_path_factory):
    """The fixture site copied away from the project, built once; (its folder, output, log)."""
    work = tmp_path_factory.mktemp("othersite")
    site = work / "site"
    shutil.copytree(FIXTURE, site, ignore=shutil.ignore_patterns(".cache", "output", "__pycache__"))
    hook = work / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(AUDIT, encoding="utf-8")
    log = work / "opened-in-our-project.log"
    env = {"GENERATOR_ROOT": str(ROOT), "PYTHONPATH": str(hook),
           "OTHERSITE_AUDIT_LOG": str(log), "OTHERSITE_FORBIDDEN": ":".join(str(p) for p in OURS)}
    # No content=: the runner takes the site's content from its own settings (PATH).
    out = tasks.build_site(settings=str(site / "pelicanconf.py"), output=site / "output", quiet=True, env=env)
    return site, out, log


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_second_site_uses_the_project_plugins_and_theme():
    """The proof is about this generator: the fixture loads the plugins pelicanconf.py lists,
    in its order, from this checkout's plugins/ and theme/."""
    ours = settings_of(ROOT / "pelicanconf.py")
    theirs = settings_of(FIXTURE / "pelicanconf.py")
    assert theirs["PLUGINS"] == ours["PLUGINS"]
    assert [Path(p).resolve() for p in theirs["PLUGIN_PATHS"]] == [Path(p).resolve() for p in ours["PLUGIN_PATHS"]]
    assert Path(theirs["THEME"]).resolve() == Path(ours["THEME"]).resolve()
    assert theirs["SITENAME"] != ours["SITENAME"]


@pytest.mark.slow  # builds the second site
def test_building_it_reads_nothing_of_this_project(other):
    site, out, log = other
    opened = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert opened == [], "the second site's build opened this project's files:\n" + "\n".join(sorted(set(opened))[:20])
    assert (out / "data" / "trips_monthly.csv").read_bytes() == (site / "data" / "trips_monthly.csv").read_bytes()
    package = json.loads((out / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["trips_monthly", "stations"]


def test_the_audit_sees_a_read_of_our_data(tmp_path):
    """The hook above is what makes the previous test mean something: a child Python with it
    installed that opens one of our data files is logged."""
    import subprocess
    import sys

    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(AUDIT, encoding="utf-8")
    log = tmp_path / "log"
    target = next((ROOT / "data").glob("*.resource.json"))
    env = {"PYTHONPATH": str(hook), "OTHERSITE_AUDIT_LOG": str(log),
           "OTHERSITE_FORBIDDEN": ":".join(str(p) for p in OURS), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", f"open({str(target)!r}).read()"], env=env, check=True)
    assert log.read_text(encoding="utf-8").split() == ["open", str(target)]


@pytest.mark.slow  # builds the second site
def test_the_article_has_its_chart_and_the_no_javascript_table_in_both_languages(other):
    _site, out, _log = other
    for lang, prefix in (("fr", ""), ("en", "en/")):
        path = out / prefix / "velo-partage" / "index.html"
        figure = page(path).select_one('figure.chart[data-chart-id="trips_by_month"]')
        assert figure is not None, f"{lang}: no chart figure"
        pictures = [img["src"] for img in figure.select("img")] + [
            s["srcset"].split()[0] for s in figure.select("source[srcset]")]
        assert pictures
        for src in pictures:
            assert (path.parent / unquote(src)).resolve().is_file(), f"{lang}: {src} was not written"
        caption = figure.select_one("figcaption").get_text(" ", strip=True)
        assert ("doublé" if lang == "fr" else "doubled") in caption
        table = figure.select_one("table")
        assert table is not None, f"{lang}: no data table for readers without JavaScript"
        assert [th.get_text() for th in table.select("thead th")] == (
            ["Mois", "Trajets"] if lang == "fr" else ["Month", "Trips"])
        first = [td.get_text() for td in table.select("tbody tr")[0].select("td")]
        assert first[0] == ("1er janv. 2024" if lang == "fr" else "Jan 1, 2024")
        assert len(table.select("tbody tr")) == 6
        assert (out / prefix / "charts" / "trips_by_month" / "trips_by_month.csv").is_file()


@pytest.mark.slow  # builds the second site
def test_whole_numbers_in_the_data_table_are_written_as_numbers(other):
    _site, out, _log = other
    for prefix, expected in (("", r"41[\u202f\u00a0]250"), ("en/", "41,250")):
        figure = page(out / prefix / "velo-partage" / "index.html").select_one("figure.chart")
        cell = figure.select("table tbody tr")[0].select("td")[1]
        assert re.fullmatch(expected, cell.get_text()) and "num" in (cell.get("class") or [])


@pytest.mark.slow  # builds the second site
def test_inline_values_are_written_in_each_language_with_the_site_unit(other):
    _site, out, _log = other
    values = {}
    for lang, prefix in (("fr", ""), ("en", "en/")):
        body = page(out / prefix / "velo-partage" / "index.html").select_one("article")
        values[lang] = [el.get_text() for el in body.select(".dv")]
    assert "401\u202f095" in values["fr"] and "401,095" in values["en"]
    assert any(re.fullmatch(r"49[\u00a0\u202f]%", v) for v in values["fr"]) and "49%" in values["en"]
    # "docks" is not a unit the generator knows: the site declares it (INLINE_VALUES_UNITS).
    assert "112 bornes" in values["fr"] and "112 docks" in values["en"]


@pytest.mark.slow  # builds the second site
def test_each_dataset_has_its_page_in_each_language(other):
    _site, out, _log = other
    for prefix in ("", "en/"):
        listing = page(out / prefix / "data" / "index.html")
        for name in ("trips_monthly", "stations"):
            assert (out / prefix / "data" / name / "index.html").is_file()
            assert listing.find("a", href=re.compile(rf"{name}/$")) is not None
    fr = page(out / "data" / "stations" / "index.html")
    assert fr.h1.get_text(strip=True) == "Stations de vélos partagés"
    assert "Vélo en ville" in fr.get_text()  # the citation names this site, from its settings


@pytest.mark.slow  # builds the second site
def test_the_site_speaks_in_its_own_words(other):
    """The description and the footer's sources come from the site's settings."""
    _site, out, _log = other
    fr, en = page(out / "index.html"), page(out / "en" / "index.html")
    assert fr.select_one('meta[name="description"]')["content"] == (
        "Les vélos partagés d’une ville, en chiffres tirés de ses données ouvertes.")
    assert en.select_one('meta[name="description"]')["content"] == (
        "A city's shared bikes, in figures drawn from its open data.")
    assert "Sources\u202f: le service municipal de la mobilité" in fr.select_one("footer").get_text()
    assert "Sources: the municipal mobility office" in en.select_one("footer").get_text()


def _texts(out: Path):
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if path.suffix in TEXT_SUFFIXES:
            text = raw.decode("utf-8")
            if path.suffix == ".css":
                # A stylesheet's comments are not published words: the theme's header names
                # the house it was drawn for (changing it would change our published site).
                text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
            yield path, text
        elif "pagefind" in path.parts and raw[:2] == b"\x1f\x8b":
            yield path, gzip.decompress(raw).decode("utf-8", errors="replace")


@pytest.mark.slow  # builds the second site
def test_nothing_it_publishes_carries_our_words(other):
    _site, out, _log = other
    found = []
    for path, text in _texts(out):
        for match in OUR_WORDS.finditer(text):
            found.append(f"{path.relative_to(out)}: …{text[max(0, match.start() - 40):match.end() + 40]}…")
    assert not found, f"{len(found)} of this project's words in the second site:\n" + "\n".join(found[:20])
    assert any(path.suffix == ".html" for path, _text in _texts(out))


@pytest.mark.slow  # builds the second site
def test_every_link_of_the_second_site_resolves(other):
    """The theme links only what the site has (no About or Corrections page here)."""
    _site, out, _log = other
    broken = set()
    for path in out.rglob("*.html"):
        rel = path.relative_to(out).as_posix()
        for tag in page(path).find_all(["a", "link", "img", "script", "source"]):
            url = tag.get("href") or tag.get("src") or (tag.get("srcset") or "").split(" ")[0]
            if not url or urlparse(url).scheme or url.startswith(("#", "mailto:", "data:")):
                continue
            target = urlparse(urljoin(f"http://site/{rel}", url)).path
            file = out / unquote(target.lstrip("/"))
            if not (file / "index.html" if target.endswith("/") else file).is_file():
                broken.add(f"{rel}: {url}")
    assert not broken, "\n".join(sorted(broken)[:20])
