"""Search: Pagefind indexes each language site into its own bundle, and its UI works from the
site itself."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from conftest import file_bytes as _tree


def test_each_language_site_has_its_own_index_and_listings_are_skipped(built_site):
    for bundle, lang in (("pagefind", "fr"), ("en/pagefind", "en")):
        indexes = {p.name.split("_")[0] for p in (built_site / bundle / "index").iterdir()}
        assert indexes == {lang}, (bundle, indexes)
        entry = json.loads((built_site / bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert list(entry["languages"]) == [lang]
    listing = (built_site / "archives" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in listing


@pytest.mark.parametrize("path,query", [("search/", "AIEA"), ("en/search/", "IAEA")])
def test_search_finds_a_story_in_the_page_language(site_server, page, path, query):
    problems, foreign = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: foreign.append(r.url)
            if urlparse(r.url).netloc != urlparse(site_server.url).netloc else None)
    page.goto(site_server.url + path)
    page.locator("#search input").fill(query)
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for(timeout=10000)
    href = first.get_attribute("href")
    assert href.startswith(urlparse(site_server.url).path + ("en/" if path.startswith("en") else ""))
    assert page.request.get(first.evaluate("a => a.href")).status == 200
    assert problems == [] and foreign == []


def test_without_javascript_the_search_page_points_elsewhere(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_server.url + "search/")
    assert page.locator("noscript").count() == 1
    context.close()


def _site(folder, pages: dict[str, str]):
    for rel, html in pages.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(html, encoding="utf-8")
    return folder


def test_pagefind_is_given_only_the_pages_it_indexes_and_makes_the_same_index(tmp_path):
    """Pagefind indexes only the pages marked ``data-pagefind-body`` once one is: it is given
    those alone (plugins/search: to_index), and the bundle is byte for byte the one made from
    every page; a site with no marked page is given every page."""
    from search.search import Indexing, to_index

    article = ('<html lang="fr"><head><title>{t}</title></head><body><nav>Menu</nav>'
               '<main data-pagefind-body><h1>{t}</h1><p>{t} : des coupures de courant.</p></main></body></html>')
    listing = '<html lang="fr"><head><title>Archives</title></head><body><a href="/a/">Coupures</a></body></html>'
    site = _site(tmp_path / "site", {"a/index.html": article.format(t="Coupures"),
                                     "b/index.html": article.format(t="Réseau"),
                                     "archives/index.html": listing, "tags/x/index.html": listing})
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert to_index(site, pages) == ["a/index.html", "b/index.html"]
    bundles = {}
    for name, given in (("every page", pages), ("marked pages", to_index(site, pages))):
        run = Indexing(site, "pagefind", given, beside=tmp_path / "staging")
        try:
            bundles[name] = _tree(run.wait())
        finally:
            run.done()
    assert len(bundles["every page"]) > 5 and any(rel.startswith("fragment/") for rel in bundles["every page"])
    assert bundles["marked pages"] == bundles["every page"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "the mirror beside the staging folder was left"
    unmarked = _site(tmp_path / "plain", {"index.html": listing, "x/index.html": listing})
    assert to_index(unmarked, ["index.html", "x/index.html"]) == ["index.html", "x/index.html"]


STORY = ('<!DOCTYPE html>\n<html lang="fr" dir="ltr"><head><meta charset="utf-8"><title>{t} · Front</title>'
         '<script>var x = "<article>";</script></head><body><header><a href="/">Front</a><nav>Menu</nav></header>'
         '<main><ARTICLE class="story" data-pagefind-body><h1 id="t">{t}</h1><p>{t} : des coupures.</p>'
         '<figure><img src="/c.svg" alt="Graphique"><picture data-pagefind-ignore><img src="/d.png" alt=""></picture>'
         '</figure><h2 id="s">Sources</h2><article class="aside"><p>Encadré sur le réseau.</p></article>'
         '<p>Fin.</p></ARTICLE><aside>Autres articles</aside></main><footer>Pied</footer>'
         '<script src="/app.js"></script></body></html>\n')


@pytest.mark.parametrize("change, kept", [
    ("", True),
    ("<header><h1>Site</h1>", False),  # Pagefind's default title is the page's first h1
    ("<header><img src='/logo.png' alt='Logo'>", False),  # its default image, the first img
    ("<header data-pagefind-filter='type:story'>", False),  # read wherever it is
    ("<p>Fin.</p><!-- </article> -->", False),  # a comment could hide a tag from the counting
    ("<p>Fin.</p><script>1</script>", False),  # so could raw text
    ("<p>Fin.</p><p>data-pagefind-body</p>", False),  # the attribute named twice: not told apart
])
def test_pagefind_is_given_a_page_cut_to_what_it_reads_only_when_that_is_certain(change, kept):
    from search.search import indexed_view

    page = STORY.format(t="Coupures")
    if change.startswith("<header"):
        page = page.replace("<header>", change, 1)
    elif change:
        page = page.replace("<p>Fin.</p>", change, 1)
    view = indexed_view(page.encode())
    if not kept:
        assert view is None
        return
    start, end = page.index("<ARTICLE"), page.index("</ARTICLE>") + len("</ARTICLE>")
    assert view == ('<!DOCTYPE html>\n<html lang="fr" dir="ltr"><head><meta charset="utf-8">'
                    '<title>Coupures · Front</title></head><body>' + page[start:end] + '</body></html>\n').encode()


def test_the_pages_cut_to_what_pagefind_reads_make_the_index_of_the_whole_pages(tmp_path, monkeypatch):
    """Pagefind run on the mirror the build gives it (each page cut to its html tag, title and
    marked element where that is certain, else whole) and on a mirror of the whole pages:
    the same bundle, byte for byte."""
    import search.search as search
    from search.search import Indexing, indexed_view, to_index

    pages = {f"{slug}/index.html": STORY.format(t=title) for slug, title in
             (("a", "Coupures"), ("b", "Réseau électrique"), ("c", "Défense aérienne"))}
    pages["d/index.html"] = STORY.format(t="Hiver").replace("<header>", "<header><h1>Front</h1>", 1)  # whole
    pages["archives/index.html"] = '<html lang="fr"><head><title>Archives</title></head><body>Liste</body></html>'
    site = _site(tmp_path / "site", pages)
    assert [rel for rel, text in pages.items() if indexed_view(text.encode()) is not None] == \
        ["a/index.html", "b/index.html", "c/index.html"]
    bundles = {}
    for name in ("cut", "whole"):
        if name == "whole":
            monkeypatch.setattr(search, "indexed_view", lambda page: None)
        run = Indexing(site, "pagefind", to_index(site, sorted(pages)), beside=tmp_path / "staging")
        try:
            if name == "whole":
                assert (run.mirror / "a" / "index.html").read_text(encoding="utf-8") == pages["a/index.html"]
            bundles[name] = _tree(run.wait())
        finally:
            run.done()
    assert len(bundles["whole"]) > 5 and any(rel.startswith("fragment/") for rel in bundles["whole"])
    assert bundles["cut"] == bundles["whole"]


def test_the_mirror_is_made_in_shared_memory_and_a_killed_builds_mirror_is_removed(tmp_path, monkeypatch):
    """Where the machine has a memory file system the mirror goes there (much faster to write
    than a disk); a mirror left by a process that is gone (a killed build) is removed when the
    next one is made, and a live process's is left alone."""
    import os
    import subprocess
    import sys

    import search.search as search

    shared = tmp_path / "shm"
    shared.mkdir()
    monkeypatch.setattr(search, "SHARED_MEMORY", shared)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = shared / f"{search.MIRROR_PREFIX}{gone.stdout.strip()}-x"
    alive = shared / f"{search.MIRROR_PREFIX}{os.getppid()}-y"
    for folder in (stale, alive):
        (folder / "a").mkdir(parents=True)
    site = _site(tmp_path / "site", {"a/index.html": STORY.format(t="Coupures")})
    run = search.Indexing(site, "pagefind", ["a/index.html"], beside=tmp_path / "staging")
    try:
        assert run.mirror.parent == shared and run.mirror.name.startswith(f"{search.MIRROR_PREFIX}{os.getpid()}-")
        assert (run.mirror / "a" / "index.html").read_bytes() == search.indexed_view(STORY.format(t="Coupures").encode())
        assert not stale.exists() and alive.exists()
        assert any(rel.startswith("fragment/") for rel in _tree(run.wait()))
    finally:
        run.done()
    assert sorted(p.name for p in shared.iterdir()) == [alive.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shm", "site"]
