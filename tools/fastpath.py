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
placeholders for them (plugins/datadesk/placeholders.py), so no article is converted.
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

CHART_IDS = re.compile(r'data-chart-id="([^"]+)"')
# What other pages show of an article: when any differs, the fast path steps aside.
SHOWN = ("title", "slug", "lang", "date", "modified", "status", "template", "save_as", "url",
         "summary", "category", "tags", "authors", "datasets", "translation")


class LastBuild:
    """What the preview keeps of its last successful build: each language run's article
    generator (its articles, context, templates and readers) and where its files went."""

    def __init__(self):
        self.runs: dict[str, tuple[object, Path]] = {}  # lang -> (generator, folder under output/)
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
        self.runs, self._pending = self._pending, {}

    def failed(self) -> None:
        """The observed build failed: output/ is the previous build's, so is what we keep.
        (The previous generators still describe output/.)"""
        self._pending = {}

    def forget(self) -> None:
        self.runs = {}


class _Problems(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


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

    problems = _Problems()
    root = logging.getLogger()
    root.addHandler(problems)
    work = Path(tempfile.mkdtemp(prefix=".fastpath-", dir=Path(output).parent))
    try:
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
    finally:
        root.removeHandler(problems)
        shutil.rmtree(work, ignore_errors=True)


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


def page_address(where: Path | str, save_as: str) -> str:
    """The address a browser shows for a page written at ``where/save_as`` under output/:
    ``/en/essai-0001/`` for ``en/essai-0001/index.html``."""
    path = "/" + (Path(where) / save_as).as_posix().lstrip("./")
    return path[: -len("index.html")] if path.endswith("/index.html") else path


def update(last: LastBuild, changed: set[Path], output: Path, viewed=frozenset()) -> str | None:
    """The preview's fast path for one saved file: an article's body (:func:`patch`) or a
    dataset's CSV (:func:`patch_data`). None: a full build is needed; nothing was written."""
    page = patch(last, changed, output)
    if page is None and len(changed) == 1 and next(iter(changed)).suffix == ".csv":
        page = patch_data(last, changed, output, viewed)
    return page


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
    dataset is left to the full build (the chart's files are drawn there), and so is every
    page when an article showing the dataset has no Summary (lists would show a summary cut
    from its body). The last build's state then reads the new CSV, so a later fast update
    starts from it."""
    from pelican.contents import Article

    from datadesk import DESK_KEY, DataValidationError, Desk
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
    charts = {chart_id for site in old.charts.values() for chart_id, built in site.builds.items()
              if name in built.uses}

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
            if name not in _datasets_of(kept[1]):
                continue
            if "summary" not in article.metadata:
                return None  # a summary cut from the body: the lists would show the new values
            wanted = article.lang == lang and (page_address(where, article.save_as) in viewed if viewed else True)
            if wanted and set(CHART_IDS.findall(article._content)) & charts:
                wanted = False  # its chart's files are drawn by the full build
            if wanted or name in _datasets_of(kept[1], in_summary=True):
                chosen.append((article, wanted))
        plans.append((generator, where, chosen))
    pages = sum(wanted for _g, _w, chosen in plans for _a, wanted in chosen)
    if not pages or (not viewed and pages > UNSEEN_LIMIT):
        return None

    # A new desk over the same kept state, whose snapshot reads the saved CSV.
    desk = Desk(old.settings, old.cache)
    desk.handlers, desk.envs, desk._translations = dict(old.handlers), old.envs, old._translations
    desk.charts = old.charts  # the charts of the pages written do not read the dataset
    try:
        for generator in generators:
            desk.catalog(generator.settings)  # the saved CSV validated (the others' verdicts are kept)
    except DataValidationError:
        return None
    problems = _Problems()
    root = logging.getLogger()
    root.addHandler(problems)
    work = Path(tempfile.mkdtemp(prefix=".fastpath-", dir=Path(output).parent))
    try:
        for generator in generators:
            generator.settings[DESK_KEY] = desk
        written = []
        for generator, where, chosen in plans:
            swaps, write = {}, []
            for article, wanted in chosen:
                try:
                    fresh = _read_again(generator, article.source_path)
                except Exception:  # noqa: BLE001 (the full build reports it, with file and line)
                    return None
                if not isinstance(fresh, Article) or problems.messages:
                    return None
                new = copy.copy(article)
                new._content = fresh._content
                new.metadata = {**article.metadata, "summary": fresh.metadata["summary"]}
                if hasattr(fresh, "_summary"):
                    new._summary = fresh._summary
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
                written.append((folder / new.save_as, target, (Path(where) / new.save_as).as_posix()))
        for page, target, _shown in written:
            if page.read_bytes() != target.read_bytes():
                os.replace(page, target)
        return written[0][2] if written else None
    finally:
        root.removeHandler(problems)
        shutil.rmtree(work, ignore_errors=True)
