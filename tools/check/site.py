"""What every gate shares: the built site, findings, the local server, page types."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

from ..server import ServerProcess
from .config import SERVE_PREFIX


@dataclass
class Site:
    """A built site.

    ``url`` is where it is served now (``http://127.0.0.1:PORT/energy-front/``);
    gates that need a browser require it.  ``site_url`` is the absolute SITEURL
    the build was made with, if any: links to it are the site's own.
    """

    root: Path
    url: str | None = None
    site_url: str | None = None

    def __post_init__(self):
        self.root = Path(self.root)
        for name in ("url", "site_url"):
            value = getattr(self, name)
            if value and not value.endswith("/"):
                setattr(self, name, value + "/")

    @property
    def own_bases(self) -> list[str]:
        """Absolute URL prefixes that mean 'this site'."""
        return [u for u in (self.url, self.site_url) if u]

    def html_files(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def page_url(self, path: Path) -> str:
        """URL of an output file on the local server (directory style for index.html)."""
        rel = self.rel(path)
        if rel == "index.html":
            rel = ""
        elif rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        return (self.url or "") + rel


@dataclass
class Finding:
    """One problem: where (file:line or URL), what is wrong and how to fix it."""

    where: str
    message: str
    rule: str = ""

    def __str__(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{self.where}: {self.message}{rule}"


@dataclass
class Outcome:
    """What a gate returns: findings (empty = pass), an optional table, notes."""

    findings: list[Finding] = field(default_factory=list)
    table: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings


def group_findings(items: list[tuple[str, str, str]], limit: int = 5) -> list[Finding]:
    """Merge (where, message, rule) triples that share message and rule.

    A dead link in the navigation shows up on every page; one finding listing
    the first pages is more readable than a hundred identical ones.
    """
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for where, message, rule in items:
        groups[(message, rule)].append(where)
    findings = []
    for (message, rule), wheres in groups.items():
        wheres = sorted(set(wheres))
        where = ", ".join(wheres[:limit])
        if len(wheres) > limit:
            where += f" (and {len(wheres) - limit} more)"
        findings.append(Finding(where, message, rule))
    return sorted(findings, key=lambda f: (f.where, f.message))


# ---------------------------------------------------------------------------
# Page types
# ---------------------------------------------------------------------------

# URL shapes of our page types, for pages whose template did not say its type.
_URL_TYPES = [
    (re.compile(r"^(en/)?index\.html$"), "index"),
    (re.compile(r"^(en/)?404\.html$"), "404"),
    (re.compile(r"^(en/)?archives/index\.html$"), "archives"),
    (re.compile(r"^(en/)?category/index\.html$"), "categories"),
    (re.compile(r"^(en/)?category/[^/]+/index\.html$"), "category"),
    (re.compile(r"^(en/)?tag/index\.html$"), "tags"),
    (re.compile(r"^(en/)?tag/[^/]+/index\.html$"), "tag"),
    (re.compile(r"^(en/)?data/index\.html$"), "dataset-catalogue"),
    (re.compile(r"^(en/)?data/[^/]+/index\.html$"), "dataset"),
    (re.compile(r"^(en/)?charts/[^/]+/index\.html$"), "chart-embed"),
]


@dataclass
class PageInfo:
    path: Path
    lang: str
    page_type: str
    has_chart: bool


def page_info(site: Site, path: Path) -> PageInfo:
    """Language and type of a page.

    The type comes from ``<meta name="page-type">`` (set by base.html), then
    the first ``page-…`` class of ``<body>``, then the URL shape.
    """
    doc = lxml.html.fromstring(path.read_bytes())
    lang = (doc.get("lang") or "").split("-")[0].lower() or "?"
    page_type = ""
    meta = doc.xpath('//meta[@name="page-type"]/@content')
    if meta:
        page_type = meta[0].strip()
    if not page_type:
        body = doc.find(".//body")
        classes = (body.get("class") or "").split() if body is not None else []
        for cls in classes:
            if cls.startswith("page-"):
                page_type = cls[len("page-"):]
                break
    rel = site.rel(path)
    if not page_type:
        for pattern, name in _URL_TYPES:
            if pattern.match(rel):
                page_type = name
                break
    if not page_type:
        page_type = "article-or-page"
    has_chart = bool(doc.xpath('//figure[contains(concat(" ", normalize-space(@class), " "), " chart ")]'))
    return PageInfo(path, lang, page_type, has_chart)


def representative_pages(site: Site) -> list[PageInfo]:
    """One page per (language, page type); a chart article preferred for articles."""
    chosen: dict[tuple[str, str], PageInfo] = {}
    for path in site.html_files():
        info = page_info(site, path)
        key = (info.lang, info.page_type)
        current = chosen.get(key)
        # Prefer a page with a chart: it exercises the most markup.
        if current is None or (info.has_chart and not current.has_chart):
            chosen[key] = info
    return [chosen[k] for k in sorted(chosen)]


# ---------------------------------------------------------------------------
# Local server
# ---------------------------------------------------------------------------

class Server(ServerProcess):
    """The site under the check's sub-path on 127.0.0.1: the project's static server
    (tools/server.py) in a child process, stopped by PID."""

    def __init__(self, root: Path, prefix: str = SERVE_PREFIX, port: int = 0):
        super().__init__(root, prefix, port)


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def chromium_path() -> str:
    # CHROMIUM_PATH is what the rest of the test suite and CI use; CHROME_PATH is Lighthouse's name.
    return os.environ.get("CHROMIUM_PATH") or os.environ.get("CHROME_PATH") or "/usr/bin/chromium"


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

