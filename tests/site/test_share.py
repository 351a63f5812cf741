"""Sharing links on articles (theme/templates/partials/share.html, theme/static/js/share.js):
plain links to the article's address and to each network's own share form, nothing loaded
from another site; with JavaScript, "copy link" copies."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import lxml.html


def share_links(path) -> dict:
    doc = lxml.html.fromstring(path.read_bytes())
    canonical = doc.xpath('//link[@rel="canonical"]/@href')[0]
    links = {a.text_content().strip(): a.get("href") for a in doc.xpath('//section[@class="share"]//a')}
    return canonical, links


def test_every_article_has_plain_share_links_to_its_own_address(published_site):
    for rel in ("front-energetique/index.html", "en/front-energetique/index.html"):
        canonical, links = share_links(published_site / rel)
        label = "Link to this story" if rel.startswith("en/") else "Lien vers cet article"
        assert links[label] == canonical  # works as a plain link without JavaScript
        mail = links["E-mail" if rel.startswith("en/") else "Courriel"]
        assert mail.startswith("mailto:?") and parse_qs(urlsplit(mail).query)["body"] == [canonical]
        assert parse_qs(urlsplit(links["Facebook"]).query)["u"] == [canonical]
        assert parse_qs(urlsplit(links["X"]).query)["url"] == [canonical]
        assert canonical in parse_qs(urlsplit(links["Bluesky"]).query)["text"][0]
        assert canonical in parse_qs(urlsplit(links["Mastodon"]).query)["text"][0]
        assert {urlsplit(u).hostname for k, u in links.items() if u.startswith("https://") and k not in
                (label,)} == {"mastodon.social", "bsky.app", "x.com", "www.facebook.com"}


def test_copy_link_copies_with_javascript_and_loads_nothing_foreign(site_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    foreign = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(site_server.url.split("/energy")[0])
            and not r.url.startswith("data:") else None)
    page.goto(site_server.url + "en/front-energetique/", wait_until="networkidle")
    copy = page.locator(".share-copy")
    assert copy.inner_text() == "Copy link"
    href = copy.get_attribute("href")
    before = page.url
    copy.click()
    # A function, not an expression: Playwright polls an expression that is not true at once
    # with eval() inside the page, which the site's CSP (no 'unsafe-eval') refuses.
    page.wait_for_function("() => document.querySelector('.share-status').textContent.length > 0")
    assert page.locator(".share-status").inner_text() == "Link copied"
    assert page.evaluate("navigator.clipboard.readText()") == href
    assert page.url == before and foreign == []
    context.close()


def test_without_javascript_the_copy_link_is_the_articles_address(site_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_server.url + "front-energetique/")
    copy = page.locator(".share-copy")
    assert copy.inner_text() == "Lien vers cet article"
    assert copy.get_attribute("href").endswith("/front-energetique/")
    context.close()
