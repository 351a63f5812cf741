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
    from pelican import signals
    from pelican.contents import Article
    from pelican.readers import SkipStub  # noqa: F401  (what a refused file reads as)
    from pelican.writers import Writer

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
            new = generator.readers.read_file(
                base_path=generator.path, path=os.path.relpath(path, generator.path),
                content_class=Article, context=generator.context,
                preread_signal=signals.article_generator_preread, preread_sender=generator,
                context_signal=signals.article_generator_context, context_sender=generator)
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
        writer = Writer(str(work), settings=generator.settings)
        extra = {"all_articles": generator.articles} if new.status == "draft" else {}
        writer.write_file(new.save_as, generator.get_template(new.template), generator.context,
                          article=new, category=getattr(new, "category", None),
                          override_output=hasattr(new, "override_save_as"), blog=True,
                          relative_urls=generator.settings["RELATIVE_URLS"],
                          url=new.url, **extra)
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


def _replace(generator, old, new) -> None:
    """The patched article stands for the old one in the kept build (a second edit of the
    same file compares with this one)."""
    for name in ("articles", "translations", "hidden_articles", "hidden_translations",
                 "drafts", "drafts_translations"):
        items = getattr(generator, name)
        for index, item in enumerate(items):
            if item is old:
                items[index] = new
