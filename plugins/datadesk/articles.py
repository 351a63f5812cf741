"""The Markdown reader's results kept, so each source file is converted once per build (the
French run and the English subsite share it) and not at all when nothing it shows changed.

An entry is the reader's result as JSON: the body's HTML, the front matter as the Markdown
``meta`` extension read it (lists of strings), the HTML of the formatted fields (Summary),
what the conversion did, and for each chart and value the shortcode its placeholder stands
for (placeholders.py: their HTML is not kept, it is filled each time the file is read). It
is found by a key of the file's text, its path, the settings that shape the reader's output
and :func:`~datadesk.store.code_version`; it does not depend on the datasets or charts, so a
data change converts no file (a chart it places that is gone, or a dataset its values read
that left the catalogue, converts it again, which says the error).

Two places keep entries: the build's :class:`~datadesk.snapshot.DeskCache` (``articles``:
the second language run of a build, and every build of the live preview's process) and a
:class:`~datadesk.store.Store` under ``.cache/articles`` (``invoke build``, a new process
each time). On a hit the metadata is processed again with THIS run's settings (Pelican's
Category, Tag and Author objects and dates are made fresh, never loaded), and what the
shortcode handlers did to the desk is done again (the datasets an article's values read,
the charts of the language its figures show), so the desk ends the same as after a
conversion; but the main site's run, which does not fill the body of another language
site's file (shortcodes.py, ``_body_unseen``), does not prepare that site's charts to check it. Never kept: a conversion that failed or that logged a warning or an error
(the next build converts the file again and says it again), and nothing while the datasets
do not pass validation.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from pathlib import Path

import sanitise

from . import placeholders
from .datasets import DataValidationError
from .store import Store, code_version, key_of

logger = logging.getLogger(__name__)

# Settings the reader's output depends on besides DATADESK_* (all of those are in the key):
# the Markdown configuration, what Pelican converts in the front matter, where the content
# and the theme are (file names in errors, the figure template), the theme's catalogues.
READER_SETTINGS = ("MARKDOWN", "FORMATTED_FIELDS", "PATH", "THEME", "I18N_TEMPLATES_LANG",
                   "I18N_GETTEXT_DOMAIN", "I18N_GETTEXT_LOCALEDIR", "I18N_GETTEXT_NEWSTYLE")
# DATADESK_* settings that change no converted file (where the previous output is, a new
# folder for each test build; how many processes draw the charts): left out of the key.
NOT_READ = ("DATADESK_PREVIOUS_OUTPUT", "DATADESK_CHARTS_WORKERS")


def project_root(settings: dict) -> Path:
    return Path(settings.get("PATH", "content")).resolve().parent


def store_of(settings: dict) -> Store:
    """``.cache/articles``, beside the rendered charts' cache (DATADESK_CHARTS_CACHE_PATH)."""
    from .charts import settings as charts_conf

    folder = charts_conf.cache_dir(settings, charts_conf.values(settings)).parent / "articles"
    return Store(folder)


def _portable(value, root: str):
    """A setting's value with paths inside the project written from its root, so a copy of
    the project (and of its .cache) finds the same keys."""
    if isinstance(value, str) and value.startswith(root + "/"):
        return "<root>/" + value[len(root) + 1:]
    if isinstance(value, dict):
        return {str(k): _portable(v, root) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_portable(v, root) for v in value]
    return value


def settings_key(settings: dict) -> str:
    """The settings that shape a conversion, once per run (the runs of one build agree)."""
    root = str(project_root(settings))
    chosen = {name: settings.get(name) for name in READER_SETTINGS}
    chosen.update({name: value for name, value in settings.items()
                   if name.startswith("DATADESK_") and name not in NOT_READ})
    jinja = dict(settings.get("JINJA_ENVIRONMENT") or {})
    jinja.pop("bytecode_cache", None)  # the preview's in-memory cache object: not an input
    chosen["JINJA_ENVIRONMENT"] = jinja
    return key_of(_portable(chosen, root), code_version())


def _rel(path: Path, root: Path) -> str:
    path = Path(path).absolute()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


