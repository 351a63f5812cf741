"""Gate: sitemap.xml is valid against the sitemaps XSD, lists every published page exactly
once at its own address, with the same translations as the page's head, each resolving to a
built page in its language; robots.txt points to it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import lxml.etree

from .published import Published, head
from .site import Finding, Outcome, Site

NAME = "sitemap"
TITLE = "Sitemap and robots.txt"
SCHEMA = Path(__file__).with_name("schemas") / "sitemap-hreflang.xsd"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def check(site: Site) -> Outcome:
    pub = Published(site)
    findings: list[Finding] = []
    sitemap = site.root / "sitemap.xml"
    if not sitemap.is_file():
        return Outcome([Finding("sitemap.xml", "missing; the discovery plugin writes it at the end of the build")])
    try:
        doc = lxml.etree.parse(str(sitemap))
    except lxml.etree.XMLSyntaxError as exc:
        return Outcome([Finding(f"sitemap.xml:{exc.lineno}", f"not well-formed XML: {exc.msg}")])
    schema = lxml.etree.XMLSchema(lxml.etree.parse(str(SCHEMA)))
    if not schema.validate(doc):
        for error in list(schema.error_log)[:20]:
            findings.append(Finding(f"sitemap.xml:{error.line}", f"not valid against the sitemaps XSD: {error.message}",
                                    "xsd"))

    listed: Counter[str] = Counter()
    for url in doc.getroot().findall("s:url", NS):
        line = url.sourceline
        loc = (url.findtext("s:loc", default="", namespaces=NS) or "").strip()
        listed[loc] += 1
        where = f"sitemap.xml:{line}"
        path = pub.file_for(loc)
        if path is None:
            findings.append(Finding(where, f"<loc>{loc}</loc> is not a built page of {pub.base}", "loc"))
            continue
        page = head(path)
        if page["noindex"]:
            findings.append(Finding(where, f"{loc} is marked noindex ({pub.rel(path)}) and must not be listed", "noindex"))
        if page["canonical"] != loc:
            findings.append(Finding(where, f"{loc} is not the page's canonical address ({page['canonical'] or 'none'})",
                                    "canonical"))
        alternates = sorted((a.get("hreflang") or "", a.get("href") or "") for a in url.findall("x:link", NS))
        for hreflang, href in alternates:
            target = pub.file_for(href)
            if target is None:
                findings.append(Finding(where, f"alternate hreflang={hreflang} {href} is not a built page", "alternate"))
                continue
            got = head(target)["lang"]
            if hreflang != "x-default" and got != hreflang:
                findings.append(Finding(where, f"alternate hreflang={hreflang} {href} is a page in {got or 'no language'}",
                                        "alternate-lang"))
        if alternates != page["alternates"]:
            missing = sorted(set(page["alternates"]) - set(alternates))
            extra = sorted(set(alternates) - set(page["alternates"]))
            parts = []
            if missing:
                parts.append("missing " + ", ".join(f"hreflang={h} {u}" for h, u in missing))
            if extra:
                parts.append("not in the page's head " + ", ".join(f"hreflang={h} {u}" for h, u in extra))
            findings.append(Finding(where, f"{loc}: translations differ from the page's own links: "
                                           + "; ".join(parts), "alternates"))
        langs = {h for h, _ in alternates}
        if alternates and (page["lang"] not in langs or "x-default" not in langs):
            findings.append(Finding(where, f"{loc}: alternates must include the page itself "
                                           f"(hreflang={page['lang']}) and an x-default", "alternates"))
    for loc, count in listed.items():
        if count > 1:
            findings.append(Finding("sitemap.xml", f"{loc} is listed {count} times; list each page once", "duplicate"))

    published = [p for p in pub.pages() if not head(p)["noindex"]]
    for path in published:
        if listed[pub.url_for(path)] == 0:
            findings.append(Finding(pub.rel(path), f"published page missing from sitemap.xml ({pub.url_for(path)})",
                                    "missing"))

    robots = site.root / "robots.txt"
    expected = f"Sitemap: {pub.base}sitemap.xml"
    if not robots.is_file():
        findings.append(Finding("robots.txt", "missing; it should say where the sitemap is", "robots"))
    elif expected not in robots.read_text(encoding="utf-8").splitlines():
        findings.append(Finding("robots.txt", f"has no line `{expected}`", "robots"))
    return Outcome(findings, notes=[f"{sum(listed.values())} URLs listed, {len(published)} published pages"])
