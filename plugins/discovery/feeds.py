"""Atom feeds: one per language site with only that language's articles, one per section.

Pelican's own feeds put both languages in each language's "all" feed and give the English
feed the French feed's address as its ``self`` link; these are written here instead, with
feedgenerator (Pelican's own feed library). Entries carry the full article, every link and
image made absolute, and the standfirst as the summary: a feed reader shows the whole story
with the charts' static images, and the links work from wherever the reader reads it.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import re
from importlib import metadata
from pathlib import Path
from urllib.parse import urljoin

from feedgenerator import Atom1Feed
from markupsafe import Markup
from pelican import signals
from pelican.utils import set_date_tzinfo

from datadesk import resolve_site_links, write_output
from datadesk.outputs import Memo
from datadesk.store import code_version, key_of

from .addresses import DiscoveryError, settings_for, site_base

_URL_ATTR = re.compile(r'(\s(?:href|src|poster|data-vega-spec(?:-dark)?)=")([^"]*)(")')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)(")')


def absolute_links(fragment: str, base: str) -> str:
    """Every href/src/srcset of an HTML fragment resolved against ``base`` (an absolute URL)."""

    def one(match: re.Match) -> str:
        url = html.unescape(match.group(2))
        return match.group(1) + html.escape(urljoin(base, url), quote=True) + match.group(3)

    def srcset(match: re.Match) -> str:
        parts = []
        for candidate in html.unescape(match.group(2)).split(","):
            bits = candidate.strip().split(None, 1)
            if bits:
                parts.append(" ".join([urljoin(base, bits[0])] + bits[1:]))
        return match.group(1) + html.escape(", ".join(parts), quote=True) + match.group(3)

    return _SRCSET.sub(srcset, _URL_ATTR.sub(one, fragment))


def _plain(value) -> str:
    return Markup(str(value or "")).striptags()


def _entry_content(article, root: str, url: str) -> str:
    # dir="auto": a story in Arabic or Hebrew displays in its own direction in any reader.
    # The charts' and values' links, written for any page (datadesk's site_link), from the
    # site's absolute root; then every other link from the article's address.
    content = resolve_site_links(str(article.content), root)
    return f'<div dir="auto">{absolute_links(content, url)}</div>'


def build_feed(articles, *, title: str, root: str, feed_url: str, lang: str, timezone: str,
               contents: dict | None = None) -> Atom1Feed:
    """``contents``: the entries' HTML already made for this language site's other feeds, by
    article (an article is in the site's feed and in its section's: its links are made
    absolute once)."""
    contents = {} if contents is None else contents
    feed = Atom1Feed(title=title, link=root + "/", feed_url=feed_url, feed_guid=feed_url,
                     description="", language=lang)
    for article in articles:
        url = root + "/" + article.url
        authors = ", ".join(str(a) for a in getattr(article, "authors", []) or [])
        categories = ([str(article.category)] if getattr(article, "category", None) else []) + \
            [str(t) for t in getattr(article, "tags", []) or []]
        modified = getattr(article, "modified", None) or article.date
        if (id(article), url) not in contents:
            contents[id(article), url] = (article, _entry_content(article, root, url))
        feed.add_item(
            title=str(article.title), link=url, unique_id=url,  # as written, never decoded
            description=_plain(getattr(article, "summary", "")),
            content=contents[id(article), url][1],
            author_name=authors or None, categories=categories or None,
            pubdate=set_date_tzinfo(article.date, timezone),
            updateddate=set_date_tzinfo(modified, timezone),
        )
    return feed


def feed_key(articles, **options) -> str:
    """What a feed's XML is made from: the options of :func:`build_feed` and, for each entry,
    everything it shows (address, title, summary, authors, categories, dates, the body by its
    SHA-256), with feedgenerator's and MarkupSafe's versions and the plugins' code."""
    described = options.pop("described", {})
    entries = []
    for article in articles:
        found = described.get(id(article))
        if found is None or found[0] is not article:
            modified = getattr(article, "modified", None) or article.date
            found = described[id(article)] = (article, [
                str(article.url), str(article.title), str(getattr(article, "summary", "") or ""),
                [str(a) for a in getattr(article, "authors", []) or []],
                str(getattr(article, "category", None) or ""), [str(t) for t in getattr(article, "tags", []) or []],
                article.date.isoformat(), str(article.date.tzinfo), modified.isoformat(), str(modified.tzinfo),
                hashlib.sha256(str(article.content).encode("utf-8")).hexdigest(),
            ])
        entries.append(found[1])
    return key_of("feed", options, _versions(), code_version(), entries)


