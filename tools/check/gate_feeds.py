"""Gate: every Atom feed parses (feedparser), holds one language, and every link in it is an
absolute address of a built page in that language; every feed a page links to exists."""

from __future__ import annotations

import feedparser

from .published import Published, head
from .site import Finding, Outcome, Site

NAME = "feeds"
TITLE = "Atom feeds"


def feeds_of(pub: Published) -> list:
    return sorted(p for p in pub.root.rglob("*.atom.xml")
                  if p.relative_to(pub.root).parts[0] not in {"theme", "pagefind"})


def check(site: Site) -> Outcome:
    pub = Published(site)
    findings: list[Finding] = []
    feeds = feeds_of(pub)
    if not feeds:
        return Outcome([Finding("feeds/", "no Atom feed was built", "missing")])
    entries = 0
    for path in feeds:
        rel = pub.rel(path)
        parsed = feedparser.parse(path.read_bytes())
        if parsed.bozo:
            findings.append(Finding(rel, f"does not parse as a feed: {parsed.bozo_exception}", "parse"))
            continue
        if parsed.version != "atom10":
            findings.append(Finding(rel, f"is {parsed.version or 'not a known format'}, expected Atom 1.0", "atom"))
        lang = (parsed.feed.get("language") or "").split("-")[0]
        if not lang:
            findings.append(Finding(rel, "declares no language (xml:lang on <feed>)", "lang"))
        self_links = [l.href for l in parsed.feed.get("links", []) if l.get("rel") == "self"]
        if self_links != [pub.url_for(path)]:
            findings.append(Finding(rel, f"its self link is {self_links or 'missing'}, expected {pub.url_for(path)}",
                                    "self"))
        home = pub.file_for(parsed.feed.get("link", ""))
        if home is None:
            findings.append(Finding(rel, f"its site link {parsed.feed.get('link')!r} is not a built page", "link"))
        elif lang and head(home)["lang"] != lang:
            findings.append(Finding(rel, f"is in {lang} but links the {head(home)['lang']} site", "lang"))
        langs = set()
        for entry in parsed.entries:
            entries += 1
            link = entry.get("link", "")
            title = entry.get("title", "?")
            if not link.startswith(("http://", "https://")):
                findings.append(Finding(rel, f"entry “{title}” has a relative link {link!r}", "absolute"))
                continue
            target = pub.file_for(link)
            if target is None:
                findings.append(Finding(rel, f"entry “{title}” links {link}, which is not a built page", "entry-link"))
                continue
            page_lang = head(target)["lang"]
            langs.add(page_lang)
            if lang and page_lang != lang:
                findings.append(Finding(rel, f"entry “{title}” ({link}) is in {page_lang}, the feed in {lang}: "
                                             "a feed holds one language", "mixed-language"))
        if len(langs) > 1 and not lang:
            findings.append(Finding(rel, f"mixes languages {', '.join(sorted(langs))}", "mixed-language"))

    declared = set()
    for page in pub.pages():
        for href in head(page)["feeds"]:
            declared.add(href)
            if pub.file_for(href) is None:
                findings.append(Finding(pub.rel(page), f"links the feed {href}, which was not built", "feed-link"))
    return Outcome(findings, notes=[f"{len(feeds)} feeds, {entries} entries, {len(declared)} feeds linked from pages"])
