"""Shared fixtures: one real build of the site per test session, a local server for it,
and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins"))

import tasks  # noqa: E402
from tools.server import ServerProcess, free_port  # noqa: E402,F401 (free_port: the tests')

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
SUBPATH = "/energy-front/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once with the development settings (relative URLs)."""
    out = tmp_path_factory.mktemp("site") / "output"
    tasks.build_site(output=out, quiet=True)
    return out


def copy_drawn(cache: str, into: Path) -> None:
    """Copy the project's .cache/<cache> (the real charts' renders, the cards, a store) to ``into``, if
    there is one, leaving out the entries being written: the names starting with a dot (a
    chart's staging or trash folder, a card's temporary file), which another test process may
    rename away while this one copies (the suite runs in several processes)."""
    import shutil

    if (ROOT / ".cache" / cache).is_dir():
        shutil.copytree(ROOT / ".cache" / cache, into, ignore=shutil.ignore_patterns(".*"))


# The project's stores whose entries are found by what they were made from, not by where the
# project is: a copy of the content in another folder finds them (each entry is checked when
# it is read, as any cache restored from elsewhere).
SEEDED = ("charts", "cards", "prepared", "datasets", "values")


def copy_content(content: Path) -> Path:
    """The project's content/ copied to ``content``, and the copy's cache (``.cache`` beside
    it, where a build of that content keeps its own) started with the project's rendered and
    prepared charts, cards, dataset verdicts and values: a build of the copy redoes what the
    test changed, not the whole site (about 15 s of drawing, validating and preparing). For
    the tests whose subject is the site a build writes, not what its caches do."""
    import shutil

    shutil.copytree(ROOT / "content", content)
    seed_cache(content.parent)
    return content


def seed_cache(root: Path, stores=SEEDED) -> None:
    """Start the cache of a copy of the project in ``root`` (``root/.cache``) with the
    project's entries of :data:`SEEDED` (see :func:`copy_content`). On a fresh clone the
    project's ``.cache`` fills with the first build of the real site (``built_site``): a file
    that copies early in the run asks for the ``project_cache`` fixture."""
    import shutil

    for cache in stores:
        try:
            copy_drawn(cache, root / ".cache" / cache)
        except shutil.Error:
            pass  # an entry another test process removed meanwhile: only a miss for this build


def drawn_corpus(into: Path, articles: int, stores=SEEDED) -> dict:
    """A synthetic corpus (tools/bench/corpus.py, no extra charts) whose .cache starts with the
    project's charts and cards already drawn and prepared (``seed_cache``): the copies spare a
    test the drawing. Its builds validate, prepare and draw in their own process
    (``DATADESK_CHARTS_WORKERS = 1``, as the preview's later builds do): for the few files a
    small corpus has to redo, starting two
    worker processes costs more processor time than the work (a third of these tests' time),
    and the suite already runs one test process per core. The worker processes are tested
    where they are the subject: test_chart_workers, test_card_drawing, test_article_cache
    and the benchmark's test. ``stores``: the stores seeded (a test of what a cold build
    does keeps only the drawings: ``("charts", "cards")``)."""
    from tools.bench.corpus import make_corpus

    corpus = make_corpus(ROOT, into, articles=articles, charts=0)
    with open(corpus["settings"], "a", encoding="utf-8") as settings:
        settings.write("DATADESK_CHARTS_WORKERS = 1\n")
    seed_cache(corpus["project"], stores)
    return corpus


def own_theme(corpus: dict, into: Path) -> Path:
    """Give a drawn_corpus its own copy of the project's theme (its settings point there), so
    that a test may edit a template without touching the project's."""
    import shutil

    theme = into / "theme"
    shutil.copytree(ROOT / "theme", theme, ignore=shutil.ignore_patterns("node_modules"))
    with open(corpus["settings"], "a", encoding="utf-8") as settings:
        settings.write(f"THEME = {str(theme)!r}\n")
    return theme


