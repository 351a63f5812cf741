"""The preview's fast path: when an editor saves an article and only its body changed, the
preview writes that article's page again at once, from what its last build knows, and the
browser shows it; the whole site is then built again behind it (tools/preview.py).

A body edit changes the article's own page; lists, related stories and the other
language's page show its title, date, summary, section and tags, never its body. So the
page is rendered again with the last build's templates, settings and article lists, the
edited article read anew, and put in place by an atomic rename. What else shows the body
catches up in the full build that follows when the editor pauses: the feeds' entries,
the search index, and the dataset pages when the body starts or stops quoting a dataset.
Anything else (a header field, the summary, a chart placed or removed, a file that does
not read cleanly, a page rather than an article, several files at once) is left to the
full build, which stays the reference: tests/tools/test_fastpath.py checks that a patched
page is byte-identical to the one a full build writes.

A saved CSV (:func:`patch_data`) writes again the pages the editor is looking at whose inline
values read that dataset, with the values computed anew: the kept conversions hold
placeholders for them (plugins/datadesk/placeholders.py), so no article is converted; a
chart of that dataset placed on such a page is prepared and drawn again first, in that
page's language only (below).

A saved chart definition (:func:`patch_chart`) is prepared and drawn again, in the languages
of the pages to write, by the build's own code (a ``SiteCharts`` of a new desk over the kept
state: every other chart comes from the prepared store, the edited one misses it); its
files (pictures, Vega JSON, CSV extract) and its embed page are put in output/ beside the
pages that place it, which are written again. A chart that no longer builds writes
nothing: the preview shows the build's own messages for the pages it would have written
(:class:`Failed`), and the full build that follows gives the complete list.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import shutil
import tempfile
from itertools import chain
from pathlib import Path
from types import SimpleNamespace

CHART_IDS = re.compile(r'data-chart-id="([^"]+)"')
# What other pages show of an article: when any differs, the fast path steps aside.
SHOWN = ("title", "slug", "lang", "date", "modified", "status", "template", "save_as", "url",
         "summary", "category", "tags", "authors", "datasets", "translation")


class LastBuild:
    """What the preview keeps of its last successful build, until the next build starts: each
    language run's article generator (its articles, context, templates and readers) and where
    its files went."""

    def __init__(self):
        self.runs: dict[str, tuple[object, Path]] = {}  # lang -> (generator, folder under output/)
        # lang -> charts (SiteCharts) some of which were prepared from earlier data than the
        # files' (the CSV fast path's): they fill the figures of articles read again only for
        # their Summary, which no page written shows.
        self.reading: dict[str, object] = {}
        self._pending: dict[str, tuple[object, Path]] = {}
        self._staging: Path | None = None

    @contextlib.contextmanager
    def observe(self, staging: Path):
        """Around one build into ``staging``: note each language run's generator."""
        from pelican import signals

        self._pending, self._staging = {}, Path(staging)

        def noted(generator, writer):
            try:
                where = Path(writer.output_path).resolve().relative_to(self._staging.resolve())
            except ValueError:
                return
            self._pending[generator.settings["DEFAULT_LANG"]] = (generator, where)

        signals.article_writer_finalized.connect(noted)
        try:
            yield
        finally:
            signals.article_writer_finalized.disconnect(noted)

    def succeeded(self) -> None:
        """The observed build was swapped in: it is now the one the fast path patches."""
        self.runs, self._pending, self.reading = self._pending, {}, {}

    def failed(self) -> None:
        """The observed build failed: nothing is kept (the previous build's state was let go
        when this one started, tools/build.py), so the fast path waits for a build that
        succeeds, as the preview does after a failure."""
        self._pending = {}

    def forget(self) -> None:
        """Let the kept build go (tools/build.py does, before each build: two builds' states
        never coexist), and the charts kept for reading."""
        self.runs, self.reading = {}, {}


class Failed(Exception):
    """The saved file cannot be built: the message is the build's own report for the pages the
    fast path would have written (the full build that follows reports every page). Nothing
    was written."""


