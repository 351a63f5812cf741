"""Front matter checked before Pelican reads a single article, with messages an editor
can act on.

Left alone, Pelican skips an article with no title with "Skipping x.md: could not find
information about 'title'", reads 03/10/2022 as 10 March, files an article without a
category under "misc", and crashes (KeyError, with i18n_subsites) on `Translation: true`.
This plugin checks every Markdown article and page when the generators are created,
logs one error per mistake (``content/articles/x.fr.md:4: Date is "31/10/2022"; ...``),
and keeps Pelican from reading the faulty files (its Markdown reader gives them Pelican's
``status: skip``), so Pelican's own, vaguer messages never follow. The build then fails,
as every error does in this project, listing all problems at once.

What one build knows (the main language, the problems found) is a :class:`Build` kept in
the build's settings; nothing survives from one build to the next.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from datadesk import Setting, Settings
from datadesk.frontmatter import Problem, Source
from pelican import signals
from pelican.readers import MarkdownReader

from .checks import Checked, Summary, check_all, check_files, compare
from .links import REPORTED, check_links

logger = logging.getLogger(__name__)

# Settings as data: one Setting(name, default, help) each; the README's table is generated
# from this (`invoke settings-doc`) and a test checks they agree.
SETTINGS = Settings("editorial", "EDITORIAL_", [
    Setting("EDITORIAL_CHECK", True, "Check the front matter of every Markdown article and page."),
    Setting("EDITORIAL_PLACEHOLDERS", {"fr": "[À COMPLÉTER", "en": "[TO WRITE"},
            "Text invoke new-article leaves to be replaced, per language; a file that still holds "
            "it cannot be published."),
    Setting("EDITORIAL_RESERVED_SLUGS", ["charts", "data", "feeds", "search", "pagefind", "cards"],
            "Addresses the site keeps for itself, besides those derived from `CATEGORY_URL`, "
            "`TAG_URL`, `ARCHIVES_URL`, `DRAFT_URL`, `THEME_STATIC_DIR`, `DATADESK_DATA_OUTPUT_DIR`, "
            "`SEARCH_INDEX_DIR` and the language subsites."),
    Setting("EDITORIAL_AUTHORS", {}, "Byline invoke new-article writes, per language; by default "
                                     "'Rédaction <SITENAME>' (fr) and '<SITENAME> desk' (en)."),
], "plugins/editorial/README.md")
CONTEXT_KEY = "EDITORIAL_PROBLEMS"  # the problems of this run, also visible to templates
# Where one build's state lives: a key of the build's settings, lower-case because it is not
# a setting. The main site creates it when Pelican is initialised; i18n_subsites gives each
# language subsite a copy of the main site's settings, so they share it.
BUILD_KEY = "editorial_build"


@dataclass
class Build:
    """What this plugin knows during one build (main site and language subsites)."""

    main_lang: str
    problems: dict[str, list] | None = None  # by display path, once checked
    refused: set[str] = field(default_factory=set)  # absolute paths Pelican must not read


def setting(settings: dict, name: str):
    return SETTINGS.value(settings, name)


def configure(pelican) -> None:
    settings = pelican.settings
    if is_main_site(settings) or BUILD_KEY not in settings:
        settings[BUILD_KEY] = Build(settings["DEFAULT_LANG"])  # a new build starts here
        REPORTED.values.clear()  # the links an earlier build (of a warm process) reported
    SETTINGS.fill(settings)


def is_main_site(settings: dict) -> bool:
    return settings["DEFAULT_LANG"] not in settings.get("I18N_SUBSITES", {})


def languages(settings: dict) -> list[str]:
    """The main language first, then the subsites'. A subsite's settings carry its own
    language as DEFAULT_LANG; the main site runs first and records its language in the
    build's state, which the subsites share."""
    build = settings.get(BUILD_KEY)
    main = build.main_lang if build and not is_main_site(settings) else settings["DEFAULT_LANG"]
    return [main] + [lang for lang in settings.get("I18N_SUBSITES", {}) if lang != main]


