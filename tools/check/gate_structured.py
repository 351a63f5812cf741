"""Gate: every page's JSON-LD parses and has the properties its type requires (Google's rules
for NewsArticle, Dataset, BreadcrumbList; WebSite on the home pages), its addresses on this
site resolve to built files; every page's link-preview tags (Open Graph, Twitter) are complete
and its og:image exists, opens as a whole picture of the type (og:image:type) and size it
declares, read with Pillow as a link preview reads it."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import lxml.html

from .published import Published, head
from .site import Finding, Outcome, Site

NAME = "structured-data"
TITLE = "Structured data and link previews"

REQUIRED = {
    "NewsArticle": ["headline", "datePublished", "dateModified", "author", "publisher", "inLanguage", "image",
                    "url"],
    "Dataset": ["name", "description", "url", "license", "creator"],
    "BreadcrumbList": ["itemListElement"],
    "WebSite": ["name", "url"],
}
# Which JSON-LD each page type must carry.
EXPECTED = {
    "article": {"NewsArticle", "BreadcrumbList"},
    "dataset": {"Dataset", "BreadcrumbList"},
    "page": {"BreadcrumbList"},
    "category": {"BreadcrumbList"},
    "index": {"WebSite"},
}
URL_KEYS = {"url", "@id", "item", "contentUrl", "image"}
# Google's Dataset rules: temporalCoverage is an ISO 8601 date or interval (open end: "..").
_DAY = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
TEMPORAL = re.compile(rf"^{_DAY}(?:/(?:{_DAY}|\.\.))?$")
OG_REQUIRED = ["og:title", "og:description", "og:url", "og:image", "og:image:width", "og:image:height",
               "og:locale", "og:site_name", "og:type"]


def picture(path) -> tuple[str, tuple[int, int]] | None:
    """(MIME type, (width, height)) of a picture Pillow decodes whole; None if it is not one."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _picture(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=None)  # a picture many pages share (a site card) is decoded once, until it changes
def _picture(path: str, mtime_ns: int, size: int) -> tuple[str, tuple[int, int]] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()  # decoded whole: a cut or damaged file fails here
            return Image.MIME.get(image.format, image.format), image.size
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
        return None