class Recorder:
    """What one conversion read (files whose bytes shaped its HTML) and did to the desk."""

    def __init__(self, reader, desk):
        self.settings = reader.settings
        self.desk = desk
        self.files: set[Path] = set()
        self.effects: list[list] = []
        self.theme = False  # a figure was rendered from the theme's templates and catalogues
        self.keepable = True
        self.slots: dict[str, dict] = {}  # placeholder id -> the shortcode it stands for
        self.answers: dict[str, str] = {}  # placeholder id -> its HTML in this conversion
        self.block_level: set[str] = set()

    def shortcode(self, name: str, args: str, ctx) -> None:
        """A handler answered ``{{ name args }}``: note what its answer depends on. A value's
        and a chart's HTML are not kept (placeholders.py): the entry notes only what the
        desk must know again on a hit (the datasets the file's values read, the language
        whose charts its figures show)."""
        if name == "value":
            from .values import query

            self._effect(["used", ctx.path, query.parse(args).dataset])
        elif name == "chart":
            self._effect(["chart", ctx.lang, args.split()[0]])
        else:  # a handler another plugin registered: what it reads is unknown, so never kept
            self.keepable = False

    def hold(self, name: str, args: str, ctx, html: str, md) -> str:
        """The placeholder that stands for a value's or a chart's HTML in the kept conversion
        (``html`` itself for another shortcode); the HTML fills it when the file is read."""
        if name not in placeholders.HELD:
            return html
        ident, marker = placeholders.marker(ctx.path, len(self.slots), name, args)
        slot = {"name": name, "args": args, "line": ctx.line, "lang": ctx.lang, "block": ctx.block}
        if name == "chart":
            from .charts.charts import heading_for

            slot["heading"] = heading_for(ctx)
        self.slots[ident] = slot
        self.answers[ident] = str(html)
        tag = re.match(r"\s*<([a-zA-Z][a-zA-Z0-9]*)", str(html))
        if tag and md.is_block_level(tag.group(1)):
            self.block_level.add(ident)
        return marker

    def unwrap(self, html: str) -> str:
        """A block-level answer standing alone is not inside a paragraph (as the sanitiser
        puts it back): the same for its placeholder."""
        for ident in self.block_level:
            html = placeholders.unwrap(html, f"{placeholders.PREFIX}{ident}{placeholders.CLOSE}", True)
        return html

    def _effect(self, effect: list) -> None:
        if effect not in self.effects:
            self.effects.append(effect)


THEME = "@theme"  # in an entry's files: the theme's templates and catalogues, as one digest


def theme_digest(settings: dict, snapshot) -> str:
    """One digest of the theme's templates and catalogues (a chart's figure is rendered from them)."""
    theme = str(Path(settings.get("THEME") or "").resolve())
    return key_of([[_portable(str(p.resolve()), theme), snapshot.digest(p)] for p in theme_files(settings)])


def theme_files(settings: dict) -> list[Path]:
    """The theme's templates and catalogues: a chart's figure is rendered from them."""
    theme = Path(settings.get("THEME") or "")
    found = []
    for sub in ("templates", "translations"):
        if (theme / sub).is_dir():
            found += [p for p in sorted((theme / sub).rglob("*")) if p.is_file()]
    localedir = settings.get("I18N_GETTEXT_LOCALEDIR")
    if localedir and Path(localedir).is_dir():
        found += [p for p in sorted(Path(localedir).rglob("*")) if p.is_file()]
    return found


