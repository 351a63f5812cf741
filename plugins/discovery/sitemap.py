"""sitemap.xml and robots.txt, read from the pages themselves once every language is written.

Each page's head already says what a search engine needs: its canonical address, its
translations (``<link rel="alternate" hreflang>``), whether it may be indexed
(``<meta name="robots" content="noindex">``) and when an article last changed
(``article:modified_time``). The sitemap lists exactly the indexable pages, each once at its
canonical address, with the same alternates, so the sitemap and the pages cannot disagree.
Pages marked noindex stay out: the 404 page, the search page, drafts (preview only) and the
chart embed pages (a bare frame of a chart whose place is its article).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import lxml.html
from datadesk import write_output
from datadesk.outputs import Memo

from .addresses import DiscoveryError, page_path

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
# Not pages of the site: the search index and the theme's files.
SKIP_DIRS = {"pagefind", "theme"}


def split_head(data: bytes) -> tuple[object, bytes]:
    """A page's ``<html>`` element parsed from its start to its ``</head>`` only (what the
    sitemap and the cards read is there; the body is most of a page's bytes), and the bytes
    after it. A page without ``</head>`` is parsed whole. The page's own text cannot end the
    head early: the templates escape ``<`` in attributes, and JSON-LD as ``\\u003c``."""
    end = data.find(b"</head>")
    if end < 0:
        return lxml.html.fromstring(data), b""
    return lxml.html.document_fromstring(data[:end] + b"</head></html>"), data[end:]


def read_head(path: Path) -> dict:
    doc, _ = split_head(path.read_bytes())
    robots = " ".join(doc.xpath('//head/meta[@name="robots"]/@content')).lower()
    canonical = doc.xpath('//head/link[@rel="canonical"]/@href')
    alternates = [(a.get("hreflang"), a.get("href"))
                  for a in doc.xpath('//head/link[@rel="alternate"][@hreflang]')]
    modified = doc.xpath('//head/meta[@property="article:modified_time"]/@content')
    return {"noindex": "noindex" in robots, "canonical": canonical[0] if canonical else "",
            "alternates": alternates, "lastmod": modified[0] if modified else "",
            "lang": (doc.get("lang") or "").split("-")[0]}


def collect(output: Path, base: str, memo=None) -> list[dict]:
    """Every indexable page of the output as {loc, lastmod, alternates}; a page whose canonical
    address is missing or is not its own location is an error naming the file. With ``memo``
    (datadesk's ``Memo``), a page whose bytes were read before is not parsed again."""
    entries, problems = [], []
    for path in sorted(output.rglob("*.html")):
        rel = path.relative_to(output).as_posix()
        if rel.split("/", 1)[0] in SKIP_DIRS:
            continue
        head = memo.page(path, read_head) if memo is not None else read_head(path)
        if head["noindex"]:
            continue
        own = f"{base}/{page_path(rel)}"
        if not head["canonical"]:
            problems.append(f"{rel}: no <link rel=\"canonical\">; every indexable page needs one "
                            "(theme/templates/base.html writes it), or mark the page noindex.")
            continue
        if head["canonical"] != own:
            problems.append(f"{rel}: its canonical address is {head['canonical']}, expected {own} "
                            "(where the page is built). Fix the template's canonical link.")
            continue
        entries.append({"loc": own, "lastmod": head["lastmod"], "alternates": head["alternates"]})
    if problems:
        raise DiscoveryError("The sitemap cannot be written:\n" + "\n".join(problems))
    return entries


def render(entries: list[dict]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<urlset xmlns="{NS}" xmlns:xhtml="{XHTML}">']
    for entry in entries:
        lines.append("  <url>")
        lines.append(f"    <loc>{escape(entry['loc'])}</loc>")
        if entry["lastmod"]:
            lines.append(f"    <lastmod>{escape(entry['lastmod'])}</lastmod>")
        for hreflang, href in entry["alternates"]:
            lines.append(f'    <xhtml:link rel="alternate" hreflang={quoteattr(hreflang)} href={quoteattr(href)}/>')
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(base: str) -> str:
    return ("# Every page may be crawled; pages that should not be indexed say so themselves.\n"
            "User-agent: *\nAllow: /\n\n"
            f"Sitemap: {base}/sitemap.xml\n")


def write_sitemap_and_robots(output_path: str, base: str, settings: dict) -> None:
    """Each file kept from the previous output when unchanged (datadesk/outputs.py)."""
    output = Path(output_path)
    memo = Memo(settings, "sitemap")
    entries = collect(output, base, memo)
    memo.save()
    write_output(settings, output / "sitemap.xml", render(entries), "discovery")
    write_output(settings, output / "robots.txt", robots(base), "discovery")