def build_report(project: Path) -> dict:
    """What the last build of the project in ``project`` says it did (the data desk's
    ``.cache/last-build.json``: files converted, pages written, charts drawn…)."""
    return json.loads((project / ".cache" / "last-build.json").read_text(encoding="utf-8"))


def output_files(output: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file of ``output``: its inode, mtime and bytes (what a build that keeps a file
    leaves as it was)."""
    found = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            info = path.stat()
            found[path.relative_to(output).as_posix()] = (info.st_ino, info.st_mtime_ns, path.read_bytes())
    return found


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its path relative to it (POSIX): its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pagefind_index(site: Path, pages, beside: Path) -> dict[str, bytes]:
    """The bytes of the index Pagefind makes of ``pages`` (paths relative to ``site``), its
    entry sorted as the build puts it in place (plugins/search); its mirror goes beside
    ``beside``, and nothing of the run is left."""
    from search.search import Indexing, sort_entry

    run = Indexing(site, "pagefind", pages, beside=beside)
    try:
        made = run.wait()
        sort_entry(made / "pagefind-entry.json")
        return file_bytes(made)
    finally:
        run.done()


def file_digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by its path relative to it (POSIX): its SHA-256."""
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fail_with_a_broken_article(corpus: dict, output: Path) -> None:
    """One `invoke build` of a drawn_corpus with an article placing a chart that does not
    exist: it must fail naming the chart. The article is removed again afterwards."""
    from tools.build import BuildFailed, build_site

    broken = corpus["article"].with_name("casse.fr.md")
    broken.write_text("Title: Cassé\nDate: 2022-12-02\nSlug: casse\nLang: fr\nCategory: Énergie\n\n"
                      "Texte {{ chart nulle_part }}.\n", encoding="utf-8")
    try:
        with pytest.raises(BuildFailed, match="nulle_part"):
            build_site(settings=str(corpus["settings"]), output=output, quiet=True)
    finally:
        broken.unlink()


def wait_until(check, timeout: float, waiting_for: str, every: float = 0.1):
    """Poll check() until it returns something true, and return that; after timeout seconds
    fail naming what was awaited (and what check() last raised, if it raised)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            result = check()
            if result:
                return result
        except OSError as exc:  # a server not up yet, a file being replaced
            last = exc
        if time.monotonic() >= deadline:
            pytest.fail(f"waited {timeout:g} s for {waiting_for}"
                        + (f" (last error: {last})" if last else ""), pytrace=False)
        time.sleep(every)  # the polling interval, not a wait for something to happen


# What a browser test waits for before it reads the page: no chart upgrade in progress, the
# fonts loaded, and no finite animation still running (the charts' fade-in).
PAGE_SETTLED = """() => document.readyState === 'complete'
  && document.fonts.status === 'loaded'
  && !document.querySelector('[data-vega-state="loading"]')
  && document.getAnimations().every(a => a.playState !== 'running'
       || !a.effect || a.effect.getComputedTiming().endTime === Infinity)"""
TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def settle(page, timeout: float = 15_000, quiet: float = 500) -> None:
    """Wait until the page has nothing left to do that a test could see: no new request for
    `quiet` ms (Playwright's own definition of an idle network), no chart upgrading, fonts
    loaded, animations done, then two painted frames so that observers, queued events
    (CSP reports) and layout have run."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            page.wait_for_event("request", timeout=quiet)
        except PlaywrightTimeout:
            break  # quiet for `quiet` ms
        if time.monotonic() > deadline:
            pytest.fail(f"{page.url} kept making requests for {timeout / 1000:g} s", pytrace=False)
    page.wait_for_function(PAGE_SETTLED, timeout=timeout)
    page.evaluate(TWO_FRAMES)


class SiteServer(ServerProcess):
    """A built site served by the project's static server (tools/server.py) in its own
    process, started at once, stopped by PID (``stop()``)."""

    def __init__(self, directory: Path, prefix: str = "/"):
        super().__init__(directory, prefix)
        self.start()


PUBLISHED_URL = tasks.GOLDEN_ENV["SITEURL"]


@pytest.fixture(scope="session")
def project_cache(built_site) -> Path:
    """The project's ``.cache``, filled by a build of the real site (``built_site``, once per
    test process): for the copies ``seed_cache`` starts from it."""
    return ROOT / ".cache"


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Path:
    """The real site built once with publishconf.py, SITEURL=https://example.org/energy-front
    and no repository address: the settings of the golden output (tasks.GOLDEN_ENV)."""
    out = tmp_path_factory.mktemp("published") / "output"
    tasks.build_site(settings="publishconf.py", output=out, quiet=True, env=tasks.GOLDEN_ENV)
    return out


@pytest.fixture(scope="session")
def site_server(built_site):
    """The built site served under a sub-path, as GitHub project pages serve it."""
    server = SiteServer(built_site, SUBPATH)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `python3 bootstrap.py test`, which installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    yield page
    context.close()


# --- markers: `invoke test --fast` runs `-m "not slow"` --------------------------------------
#
# slow:    builds a site (the real one or a fixture), starts a server or a browser, or runs an
#          external tool (pagefind, vnu, axe, Lighthouse, npm, a subprocess build).
# browser: drives Chromium (always slow too).
# A test is marked by the fixtures it uses (below) or by an explicit @pytest.mark.slow (a test
# that builds by itself, or a module-level `pytestmark`). In a fast run a test that is not
# marked but calls the build runner fails, saying to mark it: the fast part stays fast.

MARKERS = {
    "slow": "needs a site build, a server, a browser or an external tool; "
            "`invoke test --fast` leaves these out",
    "browser": "drives Chromium through Playwright (also slow)",
}
# fixtures that build a site, serve one or start a browser, in this file or in a test module
BROWSER_FIXTURES = {"browser", "page", "open_page"}
SLOW_FIXTURES = BROWSER_FIXTURES | {
    "built_site", "published_site", "site_server", "published", "broken",
    "fixture_build", "fixture_site", "fixture_server", "chart_pages", "hostile_site",
    "hostile_server", "mistakes_report", "mistake_builds", "shared_builds", "guide_site",
    "report", "curated", "article_corpus", "small_corpus", "incremental_site", "store_builds",
    "fingerprint_site", "card_builds", "worker_builds", "broken_pool", "placeholder_corpus",
    "parted_site",
}


def pytest_configure(config):
    for name, help_text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {help_text}")


# The longest test files (each over a minute and a half of one process), started first: the
# suite runs in several processes, one file per process at a time (`invoke test`:
# pytest-xdist's --dist loadfile), so a long file started last would leave the other processes
# idle at the end. Only the order changes; every file is independent of the others.
LONGEST_FIRST = ("tests/tools/test_bench.py", "tests/tools/test_fastpath.py",
                 "tests/datadesk/test_article_cache.py", "tests/site/test_charts_layout.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = Path(str(item.fspath)).resolve().relative_to(ROOT).as_posix()
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within a file and among the others is kept
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser") or used & SLOW_FIXTURES:
            if not item.get_closest_marker("slow"):
                item.add_marker(pytest.mark.slow)


def fast_run(config) -> bool:
    """True when the run leaves the slow tests out (`-m "not slow"`, as `invoke test --fast`)."""
    expression = config.getoption("markexpr", "") or ""
    return "not slow" in " ".join(expression.split())


@pytest.fixture(autouse=True)
def _builds_are_marked_slow(request, monkeypatch):
    """In a fast run, an unmarked test that calls the build runner fails with the fix."""
    if request.node.get_closest_marker("slow") or not fast_run(request.config):
        yield
        return

    def refuse(*args, **kwargs):
        pytest.fail(f"{request.node.nodeid} builds a site but is not marked slow: add "
                    "@pytest.mark.slow so that `invoke test --fast` leaves it out.",
                    pytrace=False)

    monkeypatch.setattr(tasks, "build_site", refuse)
    yield