class _Problems(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _workspace(output: Path):
    """What a fast path works in: the problems logged meanwhile (any gives way to the full
    build) and a staging folder beside output/, both removed when it ends."""
    problems = _Problems()
    root = logging.getLogger()
    root.addHandler(problems)
    work = Path(tempfile.mkdtemp(prefix=".fastpath-", dir=Path(output).parent))
    try:
        yield problems, work
    finally:
        root.removeHandler(problems)
        shutil.rmtree(work, ignore_errors=True)


def _articles(generator):
    return chain(generator.articles, generator.translations, generator.hidden_articles,
                 generator.hidden_translations, generator.drafts, generator.drafts_translations)


def _shown(article, name: str):
    value = getattr(article, name, None)
    if name in ("tags", "authors"):
        return [str(v) for v in value or []]
    if name == "category":
        return str(value) if value is not None else None
    if name in ("datasets", "translation"):
        return article.metadata.get(name)
    return value


def patch(last: LastBuild, changed: set[Path], output: Path) -> str | None:
    """Write the page of the one edited article again, in place, when only its body changed.
    Returns the page's path under ``output`` (None: a full build is needed; nothing was
    written)."""
    from pelican.contents import Article
    from pelican.readers import SkipStub  # noqa: F401  (what a refused file reads as)

    if len(changed) != 1 or not last.runs:
        return None
    path = next(iter(changed)).resolve()
    if path.suffix != ".md" or not path.is_file():
        return None
    found = [(lang, generator, where, article) for lang, (generator, where) in last.runs.items()
             for article in _articles(generator)
             if Path(article.source_path).resolve() == path and article.lang == lang]
    if len(found) != 1:
        return None
    lang, generator, where, old = found[0]
    target = Path(output) / where / old.save_as
    if not target.is_file():
        return None

    with _workspace(output) as (problems, work):
        try:
            new = _read_again(generator, path)
        except Exception:  # noqa: BLE001 (the full build reports it, with file and line)
            return None
        if not isinstance(new, Article) or not new.is_valid() or problems.messages:
            return None
        if any(_shown(new, name) != _shown(old, name) for name in SHOWN):
            return None
        if set(CHART_IDS.findall(new._content)) != set(CHART_IDS.findall(old._content)):
            return None  # a chart placed or removed: its files and embed page
        # The old article as the build left it (its translations, corrections, the
        # addresses i18n_subsites gave it), with the new body: all that changed.
        fresh, new = new, copy.copy(old)
        new._content = fresh._content
        _write_page(generator, new, work)
        written = work / new.save_as
        if problems.messages or not written.is_file():
            return None
        if written.read_bytes() != target.read_bytes():
            os.replace(written, target)
        _replace(generator, old, new)
        return str((Path(where) / new.save_as).as_posix())


def _read_again(generator, source_path) -> object:
    """The file read again by the last build's readers, with the signals the article
    generator sends (the plugins' hooks run as in the build)."""
    from pelican import signals
    from pelican.contents import Article

    return generator.readers.read_file(
        base_path=generator.path, path=os.path.relpath(source_path, generator.path),
        content_class=Article, context=generator.context,
        preread_signal=signals.article_generator_preread, preread_sender=generator,
        context_signal=signals.article_generator_context, context_sender=generator)


def _reread(generator, article, problems, Article, summary: bool = False):
    """``article`` as the kept build has it (its translations, corrections, the addresses
    i18n_subsites gave it) with its body read again (and its summary, with ``summary``: a CSV
    cell a summary shows), as a copy; None when the file does not read cleanly (the full
    build reports it, with file and line)."""
    try:
        fresh = _read_again(generator, article.source_path)
    except Exception:  # noqa: BLE001 (the full build reports it)
        return None
    if not isinstance(fresh, Article) or problems.messages:
        return None
    new = copy.copy(article)
    new._content = fresh._content
    if summary:
        new.metadata = {**article.metadata, "summary": fresh.metadata["summary"]}
        if hasattr(fresh, "_summary"):
            new._summary = fresh._summary
    return new


def _write_page(generator, article, folder: Path) -> None:
    """The article's page written under ``folder`` as the article generator writes it."""
    from pelican.writers import Writer

    writer = Writer(str(folder), settings=generator.settings)
    extra = {"all_articles": generator.articles} if article.status == "draft" else {}
    writer.write_file(article.save_as, generator.get_template(article.template), generator.context,
                      article=article, category=getattr(article, "category", None),
                      override_output=hasattr(article, "override_save_as"), blog=True,
                      relative_urls=generator.settings["RELATIVE_URLS"], url=article.url, **extra)


def _replace(generator, old, new) -> None:
    """The patched article stands for the old one in the kept build (a second edit of the
    same file compares with this one)."""
    for name in ("articles", "translations", "hidden_articles", "hidden_translations",
                 "drafts", "drafts_translations"):
        items = getattr(generator, name)
        for index, item in enumerate(items):
            if item is old:
                items[index] = new


# A CSV saved: at most this many pages are written at once when the preview does not know
# which page the editor is looking at (the full build follows when the editor pauses).
UNSEEN_LIMIT = 12


CHART_SUFFIXES = (".py", ".yaml", ".yml")  # a chart's definition (charts/definitions.py: find)


def page_address(where: Path | str, save_as: str) -> str:
    """The address a browser shows for a page written at ``where/save_as`` under output/:
    ``/en/essai-0001/`` for ``en/essai-0001/index.html``."""
    path = "/" + (Path(where) / save_as).as_posix().lstrip("./")
    return path[: -len("index.html")] if path.endswith("/index.html") else path


def update(last: LastBuild, changed: set[Path], output: Path, viewed=frozenset()) -> str | None:
    """The preview's fast path for one saved file: an article's body (:func:`patch`), a
    dataset's CSV (:func:`patch_data`) or a chart's definition (:func:`patch_chart`). None: a
    full build is needed; nothing was written. :class:`Failed`: the file does not build (its
    message is the build's), nothing was written."""
    try:
        page = patch(last, changed, output)
        if page is None and len(changed) == 1 and next(iter(changed)).suffix == ".csv":
            page = patch_data(last, changed, output, viewed)
        if page is None and len(changed) == 1 and next(iter(changed)).suffix in CHART_SUFFIXES:
            page = patch_chart(last, changed, output, viewed)
        return page
    finally:  # a chart prepared when a page was read may have started the desk's worker processes
        from datadesk import DESK_KEY

        for generator, _where in last.runs.values():
            desk = generator.settings.get(DESK_KEY)
            if desk is not None:
                desk.close()


def _datasets_of(entry: dict, in_summary: bool = False) -> set[str]:
    """The datasets the values of a kept conversion read (only those in its Summary)."""
    if not in_summary:  # noted by the conversion (datadesk/articles.py: Recorder.shortcode)
        return {effect[2] for effect in (entry or {}).get("effects", []) if effect[0] == "used"}
    from datadesk.values import query

    found = set()
    for slot in (entry or {}).get("slots", {}).values():
        if slot["name"] == "value" and not slot["line"]:
            try:
                found.add(query.parse(slot["args"]).dataset)
            except Exception:  # noqa: BLE001 (a kept conversion parsed it once; the full build says it)
                continue
    return found


def _swap(container, swaps: dict, depth: int = 0) -> None:
    """Put each new content object in place of the old one in the lists of ``container``
    (the generator's context, discovery's newest articles), so the page rendered shows them."""
    if depth > 4:
        return
    if isinstance(container, list):
        for index, item in enumerate(container):
            if id(item) in swaps and swaps[id(item)][0] is item:
                container[index] = swaps[id(item)][1]
            elif isinstance(item, (list, tuple, dict)):
                _swap(item, swaps, depth + 1)
    elif isinstance(container, tuple):
        for item in container:
            if isinstance(item, (list, tuple, dict)):
                _swap(item, swaps, depth + 1)
    elif isinstance(container, dict):
        for value in container.values():
            if isinstance(value, (list, tuple, dict)):
                _swap(value, swaps, depth + 1)


def patch_data(last: LastBuild, changed: set[Path], output: Path, viewed=frozenset()) -> str | None:
    """A dataset's CSV was saved: compute that dataset's values again and write again, in
    place, the article pages that show them and that the editor is looking at (``viewed``:
    the addresses the preview's open pages reported; when none did, every page showing them
    if there are at most UNSEEN_LIMIT). Returns the first page written (None: a full build is
    needed; nothing was written).

    The saved CSV is validated first (the other datasets' verdicts are kept by their hashes);
    one that fails is left to the full build, which reports it. The kept conversions are read
    again (no article is converted: their values are placeholders, filled with the new
    values), and the articles whose Summary shows the dataset replace the old ones in the
    lists the page shows (related stories, newest stories). A page placing a chart of that
    dataset has that chart prepared and drawn again first, in its language, by the build's
    own code; the chart's files and embed page are put in place with the page (a chart that
    no longer builds is left to the full build, which reports it). The dataset's other
    charts, and those of the other language, are taken as last prepared: they only fill the
    figures of articles read again for their Summary, which no page written shows. Every page is left to the
    full build when an article showing the dataset has no Summary (lists would show a
    summary cut from its body) or shows one of its charts in its Summary. The last build's
    state then reads the new CSV, so a later fast update starts from it."""
    from pelican.contents import Article

    from datadesk import DESK_KEY, DataValidationError
    from datadesk.shortcodes import display_path

    if len(changed) != 1 or not last.runs:
        return None
    path = next(iter(changed)).resolve()
    if path.suffix != ".csv" or not path.is_file():
        return None
    generators = [generator for generator, _where in last.runs.values()]
    old = generators[0].settings.get(DESK_KEY)
    if old is None or any(g.settings.get(DESK_KEY) is not old for g in generators):
        return None
    try:
        catalog = old.catalog(generators[0].settings)
    except DataValidationError:
        return None
    name = next((n for n in catalog.names if Path(catalog.csv_path(n)).resolve() == path), None)
    if name is None:
        return None
    charts = _reading(old, name)

    # What to read again and which pages to write, decided before anything changes. The kept
    # conversions are found by the file's path as Pelican gives it (display_path resolves
    # links, 0.3 ms a file: only for a path not found so).
    root = Path(generators[0].settings.get("PATH", "content")).resolve().parent
    by_source = {os.path.join(root, display): kept for display, kept in old.cache.articles.items()}
    plans = []  # (generator, where, [(article, write its page)])
    for lang, (generator, where) in last.runs.items():
        chosen = []
        for article in _articles(generator):
            kept = (by_source.get(os.path.abspath(article.source_path))
                    or old.cache.articles.get(display_path(article.source_path, generator.settings)))
            if kept is None:
                return None  # not read through the kept conversions: the full build knows
            placing = _placed(article, charts)  # a chart of the dataset: drawn again below
            if name not in _datasets_of(kept[1]) and not placing:
                continue
            if "summary" not in article.metadata or (placing and _in_summary(article, charts)):
                return None  # a summary cut from the body, or showing the chart: the lists would change
            wanted = article.lang == lang and (page_address(where, article.save_as) in viewed if viewed else True)
            if wanted or name in _datasets_of(kept[1], in_summary=True):
                chosen.append((article, wanted))
        plans.append((generator, where, chosen))
    pages = sum(wanted for _g, _w, chosen in plans for _a, wanted in chosen)
    if not pages or (not viewed and pages > UNSEEN_LIMIT):
        return None

    # A new desk over the same kept state, whose snapshot reads the saved CSV.
    desk = _new_desk(old)
    try:
        for generator in generators:
            desk.catalog(generator.settings)  # the saved CSV validated (the others' verdicts are kept)
    except DataValidationError:
        return None
    # The charts of the dataset placed on the pages written are prepared and drawn again, in
    # those pages' languages (the build's own code); every other chart of the dataset is
    # taken as this process last prepared it: the articles read again only for their Summary
    # (what lists show: no chart) need their figures filled, not up to date.
    needed: dict[str, set] = {}  # lang -> the charts of the dataset placed on a page written in it
    drawn = {}  # (generator, where) -> the charts of the dataset its written pages place
    for generator, where, chosen in plans:
        for article, wanted in chosen:
            placing = _placed(article, charts) if wanted else set()
            if placing:
                needed.setdefault(article.lang, set()).update(placing)
                drawn.setdefault((generator, where), set()).update(placing)
    writing = {article.lang for _g, _w, chosen in plans for article, wanted in chosen if wanted}
    desk.charts, borrowed = {}, set()
    for generator, _where, chosen in plans:
        for article, _wanted in chosen:
            lang = article.lang
            # The desk's own charts are up to date but for the dataset's; the sets kept for
            # reading only (LastBuild.reading) may not be, so no page written reads them.
            earlier = old.charts.get(lang) or (last.reading.get(lang) if lang not in writing else None)
            if lang not in desk.charts and lang not in needed and earlier is not None:
                desk.charts[lang] = earlier  # as last prepared: none prepared or drawn again
                borrowed.add(lang)
            elif lang not in desk.charts and CHART_IDS.search(article._content):
                try:
                    site = _site_charts(desk, generator.settings, lang, frozenset(needed.get(lang, ())))
                except DataValidationError:
                    return None
                if needed.get(lang, set()) & set(site.errors):
                    desk.close()
                    return None  # the full build reports it
    with _workspace(output) as (problems, work):
        done = False
        try:
            for generator in generators:
                generator.settings[DESK_KEY] = desk
            written = []
            for generator, where, chosen in plans:
                swaps, write = {}, []
                for article, wanted in chosen:
                    new = _reread(generator, article, problems, Article, summary=True)
                    if new is None:
                        return None
                    swaps[id(article)] = (article, new)
                    if wanted:
                        write.append(new)
                for found in (generator.context, generator.settings.get("discovery_build") or {}):
                    _swap(found, swaps)
                for article, new in swaps.values():
                    _replace(generator, article, new)
                for new in write:
                    folder = work / str(len(written))
                    _write_page(generator, new, folder)
                    target = Path(output) / where / new.save_as
                    if problems.messages or not (folder / new.save_as).is_file() or not target.is_file():
                        return None
                    written.append((folder / new.save_as, Path(where) / new.save_as, (Path(where) / new.save_as).as_posix()))
            files = []  # the files and embed pages of the charts drawn again, put in place before the pages
            for (generator, where), ids in drawn.items():
                for chart_id in sorted(ids):
                    folder = work / f"chart-{len(files)}"
                    site = desk.charts[generator.settings["DEFAULT_LANG"]]
                    files += [(staged, Path(where) / target, "")
                              for staged, target in _stage_chart(generator, site, chart_id, folder, True)]
            _put(files + written, output)
            for lang, site in old.charts.items():  # the languages no article was read in
                if lang not in desk.charts:
                    desk.charts[lang], borrowed = site, borrowed | {lang}
            for lang in [lang for lang, site in desk.charts.items() if site.stale or (charts and lang in borrowed)]:
                # Not the desk's: a page written later shows its charts up to date (the
                # dataset's are prepared again when next asked for); it serves the next CSV
                # save's articles read only for their Summary.
                last.reading[lang] = desk.charts.pop(lang)
            done = True
            return written[0][2] if written else None
        finally:
            if not done:
                for generator in generators:
                    generator.settings[DESK_KEY] = old
            desk.close()


def _known_charts(desk) -> set[str]:
    """The ids of the charts the kept state knows (the prepared charts of every language, as
    the last build and the fast paths since left them: the desk's own ``charts`` may hold
    only some languages)."""
    return {chart_id for (_lang, chart_id) in desk.cache.prepared}


def _reading(desk, dataset: str) -> set[str]:
    """The ids of the charts that read ``dataset``, as they were last prepared."""
    return {chart_id for (_lang, chart_id), kept in desk.cache.prepared.items() if dataset in (kept[2] or ())}


def _new_desk(old):
    """A new desk over the kept state (the DeskCache: validated data, prepared charts, kept
    conversions), whose snapshot reads the files as they are now."""
    from datadesk import Desk

    desk = Desk(old.settings, old.cache)
    desk.handlers, desk.envs, desk._translations = dict(old.handlers), old.envs, old._translations
    return desk


def _site_charts(desk, settings: dict, lang: str, only: frozenset | None = None):
    """The charts in ``lang`` prepared for ``desk`` by the build's own code (charts.SiteCharts):
    those whose files are unchanged come from the prepared store, the others are prepared and
    drawn now, in this process (DATADESK_CHARTS_WORKERS changes no chart: starting worker
    processes would cost more than the one or two charts take). With ``only``, a chart
    outside it whose data changed is taken as this process last prepared it (``stale``)."""
    from datadesk.charts.charts import SiteCharts

    if lang not in desk.charts:
        desk.charts[lang] = SiteCharts({**settings, "DATADESK_CHARTS_WORKERS": 1}, lang, desk, only=only)
    return desk.charts[lang]


def _placed(article, ids: set) -> set:
    return set(CHART_IDS.findall(article._content)) & ids


def _in_summary(article, ids: set) -> bool:
    """Whether the article's Summary (what lists and feeds show) shows one of the charts ``ids``,
    or is cut from a body that does (no Summary)."""
    if "summary" not in article.metadata:
        return True
    return bool(set(CHART_IDS.findall(str(article.metadata["summary"]))) & ids)


def _stage_chart(generator, site, chart_id: str, work: Path, embed: bool) -> list[tuple[Path, str]]:
    """A chart's published files (charts.ChartsGenerator.generate_output: its drawn files from
    the render cache, each checked against the SHA-256 the cache recorded, and its embed
    page) staged under ``work``: [(staged file, path under the language site's folder)]."""
    import hashlib

    from datadesk.charts.charts import ChartsGenerator
    from pelican.writers import Writer

    out = site.conf["DATADESK_CHARTS_OUTPUT_DIR"].strip("/")
    built = site.builds[chart_id]
    meta = site.cache.get(built.key, f"{chart_id} ({site.lang})")  # the entry checked, with its checksums
    if meta is None or meta["files"] != site.metas[chart_id]["files"]:
        raise OSError(f"the drawn files of {chart_id} ({site.lang}) are no longer in the chart cache")
    staged = []
    for name in meta["files"].values():
        data = site.cache.file(built.key, name).read_bytes()
        if hashlib.sha256(data).hexdigest() != meta["sha256"].get(name):  # the bytes copied are the ones checked
            raise OSError(f"{name}: the drawn file does not match its checksum")
        target = f"{out}/{chart_id}/{name}"
        (work / target).parent.mkdir(parents=True, exist_ok=True)
        (work / target).write_bytes(data)
        staged.append((work / target, target))
    if embed and site.conf["DATADESK_CHARTS_EMBED_PAGES"]:
        # The generator's own method, on the language site's context, templates and settings
        # (it gives the page its PNG's size from the render cache, as in the build).
        charts = SimpleNamespace(settings=generator.settings, context={**generator.context, "OUTPUT_PATH": str(work)},
                                 get_template=generator.get_template, site=site)
        save_as = f"{out}/{chart_id}/index.html"
        ChartsGenerator._embed_page(charts, Writer(str(work), settings=generator.settings), chart_id, built, save_as)
        staged.append((work / save_as, save_as))
    return staged


def _embed_address(where, site_conf: dict, chart_id: str) -> str:
    return page_address(where, f"{site_conf['DATADESK_CHARTS_OUTPUT_DIR'].strip('/')}/{chart_id}/index.html")


def _reading_errors(generator, articles, problems) -> list[str]:
    """The build's own messages for ``articles`` read again (a chart's error at each placing,
    as tools/build.py reports a reader's exception)."""
    lines = []
    for article in articles:
        try:
            _read_again(generator, article.source_path)
        except Exception as exc:  # noqa: BLE001 (this is the message wanted)
            text = str(exc).strip()
            if Path(article.source_path).name in text and text not in lines:
                lines.append(text)
    lines += [m for m in problems.messages if m not in lines]
    return lines


def patch_chart(last: LastBuild, changed: set[Path], output: Path, viewed=frozenset()) -> str | None:
    """A chart's definition was saved: prepare and draw that chart again, and write again, in
    place, its files, its embed page and the article pages placing it that the editor is
    looking at (``viewed``; when none did, every page placing it if there are at most
    UNSEEN_LIMIT). Returns the first page written (None: a full build is needed; nothing was
    written). Raises :class:`Failed`, writing nothing, when the chart no longer builds.

    Left to the full build: a file that is not a chart the last build drew (a new chart, a
    renamed one, a helper of the charts folder), a change of which charts exist, and a chart
    an article's Summary shows (lists and feeds show it) or placed on a page with no Summary.
    The viewed pages must place the chart (or be its embed page)."""
    from pelican.contents import Article

    from datadesk import DESK_KEY
    from datadesk.charts import definitions, settings as chart_settings

    if len(changed) != 1 or not last.runs:
        return None
    path = next(iter(changed)).resolve()
    if path.suffix not in CHART_SUFFIXES or not path.is_file():
        return None
    generators = [generator for generator, _where in last.runs.values()]
    old = generators[0].settings.get(DESK_KEY)
    if old is None or any(g.settings.get(DESK_KEY) is not old for g in generators):
        return None
    conf = chart_settings.values(generators[0].settings)
    found = definitions.find(chart_settings.charts_dir(generators[0].settings, conf))
    chart_id = next((i for i, p in found.items() if p.resolve() == path), None)
    known = _known_charts(old)
    if chart_id is None or chart_id not in known:
        return None  # not a chart the last build drew (a new one, a renamed one, a helper)
    if set(found) != known:
        return None  # a chart added or removed meanwhile: the lists of charts change
    ids = {chart_id}

    plans = []  # (generator, where, [articles to write], write the embed page)
    for lang, (generator, where) in last.runs.items():
        chosen = []
        for article in _articles(generator):
            if not _placed(article, ids):
                continue
            if _in_summary(article, ids):
                return None
            if article.lang == lang and (page_address(where, article.save_as) in viewed if viewed else True):
                chosen.append(article)
        embed = bool(viewed) and _embed_address(where, conf, chart_id) in viewed
        plans.append((generator, where, chosen, embed))
    pages = sum(len(chosen) + embed for _g, _w, chosen, embed in plans)
    if not pages or (not viewed and pages > UNSEEN_LIMIT):
        return None

    desk = _new_desk(old)
    with _workspace(output) as (problems, work):
        done = False
        try:
            for generator in generators:
                generator.settings[DESK_KEY] = desk  # the pages are read with the new desk
            sites_now = {}
            for generator, _where, chosen, embed in plans:
                if chosen or embed:
                    lang = generator.settings["DEFAULT_LANG"]
                    sites_now[lang] = _site_charts(desk, generator.settings, lang)
            broken = [site.errors[chart_id] for site in sites_now.values() if chart_id in site.errors]
            if broken:
                lines: list[str] = []
                for generator, _where, chosen, _embed in plans:
                    lines += [line for line in _reading_errors(generator, chosen, problems) if line not in lines]
                raise Failed("\n".join(lines or [broken[0].standalone()]))
            if problems.messages:
                return None
            written, replaced = _stage(plans, sites_now, ids, work, problems, Article)
            if written is None:
                return None
            _put(written, output)
            for generator, article, new in replaced:
                _replace(generator, article, new)
            done = True
            return next(shown for _staged, _target, shown in written if shown)  # an article's page first
        finally:
            if not done:
                for generator in generators:
                    generator.settings[DESK_KEY] = old
            desk.close()


def _stage(plans: list, sites: dict, ids: set, work: Path, problems, Article):
    """The files of the charts ``ids`` and the pages of ``plans`` (generator, where, articles,
    write the charts' embed pages) written under ``work``: ([(staged file, target under output/, the article page's
    path when it is one)] and (None, None, path) for each embed page, [(generator, old article,
    new article)]), or (None, None) when a page does not read cleanly (the full build reports it)."""
    written, replaced, embeds = [], [], []
    for generator, where, chosen, embed in plans:
        if not (chosen or embed):
            continue
        site = sites[generator.settings["DEFAULT_LANG"]]
        for chart_id in sorted(ids):
            folder = work / f"chart-{len(written)}"
            for staged, target in _stage_chart(generator, site, chart_id, folder, embed):
                written.append((staged, Path(where) / target, ""))
                if target.endswith("/index.html"):  # its embed page, shown when no article's page is
                    embeds.append((Path(where) / target).as_posix())
        for article in chosen:
            new = _reread(generator, article, problems, Article)
            if new is None:
                return None, None
            folder = work / f"page-{len(written)}"
            _write_page(generator, new, folder)
            if problems.messages or not (folder / new.save_as).is_file():
                return None, None
            written.append((folder / new.save_as, Path(where) / new.save_as, (Path(where) / new.save_as).as_posix()))
            replaced.append((generator, article, new))
    return written + [(None, None, shown) for shown in embeds], replaced


def _put(written: list, output: Path) -> None:
    """Each staged file put in place under ``output`` by an atomic rename (the charts' files
    first, then the pages that show them); a file whose bytes are already there is left."""
    for staged, target, _shown in written:
        if staged is None:
            continue
        target = Path(output) / target
        if target.is_file() and target.read_bytes() == staged.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