def reserved_slugs(settings: dict) -> list[str]:
    names = set(setting(settings, "EDITORIAL_RESERVED_SLUGS"))
    for key in ("CATEGORY_URL", "TAG_URL", "ARCHIVES_URL", "DRAFT_URL", "THEME_STATIC_DIR",
                "DATADESK_DATA_OUTPUT_DIR", "SEARCH_INDEX_DIR"):
        first = str(settings.get(key) or "").strip("/").split("/")[0]
        if first and "{" not in first:
            names.add(first)
    names.update(settings.get("I18N_SUBSITES", {}))
    return sorted(names)


def sources(generator) -> list[Source]:
    """The Markdown articles and pages Pelican will find (its public ``get_files``), less
    those the sanitise plugin refuses to read (outside content/, or too large): it reports
    them, and their front matter is never opened."""
    import sanitise

    settings = generator.settings
    root = Path(settings["PATH"]).resolve().parent
    verdicts = settings.get(sanitise.VERDICTS)
    folders = verdicts.folders if verdicts is not None and verdicts.open else None  # the build's memo
    found = []
    for kind, paths, exclude in (("article", "ARTICLE_PATHS", "ARTICLE_EXCLUDES"),
                                 ("page", "PAGE_PATHS", "PAGE_EXCLUDES")):
        for rel in sorted(generator.get_files(settings[paths], exclude=settings[exclude],
                                              extensions=MarkdownReader.file_extensions)):
            if sanitise.refusal(Path(generator.path, rel), settings):
                continue
            path = sanitise.resolved(Path(generator.path, rel), folders)
            try:
                display = path.relative_to(root).as_posix()
            except ValueError:
                display = path.as_posix()
            found.append(Source(path, display, kind))
    return found


def _kept_checks(settings: dict, found: list[Source], langs, placeholders, reserved, charts):
    """(the store, the key) of the problems :func:`check_all` finds in ``found``: a warm build
    checks no front matter again. The key holds everything the checks read: each file's
    path, name, kind, the hash of its bytes and its modification time (the older of two
    files sharing a slug keeps it), the languages, placeholders and reserved slugs, every
    file of the charts folder with its hash (a chart still holding a placeholder), and the
    plugins' code (``code_version()``). The hashes are the build's snapshot's (datadesk), so
    the checks and the readers see the same state of each file. No store outside a Pelican
    build (settings without CACHE_PATH)."""
    from datadesk.desk import DESK_KEY
    from datadesk.store import Store, code_version, key_of

    desk = settings.get(DESK_KEY)
    if "CACHE_PATH" not in settings or desk is None:
        return None, None
    snapshot = desk.snapshot
    files = []
    for source in found:
        try:
            modified = source.path.stat().st_mtime_ns
        except OSError:
            modified = None
        files.append([str(source.path), source.display, source.kind, snapshot.digest(source.path), modified])
    key = key_of("editorial checks", files, langs, placeholders, sorted(reserved),
                 [str(charts), snapshot.folder(charts)] if charts is not None else None, code_version())
    return Store(Path(settings["CACHE_PATH"]).parent / "editorial"), key


def _count(settings: dict, what: str, n: int = 1) -> None:
    from datadesk.desk import DESK_KEY

    if settings.get(DESK_KEY) is not None and n:
        settings[DESK_KEY].count("editorial checks", what, n)


def _record(checked: Checked, digests) -> dict:
    """What is kept of one file's own findings (JSON): the file's name, kind and hash, its
    problems, its summary for the checks that compare files, the sections in use it was told
    about and the hash of each chart file it read (``digests``: the build's snapshot's)."""
    summary = checked.summary
    return {"display": checked.source.display, "kind": checked.source.kind,
            "digest": digests(checked.source.path),
            "problems": [[p.display, p.line, p.message] for p in checked.problems],
            "summary": None if summary is None else {
                "fields": {key: list(value) for key, value in summary.fields.items()},
                "charts": sorted(summary.charts),
                "section": list(summary.section) if summary.section else None},
            "sections": checked.sections,
            "charts": [[str(path), digests(path)] for path in checked.charts]}


