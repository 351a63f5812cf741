"""Gate 2: every internal link, src, srcset and #anchor resolves under the sub-path.

The built files are read directly, but every URL is resolved exactly as a
browser would resolve it on the site served under ``/energy-front/`` (a GitHub
project page), so a root-absolute ``/foo/`` is caught.  External URLs are
checked for form only: there is no network here.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import lxml.html

from .config import SERVE_PREFIX
from .refs import Ref, css_refs, element_ids, html_refs
from .site import Outcome, Site, group_findings, same_origin

NAME = "links"
TITLE = "No broken links"

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# 404.html is served for any missing URL, however deep, so its relative links
# must still work from there.
_DEEP_MISSING = "no/such/page/"


def _valid_host(host: str | None) -> bool:
    if not host:
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return (len(labels) >= 2 and len(ascii_host) <= 253
            and all(_HOST_LABEL.match(label) for label in labels)
            and not labels[-1].isdigit())


def external_form_problem(url: str) -> str | None:
    """Why an external URL is malformed, or None when its form is fine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"expected an http(s) URL, found scheme {parts.scheme!r}"
    if re.search(r"\s", url):
        return "contains whitespace; percent-encode it (%20)"
    if not _valid_host(parts.hostname):
        return f"host {parts.hostname!r} is not a valid host name"
    try:
        parts.port
    except ValueError:
        return "has an invalid port"
    return None


class _Targets:
    """Lazy view of the output: which files exist, which ids each page has."""

    def __init__(self, root: Path):
        self.root = root
        self._ids: dict[Path, set[str]] = {}

    def resolve(self, rel: str) -> Path | None:
        path = self.root / rel
        if rel == "" or rel.endswith("/"):
            path = path / "index.html"
        elif path.is_dir():  # Pages redirects /x to /x/
            path = path / "index.html"
        return path if path.is_file() else None

    def ids(self, path: Path) -> set[str] | None:
        if path.suffix not in (".html", ".svg"):
            return None  # fragments of CSV, PNG, PDF… are not element ids
        if path not in self._ids:
            if path.suffix == ".html":
                doc = lxml.html.fromstring(path.read_bytes())
            else:
                doc = lxml.etree.fromstring(path.read_bytes(), lxml.etree.XMLParser(huge_tree=True))
            self._ids[path] = element_ids(doc)
        return self._ids[path]


def _check_ref(site: Site, targets: _Targets, base: str, page_url: str, ref: Ref) -> str | None:
    """Return what is wrong with one reference, or None."""
    url = ref.url
    if url == "":
        return None if ref.kind == "link" else f"{ref.what} is empty; expected a URL"
    scheme = urlsplit(url).scheme.lower()
    if scheme == "data":
        return None
    if scheme == "mailto":
        # mailto:?subject=…&body=… (RFC 6068: no recipient) opens a message the reader addresses.
        compose = url.startswith("mailto:?") and ("subject=" in url or "body=" in url)
        return None if "@" in url or compose else f"{ref.what} {url!r} has no address after mailto:"
    if scheme == "tel":
        return None
    if scheme and scheme not in ("http", "https"):
        return f"{ref.what} {url!r} uses scheme {scheme!r}; expected a relative or http(s) URL"
    absolute = urljoin(page_url, url)
    for b in (base, *site.own_bases):
        # "{{ SITEURL }}" for the home page has no trailing slash; Pages redirects it.
        if absolute == b[:-1] or absolute.startswith((b[:-1] + "#", b[:-1] + "?")):
            absolute = b + absolute[len(b) - 1:]
    own = next((b for b in [base, *site.own_bases] if absolute.startswith(b)), None)
    if own is None:
        if any(same_origin(absolute, b) for b in [base, *site.own_bases]):
            return (f"{ref.what} {url!r} resolves to {urlsplit(absolute).path!r}, outside the site's "
                    f"sub-path; a URL starting with / breaks on project pages. Build it from SITEURL.")
        problem = external_form_problem(absolute)
        return f"external {ref.what} {url!r} {problem}" if problem else None
    parts = urlsplit(absolute[len(own):])
    rel = unquote(parts.path)
    target = targets.resolve(rel)
    if target is None:
        return (f"dead {ref.what} {url!r}: no file {rel or 'index.html'!r} in the output. "
                "Fix the link or the slug it points to.")
    fragment = unquote(parts.fragment)
    if fragment and fragment.lower() != "top":
        ids = targets.ids(target)
        if ids is not None and fragment not in ids:
            return (f"dead anchor {ref.what} {url!r}: {site.rel(target)} has no element with "
                    f'id="{fragment}". Fix the anchor or add the id.')
    return None


def check(site: Site) -> Outcome:
    base = site.url or f"http://site.invalid{SERVE_PREFIX}"
    targets = _Targets(site.root)
    items: list[tuple[str, str, str]] = []
    pages = site.html_files()
    for path in pages:
        rel = site.rel(path)
        doc = lxml.html.fromstring(path.read_bytes())
        page_url = base + rel
        base_href = doc.xpath("//base/@href")
        if base_href:
            page_url = urljoin(page_url, base_href[0])
        for ref in html_refs(doc):
            problem = _check_ref(site, targets, base, page_url, ref)
            if (problem is None and rel.endswith("404.html") and not base_href
                    and not ref.url.startswith("#")):  # same document wherever it is served
                deep = base + rel[: -len("404.html")] + _DEEP_MISSING
                problem = _check_ref(site, targets, base, deep, ref)
                if problem:
                    problem = (f"404.html is served at any missing URL (e.g. {_DEEP_MISSING}); "
                               f"there {problem} Use absolute URLs (SITEURL) in the 404 template.")
            if problem:
                items.append((f"{rel}:{ref.line}", problem, "link"))
    for path in sorted(site.root.rglob("*.css")):
        rel = site.rel(path)
        for ref in css_refs(path.read_text(encoding="utf-8", errors="replace")):
            problem = _check_ref(site, targets, base, base + rel, ref)
            if problem:
                items.append((f"{rel}:{ref.line}", problem, "link"))
    items += _sitemap_items(site, targets, base)
    return Outcome(group_findings(items), notes=[f"{len(pages)} pages and their CSS checked"])


def _sitemap_items(site: Site, targets: _Targets, base: str) -> list[tuple[str, str, str]]:
    items = []
    for path in sorted(site.root.rglob("sitemap*.xml")):
        try:
            tree = lxml.etree.parse(str(path))
        except lxml.etree.XMLSyntaxError as exc:
            items.append((site.rel(path), f"is not well-formed XML: {exc}", "sitemap"))
            continue
        for loc in tree.iter("{*}loc"):
            url = (loc.text or "").strip()
            if urlsplit(url).scheme in ("http", "https"):
                problem = _check_ref(site, targets, base, base, Ref(url, loc.sourceline, "link", "sitemap loc"))
                if problem:
                    items.append((f"{site.rel(path)}:{loc.sourceline}", problem, "sitemap"))
    return items