def _urls(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _urls(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _urls(v, key)
    elif isinstance(value, str) and key in URL_KEYS:
        yield value


def _objects(data) -> list[dict]:
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if isinstance(item, dict) and "@graph" in item:
            out += [g for g in item["@graph"] if isinstance(g, dict)]
        elif isinstance(item, dict):
            out.append(item)
    return out


def _check_object(obj: dict, lang: str) -> list[str]:
    kind = obj.get("@type", "")
    problems = []
    if obj.get("@context") not in ("https://schema.org", "http://schema.org", "https://schema.org/"):
        problems.append(f"{kind or 'an object'} has @context {obj.get('@context')!r}, expected https://schema.org")
    for prop in REQUIRED.get(kind, []):
        if obj.get(prop) in (None, "", [], {}):
            problems.append(f"{kind} lacks the required property {prop!r}")
    if "inLanguage" in obj and lang and obj["inLanguage"] != lang:
        problems.append(f"{kind} says inLanguage {obj['inLanguage']!r} on a page in {lang!r}")
    if kind == "NewsArticle":
        for person in obj.get("author") or []:
            if not isinstance(person, dict) or not person.get("name"):
                problems.append("NewsArticle has an author without a name")
        if not (obj.get("publisher") or {}).get("name"):
            problems.append("NewsArticle has a publisher without a name")
    if kind == "Dataset":
        # Google: a description between 50 and 5000 characters; downloads need a URL and a format.
        size = len(obj.get("description") or "")
        if obj.get("description") and not 50 <= size <= 5000:
            problems.append(f"Dataset description is {size} characters; Google wants 50 to 5000")
        for dist in obj.get("distribution") or []:
            if not dist.get("contentUrl") or not dist.get("encodingFormat"):
                problems.append("Dataset distribution lacks contentUrl or encodingFormat")
        temporal = obj.get("temporalCoverage")
        if temporal is not None and not TEMPORAL.match(str(temporal)):
            problems.append(f"Dataset temporalCoverage {temporal!r} is not an ISO 8601 date or interval "
                            "(2022-10-10/2023-03-31)")
        creator = obj.get("creator") or {}
        if isinstance(creator, dict) and not creator.get("name"):
            problems.append("Dataset creator has no name")
    if kind == "BreadcrumbList":
        items = obj.get("itemListElement") or []
        for i, item in enumerate(items, start=1):
            if item.get("position") != i or not item.get("name") or not item.get("item"):
                problems.append(f"BreadcrumbList item {i} needs position {i}, a name and an item address")
    return problems


def check(site: Site) -> Outcome:
    pub = Published(site)
    items: list[Finding] = []
    counted = {"pages": 0, "json-ld": 0, "images": 0}
    for path in pub.pages():
        rel = pub.rel(path)
        doc = lxml.html.fromstring(path.read_bytes())
        info = head(path)
        counted["pages"] += 1
        kinds = set()
        for script in doc.xpath('//script[@type="application/ld+json"]'):
            counted["json-ld"] += 1
            line = script.sourceline
            try:
                data = json.loads(script.text or "")
            except json.JSONDecodeError as exc:
                items.append(Finding(f"{rel}:{line}", f"JSON-LD does not parse: {exc}", "json"))
                continue
            for obj in _objects(data):
                kinds.add(obj.get("@type", ""))
                for problem in _check_object(obj, info["lang"]):
                    items.append(Finding(f"{rel}:{line}", problem, "required"))
                for url in _urls(obj):
                    if url.startswith(pub.base) and pub.file_for(url) is None:
                        items.append(Finding(f"{rel}:{line}", f"{obj.get('@type')}: {url} is not a built file", "url"))
                    elif not url.startswith(("http://", "https://")):
                        items.append(Finding(f"{rel}:{line}", f"{obj.get('@type')}: {url!r} is not absolute", "url"))
        for kind in sorted(EXPECTED.get(info["page_type"], set()) - kinds):
            items.append(Finding(rel, f"a page of type {info['page_type']} has no {kind} JSON-LD", "missing"))
        items += _link_preview(pub, rel, doc, info)
        counted["images"] += 1
    notes = [f"{counted['pages']} pages, {counted['json-ld']} JSON-LD blocks"]
    return Outcome(items, notes=notes)


def _link_preview(pub: Published, rel: str, doc, info: dict) -> list[Finding]:
    def meta(attr: str, name: str) -> str:
        found = doc.xpath(f'//head/meta[@{attr}="{name}"]/@content')
        return found[0] if found else ""

    findings = []
    for prop in OG_REQUIRED:
        if not meta("property", prop):
            findings.append(Finding(rel, f"no <meta property=\"{prop}\">", "open-graph"))
    if not meta("name", "twitter:card"):
        findings.append(Finding(rel, "no <meta name=\"twitter:card\">", "twitter"))
    if meta("property", "og:url") and meta("property", "og:url") != info["canonical"]:
        findings.append(Finding(rel, f"og:url {meta('property', 'og:url')} is not the canonical address "
                                     f"{info['canonical']}", "open-graph"))
    image = meta("property", "og:image")
    if image:
        target = pub.file_for(image)
        if target is None:
            findings.append(Finding(rel, f"og:image {image} is not a built file", "og-image"))
        else:
            found = picture(target)
            declared = (meta("property", "og:image:width"), meta("property", "og:image:height"))
            declared_type = meta("property", "og:image:type")
            if found is None:
                findings.append(Finding(rel, f"og:image {image} is not a picture (it does not open as a PNG "
                                             "or JPEG)", "og-image"))
            else:
                kind, size = found
                if tuple(map(str, size)) != declared:
                    findings.append(Finding(rel, f"og:image {image} is {size[0]}×{size[1]}, the page declares "
                                                 f"{declared[0]}×{declared[1]}", "og-image"))
                if declared_type and declared_type != kind:
                    findings.append(Finding(rel, f"og:image {image} is {kind}, the page declares "
                                                 f"og:image:type {declared_type}", "og-image"))
    return findings