@functools.lru_cache(maxsize=1)
def _versions() -> dict:
    versions = {}
    for name in ("feedgenerator", "markupsafe"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return versions


def _write(feed: Atom1Feed | None, text: str, path: Path, context: dict, root: str) -> None:
    write_output(context, path, text, "feeds")  # kept when unchanged (datadesk/outputs.py)
    # As Pelican does for its own feeds: plugins finish the file (datadesk's inline values resolve the
    # links of figures from the data), told that this file's addresses are absolute. ``feed`` is
    # None when the XML was remembered from an earlier build (no feed object was made).
    signals.feed_written.send(str(path), context={**context, "RELATIVE_URLS": False, "SITEURL": root},
                              feed=feed)


def _feed(memo, articles, described: dict, **options) -> tuple[Atom1Feed | None, str]:
    """The feed's XML, remembered from an earlier build when every input is the same
    (:func:`feed_key`), made by :func:`build_feed` otherwise."""
    contents = options.pop("contents")
    # (an empty feed is dated by the clock: made every time)
    key = feed_key(articles, described=described, **options) if articles else None
    text = memo.get(key) if key else None
    if isinstance(text, str):
        memo.desk.count("feeds", "remembered")
        return None, text
    feed = build_feed(articles, contents=contents, **options)
    fp = io.StringIO()
    feed.write(fp, "utf-8")
    if key:
        memo.set(key, fp.getvalue())
    memo.desk.count("feeds", "made")
    return feed, fp.getvalue()


def newest(articles: list, most: int | None) -> list:
    """The ``most`` newest of ``articles`` by date (all of them when ``most`` is 0 or None), in
    the order given: a feed is read for what is new, and its reader fetches the whole file at
    each check, so a feed of a newsroom's whole archive in full text would weigh megabytes."""
    if most < 0:
        raise DiscoveryError(f"DISCOVERY_FEED_MAX_ITEMS is {most} in the settings; expected how many "
                             "of the newest articles a feed holds (such as 20), or 0 for every article.")
    if not most or len(articles) <= most:
        return list(articles)
    kept = {id(a) for a in sorted(articles, key=lambda a: a.date, reverse=True)[:most]}
    return [a for a in articles if id(a) in kept]


def write_language_feeds(generator) -> list[Path]:
    """The language feed and the section feeds of one language site."""
    settings = generator.settings
    lang = settings["DEFAULT_LANG"]
    context = {**settings, **generator.context}
    root = site_base(context, lang)
    out = Path(generator.output_path)
    timezone = settings.get("TIMEZONE")
    # Only this language's published articles: a translation belongs to its own site's feed.
    published = [a for a in generator.articles if a.lang == lang and a.status == "published"]
    mine = {id(a) for a in published}
    most = settings_for(settings)["DISCOVERY_FEED_MAX_ITEMS"]
    articles = newest(published, most)
    written = []
    contents: dict = {}  # each article's entry HTML, for the site's feed and its section's
    memo = Memo(settings, f"feeds:{lang}")  # each feed's XML by its inputs (feed_key)
    described: dict = {}  # each article's part of feed_key, for the site's feed and its section's
    all_path = settings.get("DISCOVERY_FEED")
    if all_path:
        feed, text = _feed(memo, articles, described, title=settings["SITENAME"], root=root,
                           feed_url=f"{root}/{all_path}", lang=lang, timezone=timezone,
                           contents=contents)
        _write(feed, text, out / all_path, context, root)
        written.append(out / all_path)
    pattern = settings.get("DISCOVERY_CATEGORY_FEED")
    if pattern:
        for category, items in generator.categories:
            items = newest([a for a in items if id(a) in mine], most)
            if not items:
                continue
            rel = pattern.format(slug=category.slug)
            feed, text = _feed(memo, items, described, title=f"{settings['SITENAME']} · {category}", root=root,
                               feed_url=f"{root}/{rel}", lang=lang, timezone=timezone,
                               contents=contents)
            _write(feed, text, out / rel, context, root)
            written.append(out / rel)
    memo.save()
    return written