def _texts(value, n: int | None = None) -> bool:
    """A list of texts (of ``n`` of them when given)."""
    return (isinstance(value, list) and (n is None or len(value) == n)
            and all(isinstance(v, str) for v in value))


def _triple(value) -> bool:
    """[text, line, text]: a field (value, line, name as typed) or a problem (file, line, message)."""
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], str))


def _kept_file(record, source: Source, digests) -> Checked | None:
    """The findings kept for ``source`` if its record is whole and was made from the file as
    it is now (its name, kind and hash) and from the chart files as they are now; else None,
    and the file is checked again. Whether the sections it was told about are still the
    sections in use is for :func:`check_files` to see, once every file's section is known."""
    if not isinstance(record, dict) or record.get("display") != source.display \
            or record.get("kind") != source.kind:
        return None
    digest = digests(source.path)
    charts, problems = record.get("charts"), record.get("problems")
    sections, summary = record.get("sections"), record.get("summary")
    if digest is None or record.get("digest") != digest:
        return None
    if not isinstance(charts, list) or not all(
            isinstance(c, list) and len(c) == 2 and isinstance(c[0], str) and digests(c[0]) == c[1]
            for c in charts):
        return None
    if not isinstance(problems, list) or not all(_triple(p) and p[0] == source.display for p in problems):
        return None
    if not isinstance(sections, dict) or not all(_texts(v) for v in sections.values()):
        return None
    if summary is not None:
        if not isinstance(summary, dict) or not isinstance(summary.get("fields"), dict) \
                or not all(isinstance(k, str) and _triple(v) for k, v in summary["fields"].items()) \
                or not _texts(summary.get("charts")) \
                or not (summary.get("section") is None or _texts(summary.get("section"), 2)):
            return None
        summary = Summary(source, {key: tuple(value) for key, value in summary["fields"].items()},
                          frozenset(summary["charts"]),
                          tuple(summary["section"]) if summary["section"] else None)
    return Checked(source, [Problem(*p) for p in problems], summary, sections,
                   [Path(c[0]) for c in charts])


def _checked_by_file(settings: dict, found: list[Source], langs, placeholders, reserved, charts):
    """:func:`check_all`, each file's own findings kept from one build to the next: after an
    edit, only the files that changed (and those told about sections in use that changed, or
    that place a chart whose file changed) are read and checked again; the checks that
    compare files run on every file's summary. One store entry holds the records of the
    files of the last build, by path; its key holds what every file's checks read besides
    the file (the languages, placeholders, charts folder and ``code_version()``), each record
    the rest (see :func:`_kept_file`). No store outside a Pelican build."""
    from datadesk.desk import DESK_KEY
    from datadesk.store import Store, code_version, key_of

    desk = settings.get(DESK_KEY)
    if "CACHE_PATH" not in settings or desk is None:
        return check_all(found, langs, placeholders, reserved, charts)
    digests = desk.snapshot.digest
    store = Store(Path(settings["CACHE_PATH"]).parent / "editorial")
    key = key_of("editorial checks by file", langs, placeholders, str(charts) if charts is not None else None,
                 code_version())
    entry = store.get(key, "the editorial checks by file")
    records = entry.get("files") if isinstance(entry, dict) else None
    records = records if isinstance(records, dict) else {}
    kept = {}
    for source in found:
        checked = _kept_file(records.get(str(source.path)), source, digests)
        if checked is not None:
            kept[source.display] = checked
    every = check_files(found, langs, placeholders, charts, kept)
    again = [c for c in every if kept.get(c.source.display) is not c]
    _count(settings, "files checked", len(again))
    _count(settings, "files kept", len(every) - len(again))
    if again or records.keys() != {str(source.path) for source in found}:
        store.put(key, {"files": {str(c.source.path): records[str(c.source.path)]
                                  if kept.get(c.source.display) is c else _record(c, digests)
                                  for c in every}})
    return compare(every, langs, reserved)


