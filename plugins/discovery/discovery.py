"""What readers' tools and search engines read: absolute addresses, Atom feeds, the sitemap,
robots.txt (and, in ``cards``, the sharing images).

Every language site knows its own address and its translations' (``lang_siteurls`` from
i18n_subsites). In the published build they are absolute (SITEURL); in the preview they are
relative, so the absolute ones come from ``DISCOVERY_SITE_URL`` (the preview server's address).
"""

from __future__ import annotations

from jinja2 import pass_context
from datadesk import DeskError, Setting, Settings
from pelican import signals

SETTINGS = Settings("discovery", "DISCOVERY_", [
    Setting("DISCOVERY_SITE_URL", "http://127.0.0.1:8000",
            "The main site's absolute address when `SITEURL` is relative (the preview); "
            "pelicanconf.py reads `PREVIEW_URL`."),
    Setting("DISCOVERY_FEED", "feeds/all.atom.xml",
            "Each language's feed (only that language's articles), relative to its site root "
            "(empty: none)."),
    Setting("DISCOVERY_CATEGORY_FEED", "feeds/{slug}.atom.xml",
            "Each section's feed; `{slug}` is the section's slug (empty: none)."),
    Setting("DISCOVERY_SITEMAP", True, "Write `sitemap.xml` and `robots.txt` at the root of the output."),
    Setting("DISCOVERY_CARDS_DIR", "cards",
            "Folder of each language site where the sharing cards go (`cards/<slug>.png`)."),
    Setting("DISCOVERY_CARDS_CACHE_PATH", ".cache/cards",
            "Cache of drawn cards (by content hash), relative to the project root (beside content/)."),
    Setting("DISCOVERY_LOGO", "theme/img/icon-512.png",
            "The publisher's logo in structured data, relative to the main site's root (\"\": none)."),
], "plugins/discovery/README.md")
DEFAULTS = SETTINGS.defaults


class DiscoveryError(DeskError):
    """A page, feed or sitemap would mislead a reader's tool or a search engine."""


def settings_for(settings: dict) -> dict:
    return SETTINGS.values(settings)


def is_absolute(url: str) -> bool:
    return str(url).startswith(("http://", "https://"))


def site_base(settings_or_context: dict, lang: str | None = None) -> str:
    """The absolute address of a language site's root, without the final slash."""
    ctx = settings_or_context
    lang = lang or ctx["DEFAULT_LANG"]
    urls = ctx.get("lang_siteurls") or {}  # i18n_subsites: each language site's SITEURL setting
    if lang in urls:
        url = urls[lang]
    elif lang == ctx["DEFAULT_LANG"]:
        # From the settings; a template context of a relative build has SITEURL rewritten
        # as the way up to the root (".."), which says nothing of the address.
        own = str(ctx.get("SITEURL", ""))
        url = own if is_absolute(own) or own.startswith("/") else ""
    else:
        raise DiscoveryError(f"there is no {lang} site: I18N_SUBSITES in pelicanconf.py has "
                             f"{', '.join(sorted(urls)) or 'no language'}.")
    url = str(url).rstrip("/")
    if is_absolute(url):
        return url
    preview = str(ctx.get("DISCOVERY_SITE_URL") or DEFAULTS["DISCOVERY_SITE_URL"]).rstrip("/")
    return preview + ("/" + url.strip("/") if url.strip("/") else "")


def page_path(save_as: str) -> str:
    """``about/index.html`` -> ``about/``; ``index.html`` -> ``""``; ``404.html`` stays."""
    save_as = str(save_as or "").replace("\\", "/").lstrip("/")
    if save_as == "index.html":
        return ""
    if save_as.endswith("/index.html"):
        return save_as[: -len("index.html")]
    return save_as


@pass_context
def abs_url(context, path: str, lang: str | None = None) -> str:
    """Absolute address of ``path`` (relative to the root of the ``lang`` site, this one by default)."""
    return site_base(context, lang) + "/" + str(path or "").lstrip("/")


def add_filters(pelican) -> None:
    pelican.settings.update(settings_for(pelican.settings))
    filters = pelican.settings.setdefault("JINJA_FILTERS", {})
    filters.update({"page_path": page_path, "abs_url": abs_url, "png_size_of": png_size_of,
                    "latest_articles": latest_articles})
    from .structured import FILTERS

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
    import json
    from pathlib import Path

    import lxml.html

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
    (out / "manifest.webmanifest").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")


def write_feeds(generator, writer) -> None:
    from .feeds import write_language_feeds

    write_language_feeds(generator)


@pass_context
def png_size_of(context, path: str) -> tuple[int, int]:
    """Width and height of a PNG already written in this language site's output."""
    from pathlib import Path

    from .cards import png_size

    file = Path(context["OUTPUT_PATH"]) / str(path).lstrip("/")
    if not file.is_file():
        raise DiscoveryError(f"{path}: the image a page declares as its card was not written before the page.")
    with file.open("rb") as fp:
        return png_size(fp.read(32))


def write_cards(pelican) -> None:
    from pathlib import Path

    from .cards import write_site_cards

    settings = pelican.settings
    cache = Path(settings["DISCOVERY_CARDS_CACHE_PATH"])
    if not cache.is_absolute():
        cache = Path(settings.get("PATH", "content")).resolve().parent / cache
    others = set((settings.get("I18N_SUBSITES") or {}).keys()) - {settings["DEFAULT_LANG"]}
    write_site_cards(Path(pelican.output_path), site_base(settings), settings["DISCOVERY_CARDS_DIR"],
                     settings.get("DATADESK_CHARTS_OUTPUT_DIR", "charts"), cache, others)


def write_sitemap(pelican) -> None:
    settings = pelican.settings
    # The English subsite finishes first, inside the French run: the sitemap covers every
    # language, so it is written once, at the end of the main site.
    if settings.get("DEFAULT_LANG") != settings.get("MAIN_LANG", settings.get("DEFAULT_LANG")):
        return
    if not settings.get("DISCOVERY_SITEMAP", True):
        return
    from .sitemap import write_sitemap_and_robots

    write_sitemap_and_robots(pelican.output_path, site_base(settings))


def register() -> None:
    signals.initialized.connect(add_filters)
    signals.initialized.connect(start_build)
    signals.article_writer_finalized.connect(write_feeds)
    signals.article_generator_finalized.connect(remember_articles)
    signals.finalized.connect(write_manifest)
    signals.finalized.connect(write_cards)
    signals.finalized.connect(write_sitemap)
