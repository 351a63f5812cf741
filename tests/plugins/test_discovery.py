"""Feeds, sitemap and robots.txt (plugins/discovery) and the gates that prove them
(`invoke check --only sitemap,feeds`): the published build passes, and each gate fails on a
copy of it broken in one way."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import feedparser
import pytest

ROOT = Path(__file__).resolve().parents[2]
for p in (ROOT, ROOT / "plugins"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from discovery import DiscoveryError  # noqa: E402
from discovery.feeds import newest  # noqa: E402
from discovery.sitemap import collect  # noqa: E402
from tools.check import gate_feeds, gate_sitemap  # noqa: E402
from tools.check.site import Site  # noqa: E402

SITEURL = "https://example.org/energy-front"


@pytest.fixture
def published(published_site) -> Path:
    return published_site


@pytest.fixture
def broken(published, tmp_path) -> Path:
    """A copy of the published site to break."""
    copy = tmp_path / "site"
    shutil.copytree(published, copy, ignore=shutil.ignore_patterns("pagefind"))
    return copy


def findings(gate, root: Path) -> str:
    return "\n".join(map(str, gate.check(Site(root)).findings))


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_feed_holds_the_newest_articles_in_the_order_it_was_given():
    from datetime import datetime
    from types import SimpleNamespace

    days = [3, 9, 1, 7, 5]
    articles = [SimpleNamespace(date=datetime(2022, 10, d), n=d) for d in days]
    assert [a.n for a in newest(articles, 3)] == [9, 7, 5]
    assert [a.n for a in newest(articles, 0)] == days and [a.n for a in newest(articles, 9)] == days
    with pytest.raises(DiscoveryError, match="DISCOVERY_FEED_MAX_ITEMS is -1.*or 0 for every article"):
        newest(articles, -1)


# --- what the build writes --------------------------------------------------------------

def test_the_published_build_passes_the_sitemap_and_feed_gates(published):
    assert findings(gate_sitemap, published) == ""
    assert findings(gate_feeds, published) == ""


def test_sitemap_lists_each_page_once_at_its_own_address_with_absolute_translations(published):
    text = (published / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", text)
    assert len(locs) == len(set(locs))
    assert f"{SITEURL}/en/about/" in locs and f"{SITEURL}/about/" in locs
    assert "404" not in text and "/charts/" not in text and "/search/" not in text
    assert " ref=" not in text and "/../" not in text
    block = text[text.index(f"<loc>{SITEURL}/en/front-energetique/</loc>"):]
    block = block[: block.index("</url>")]
    assert f'hreflang="fr" href="{SITEURL}/front-energetique/"' in block
    assert f'hreflang="x-default" href="{SITEURL}/front-energetique/"' in block
    assert (published / "robots.txt").read_text(encoding="utf-8").endswith(f"Sitemap: {SITEURL}/sitemap.xml\n")


def test_each_language_feed_holds_only_that_language(published):
    for rel, lang, prefix in [("feeds/all.atom.xml", "fr", f"{SITEURL}/"),
                              ("en/feeds/all.atom.xml", "en", f"{SITEURL}/en/")]:
        feed = feedparser.parse((published / rel).read_bytes())
        assert feed.feed.language == lang and feed.entries
        assert all(e.link.startswith(prefix) and e.link.startswith(f"{SITEURL}/en/") == (lang == "en")
                   for e in feed.entries)
        # Full content, links absolute.
        assert all(e.content[0].value and 'href="../' not in e.content[0].value for e in feed.entries)
    assert (published / "feeds" / "energie.atom.xml").exists()
    assert (published / "en" / "feeds" / "energy.atom.xml").exists()


def test_the_preview_builds_feeds_and_sitemap_with_absolute_addresses(built_site):
    feed = feedparser.parse((built_site / "en" / "feeds" / "all.atom.xml").read_bytes())
    assert not feed.bozo and feed.entries
    assert all(e.link.startswith("http://127.0.0.1:") for e in feed.entries)
    assert findings(gate_feeds, built_site) == ""
    assert findings(gate_sitemap, built_site) == ""


# --- each gate fails on a broken copy ---------------------------------------------------

def test_sitemap_gate_fails_on_a_missing_alternate(broken):
    edit(broken / "sitemap.xml",
         f'    <xhtml:link rel="alternate" hreflang="en" href="{SITEURL}/en/about/"/>\n', "")
    found = findings(gate_sitemap, broken)
    assert f"missing hreflang=en {SITEURL}/en/about/" in found


def test_sitemap_gate_fails_on_the_old_plugins_mistakes(broken):
    sitemap = broken / "sitemap.xml"
    edit(sitemap, f'hreflang="fr" href="{SITEURL}/about/"', f'hreflang="fr" ref="{SITEURL}/en/../about/"')
    edit(sitemap, "</urlset>", f"  <url>\n    <loc>{SITEURL}/404.html</loc>\n  </url>\n"
                               f"  <url>\n    <loc>{SITEURL}/about/</loc>\n  </url>\n</urlset>")
    found = findings(gate_sitemap, broken)
    assert "not valid against the sitemaps XSD" in found and "'ref'" in found
    assert f"{SITEURL}/404.html is marked noindex" in found
    assert f"{SITEURL}/about/ is listed 2 times" in found


def test_sitemap_gate_fails_on_a_page_left_out_and_an_alternate_in_the_wrong_language(broken):
    sitemap = broken / "sitemap.xml"
    text = sitemap.read_text(encoding="utf-8")
    start = text.index(f"  <url>\n    <loc>{SITEURL}/methodology/</loc>")
    sitemap.write_text(text[:start] + text[text.index("</url>\n", start) + 7:], encoding="utf-8")
    edit(sitemap, f'hreflang="en" href="{SITEURL}/en/about/"', f'hreflang="en" href="{SITEURL}/about/"')
    found = findings(gate_sitemap, broken)
    assert f"methodology/index.html: published page missing from sitemap.xml" in found
    assert f"alternate hreflang=en {SITEURL}/about/ is a page in fr" in found


def test_sitemap_gate_fails_without_robots_txt(broken):
    (broken / "robots.txt").unlink()
    assert "robots.txt: missing" in findings(gate_sitemap, broken)


def test_feed_gate_fails_on_a_mixed_language_feed(broken):
    french = broken / "feeds" / "all.atom.xml"
    english = (broken / "en" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    entry = english[english.index("<entry>"): english.index("</entry>") + len("</entry>")]
    edit(french, "</feed>", entry + "</feed>")
    found = findings(gate_feeds, broken)
    assert "feeds/all.atom.xml" in found and "a feed holds one language" in found


def test_feed_gate_fails_on_relative_and_dead_links_and_bad_xml(broken):
    french = broken / "feeds" / "energie.atom.xml"
    edit(french, f'<link href="{SITEURL}/front-energetique/" rel="alternate"/>',
         '<link href="front-energetique/" rel="alternate"/>')
    edit(broken / "feeds" / "contexte.atom.xml", f'<link href="{SITEURL}/bombe-sale-canaux-nucleaires/"',
         f'<link href="{SITEURL}/no-such-story/"')
    edit(broken / "en" / "feeds" / "energy.atom.xml", "</feed>", "<entry></feed>")
    found = findings(gate_feeds, broken)
    assert "has a relative link 'front-energetique/'" in found
    assert f"links {SITEURL}/no-such-story/, which is not a built page" in found
    assert "en/feeds/energy.atom.xml: does not parse as a feed" in found


# --- the plugin refuses a page that would mislead the sitemap ---------------------------

def test_the_sitemap_refuses_a_canonical_address_that_is_not_the_pages_own(tmp_path):
    page = tmp_path / "story" / "index.html"
    page.parent.mkdir()
    page.write_text('<!DOCTYPE html><html lang="fr"><head><title>x</title>'
                    '<link rel="canonical" href="https://example.org/other/"></head><body></body></html>',
                    encoding="utf-8")
    (tmp_path / "404.html").write_text('<html lang="fr"><head><meta name="robots" content="noindex">'
                                       "</head></html>", encoding="utf-8")
    with pytest.raises(DiscoveryError, match=r"story/index.html: its canonical address is "
                                             r"https://example.org/other/, expected https://example.org/story/"):
        collect(tmp_path, "https://example.org")
    page.write_text('<html lang="fr"><head><title>x</title></head></html>', encoding="utf-8")
    with pytest.raises(DiscoveryError, match=r'story/index.html: no <link rel="canonical">'):
        collect(tmp_path, "https://example.org")


# --- comfort: the 404 page, the icons and the web manifest ------------------------------

def test_the_404_page_offers_search_and_the_latest_stories_in_both_languages(published):
    import lxml.html

    for rel, other in [("404.html", "en"), ("en/404.html", "fr")]:
        doc = lxml.html.fromstring((published / rel).read_bytes())
        form = doc.xpath('//form[@role="search"]')[0]
        own = "en/" if rel.startswith("en/") else ""
        assert form.get("action") == f"{SITEURL}/{own}search/" and form.xpath('.//input[@name="q"]')
        for lang in ("fr", "en"):
            links = doc.xpath(f'//section[@lang="{lang}"]//ul//a/@href')
            assert links, f"{rel}: no latest stories in {lang}"
            prefix = f"{SITEURL}/en/" if lang == "en" else f"{SITEURL}/"
            for href in links:  # absolute: the page is served at any depth
                assert href.startswith(prefix) and (lang == "en") == href.startswith(f"{SITEURL}/en/")
                target = published / href[len(SITEURL) + 1:] / "index.html"
                assert target.is_file(), href


def test_every_language_site_has_a_web_manifest_and_icons_that_exist(published):
    import json

    import lxml.html

    for root, lang in [(published, "fr"), (published / "en", "en")]:
        manifest = json.loads((root / "manifest.webmanifest").read_text(encoding="utf-8"))
        assert manifest["lang"] == lang and manifest["start_url"] == "./" and manifest["description"]
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        assert {"192x192", "512x512"} <= sizes
        for icon in manifest["icons"]:
            assert (root / icon["src"]).resolve().is_file(), icon["src"]
        head = lxml.html.fromstring((root / "index.html").read_bytes())
        prefix = f"{SITEURL}/en/" if lang == "en" else f"{SITEURL}/"
        assert head.xpath('//link[@rel="manifest"]/@href') == [prefix + "manifest.webmanifest"]
        assert head.xpath('//link[@rel="apple-touch-icon"]/@href')


def test_the_search_page_runs_the_query_in_its_address(site_server, browser):
    page = browser.new_page()
    page.goto(site_server.url + "en/search/?q=NASAMS")
    page.wait_for_selector(".pagefind-ui__result", timeout=20_000)
    # Pagefind's UI first draws each result as a placeholder (". . ."), then its text once
    # the page's fragment has loaded: wait for the text, then read it
    page.wait_for_function("() => !document.querySelector('.pagefind-ui__result .pagefind-ui__loading')",
                           timeout=20_000)
    assert "NASAMS" in page.locator(".pagefind-ui__results").inner_text()
    page.close()
