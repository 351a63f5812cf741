"""The data desk: what one build knows, in one object passed to the code that needs it.

A :class:`Desk` is created when Pelican is initialised for the main-language site and kept
in the build's settings under ``DESK_KEY`` (a lower-case key: it is not a setting).
i18n_subsites gives each language subsite a copy of the main site's settings, so the
French site and the English subsite of one build share it; the next build creates a new
one. It holds:

- ``snapshot``: the content hash of every file of ``content/`` and ``data/`` the build reads,
  each file read once per build (so an edit of the same size within one clock tick is seen);
- the catalogue, the typed frames, the prepared charts of each language, the value memo;
- ``usage``: which charts, articles and pages use each dataset (the dataset pages list them);
- ``handlers``: the shortcode handlers (``{{ chart … }}``, ``{{ value … }}``);
- ``envs``: the Jinja environment of each language site, with its gettext catalogue.

What may survive from one build to the next lives in a :class:`DeskCache`, every entry keyed
by the content hashes of what it was made from. Nothing in this package keeps one: whoever
runs several builds in one process (the live preview, ``tools/build.py``) owns it and passes
it in the settings under ``CACHE_KEY``. Without one, every build starts from nothing.
"""

from __future__ import annotations

import gettext
import json
import os
import threading
from pathlib import Path
from typing import Callable

from pelican.generators import Generator
from pelican.settings import DEFAULT_CONFIG

from . import lazy, settings as settings_table
from .datasets.catalog import get_catalog
from .outputs import Outputs
from .snapshot import DeskCache, Snapshot, file_digest  # noqa: F401  (the desk's public names)
from .store import Store, key_of

DESK_KEY = "datadesk_desk"
CACHE_KEY = "datadesk_cache"


Handler = Callable[[str, object], str]
# What a theme's templates need from Jinja, for a desk used outside a Pelican run.
STANDALONE_JINJA = {"extensions": ["jinja2.ext.i18n"], "autoescape": True, "trim_blocks": True,
                    "lstrip_blocks": True}


