"""Every chart of the real site, on every page that shows it (articles and embed pages,
both languages, found in the built site), from phone to desktop widths, light and dark,
with and without JavaScript: nothing is drawn outside its figure, the picture shown is
the phone one on a phone-sized figure, and the interactive view is that same picture
come alive: drawn from its spec, over its box, without moving or resizing anything.

One browser, one context per test, one page load per chart page; the widths are
walked by resizing the window (which is also what a turned phone does), and every wait
is on page state. Set CHARTS_SCREENSHOTS=<folder> to also save, at 360 px, a picture
of every chart in the articles, static and interactive, light and dark, to compare by
eye.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest

HERE = Path(__file__).resolve().parents[1]  # tests/
sys.path.insert(0, str(HERE / "fixtures" / "browser"))

import chart_checks as cc  # noqa: E402

WIDTHS = (320, 360, 390, 768, 1280)
PHONE = {320, 360, 390}  # the figure is narrower than 34em: the phone picture shows
HEIGHT = 900
SCHEMES = ("light", "dark")
FIGURE = re.compile(r'<figure class="chart"[^>]*\bdata-vega-spec="')
SHOTS = os.environ.get("CHARTS_SCREENSHOTS")


@pytest.fixture(scope="module")
def chart_pages(built_site) -> list[str]:
    """Every page of the built site with a chart figure (not a hard-coded list: charts
    come and go with the content)."""
    pages = []
    for path in sorted(built_site.rglob("*.html")):
        if FIGURE.search(path.read_text(encoding="utf-8")):
            rel = path.relative_to(built_site).as_posix()
            pages.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return pages


def test_chart_pages_are_articles_and_embeds_in_both_languages(chart_pages, built_site):
    embeds = [p for p in chart_pages if re.match(r"^(en/)?charts/[a-z0-9_]+/$", p)]
    charts = {p.name for p in (built_site / "charts").iterdir() if p.is_dir()}
    assert {e.split("/")[-2] for e in embeds} == charts
    assert len(embeds) == 2 * len(charts)
    articles = [p for p in chart_pages if p not in embeds]
    assert any(p.startswith("en/") for p in articles) and any(not p.startswith("en/") for p in articles)


def _context(browser, javascript: bool, scheme: str):
    context = browser.new_context(java_script_enabled=javascript, color_scheme=scheme,
                                  viewport={"width": WIDTHS[0], "height": HEIGHT},
                                  timezone_id="Europe/Paris", service_workers="block")
    context.add_init_script(cc.PROBE + cc.UPGRADE_PROBE)
    return context


def _shoot(page, url: str, figure_id: str, scheme: str, kind: str) -> None:
    if not SHOTS or "/charts/" in url:
        return
    lang = "en" if "/en/" in url else "fr"
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.locator(f"#{figure_id} .chart-frame").screenshot(
        path=str(folder / f"{lang}-{figure_id[len('chart-'):]}-{scheme}-{kind}.png"))


def _static_problems(where: str, layout: dict, width: int, scheme: str) -> list[str]:
    problems = []
    expected = "narrow" if width in PHONE else "wide"
    if layout["shown"] != [expected]:
        problems.append(f"{where}: pictures shown {layout['shown']}, expected [{expected!r}] "
                        f"(figure {layout['figureWidth']:.0f} px wide)")
        return problems
    image = layout["image"]
    if not image["loaded"]:
        problems.append(f"{where}: the picture did not load ({image['src']})")
    if image["src"] and (".dark." in image["src"]) != (scheme == "dark"):
        problems.append(f"{where}: a {scheme} reader gets {image['src']}")
    x, y, w, h = image["box"]
    if x < -1 or x + w > layout["figureWidth"] + 1 or not layout["frameInFigure"]:
        problems.append(f"{where}: the picture ({x:.0f}..{x + w:.0f} px) overflows its figure "
                        f"({layout['figureWidth']:.0f} px)")
    return problems


@pytest.mark.parametrize("scheme", SCHEMES)
def test_static_charts_fit_their_figure_at_every_width(site_server, browser, chart_pages, scheme):
    """Without JavaScript: the right picture, loaded, inside its figure, at every width."""
    context = _context(browser, False, scheme)
    page = context.new_page()
    problems = []
    try:
        for path in chart_pages:
            url = site_server.url + path
            page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
            page.goto(url, wait_until="load")  # no JavaScript: lazy images load eagerly
            ids = cc.chart_ids(page)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": HEIGHT})
                page.wait_for_function(
                    """() => [...document.querySelectorAll('figure.chart picture')]
                         .filter(p => p.getClientRects().length)
                         .every(p => { const i = p.querySelector('img'); return i.complete; })""")
                for fid in ids:
                    problems += _static_problems(f"{path}#{fid} at {width} px",
                                                 cc.figure_layout(page, fid), width, scheme)
                if width == 360:
                    for fid in ids:
                        _shoot(page, url, fid, scheme, "static")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_no_legend_or_axis_label_of_the_sites_charts_is_cut(built_site):
    """A legend's label is the only name a colour has on the picture, an axis label the
    only name of a bar: none of the real charts' is cut with an ellipsis, on a phone's
    picture or a desktop's, in either language. (Vega cuts a label longer than its limit;
    a chart whose labels do not fit shortens them or gives a limit of its own.)"""
    from lxml import etree

    svg = "{http://www.w3.org/2000/svg}"
    pictures = sorted(built_site.glob("charts/*/*.svg")) + sorted(built_site.glob("en/charts/*/*.svg"))
    assert {p.name.split(".")[1] for p in pictures} == {"fr", "en"}
    cut, labels = [], {"role-legend-label": 0, "role-axis-label": 0}
    for picture in pictures:
        root = etree.fromstring(picture.read_bytes())
        for group in root.iter(f"{svg}g"):
            role = next((r for r in labels if r in (group.get("class") or "").split()), None)
            if role is None:
                continue
            for text in group.iter(f"{svg}text"):
                labels[role] += 1
                words = "".join(text.itertext())
                if words.rstrip().endswith("…"):
                    cut.append(f"{picture.relative_to(built_site)}: {role[5:]} {words!r}")
    assert all(labels.values()), f"labels found: {labels}: the SVG's classes changed, and this test sees nothing"
    assert not cut, "labels cut with an ellipsis (shorten them, or give the chart a labelLimit):\n" + "\n".join(cut)


def test_static_pictures_draw_nothing_outside_their_box(site_server, browser, chart_pages, built_site):
    """Each static SVG on its own: every text and mark inside the picture. An <img> only
    scales the whole picture, so this holds at every width the figure takes."""
    import lxml.html

    pictures: dict[str, tuple[int, int]] = {}
    for path in chart_pages:
        file = built_site / path / "index.html" if path.endswith("/") else built_site / path
        doc = lxml.html.fromstring(file.read_bytes())
        base = site_server.url + path
        for el in doc.xpath("//figure[@data-vega-spec]//picture//img | //figure[@data-vega-spec]//picture//source"):
            url = urljoin(base, el.get("src") or el.get("srcset"))
            pictures[url] = (int(el.get("width")), int(el.get("height")))
    assert pictures, "no chart pictures found"
    context = _context(browser, False, "light")
    page = context.new_page()
    problems = []
    try:
        for url, (width, height) in sorted(pictures.items()):
            layout = cc.svg_document_layout(page, url)
            name = url[len(site_server.url):]
            if (round(layout["width"]), round(layout["height"])) != (width, height):
                problems.append(f"{name}: {layout['width']} x {layout['height']}, but the page reserves "
                                f"{width} x {height}")
            problems += [f"{name}: {o}" for o in layout["outside"]]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _settled(page, figure_id: str) -> None:
    """Scroll the figure in and wait until its view is ready and is the shown picture's."""
    page.locator(f"#{figure_id} .chart-frame").scroll_into_view_if_needed()
    page.wait_for_function(
        """(id) => { const f = document.getElementById(id);
             const views = f.querySelectorAll('.chart-view');
             const shown = [...f.querySelectorAll('.chart-frame picture')].filter(p => p.getClientRects().length);
             return f.getAttribute('data-vega-state') === 'interactive' && views.length === 1
               && shown.length === 1 && views[0].dataset.variant === (shown[0].dataset.variant || 'wide'); }""",
        arg=figure_id, timeout=20000)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_interactive_charts_are_their_picture_come_alive(site_server, browser, chart_pages, scheme):
    """With JavaScript: at every width each view is drawn from the shown picture's spec,
    covers exactly its box, draws nothing outside it; the upgrade changes no figure's
    height and Chromium records no layout shift; the hidden picture is not fetched."""
    # Light walks up from the phone, dark down from the desktop: each page's first
    # upgrades are checked on a phone and on a desktop.
    widths = WIDTHS if scheme == "light" else WIDTHS[::-1]
    context = _context(browser, True, scheme)
    problems = []
    try:
        for path in chart_pages:
            url = site_server.url + path
            page = context.new_page()
            page.set_viewport_size({"width": widths[0], "height": HEIGHT})
            requests: list[str] = []
            page.on("request", lambda r, requests=requests: requests.append(r.url))
            page.goto(url, wait_until="load")
            ids = cc.chart_ids(page)
            for width in widths:
                if width != widths[0]:
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                for fid in ids:
                    where = f"{path}#{fid} at {width} px ({scheme})"
                    try:
                        _settled(page, fid)
                    except Exception:  # noqa: BLE001 (playwright's TimeoutError)
                        layout = cc.figure_layout(page, fid)
                        problems.append(f"{where}: no ready view of the shown picture "
                                        f"(state {layout['state']!r}, shown {layout['shown']}, "
                                        f"view {layout['view'] and layout['view']['variant']})")
                        continue
                    layout = cc.figure_layout(page, fid)
                    problems += _static_problems(where, {**layout, "image": {**layout["image"], "loaded": True}},
                                                 width, scheme)
                    view = layout["view"]
                    if any(abs(a - b) > 1 for a, b in zip(view["box"], layout["image"]["box"])):
                        problems.append(f"{where}: the view {view['box']} is not over the picture "
                                        f"{layout['image']['box']}")
                    problems += [f"{where}: {o}" for o in view["outside"]]
                if width == widths[0]:
                    # Resizing the window moves the whole page (Chromium reports that as
                    # layout shifts too): the upgrades' own shifts are those before it.
                    if page.evaluate("window.__probe.shifts"):
                        problems.append(f"{path} at {width} px: layout shifts "
                                        f"{page.evaluate('window.__shiftSources')}")
                    fetched = [r for r in requests if r.endswith(".svg") and "/charts/" in r
                               and (".narrow." in r) != (width in PHONE)]
                    if fetched:
                        problems.append(f"{path} at {width} px: fetched the hidden pictures {fetched}")
            upgrades = page.evaluate("window.__upgrades")
            for fid in ids:
                steps = [u for u in upgrades if u["id"] == fid]
                for start, end in zip(steps, steps[1:]):
                    if start["state"] == "loading" and end["state"] == "interactive" \
                            and abs(start["height"] - end["height"]) > 1:
                        problems.append(f"{path}#{fid}: the upgrade changed the figure's height "
                                        f"{start['height']:.1f} -> {end['height']:.1f} px")
                if not any(u["state"] == "interactive" for u in steps):
                    problems.append(f"{path}#{fid}: never became interactive")
            csp = page.evaluate("window.__probe.csp")
            if csp:
                problems.append(f"{path}: CSP violations {csp}")
            if SHOTS and "/charts/" not in url:
                page.set_viewport_size({"width": 360, "height": HEIGHT})
                for fid in ids:
                    _settled(page, fid)
                    page.mouse.move(0, 0)
                    _shoot(page, url, fid, scheme, "interactive")
            page.close()
    finally:
        context.close()
    assert not problems, "\n".join(problems)
