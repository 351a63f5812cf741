"""What readers' tools and search engines read: absolute addresses, Atom feeds, the sitemap,
robots.txt (and, in ``cards``, the sharing images).

Every language site knows its own address and its translations' (``lang_siteurls`` from
i18n_subsites). In the published build they are absolute (SITEURL); in the preview they are
relative, so the absolute ones come from ``DISCOVERY_SITE_URL`` (the preview server's address).
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
from jinja2 import pass_context
from datadesk import write_output
from pelican import signals

from .addresses import (DEFAULTS, SETTINGS, DiscoveryError, abs_url, is_absolute,  # noqa: F401
                        page_path, settings_for, site_base)
from .cards import start_workers, write_site_cards
from .feeds import write_language_feeds
from .sitemap import write_sitemap_and_robots
from .structured import FILTERS


def add_filters(pelican) -> None:
    pelican.settings.update(settings_for(pelican.settings))
    filters = pelican.settings.setdefault("JINJA_FILTERS", {})
    filters.update({"page_path": page_path, "abs_url": abs_url, "latest_articles": latest_articles})
    filters.update(FILTERS)


# The newest published articles of each language site, for pages of the other one (the 404
# page offers both). Every language site reads its articles before any site writes a page.
# They are kept for one build only, in the build's settings under this lower-case key (not
# a setting): the main site starts it when Pelican is initialised, and the language
# subsites, whose settings i18n_subsites copies from the main site's, share it. Templates
# see it in their context, as they see every setting.
BUILD_KEY = "discovery_build"


def start_build(pelican) -> None:
    settings = pelican.settings
    if settings["DEFAULT_LANG"] not in settings.get("I18N_SUBSITES", {}) or BUILD_KEY not in settings:
        settings[BUILD_KEY] = {"latest": {}}  # the main site: a new build starts here


def remember_articles(generator) -> None:
    lang = generator.settings["DEFAULT_LANG"]
    generator.settings[BUILD_KEY]["latest"][lang] = [
        a for a in generator.articles if a.lang == lang and a.status == "published"]


@pass_context
def latest_articles(context, lang: str, count: int = 5) -> list:
    """The newest published articles of the ``lang`` site (their ``url`` is relative to it)."""
    return (context.get(BUILD_KEY) or {"latest": {}})["latest"].get(lang, [])[:count]


def write_manifest(pelican) -> None:
    """``manifest.webmanifest`` of one language site: its name, language, start page and icons
    (the description is the home page's, so it is written in one place: the template)."""


    settings = pelican.settings
    out = Path(pelican.output_path)
    home = out / "index.html"
    description = ""
    if home.is_file():
        found = lxml.html.fromstring(home.read_bytes()).xpath('//head/meta[@name="description"]/@content')
        description = found[0] if found else ""
    # THEME_STATIC_DIR is relative to the site root (i18n_subsites gives the English site
    # "../theme"), and so is the manifest.
    up = settings["THEME_STATIC_DIR"].strip("/") + "/img"
    manifest = {
        "name": settings["SITENAME"], "short_name": settings["SITENAME"], "description": description,
        "lang": settings["DEFAULT_LANG"], "dir": "auto", "start_url": "./", "scope": "./",
        "display": "browser", "background_color": "#ffffff", "theme_color": "#0b3d5c",
        "icons": [{"src": f"{up}/favicon.svg", "type": "image/svg+xml", "sizes": "any"},
                  {"src": f"{up}/icon-192.png", "type": "image/png", "sizes": "192x192"},
                  {"src": f"{up}/icon-512.png", "type": "image/png", "sizes": "512x512"}],
    }
    write_output(settings, out / "manifest.webmanifest", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                 "discovery")


def write_feeds(generator, writer) -> None:

    write_language_feeds(generator)


def write_cards(pelican) -> None:


    settings = pelican.settings
    cache = Path(settings["DISCOVERY_CARDS_CACHE_PATH"])
    if not cache.is_absolute():
        cache = Path(settings.get("PATH", "content")).resolve().parent / cache
    others = set((settings.get("I18N_SUBSITES") or {}).keys()) - {settings["DEFAULT_LANG"]}
    write_site_cards(Path(pelican.output_path), site_base(settings), settings["DISCOVERY_CARDS_DIR"],
                     settings.get("DATADESK_CHARTS_OUTPUT_DIR", "charts"), cache, others, settings)


def start_card_workers(generators) -> None:
    """Once the last language site is read (the English one, inside the French run; the only
    one without subsites), start the card workers if cards will be drawn (cards.py)."""
    settings = generators[0].settings if generators else {}
    others = set((settings.get("I18N_SUBSITES") or {}).keys()) - {settings.get("DEFAULT_LANG")}
    if not settings or (others and settings.get("DEFAULT_LANG") == settings.get("MAIN_LANG")):
        return  # the main site, read before its subsites: their turn comes
    start_workers(settings)


def write_sitemap(pelican) -> None:
    settings = pelican.settings
    # The English subsite finishes first, inside the French run: the sitemap covers every
    # language, so it is written once, at the end of the main site.
    if settings.get("DEFAULT_LANG") != settings.get("MAIN_LANG", settings.get("DEFAULT_LANG")):
        return
    if not settings.get("DISCOVERY_SITEMAP", True):
        return

    write_sitemap_and_robots(pelican.output_path, site_base(settings), settings)


def register() -> None:
    signals.initialized.connect(add_filters)
    signals.initialized.connect(start_build)
    signals.article_writer_finalized.connect(write_feeds)
    signals.article_generator_finalized.connect(remember_articles)
    signals.finalized.connect(write_manifest)
    signals.all_generators_finalized.connect(start_card_workers)
    signals.finalized.connect(write_cards)
    signals.finalized.connect(write_sitemap)
