"""Find the URLs a page or stylesheet refers to, with their line numbers.

Shared by the link gate (do they resolve?) and the self-contained gate (do
they stay on our host?).  ``kind`` says what the browser does with the URL:
"resource" is fetched while the page loads (src, srcset, stylesheets, scripts,
icons, CSS url()/@import); "link" is only followed when a reader acts
(a href, canonical, hreflang alternates, forms); "meta" is for crawlers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# <link rel> values whose href the browser fetches as part of the page.
FETCHED_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut",
                "apple-touch-icon", "manifest", "prefetch", "mask-icon"}

_SRC_ATTRS = {
    "img": ("src",), "source": ("src",), "script": ("src",), "iframe": ("src",),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
    "embed": ("src",), "object": ("data",), "input": ("src",),
    "image": ("href", "{http://www.w3.org/1999/xlink}href"),
    "use": ("href", "{http://www.w3.org/1999/xlink}href"),
    "feImage": ("href", "{http://www.w3.org/1999/xlink}href"),
}
_LINK_ATTRS = {"a": ("href", "{http://www.w3.org/1999/xlink}href"), "area": ("href",),
               "form": ("action",), "blockquote": ("cite",), "q": ("cite",)}
_META_URLS = {"og:image", "og:url", "twitter:image", "og:image:url"}
# URLs our own scripts fetch (theme/js/charts.js reads these from chart figures).
_DATA_URL_ATTRS = ("data-vega-spec", "data-vega-spec-dark")


@dataclass(frozen=True)
class Ref:
    url: str
    line: int
    kind: str  # resource | link | meta
    what: str  # e.g. "img src", "link rel=stylesheet", "css url()"


def srcset_urls(value: str) -> list[str]:
    """URLs of a srcset: candidates are 'url [descriptor]' separated by commas."""
    urls = []
    for match in re.finditer(r"\s*([^\s,][^\s]*)([^,]*)(?:,|$)", value):
        url = match.group(1)
        if url.endswith(","):
            url = url[:-1]
        if url:
            urls.append(url)
    return urls


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^'")\s]*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)


def css_refs(text: str, first_line: int = 1) -> list[Ref]:
    # Blank out comments but keep their newlines so line numbers stay right.
    text = _CSS_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    refs = []
    for pattern, what in ((_CSS_URL, "css url()"), (_CSS_IMPORT, "css @import")):
        for match in pattern.finditer(text):
            url = next(g for g in match.groups() if g is not None)
            if url:
                line = first_line + text.count("\n", 0, match.start())
                refs.append(Ref(url.strip(), line, "resource", what))
    return refs


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def html_refs(doc) -> list[Ref]:
    """Every URL in an lxml document (HTML, or SVG parsed with lxml.etree)."""
    refs: list[Ref] = []
    for el in doc.iter():
        tag = _local(el.tag)
        line = el.sourceline or 0
        if tag == "link":
            href = el.get("href")
            rels = set((el.get("rel") or "").lower().split())
            if href is not None:
                fetched = rels & FETCHED_RELS
                kind = "resource" if fetched else "link"
                refs.append(Ref(href.strip(), line, kind, f"link rel={' '.join(sorted(rels)) or '?'}"))
            if el.get("imagesrcset"):
                refs += [Ref(u, line, "resource", "link imagesrcset") for u in srcset_urls(el.get("imagesrcset"))]
            continue
        if tag == "meta":
            prop = (el.get("property") or el.get("name") or "").lower()
            content = el.get("content") or ""
            if prop in _META_URLS and content:
                refs.append(Ref(content.strip(), line, "meta", f"meta {prop}"))
            elif (el.get("http-equiv") or "").lower() == "refresh":
                m = re.search(r"url\s*=\s*['\"]?([^'\"\s]+)", content, re.I)
                if m:
                    refs.append(Ref(m.group(1), line, "link", "meta refresh"))
            continue
        for attr in _SRC_ATTRS.get(tag, ()):
            value = el.get(attr)
            if value is not None:
                refs.append(Ref(value.strip(), line, "resource", f"{tag} {_local(attr)}"))
        if tag in ("img", "source") and el.get("srcset"):
            refs += [Ref(u, line, "resource", f"{tag} srcset") for u in srcset_urls(el.get("srcset"))]
        for attr in _LINK_ATTRS.get(tag, ()):
            value = el.get(attr)
            if value is not None:
                refs.append(Ref(value.strip(), line, "link", f"{tag} {_local(attr)}"))
        for attr in _DATA_URL_ATTRS:
            value = el.get(attr)
            if value:
                refs.append(Ref(value.strip(), line, "resource", f"{tag} {attr}"))
        style = el.get("style")
        if style:
            refs += [Ref(r.url, line, r.kind, "style attribute " + r.what) for r in css_refs(style)]
        if tag == "style" and el.text:
            refs += css_refs(el.text, first_line=line)
    return refs


def element_ids(doc) -> set[str]:
    """Fragment targets: every id, plus the legacy <a name>."""
    ids = set(doc.xpath("//@id"))
    ids.update(doc.xpath("//a/@name"))
    return ids
