"""Gate 6: page-weight budgets, gzipped, for what a reader downloads before first paint.

For the home page and the heaviest chart article: the HTML, its render-blocking
stylesheets (and their @imports), render-blocking scripts, and the images that
are not lazy-loaded (for a <picture>, the light-mode <img>).  The interactive
chart runtime is budgeted separately: it is only fetched when a chart nears
the viewport.  And every static chart picture (the SVGs of every
``<figure class="chart">`` on every page, light and dark) has a budget of its
own, before gzip, by picture: the phone one (``data-variant="narrow"``, or a
``<source>`` whose media names a max-width) and the wide one.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

from .config import RUNTIME_GLOBS, SERVE_PREFIX
from .refs import css_refs
from .site import Finding, Outcome, Site, page_info

NAME = "weight"
TITLE = "Page-weight budgets"
KIB = 1024


def gz_size(path: Path) -> int:
    # mtime=0 so the number is stable; level 6 is what servers commonly use.
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def _local_file(site: Site, base: str, url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    for own in (base, *site.own_bases):
        if url.startswith(own):
            path = site.root / unquote(urlsplit(url[len(own):]).path)
            if path.is_dir():
                path = path / "index.html"
            return path if path.is_file() else None
    return None


def first_paint(site: Site, page: Path) -> dict[str, list[Path]]:
    """Files needed to paint ``page`` first, by kind."""
    base = site.url or f"http://site.invalid{SERVE_PREFIX}"
    page_url = base + site.rel(page)
    doc = lxml.html.fromstring(page.read_bytes())
    found: dict[str, list[Path]] = {"html": [page], "css": [], "js": [], "images": []}

    def add(kind, url, from_url):
        path = _local_file(site, base, urljoin(from_url, url))
        if path and path not in found[kind]:
            found[kind].append(path)
            if kind == "css":  # @import and url() inside the stylesheet
                css_url = base + site.rel(path)
                for ref in css_refs(path.read_text(encoding="utf-8", errors="replace")):
                    if ref.what == "css @import":
                        add("css", ref.url, css_url)

    for link in doc.xpath("//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        media = (link.get("media") or "all").lower()
        if "stylesheet" in rels and "print" not in media:
            add("css", link.get("href"), page_url)
    for script in doc.xpath("//script[@src]"):
        blocking = not (script.get("async") is not None or script.get("defer") is not None
                        or script.get("type") == "module")
        if blocking:
            add("js", script.get("src"), page_url)
    for img in doc.xpath("//img[@src]"):
        if (img.get("loading") or "").lower() != "lazy":
            add("images", img.get("src"), page_url)
    return found


def page_weight(site: Site, page: Path) -> dict:
    files = first_paint(site, page)
    row = {kind: sum(gz_size(p) for p in paths) for kind, paths in files.items()}
    row["total"] = sum(row.values())
    row["files"] = sum(len(v) for v in files.values())
    return row


def heaviest_chart_article(site: Site) -> Path | None:
    """The article with a chart that needs the most bytes to paint: the one a budget must hold for."""
    articles = [i.path for i in map(lambda p: page_info(site, p), site.html_files())
                if i.has_chart and i.page_type in ("article", "article-or-page")]
    return max(articles, key=lambda p: page_weight(site, p)["total"]) if articles else None


def runtime_files(site: Site) -> list[Path]:
    files = set()
    for pattern in RUNTIME_GLOBS:
        files.update(p for p in site.root.glob(pattern) if p.is_file())
    return sorted(files)


def chart_pictures(site: Site) -> dict[Path, str]:
    """Every local SVG a chart figure shows, with its picture: "narrow" or "wide"."""
    base = site.url or f"http://site.invalid{SERVE_PREFIX}"
    found: dict[Path, str] = {}
    for page in site.html_files():
        raw = page.read_bytes()
        if b"chart" not in raw:
            continue
        doc = lxml.html.fromstring(raw)
        page_url = base + site.rel(page)
        figures = doc.xpath('//figure[contains(concat(" ", normalize-space(@class), " "), " chart ")]')
        for figure in figures:
            # (libxml2's HTML parser nests the <img> inside the <source> before it)
            for el in figure.xpath(".//picture//source[@srcset] | .//picture//img[@src]"):
                picture = next(el.iterancestors("picture"))
                media = (el.get("media") or "").replace(" ", "")
                narrow = picture.get("data-variant") == "narrow" or "max-width" in media
                for url in (el.get("srcset") or el.get("src")).split(","):
                    url = url.strip().split(" ")[0]
                    path = _local_file(site, base, urljoin(page_url, url))
                    if path and path.suffix == ".svg":
                        found.setdefault(path, "narrow" if narrow else "wide")
    return found


def check_chart_pictures(site: Site, limits: dict) -> tuple[list[Finding], dict]:
    pictures = chart_pictures(site)
    findings, heaviest = [], {}
    for path, variant in sorted(pictures.items()):
        size = path.stat().st_size
        if size > heaviest.get(variant, (0, None))[0]:
            heaviest[variant] = (size, path)
        if size > limits[variant] * KIB:
            findings.append(Finding(site.rel(path), (
                f"this {variant} chart picture is {_kib(size)} KiB; the budget is {limits[variant]:g} KiB "
                "before gzip. Aggregate the rows the chart draws (fewer marks), or simplify its "
                "marks; raise QUALITY_BUDGETS['chart_svg_kib'] in pelicanconf.py only if every "
                "mark must be drawn."), "budget"))
    over = {f.where for f in findings}
    row = {"page": f"chart pictures: {len(pictures)} SVGs, heaviest "
                   + "; ".join(f"{v} {site.rel(p)}" for v, (_, p) in sorted(heaviest.items())),
           "HTML": "", "CSS": "", "JS (blocking)": "", "images": "",
           "total KiB gz": " / ".join(f"{_kib(n)} raw" for _, (n, _p) in sorted(heaviest.items())),
           "budget": " / ".join(f"{limits[v]:g} raw" for v in sorted(heaviest)),
           "result": "OVER" if over else "ok"}
    return findings, row


def _kib(n: int) -> str:
    return f"{n / KIB:.1f}"


def check(site: Site, budgets: dict) -> Outcome:
    limits = budgets["first_paint_gz_kib"]
    findings, table = [], []
    home = site.root / "index.html"
    targets = []
    if home.is_file():
        targets.append(("home", home))
    else:
        findings.append(Finding("index.html", "no home page in the output.", "missing"))
    heaviest = heaviest_chart_article(site)
    if heaviest:
        targets.append(("chart_article", heaviest))
    else:
        findings.append(Finding("(site)", "no article with a chart (<figure class=\"chart\">) to "
                                          "weigh; expected at least one.", "missing"))
    for kind, path in targets:
        row = page_weight(site, path)
        limit = limits[kind] * KIB
        ok = row["total"] <= limit
        table.append({"page": f"{kind}: {site.rel(path)}", "HTML": _kib(row["html"]),
                      "CSS": _kib(row["css"]), "JS (blocking)": _kib(row["js"]),
                      "images": _kib(row["images"]), "total KiB gz": _kib(row["total"]),
                      "budget": f"{limits[kind]:g}", "result": "ok" if ok else "OVER"})
        if not ok:
            findings.append(Finding(site.rel(path), (
                f"first paint needs {_kib(row['total'])} KiB gzipped; the {kind} budget is "
                f"{limits[kind]:g} KiB. Lazy-load images below the fold, trim CSS, or raise "
                "QUALITY_BUDGETS['first_paint_gz_kib'] in pelicanconf.py if the growth is wanted."),
                "budget"))
    runtime = runtime_files(site)
    total = sum(gz_size(p) for p in runtime)
    limit = budgets["runtime_gz_kib"]
    ok = total <= limit * KIB
    table.append({"page": "interactive runtime: " + (", ".join(site.rel(p) for p in runtime) or "none"),
                  "HTML": "", "CSS": "", "JS (blocking)": "", "images": "",
                  "total KiB gz": _kib(total), "budget": f"{limit:g}", "result": "ok" if ok else "OVER"})
    if not ok:
        findings.append(Finding("theme/vendor", (
            f"the chart runtime is {_kib(total)} KiB gzipped; the budget is {limit:g} KiB. "
            "Bundle only the Vega transforms the charts use."), "budget"))
    picture_findings, row = check_chart_pictures(site, budgets["chart_svg_kib"])
    findings += picture_findings
    table.append(row)
    return Outcome(findings, table=table)