class _Seen(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


@contextmanager
def warnings_seen():
    """Counts the warnings and errors logged meanwhile (a conversion that logs one is not kept)."""
    seen = _Seen()
    root = logging.getLogger()
    root.addHandler(seen)
    try:
        yield seen
    finally:
        root.removeHandler(seen)


@contextmanager
def held_back():
    """Nothing logged meanwhile goes anywhere (no handler, no logger's filter: Pelican's
    limiter would drop the same message logged again later), and the warnings and errors
    are counted (``seen.count``): for work done ahead, which a warning makes void (the work
    is done again in its turn, and says it then)."""
    seen = _Seen()
    handle = logging.Logger.handle

    def count(_logger, record):
        if record.levelno >= logging.WARNING:
            seen.count += 1

    logging.Logger.handle = count
    try:
        yield seen
    finally:
        logging.Logger.handle = handle


class Articles:
    """The reader's side of the cache for one build (kept on the desk)."""

    def __init__(self, desk):
        self.desk = desk
        self.unkept: set[str] = set()  # keys whose conversion warned in this build
        self.dates: dict[tuple, object] = {}  # (date or modified, its text) -> Pelican's datetime, this build (shortcodes.py)
        self.answers: dict[tuple, str] = {}  # a placeholder's shortcode -> its HTML, this build (shortcodes.py)
        self._settings_keys: dict[int, str] = {}
        self._stores: dict[str, Store] = {}
        self._run_stores: dict[int, tuple] = {}  # id of a run's settings -> (settings, its store)
        self._roots: dict = {}  # PATH -> project_root, this build
        self._themes: dict[str, str] = {}
        self._displays: dict[tuple, str] = {}
        self._folders: dict[str, Path] = {}  # a folder of content files -> where it really is, this build
        self._verified: set[str] = set()  # keys of entries found true for this build's files
        self.ahead: set[str] = set()  # keys converted ahead (shortcodes.convert_ahead), not yet read

    def key(self, settings: dict, display: str, text: str) -> str:
        run = id(settings)
        if run not in self._settings_keys:
            self._settings_keys[run] = settings_key(settings)
        suffixes = Path(display).suffixes
        # the document's language falls back to the run's when neither Lang: nor the name says it
        fallback = None if len(suffixes) >= 2 and len(suffixes[-2]) == 3 else settings.get("DEFAULT_LANG")
        return key_of("article", display, text, fallback, self._settings_keys[run])

    def display(self, source_path, settings: dict) -> str:
        """The file's path as the editor knows it (shortcodes.display_path), once per build:
        both language runs read every file."""
        key = (str(source_path), settings.get("PATH"))
        if key not in self._displays:
            # as shortcodes.display_path shows it, the file's folder resolved once per build
            real = sanitise.resolved(Path(source_path), self._folders)
            root = self.root(settings)
            self._displays[key] = real.relative_to(root).as_posix() if real.is_relative_to(root) else real.as_posix()
        return self._displays[key]

    def theme(self, settings: dict) -> str:
        folder = str(settings.get("THEME"))
        if folder not in self._themes:
            self._themes[folder] = theme_digest(settings, self.desk.snapshot)
        return self._themes[folder]

    def store(self, settings: dict) -> Store:
        found = self._run_stores.get(id(settings))
        if found is None or found[0] is not settings:  # once per language run
            store = store_of(settings)
            found = self._run_stores[id(settings)] = (settings, self._stores.setdefault(str(store.folder), store))
        return found[1]

    def root(self, settings: dict) -> Path:
        """:func:`project_root`, once per build and content folder."""
        key = settings.get("PATH", "content")
        if key not in self._roots:
            self._roots[key] = project_root(settings)
        return self._roots[key]

    def lookup(self, settings: dict, key: str, display: str):
        """A kept entry still true for this build's files, or None."""
        memory = self.desk.cache.articles
        kept = memory.get(display)
        entry = kept[1] if kept is not None and kept[0] == key else None
        if entry is None:
            entry = self.store(settings).get(key, label=display)
        if entry is None:
            return None
        if key not in self._verified:  # the files' hashes are fixed for the build: checked once
            whole = self._current(settings, entry)
            if whole is False:
                return None
            if whole:
                self._verified.add(key)
        memory[display] = (key, entry)
        return entry

    def _current(self, settings: dict, entry: dict) -> bool | None:
        """False when a file the entry was made from changed, or a dataset its values read or a
        chart it places is gone; True when it holds. None when it holds but its charts of
        another language site were not looked for: the main site's run does not prepare that
        site's charts to check a file it will not fill (shortcodes.py, ``_body_unseen``); that
        site's run checks it, and filling its figures would say the same error."""
        root = self.root(settings)
        snapshot = self.desk.snapshot
        for path, digest in entry["files"]:
            if path == THEME:
                if self.theme(settings) != digest:
                    return False
                continue
            full = Path(path) if Path(path).is_absolute() else root / path
            if snapshot.digest(full) != digest:
                return False
        if entry["effects"]:
            try:
                catalog = self.desk.catalog(settings)
            except DataValidationError:
                return False  # converted again: each value says the data failed, as it would
            from .charts.charts import site_charts

            from .desk import is_main_site

            subsites = settings.get("I18N_SUBSITES") or {}
            other = is_main_site(settings)  # the main site's run reads the subsites' files too
            whole = True
            for effect in entry["effects"]:
                if effect[0] == "used" and effect[2] not in catalog.names:
                    return False
                if effect[0] == "chart":
                    if other and effect[1] != settings.get("DEFAULT_LANG") and effect[1] in subsites:
                        whole = None  # another site's figure: checked by that site's run
                        continue
                    if effect[2] not in site_charts(settings, effect[1], self.desk).builds:
                        return False
            return whole
        return True

    def replay(self, entry: dict) -> None:
        """Do to the desk what the handlers did while converting."""
        for effect in entry["effects"]:
            if effect[0] == "used":
                self.desk.used.setdefault(effect[1], set()).add(effect[2])
            # "chart": the language's charts were prepared by _current (site_charts)

    def keep(self, settings: dict, key: str, display: str, recorder: Recorder, result: dict) -> None:
        if not recorder.keepable or key in self.unkept:
            return
        root = project_root(settings)
        snapshot = self.desk.snapshot
        entry = {**result, "effects": recorder.effects,
                 "files": sorted([_rel(p, root), snapshot.digest(p)] for p in recorder.files)
                 + ([[THEME, self.theme(settings)]] if recorder.theme else [])}
        self.desk.cache.articles[display] = (key, entry)
        self.store(settings).put(key, entry)


def articles_of(desk) -> Articles:
    if desk.articles is None:
        desk.articles = Articles(desk)
    return desk.articles
