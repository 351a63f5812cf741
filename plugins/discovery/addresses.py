"""Addresses every part of the discovery plugin shares: its settings, its error, and the
absolute address of a language site or a page (no Pelican hooks here, so feeds, sitemap and
structured data import it without importing the plugin's hooks)."""

from __future__ import annotations

from jinja2 import pass_context
from datadesk import DeskError, Setting, Settings

SETTINGS = Settings("discovery", "DISCOVERY_", [
    Setting("DISCOVERY_SITE_URL", "http://127.0.0.1:8000",
            "The main site's absolute address when `SITEURL` is relative (the preview); "
            "pelicanconf.py reads `PREVIEW_URL`."),
    Setting("DISCOVERY_FEED", "feeds/all.atom.xml",
            "Each language's feed (only that language's articles), relative to its site root "
            "(empty: none)."),
    Setting("DISCOVERY_CATEGORY_FEED", "feeds/{slug}.atom.xml",
            "Each section's feed; `{slug}` is the section's slug (empty: none)."),
    Setting("DISCOVERY_FEED_MAX_ITEMS", 20,
            "How many of the newest articles each feed holds, in full (as Pelican's `FEED_MAX_ITEMS`; "
            "0: every article). A feed reader fetches the whole file at every check."),
    Setting("DISCOVERY_SITEMAP", True, "Write `sitemap.xml` and `robots.txt` at the root of the output."),
    Setting("DISCOVERY_CARDS_DIR", "cards",
            "Folder of each language site where the sharing cards go (`cards/<slug>.jpg`)."),
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