class Desk:
    """One build's state (the main site and its language subsites)."""

    def __init__(self, settings: dict, cache: DeskCache | None = None):
        self.settings = settings
        self.cache = cache if cache is not None else DeskCache()
        self.snapshot = Snapshot()
        self.handlers: dict[str, Handler] = {}
        self.usage: dict[str, dict[str, list[dict]]] = {}  # lang -> dataset -> entries
        self._usage_seen: dict[tuple, set] = {}  # (lang, dataset) -> (kind, title, url) of its entries
        self.used: dict[str, set[str]] = {}  # source file -> datasets its values read
        self.catalogs: dict = {}  # (data folder, output folder) -> Catalog, this build
        self.catalog_by_settings: dict = {}  # id(settings) -> (settings, Catalog), this build
        self.frames: dict = {}  # dataset -> DataFrame the values read (not copied)
        self.dataset_reads: dict = {}  # what the dataset pages show of each CSV, this build (datasets/pages.py)
        self.charts: dict = {}  # lang -> SiteCharts
        self.envs: dict = {}  # lang -> the Jinja environment of that language site
        self._translations: dict = {}  # lang -> the theme's gettext catalogue
        self.render_stats = {"renders": 0, "hits": 0, "seconds": 0.0}  # charts drawn in this build
        self.work: dict[str, dict[str, int]] = {}  # part -> what it did (see count, write_report)
        self._work_lock = threading.Lock()  # the sharing cards of a language site count from a thread
        self.articles = None  # the reader's cache for this build (articles.py), made when first read
        self.pages = None  # the article pages' fingerprints (pages.py), made when first written
        self.outputs = Outputs(settings, self.count)  # what it wrote, what it kept (outputs.py)
        self.stores: dict[str, Store] = {}  # what outlives the build process (see store)
        self.render_pool = None  # the chart workers of this build (charts/render.py), closed at the end
        self.chart_jobs: dict = {}  # prepared-store key -> a chart job sent to the workers ahead (charts.py)
        self.charts_sent_at = None  # when the main site sent its charts ahead (perf_counter), until collected
        self.ahead = False  # files being converted ahead, while the workers prepare the charts (shortcodes.py)
        self.converted: set[str] = set()  # source files converted by this build, not taken from the cache
        self.subsite_views: dict = {}  # lang -> what the other sites take from that subsite's reading (kept.py)
        self.render_keys: dict = {}  # lang -> the render cache keys of that site's charts (charts.py)

    # What outlives the build process
    def store(self, name: str) -> Store | None:
        """The on-disk store ``name`` (``prepared``: the charts, ``datasets``: the validation,
        ``values``: the inline values), a folder beside the chart render cache
        (``DATADESK_CHARTS_CACHE_PATH``, by default ``.cache/charts``: so ``.cache/prepared``…),
        so each project, and each copy of one, has its own. None outside a Pelican run
        (:attr:`in_build`), which keeps nothing on disk."""
        if not self.in_build:
            return None
        if name not in self.stores:
            path = Path(settings_table.values(self.settings)["DATADESK_CHARTS_CACHE_PATH"])
            if not path.is_absolute():
                path = Path(self.settings.get("PATH", "content")).resolve().parent / path
            self.stores[name] = Store(path.parent / name)
        return self.stores[name]

    @property
    def in_build(self) -> bool:
        """Whether this desk is a Pelican run's (its settings have Pelican's CACHE_PATH), not
        one :func:`desk_of` made for a test or a tool calling a handler: such a desk keeps
        nothing on disk (:meth:`store`) and starts no worker process (:meth:`pool`)."""
        return "CACHE_PATH" in self.settings

    def workers(self) -> int:
        """How many worker processes this desk's work may use: ``DATADESK_CHARTS_WORKERS``
        (charts/render.py) in a Pelican run; 1 outside one (:attr:`in_build`), where nobody
        would stop them (no build ends) and a handler called by a test or a tool has a few
        files to do, less work than starting processes that each import the desk's code."""
        from .charts import render

        return render.workers_of(settings_table.values(self.settings)) if self.in_build else 1

    def pool(self):
        """(the build's worker processes, how many) when there are several
        (``DATADESK_CHARTS_WORKERS``, charts/render.py), else None: what prepares and draws
        the charts and validates the datasets that miss the stores, two or more of them.
        Started when first asked for, shared by the language sites, stopped by ``close``;
        None for the rest of the build once a worker died, and outside a Pelican run
        (:meth:`workers`)."""
        from .charts import render

        conf = settings_table.values(self.settings)
        workers = self.workers()
        if self.render_pool is None:
            self.render_pool = render.Pool(conf["DATADESK_CHARTS_VL_VERSION"])
        if workers < 2 or self.render_pool.broken:
            return None
        return self.render_pool, workers

    def close(self) -> None:
        """The build is over: stop its chart workers (and any helper hashing the chart cache)."""
        from .charts import render

        render.stop_prehash()
        if self.render_pool is not None:
            self.render_pool.close()

    # What the build did
    def count(self, part: str, what: str, n: int = 1) -> None:
        """Add ``n`` to the build's report: ``count("articles", "converted")``. Tests and
        `invoke bench` read the report to check that work follows what changed."""
        with self._work_lock:
            counts = self.work.setdefault(part, {})
            counts[what] = counts.get(what, 0) + n

    def write_report(self, path: Path | str) -> None:
        """The build's report as JSON (each language run rewrites it; the last one holds all)."""
        with self._work_lock:
            report = {part: dict(sorted(counts.items())) for part, counts in sorted(self.work.items())}
        report["charts_drawn"] = dict(self.render_stats)
        report["imported"] = lazy.imported_report()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(report, sort_keys=True, indent=1), encoding="utf-8")

    def finish(self) -> None:
        """Called by tools/build.py once Pelican has finished a build that succeeded: the
        files nobody wrote through the desk are linked where unchanged (outputs.py), and the
        report is written again with them."""
        self.outputs.finish()
        if self.pages is not None:
            self.pages.save()  # only a build that succeeded records what its pages were made from
        store = self.store("prepared")
        if store is not None:  # the next build hashes these entries of the chart cache early
            for lang, keys in self.render_keys.items():
                store.put(render_keys_key(lang), {"keys": keys})
        self.write_report(report_path(self.settings))

    # Shortcodes
    def register_handler(self, name: str, handler: Handler) -> None:
        """Let ``{{ name ... }}`` be answered by ``handler(args, ctx)``; the last one wins."""
        self.handlers[name] = handler

    # Datasets
    def catalog(self, settings: dict | None = None):
        """The validated catalogue of this build (raises DataValidationError with every problem)."""
        return get_catalog(settings if settings is not None else self.settings, desk=self)

    def record_usage(self, dataset_name: str, kind: str, title: str, url: str, lang: str) -> None:
        """A chart, article or page (``kind``) titled ``title`` at site-relative ``url`` uses a dataset."""
        entries = self.usage.setdefault(lang, {}).setdefault(dataset_name, [])
        seen = self._usage_seen.setdefault((lang, dataset_name), set())
        if (kind, title, url) not in seen:  # a set: the list's own test was quadratic in articles
            seen.add((kind, title, url))
            entries.append({"kind": kind, "title": title, "url": url})

    # Templates
    def env(self, settings: dict, lang: str):
        """The Jinja environment of the language site running with ``settings`` (see
        on_generator_init), with the theme's gettext catalogue for ``lang`` installed: a site
        reads the other language's articles too (i18n_subsites sorts them out afterwards),
        and articles are read before i18n_subsites installs the catalogues at the end of
        the build. A chart drawn outside a Pelican run (a test, a tool) gets an environment
        made by a Pelican generator from ``settings``, with the i18n extension and the
        autoescaping the theme needs."""
        site = settings.get("DEFAULT_LANG", lang)
        if site not in self.envs:
            full = {**DEFAULT_CONFIG, "JINJA_ENVIRONMENT": STANDALONE_JINJA, **settings,
                    "DEFAULT_LANG": site, DESK_KEY: self}
            generator = Generator({}, full, full["PATH"], full["THEME"], full["OUTPUT_PATH"])
            on_generator_init(generator)  # also when datadesk is not registered in this process
        env = self.envs[site]
        env.install_gettext_translations(self.translations(settings, lang),
                                         settings.get("I18N_GETTEXT_NEWSTYLE", True))
        return env

    def translations(self, settings: dict, lang: str):
        """The theme's catalogue for ``lang`` as i18n_subsites installs it in the templates:
        the .mo that i18n_catalogs compiled at startup, none for I18N_TEMPLATES_LANG (the
        language the templates are written in)."""
        if lang not in self._translations:
            found = None
            if lang != settings.get("I18N_TEMPLATES_LANG", self.settings.get("DEFAULT_LANG")):
                theme = settings.get("THEME") or ""
                localedir = settings.get("I18N_GETTEXT_LOCALEDIR") or os.path.join(theme, "translations")
                found = gettext.find(settings.get("I18N_GETTEXT_DOMAIN", "messages"), localedir, [lang])
            if found:  # read here, not from gettext's process-wide cache: the preview sees an edit
                with open(found, "rb") as handle:
                    self._translations[lang] = gettext.GNUTranslations(handle)
            else:
                self._translations[lang] = gettext.NullTranslations()
        return self._translations[lang]



    def usages(self, dataset_name: str, lang: str) -> list[dict]:
        return sorted(self.usage.get(lang, {}).get(dataset_name, []),
                      key=lambda e: (e["kind"], e["title"], e["url"]))


