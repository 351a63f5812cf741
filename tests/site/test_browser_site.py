"""The site as a reader's browser sees it: Debian's Chromium, served under a sub-path."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest


def visit(page, url):
    """Load a page; return (console errors, hosts requested other than the local server)."""
    errors, foreign = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    local = urlparse(url).netloc
    page.on("request", lambda req: foreign.append(req.url)
            if urlparse(req.url).netloc not in (local, "") and not req.url.startswith("data:") else None)
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    return errors, foreign


@pytest.mark.parametrize("path", ["", "en/"])
def test_home_loads_without_errors_or_foreign_requests(site_server, page, path):
    errors, foreign = visit(page, site_server.url + path)
    assert errors == []
    assert foreign == []
    assert page.locator("html").get_attribute("lang") == ("en" if path else "fr")
    assert page.locator("h1").first.is_visible()


def test_language_switcher_lands_on_the_translation(site_server, page):
    visit(page, site_server.url)
    first_story = page.locator(".card-title a").first
    first_story.click()
    page.wait_for_load_state()
    fr_url = page.url
    assert page.locator("html").get_attribute("lang") == "fr"
    page.locator(".lang-switch a").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.startswith(site_server.url + "en/")
    assert page.url.rstrip("/").rsplit("/", 1)[1] == fr_url.rstrip("/").rsplit("/", 1)[1]
    page.locator(".lang-switch a").click()
    page.wait_for_load_state()
    assert page.url == fr_url


def test_every_navigation_link_works_under_the_sub_path(site_server, page):
    for start in ("", "en/"):
        visit(page, site_server.url + start)
        hrefs = page.eval_on_selector_all(".site-nav a", "els => els.map(e => e.href)")
        assert len(hrefs) >= 6
        for href in hrefs:
            assert href.startswith(site_server.url), f"{href} leaves the sub-path"
            response = page.request.get(href)
            assert response.status == 200, f"{href} answered {response.status}"


def test_skip_link_is_the_first_focus_and_visible(site_server, page):
    visit(page, site_server.url)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    box = page.locator(".skip-link").bounding_box()
    assert box and box["y"] >= 0
