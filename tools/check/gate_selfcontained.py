"""Gate 4: the site needs no host but its own.

Two halves. A static scan of every HTML, CSS, JS, SVG and Vega spec in the
output for absolute URLs to another host in anything the browser fetches.
Then Chromium loads every page on the local server, scrolls to the bottom
slowly so charts upgrade, and records every request: any to another host is
blocked and reported, as are local 404s and console errors (a CSP refusal or
a failed chart upgrade shows up there first).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from .browser import run as run_async
from .browser import chromium, gather_limited, is_local, visit
from .config import SERVE_PREFIX
from .refs import Ref, css_refs, html_refs
from .site import Outcome, Site, group_findings

NAME = "self-contained"
TITLE = "Self-contained (no other host)"

# ES module imports, dynamic import(), importScripts() and source maps: the
# ways a script pulls in another file by URL without building it in a string.
_JS_URL = re.compile(
    r"""(?:\bimport\s*\(\s*|\bimport\s+[^'";]*?\bfrom\s*|\bimport\s*|\bimportScripts\s*\(\s*)"""
    r"""(['"`])((?:https?:)?//[^'"`\s]+)\1"""
    r"""|sourceMappingURL=((?:https?:)?//\S+)""")
BROWSER_TABS = 4


def _foreign(url: str, page_url: str, site: Site, base: str) -> str | None:
    """The other host a URL points to, or None when it stays on our site."""
    absolute = urljoin(page_url, url)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https"):
        return None  # data:, blob:, relative resolved to ours, mailto: …
    own = {urlsplit(b).netloc for b in (base, *site.own_bases)}
    return parts.netloc if parts.netloc not in own else None


def static_scan(site: Site) -> list[tuple[str, str, str]]:
    base = site.url or f"http://site.invalid{SERVE_PREFIX}"
    items = []

    def report(where, url, what, host):
        items.append((where, f"{what} loads {url!r} from {host}; the site must serve it itself "
                             "(copy it into theme/static and link it from SITEURL).", "static"))

    for path in sorted(site.root.rglob("*")):
        if not path.is_file():
            continue
        rel = site.rel(path)
        suffix = path.suffix.lower()
        if suffix in (".html", ".svg"):
            data = path.read_bytes()
            if suffix == ".html":
                doc = lxml.html.fromstring(data)
            else:
                doc = lxml.etree.fromstring(data, lxml.etree.XMLParser(huge_tree=True, recover=True))
            refs = [r for r in html_refs(doc) if r.kind == "resource"]
        elif suffix == ".css":
            refs = css_refs(path.read_text(encoding="utf-8", errors="replace"))
        elif suffix in (".js", ".mjs"):
            refs = _js_refs(path.read_text(encoding="utf-8", errors="replace"))
        elif suffix == ".json":
            refs = _vega_data_urls(path)
        else:
            continue
        for ref in refs:
            host = _foreign(ref.url, base + rel, site, base)
            if host:
                report(f"{rel}:{ref.line}" if ref.line else rel, ref.url, ref.what, host)
    return items


def _js_refs(text: str):
    refs = []
    for match in _JS_URL.finditer(text):
        url = match.group(2) or match.group(3)
        line = 1 + text.count("\n", 0, match.start())
        refs.append(Ref(url, line, "resource", "script import" if match.group(2) else "source map"))
    return refs


def _vega_data_urls(path):
    """``url`` values in Vega/Vega-Lite specs: Vega fetches them at run time."""
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    if not isinstance(spec, dict) or "vega" not in str(spec.get("$schema", "")):
        return []
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "url" and isinstance(value, str):
                    found.append(Ref(value, 0, "resource", "vega data url"))
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


async def _browse(site: Site, pages: list[str]) -> tuple[list[tuple[str, str, str]], set[str]]:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(site.url))
    items: list[tuple[str, str, str]] = []
    upgraded: set[str] = set()  # pages that fetched a Vega spec: proof the scroll did its job

    async with chromium() as browser:
        context = await browser.new_context(service_workers="block")

        async def route(route):
            url = route.request.url
            if is_local(url, origin):
                await route.continue_()
            else:
                await route.abort("blockedbyclient")

        await context.route("**/*", route)

        async def one(rel: str):
            page = await context.new_page()
            where = rel

            def on_request(request):
                if urlsplit(request.url).path.endswith(".vg.json"):
                    upgraded.add(where)
                if not is_local(request.url, origin):
                    items.append((where, f"requested {request.url} ({request.resource_type}) from "
                                         f"{urlsplit(request.url).netloc}; serve it from our own host.",
                                  "browser"))

            def on_response(response):
                if response.status >= 400 and is_local(response.url, origin):
                    path = urlsplit(response.url).path
                    items.append((where, f"requested {path} ({response.request.resource_type}) and the "
                                         f"server answered {response.status}; the file is missing from "
                                         "the output.", "local-404"))

            def on_console(msg):
                if msg.type == "error" and "net::ERR_BLOCKED_BY_CLIENT" not in msg.text:
                    items.append((where, f"console error: {msg.text[:300]}", "console-error"))

            page.on("request", on_request)
            page.on("response", on_response)
            page.on("console", on_console)
            page.on("pageerror", lambda exc: items.append(
                (where, f"uncaught script error: {str(exc)[:300]}", "js-error")))
            try:
                await visit(page, site.url + rel)
            except Exception as exc:  # a page that cannot load is itself a finding
                items.append((where, f"page did not load: {exc}".splitlines()[0], "load"))
            finally:
                await page.close()

        await gather_limited(BROWSER_TABS, [one(rel) for rel in pages])
        await context.close()
    return items, upgraded


def browser_scan(site: Site) -> tuple[list[tuple[str, str, str]], set[str]]:
    """Findings, and the pages whose charts upgraded (fetched their Vega spec)."""
    if not site.url:
        raise ValueError("the browser scan needs the site served (Site.url)")
    # 404.html answers 200 when loaded by name; what we check is its own requests.
    pages = [site.page_url(p)[len(site.url):] for p in site.html_files()]
    return run_async(_browse(site, pages))


def check(site: Site, browser: bool = True) -> Outcome:
    items = static_scan(site)
    notes = ["static scan of HTML, CSS, JS, SVG and Vega specs"]
    if browser:
        found, upgraded = browser_scan(site)
        items += found
        notes.append(f"{len(site.html_files())} pages loaded and scrolled in Chromium; "
                     f"charts upgraded to interactive on {len(upgraded)} of them")
    return Outcome(group_findings(items), notes=notes)
