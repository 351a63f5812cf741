"""The progressive chart upgrade (theme/static/js/charts.js + the vendored Vega runtime)
as a reader's browser meets it: Debian's Chromium, a fixture site served under a
sub-path by a local server, and the strict CSP of the brief.

The fixture site (tests/fixtures/browser/fixture_site.py) is built per session from
Vega-Lite specs with vl-convert; the reusable checks live in
tests/fixtures/browser/chart_checks.py (`audit_chart_page` can be pointed at the real
site's chart pages).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import vl_convert

HERE = Path(__file__).resolve().parents[1]  # tests/
sys.path.insert(0, str(HERE / "fixtures" / "browser"))

import chart_checks as cc  # noqa: E402
from conftest import SiteServer  # noqa: E402
from fixture_site import PAYLOADS, TITLES, build_fixture_site  # noqa: E402

ROOT = HERE.parent
VENDOR = ROOT / "theme" / "static" / "vendor"
NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory):
    site = build_fixture_site(tmp_path_factory.mktemp("charts-browser") / "site")
    server = SiteServer(site, "/energy-front/")
    yield server
    server.stop()


@pytest.fixture
def open_page(browser):
    sessions = []

    def opener(url, **options):
        session = cc.open_page(browser, url, **options)
        sessions.append(session)
        return session

    yield opener
    for session in sessions:
        session.close()


def spec_requests(session):
    return [r for r in session.requests if "vega-runtime" in r or r.endswith(".vg.json")]


def assert_quiet(session):
    """What a healthy page must never do."""
    assert session.foreign == [], "requests to other hosts"
    assert session.csp_violations() == []
    assert session.page_errors == []
    assert session.messages("error") == []
    assert session.messages("warning") == []
    assert session.dialogs == []


def test_static_chart_shows_without_javascript(fixture_server, open_page):
    s = open_page(fixture_server.url, javascript=False)
    for fid in cc.chart_ids(s.page):
        s.page.locator(f"#{fid} .chart-frame").scroll_into_view_if_needed()
        s.page.wait_for_function(
            "(id) => { const i = document.querySelector(`#${id} img`); return i.complete && i.naturalWidth > 0; }",
            arg=fid)
        assert cc.static_image_shown(s.page, fid), fid
        assert s.page.locator(f"#{fid} .chart-view").count() == 0
        assert s.page.locator(f"#{fid} details").is_visible()
    assert spec_requests(s) == []
    assert s.foreign == []


def test_nothing_loads_until_a_chart_is_near_the_viewport(fixture_server, open_page):
    s = open_page(fixture_server.url)
    cc.wait_for_idle_load(s.page)  # all the page does before the reader scrolls
    assert spec_requests(s) == [], "fetched before any chart was near the viewport"
    assert s.page.locator(".chart-view").count() == 0

    assert cc.scroll_to_and_settle(s.page, "chart-payload") == "interactive"
    fetched = spec_requests(s)
    assert fixture_server.url + "theme/vendor/vega-runtime.min.js" in fetched
    assert fixture_server.url + "charts/payload/payload.fr.vg.json" in fetched
    # The English chart is further down the page: still not fetched.
    assert not any("payload.en" in r for r in fetched)

    assert cc.scroll_to_and_settle(s.page, "chart-payload-en") == "interactive"
    assert sum("vega-runtime" in r for r in s.requests) == 1, "the runtime is loaded once per page"
    # The runtime is the Vega that compiled the static charts.
    assert s.page.evaluate("vegaRuntime.vegaVersion") == vl_convert.get_vega_version()
    assert_quiet(s)


def test_upgrade_moves_nothing(fixture_server, open_page):
    for viewport in [(800, 700), (320, 640)]:
        s = open_page(fixture_server.url, viewport=viewport)
        cc.wait_for_idle_load(s.page)  # fonts and pictures in place before the boxes are read
        for fid in cc.chart_ids(s.page):
            before = cc.page_box(s.page, f"#{fid}")
            assert cc.scroll_to_and_settle(s.page, fid) == "interactive"
            assert cc.page_box(s.page, f"#{fid}") == before, f"{fid} moved at {viewport}"
            assert cc.view_covers_image(s.page, fid), f"{fid} view off the image box at {viewport}"
            # The static picture keeps its box, invisible, under the live view.
            assert s.page.eval_on_selector(f"#{fid} picture", "p => getComputedStyle(p).visibility") == "hidden"
            assert s.page.locator(f"#{fid} details").is_visible()
        assert s.layout_shifts() == []
        assert_quiet(s)
    # Turning a phone or resizing the window: the view follows the image's box.
    s.page.set_viewport_size({"width": 600, "height": 700})
    cc.wait_for_views_to_cover_images(s.page)  # fails (timeout) if a view stays off its image
    assert all(cc.view_covers_image(s.page, fid) for fid in cc.chart_ids(s.page))


def test_tooltip_shows_payloads_as_text_in_french(fixture_server, open_page):
    s = open_page(fixture_server.url)
    cc.scroll_to_and_settle(s.page, "chart-payload")
    bars = s.page.locator("#chart-payload .chart-view svg g.mark-rect path")
    assert bars.count() == len(PAYLOADS)
    expected_values = [f"1{NNBSP}234,5{NBSP}€", f"2{NNBSP}345,0{NBSP}€", f"987,3{NBSP}€"]
    for k, payload in enumerate(PAYLOADS):
        assert bars.nth(k).get_attribute("opacity") == "0.65"
        tip = cc.hover_tooltip(s.page, "chart-payload", "g.mark-rect path", index=k, tries=1)
        assert tip is not None, f"no tooltip on bar {k}"
        assert tip["cells"][:4] == ["label", payload, "value", expected_values[k]]
        assert set(tip["tags"]) <= {"table", "tbody", "tr", "td"}, tip["html"]
        # The hover highlight: the hovered bar is drawn at full opacity.
        assert bars.nth(k).get_attribute("opacity") == "1"
    assert tip["cells"][4:] == ["date", "23 nov. 2022"]
    # The sanitizer escapes every HTML-significant character (vega-tooltip's own
    # escapes only & and <), and a data-driven `image` never becomes a request.
    assert s.page.evaluate("vegaRuntime.escapeHTML(`&<>\"'`)") == "&amp;&lt;&gt;&quot;&#39;"
    s.page.evaluate("""() => vegaRuntime.createTooltip().call(null, {clientX: 5, clientY: 5}, null,
                         {image: 'https://tracker.invalid/x.png', note: '<b>bold</b>'})""")
    assert s.page.locator("#vg-tooltip-element td.value").inner_text() == "<b>bold</b>"
    assert s.page.locator("#vg-tooltip-element img").count() == 0
    s.page.keyboard.press("Escape")
    assert not s.page.locator("#vg-tooltip-element").is_visible()
    assert not any(re.search(r"/x$", r) for r in s.requests), "the <img src=x> payload was loaded"
    assert s.page.evaluate("document.querySelectorAll('body script:not([src]), body img[src=\"x\"]').length") == 0
    assert_quiet(s)


def test_english_figure_formats_in_english_and_tooltips_fit_a_phone(fixture_server, open_page):
    s = open_page(fixture_server.url, viewport=(320, 640))
    cc.scroll_to_and_settle(s.page, "chart-payload-en")
    for k in range(len(PAYLOADS)):
        tip = cc.hover_tooltip(s.page, "chart-payload-en", "g.mark-rect path", index=k, tries=1)
        assert tip["inside"], f"tooltip {k} is partly off-screen at 320 px"
        if k == 0:
            assert tip["cells"] == ["label", PAYLOADS[0], "value", "€1,234.5", "date", "Oct 10, 2022"]
    assert_quiet(s)


def test_a_locale_in_the_spec_wins_over_the_page_language(fixture_server, open_page):
    s = open_page(fixture_server.url + "own-locale.html")
    assert cc.scroll_to_and_settle(s.page, "chart-ownlocale") == "interactive"
    tip = cc.hover_tooltip(s.page, "chart-ownlocale", "g.mark-rect path", index=0, tries=1)
    assert tip["cells"][2:4] == ["value", "1.234,5 EUR"]
    assert tip["cells"][5] == "10 oct. 2022"  # no time locale in the spec: French from data-lang
    assert_quiet(s)


def test_every_mark_and_transform_renders(fixture_server, open_page):
    s = open_page(fixture_server.url)
    assert cc.scroll_to_and_settle(s.page, "chart-coverage") == "interactive"
    svg = "#chart-coverage .chart-view svg"
    for mark in ["area", "line", "symbol", "rule", "rect", "text"]:
        assert s.page.locator(f"{svg} g.mark-{mark}.role-mark").count() >= 1, mark
    # Drawn, not just declared: heatmap cells and their labels, the binned bars.
    assert s.page.locator(f"{svg} g.mark-rect.role-mark path").count() >= 12 + 6 + 2
    assert s.page.locator(f"{svg} g.mark-text.role-mark text").count() == 12
    # Nearest-point hover (voronoi): a tooltip and the hover rule, away from any point.
    assert s.page.locator(f"{svg} g.mark-rule.role-mark line").count() == 0
    tip = cc.hover_tooltip(s.page, "chart-coverage", "g.mark-path.role-mark path")
    assert tip is not None and tip["cells"][0] == "week"
    # (one rule per row of the hovered week: missiles and drones)
    assert s.page.locator(f"{svg} g.mark-rule.role-mark line").count() >= 1
    assert_quiet(s)


def test_view_is_keyboard_reachable_and_named(fixture_server, open_page):
    s = open_page(fixture_server.url)
    cc.scroll_to_and_settle(s.page, "chart-payload")
    s.page.focus("a[href='#chart-payload']")
    for _ in range(5):
        s.page.keyboard.press("Tab")
        if s.page.evaluate("document.activeElement.classList.contains('chart-view')"):
            break
    assert s.page.evaluate("document.activeElement.closest('figure').id") == "chart-payload"
    assert s.page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    node = cc.accessible_node(s, "#chart-payload .chart-view")
    alt = s.page.get_attribute("#chart-payload img", "alt")
    assert node == {"role": "image", "name": TITLES["payload"]["fr"], "description": alt}

    # Arrow keys step through the bars: tooltip, hover highlight and a spoken text.
    bars = s.page.locator("#chart-payload .chart-view svg g.mark-rect path")
    tooltip = s.page.locator("#vg-tooltip-element")
    live = s.page.locator("#chart-payload .chart-live")
    for k in (0, 1):
        s.page.keyboard.press("ArrowRight")
        assert tooltip.is_visible()
        assert PAYLOADS[k] in tooltip.inner_text()
        assert PAYLOADS[k] in live.text_content()
        assert bars.nth(k).get_attribute("opacity") == "1"
        assert bars.nth(1 - k).get_attribute("opacity") == "0.65"
    s.page.keyboard.press("End")
    assert PAYLOADS[2] in live.text_content()
    s.page.keyboard.press("Escape")
    assert not tooltip.is_visible()
    assert bars.nth(2).get_attribute("opacity") == "0.65"
    assert_quiet(s)


def test_dark_mode_uses_the_dark_spec(fixture_server, open_page):
    s = open_page(fixture_server.url, color_scheme="dark")
    cc.scroll_to_and_settle(s.page, "chart-payload")
    cc.scroll_to_and_settle(s.page, "chart-coverage")
    fetched = spec_requests(s)
    assert fixture_server.url + "charts/payload/payload.fr.dark.vg.json" in fetched
    assert fixture_server.url + "charts/payload/payload.fr.vg.json" not in fetched
    assert fixture_server.url + "charts/coverage/coverage.fr.vg.json" in fetched  # it has no dark spec
    background = s.page.eval_on_selector("#chart-payload .chart-view svg", "e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    # A live switch back to light re-renders from the light spec.
    s.page.emulate_media(color_scheme="light")
    s.page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#chart-payload .chart-view svg')).backgroundColor === 'rgb(255, 255, 255)'")
    assert s.page.locator("#chart-payload .chart-view").count() == 1
    assert_quiet(s)


@pytest.mark.parametrize("motion, animation", [("reduce", "none"), ("no-preference", "chart-view-in")])
def test_reduced_motion_has_no_fade(fixture_server, open_page, motion, animation):
    s = open_page(fixture_server.url, reduced_motion=motion)
    cc.scroll_to_and_settle(s.page, "chart-payload")
    assert s.page.eval_on_selector("#chart-payload .chart-view", "e => getComputedStyle(e).animationName") == animation


@pytest.mark.parametrize("path, figure, cause", [
    ("failures/runtime-404.html", "chart-payload", "runtime not found"),
    ("failures/bad-json.html", "chart-broken", "JSON"),
    ("failures/unsupported.html", "chart-unsupported", "Unrecognized transform type"),
])
def test_failure_keeps_the_static_chart(fixture_server, open_page, path, figure, cause):
    s = open_page(fixture_server.url + path)
    assert cc.scroll_to_and_settle(s.page, figure) == "failed"
    s.page.wait_for_function(f"() => document.querySelector('#{figure} img').naturalWidth > 0")
    assert cc.static_image_shown(s.page, figure)
    assert s.page.locator(f"#{figure} .chart-view").count() == 0
    assert s.page.locator(f"#{figure} details").is_visible()
    warnings = s.messages("warning")
    assert len(warnings) == 1 and cause in warnings[0], warnings
    assert s.page_errors == [], "uncaught errors"
    # Only the browser's own note about the missing file, never an error of ours.
    assert all("404" in e and "Failed to load resource" in e for e in s.messages("error"))
    assert bool(s.messages("error")) == ("404" in path)
    assert s.csp_violations() == [] and s.foreign == []


def test_one_broken_chart_does_not_break_the_others(fixture_server, open_page):
    s = open_page(fixture_server.url + "failures/bad-json.html")
    assert cc.scroll_to_and_settle(s.page, "chart-broken") == "failed"
    assert cc.scroll_to_and_settle(s.page, "chart-healthy") == "interactive"
    assert cc.hover_tooltip(s.page, "chart-healthy", "g.mark-rect path") is not None


def test_the_page_audit_passes_here_and_catches_failures(fixture_server, browser):
    assert cc.audit_chart_page(browser, fixture_server.url) == []
    problems = cc.audit_chart_page(browser, fixture_server.url + "failures/unsupported.html")
    assert len(problems) == 1 and "did not become interactive (state 'failed')" in problems[0]


def test_vendored_runtime_carries_its_licences():
    runtime = (VENDOR / "vega-runtime.min.js").read_text(encoding="utf-8")
    licences = (VENDOR / "LICENSES.txt").read_text(encoding="utf-8")
    listed = re.findall(r"^(\S+)@(\d\S*) \((\S+)\)$", licences, re.M)
    names = {name for name, _, _ in listed}
    assert {"vega-view", "vega-parser", "vega-interpreter", "vega-tooltip", "d3-delaunay"} <= names
    assert not any(n.startswith("vega-lite") for n in names)
    assert "LICENSES.txt" in runtime.splitlines()[0]
    for name, version, _ in listed:
        assert f"{name}@{version}" in licences and "Copyright" in licences.split(f"{name}@{version}", 1)[1][:4000]


@pytest.mark.slow
def test_runtime_rebuilds_byte_identical():
    """`invoke bundle-js --check` in-process: needs theme/js/node_modules (npm ci there)."""
    js = ROOT / "theme" / "js"
    if not (js / "node_modules" / "esbuild").is_dir():
        pytest.skip("theme/js/node_modules is not installed; `invoke bundle-js` installs it")
    result = subprocess.run(["node", "build.mjs", "--check"], cwd=js, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", ["defense-aerienne-armes-lourdes/", "en/front-energetique/"])
def test_the_real_chart_articles_pass_the_page_audit(site_server, browser, path):
    """The same promises on the real site, served under its sub-path: nothing loads early,
    every chart becomes interactive without moving, dark specs exist, no foreign request."""
    assert cc.audit_chart_page(browser, site_server.url + path) == []