def problems_for(generator) -> dict[str, list]:
    """Problems by display path, found once per build (the language subsites read the same
    files and share the build's state)."""
    settings = generator.settings
    build = settings[BUILD_KEY]
    if build.problems is None:
        langs = languages(settings)
        placeholders = sorted(setting(settings, "EDITORIAL_PLACEHOLDERS").values())
        charts = Path(settings["PATH"]) / settings.get("DATADESK_CHARTS_DIR", "charts")
        found = sources(generator)
        reserved = reserved_slugs(settings)
        charts = charts if charts.is_dir() else None
        store, key = _kept_checks(settings, found, langs, placeholders, reserved, charts)
        kept = store.get(key, "the editorial checks") if store is not None else None
        if isinstance(kept, dict) and isinstance(kept.get("problems"), list):
            build.problems = {display: [Problem(*problem) for problem in problems]
                              for display, problems in kept["problems"]}  # in the order found
            _count(settings, "kept")
        else:
            build.problems = _checked_by_file(settings, found, langs, placeholders, reserved, charts)
            _count(settings, "checked")
            if store is not None:
                store.put(key, {"problems": [[display, [[p.display, p.line, p.message] for p in problems]]
                                             for display, problems in build.problems.items()]})
        build.refused = {str(s.path) for s in found if s.display in build.problems}
    return build.problems


def check(generator) -> None:
    """Runs when each article or page generator is created, before any file is read."""
    settings = generator.settings
    if not setting(settings, "EDITORIAL_CHECK"):
        return
    context = generator.context
    if CONTEXT_KEY not in context:
        found = problems_for(generator)
        context[CONTEXT_KEY] = [str(p) for group in found.values() for p in group]
        if is_main_site(settings):  # the subsites read the same files: report once
            for message in context[CONTEXT_KEY]:
                logger.error("%s", message)


class CheckedReader:
    """Mixin for Pelican's Markdown reader class: a file whose front matter failed the
    checks is not read; it gets Pelican's public ``status: skip``, so Pelican makes no
    content of it and adds no message ("Skipping …", "Could not process …") to ours.
    Pelican has no hook between finding a file and reading it other than the reader."""

    def read(self, source_path):
        build = self.settings.get(BUILD_KEY)
        if build and build.refused and str(Path(source_path).resolve()) in build.refused:
            return "", {"status": "skip"}
        return super().read(source_path)


def check_readers(readers) -> None:
    """``readers_init``: the Markdown readers become subclasses that leave refused files."""
    for ext in MarkdownReader.file_extensions:
        cls = readers.reader_classes.get(ext)
        if cls and not issubclass(cls, CheckedReader):
            readers.reader_classes[ext] = type(cls.__name__, (CheckedReader, cls),
                                               {"__doc__": cls.__doc__})


def connect_last(_pelican) -> None:
    """``initialized`` runs after every plugin's ``register()``: a ``readers_init`` receiver
    connected now runs after theirs (Pelican calls receivers in connection order), so it
    wraps whichever Markdown reader they chose (the shortcodes reader). The checks, too,
    run after the other plugins' ``article_generator_init`` receivers: the search plugin's
    guess there starts Pagefind, which then works while the checks run."""
    signals.readers_init.connect(check_readers)
    signals.article_generator_init.connect(check)
    signals.page_generator_init.connect(check)


def drop_translation_flag(_generator, metadata: dict) -> None:
    """`Translation: true` has been checked (its original exists); i18n_subsites pairs
    translations by Slug and crashes on the flag, so it goes no further."""
    metadata.pop("translation", None)


def register() -> None:
    signals.initialized.connect(configure)
    signals.initialized.connect(connect_last)
    signals.article_generator_context.connect(drop_translation_flag)
    signals.page_generator_context.connect(drop_translation_flag)
    signals.all_generators_finalized.connect(links_checked)


def links_checked(generators) -> None:
    """Intra-site links that lead nowhere (links.py), when the checks are on."""
    if generators and setting(generators[0].settings, "EDITORIAL_CHECK"):
        check_links(generators)
