"""Search: Pagefind indexes each language site into its own bundle, and its UI works from the
site itself."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest


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
