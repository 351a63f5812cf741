"""The Markdown reader's results kept, so each source file is converted once per build (the
French run and the English subsite share it) and not at all when nothing it shows changed.

An entry is the reader's result as JSON: the body's HTML, the front matter as the Markdown
``meta`` extension read it (lists of strings), the HTML of the formatted fields (Summary),
what the conversion read and what it did to the desk. It is found by a key of the file's
text, its path, the settings that shape the reader's output and :func:`~datadesk.store.code_version`,
and used only while every file the conversion read (the CSV and description of each dataset
its values and ``Datasets:`` name, each chart's definition, the charts folder's helpers, the
chart's datasets, the theme's templates and catalogues the figure is rendered with) has the
content hash it had then. So an unrelated data change keeps it, and a change to a dataset
it uses makes it again.

Two places keep entries: the build's :class:`~datadesk.snapshot.DeskCache` (``articles``:
the second language run of a build, and every build of the live preview's process) and a
:class:`~datadesk.store.Store` under ``.cache/articles`` (``invoke build``, a new process
each time). On a hit the metadata is processed again with THIS run's settings (Pelican's
Category, Tag and Author objects and dates are made fresh, never loaded), and what the
shortcode handlers did to the desk is done again (the datasets an article's values read,
the charts of the language its figures show), so the desk ends the same as after a
conversion. Never kept: a conversion that failed or that logged a warning or an error
(the next build converts the file again and says it again), and nothing while the datasets
do not pass validation.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from .datasets import DataValidationError
from .datasets.package import BASE, description_path
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
DEFINITION_SUFFIXES = (".py", ".yaml", ".yml")


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

    def shortcode(self, name: str, args: str, ctx) -> None:
        """A handler answered ``{{ name args }}``: note what its answer depends on."""
        if name == "value":
            from .values import query

            dataset = query.parse(args).dataset
            self._dataset(dataset)
            self._effect(["used", ctx.path, dataset])
        elif name == "chart":
            from .charts.charts import site_charts

            chart_id = args.split()[0]
            site = site_charts(ctx.settings, ctx.lang, self.desk)
            built = site.builds[chart_id]
            definition = site.found[chart_id]
            folder = definition.parent
            for path in sorted(folder.iterdir()) if folder.is_dir() else ():
                if path.is_file() and (path.stem == chart_id or path.suffix not in DEFINITION_SUFFIXES
                                       or path.name.startswith(("_", "."))):
                    self.files.add(path)
            self.files.add(definition)
            for name in built.uses:
                self._dataset(name)
            self.theme = True
            self._effect(["chart", ctx.lang, chart_id])
        else:  # a handler another plugin registered: what it reads is unknown, so never kept
            self.keepable = False

    def declared(self, meta: dict | None) -> None:
        """The datasets ``Datasets:`` names (the dataset pages list the article under them)."""
        for value in (meta or {}).get("datasets", []):
            for name in str(value).split(","):
                if name.strip():
                    self._dataset(name.strip())

    def _dataset(self, name: str) -> None:
        try:
            catalog = self.desk.catalog(self.settings)
            if name in catalog.names:
                self.files.update((catalog.csv_path(name), catalog.description_path(name),
                                   catalog.data_dir / BASE))
                return
            folder = catalog.data_dir
        except DataValidationError:
            self.keepable = False
            return
        self.files.update((folder / f"{name}.csv", description_path(folder, name), folder / BASE))

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


class Articles:
    """The reader's side of the cache for one build (kept on the desk)."""

    def __init__(self, desk):
        self.desk = desk
        self.unkept: set[str] = set()  # keys whose conversion warned in this build
        self._settings_keys: dict[int, str] = {}
        self._stores: dict[str, Store] = {}
        self._themes: dict[str, str] = {}
        self._displays: dict[tuple, str] = {}
        self._verified: set[str] = set()  # keys of entries found true for this build's files

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
        from .shortcodes import display_path

        key = (str(source_path), settings.get("PATH"))
        if key not in self._displays:
            self._displays[key] = display_path(source_path, settings)
        return self._displays[key]

    def theme(self, settings: dict) -> str:
        folder = str(settings.get("THEME"))
        if folder not in self._themes:
            self._themes[folder] = theme_digest(settings, self.desk.snapshot)
        return self._themes[folder]

    def store(self, settings: dict) -> Store:
        store = store_of(settings)
        return self._stores.setdefault(str(store.folder), store)

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
            if not self._current(settings, entry):
                return None
            self._verified.add(key)
        memory[display] = (key, entry)
        return entry

    def _current(self, settings: dict, entry: dict) -> bool:
        root = project_root(settings)
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

            for effect in entry["effects"]:
                if effect[0] == "used" and effect[2] not in catalog.names:
                    return False
                if effect[0] == "chart" and effect[2] not in site_charts(settings, effect[1], self.desk).builds:
                    return False
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
