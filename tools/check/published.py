"""What the sitemap, feeds and structured-data gates share: the site's public address, read
from the home page's canonical link, and the built file (and its language) behind an
absolute URL of the site."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

from .site import Site

# Folders of the output that hold no page of the site.
NOT_PAGES = {"pagefind", "theme"}


class Published:
    def __init__(self, site: Site):
        self.site = site
        self.root = site.root
        self.base = self._base()

    def _base(self) -> str:
        """The absolute address of the site's root, with its final slash."""
        home = self.root / "index.html"
        if home.is_file():
            canonical = lxml.html.fromstring(home.read_bytes()).xpath('//head/link[@rel="canonical"]/@href')
            if canonical and canonical[0].startswith(("http://", "https://")):
                return canonical[0] if canonical[0].endswith("/") else canonical[0] + "/"
        if self.site.site_url:
            return self.site.site_url
        raise ValueError("index.html has no absolute <link rel=\"canonical\">: the site's "
                         "public address is unknown (build with publishconf.py and SITEURL).")

    def file_for(self, url: str) -> Path | None:
        """The built file an absolute URL of this site serves, or None (another site, or missing)."""
        if not url.startswith(self.base):
            return None
        rel = urlsplit(url[len(self.base):]).path
        if ".." in rel.split("/"):
            return None  # a browser would normalise it, but it is never the address we publish
        path = self.root / rel
        if rel == "" or rel.endswith("/"):
            path = path / "index.html"
        elif path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    def url_for(self, path: Path) -> str:
        rel = path.relative_to(self.root).as_posix()
        if rel == "index.html":
            rel = ""
        elif rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        return self.base + rel

    def pages(self) -> list[Path]:
        return [p for p in sorted(self.root.rglob("*.html"))
                if p.relative_to(self.root).parts[0] not in NOT_PAGES]

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


@lru_cache(maxsize=4096)
def _head(path: Path, digest: str) -> dict:
    doc = lxml.html.fromstring(path.read_bytes())
    robots = " ".join(doc.xpath('//head/meta[@name="robots"]/@content')).lower()
    return {
        "lang": (doc.get("lang") or "").split("-")[0].lower(),
        "noindex": "noindex" in robots,
        "canonical": (doc.xpath('//head/link[@rel="canonical"]/@href') or [""])[0],
        "alternates": sorted((a.get("hreflang") or "", a.get("href") or "")
                             for a in doc.xpath('//head/link[@rel="alternate"][@hreflang]')),
        "feeds": doc.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]/@href'),
        "page_type": (doc.xpath('//head/meta[@name="page-type"]/@content') or [""])[0],
    }


def head(path: Path) -> dict:
    """Language, robots, canonical, hreflang alternates and feeds declared in a page's head."""
    # Kept by content hash, not modification time: a page rewritten within one clock tick
    # with other bytes is read again.
    return _head(path, hashlib.blake2b(path.read_bytes(), digest_size=20).hexdigest())