def desk_of(settings: dict) -> Desk:
    """The desk of the build these settings belong to (one is made for settings that have
    none: a test or a tool calling a handler outside a Pelican run)."""
    desk = settings.get(DESK_KEY)
    if desk is None:
        desk = settings[DESK_KEY] = Desk(settings, settings.get(CACHE_KEY))
    return desk


def render_keys_key(lang: str) -> str:
    """The store key of the render cache keys a language site's charts had in the last build
    that succeeded (charts.py hashes those entries early: ``render.start_prehash``)."""
    return key_of("render keys", lang)


def is_main_site(settings: dict) -> bool:
    return settings.get("DEFAULT_LANG") not in settings.get("I18N_SUBSITES", {})


def on_initialized(pelican) -> None:
    """A new build starts here: the main site makes the desk, its subsites share it."""
    settings = pelican.settings
    if is_main_site(settings) or DESK_KEY not in settings:
        settings[DESK_KEY] = Desk(settings, settings.get(CACHE_KEY))


def report_path(settings: dict) -> Path:
    """Where the build writes what it did: ``last-build.json`` beside Pelican's CACHE_PATH."""
    return Path(settings["CACHE_PATH"]).parent / "last-build.json"


def on_finalized(pelican) -> None:
    desk = pelican.settings.get(DESK_KEY)
    if desk is not None:
        desk.close()
        desk.write_report(report_path(pelican.settings))


def on_generator_init(generator) -> None:
    """The language site's Jinja environment (Pelican's, built from JINJA_ENVIRONMENT with the
    i18n extension), kept for the chart figures the site's articles place."""
    desk = desk_of(generator.settings)
    desk.envs.setdefault(generator.settings["DEFAULT_LANG"], generator.env)
