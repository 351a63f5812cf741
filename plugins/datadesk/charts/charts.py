"""charts: Altair charts rendered at build time, placed in articles with ``{{ chart ID }}``.

Signals: ``initialized`` (check DATADESK_CHARTS_* settings), ``content_object_init`` (make chart
URLs relative to each page), ``get_generators`` (ChartsGenerator: renders what the cache
lacks, records dataset usage, writes artefacts and embed pages), all connected by
``datadesk.register``, which also registers the shortcode handler ``chart``. See
../README.md, "Charts".
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup
from pelican.generators import Generator
from pelican.utils import get_relative_path, path_to_url

from .. import links, outputs
from ..articles import theme_digest
from ..desk import Desk, desk_of, is_main_site
from ..shortcodes import ShortcodeError
from ..store import code_version, key_of
from . import definitions, figure, render, settings as conf_mod
from .build import Built, build_chart, csv_name, environment, versions
from .describe import describe
from .errors import ChartError
from .lint import lint_with_keys

logger = logging.getLogger(__name__)


@dataclass
class Prepared:
    """What the pages need of one chart in one language once it is prepared (built, linted,
    described): its texts, alt text and description, the datasets it reads, its data table
    and the key of its rendered files. Plain JSON, so a chart prepared by one build process
    serves the next (``payload``, ``of_payload``); ``built`` (specs, frames) is kept only in
    the process that prepared it, to render the files the render cache lacks."""

    id: str
    lang: str
    key: str  # the render cache's key (build.cache_key)
    texts: dict
    extra: dict  # alt, description
    uses: list  # the datasets it reads, in the definition's order
    csv: dict  # dataset -> the name of its CSV extract
    table: dict  # the data-table alternative (figure.table)
    notices: list = field(default_factory=list)  # info lines its preparation logged
    built: Built | None = field(default=None, compare=False, repr=False)

    PAYLOAD = ("id", "lang", "key", "texts", "extra", "uses", "csv", "table", "notices")

    def payload(self) -> dict:
        return {name: getattr(self, name) for name in self.PAYLOAD}

    @classmethod
    def of_payload(cls, payload: dict, built: Built | None = None) -> "Prepared":
        return cls(**{name: payload[name] for name in cls.PAYLOAD}, built=built)


NOT_SHOWN = ("DATADESK_PREVIOUS_OUTPUT", "DATADESK_CHARTS_WORKERS")
# What a figure's rendering reads of the site's settings besides DATADESK_* and the theme.
# (Not I18N_SUBSITES: i18n_subsites writes each build's output folders into it.)
FIGURE_SETTINGS = ("DEFAULT_LANG", "THEME", "I18N_GETTEXT_NEWSTYLE", "I18N_TEMPLATES_LANG",
                   "I18N_GETTEXT_DOMAIN", "I18N_GETTEXT_LOCALEDIR")


class SiteCharts:
    """Every chart of the project in one language: built, linted, rendered (or its error)."""

    def __init__(self, settings: dict, lang: str, desk: Desk | None = None, prepare: bool = True,
                 only: frozenset | None = None):
        self.settings = settings
        self.lang = lang
        self.desk = desk if desk is not None else desk_of(settings)
        self.conf = conf_mod.values(settings)
        self.conf["DATADESK_CHARTS_WORKERS"] = self.desk.workers()  # 1 outside a Pelican run
        self.catalog = self.desk.catalog(settings)
        self.dir = conf_mod.charts_dir(settings, self.conf)
        self.cache = render.Cache(conf_mod.cache_dir(settings, self.conf))
        self.store = self.desk.store("prepared")
        self.builds: dict[str, Prepared] = {}
        self.found: dict[str, Path] = {}
        self.metas: dict = {}
        self.errors: dict[str, ChartError] = {}
        self.reported: set[str] = set()
        self.figures: dict = {}  # (chart id, heading, site language) -> figure HTML, this build
        self._payload_keys: dict = {}  # chart id -> (its prepared chart, the key of its payload)
        self._theme = None  # the digest of the theme's templates and catalogues (articles.theme_digest)
        self._conf = ""
        self._drawn: set[str] = set()  # render keys a worker drew in this build
        self.fresh: set[str] = set()  # render keys drawn in this build, here or by a worker (ensure_rendered)
        self._failed: dict[str, ChartError] = {}  # charts a worker prepared but could not draw
        # A partial set (the preview's CSV fast path, tools/fastpath.py, reading pages that do
        # not show them): a chart outside ``only`` whose datasets changed since this process
        # last prepared it is taken as it was then, neither prepared nor drawn again
        # (``stale``). Such a set is never kept as the desk's charts.
        self._only = only
        self.stale: set[str] = set()
        # the project's root as it appears in JSON text (_portable)
        self._root = json.dumps(str(conf_mod.project_root(settings)) + "/", ensure_ascii=False)[1:-1]
        if prepare:
            self._prepare()

    def display(self, path: Path) -> str:
        # the folder is resolved, not the file: a link is named as the editor sees it
        path = path.parent.resolve() / path.name
        try:
            return path.relative_to(conf_mod.project_root(self.settings)).as_posix()
        except ValueError:
            return path.as_posix()

    def _inputs(self) -> tuple:
        """(the key of the folder's other files, [(chart id, definition file, its own inputs)]):
        what a chart's preparation reads besides its datasets."""
        found = self.found = definitions.find(self.dir)  # chart id -> its definition file
        snapshot = self.desk.snapshot
        mine = set(found.values())
        shared = snapshot.key(p for p in (sorted(self.dir.iterdir()) if self.dir.is_dir() else ())
                              if p.is_file() and p not in mine)
        # Every DATADESK_* value but those that change no chart: where the previous output is
        # (a new folder each build) and how many workers draw.
        conf = self._conf = json.dumps({k: v for k, v in self.conf.items() if k not in NOT_SHOWN},
                                       sort_keys=True, default=str)
        return shared, [(chart_id, path, (snapshot.key([path]), shared, conf, str(self.settings.get("THEME")),
                                          self.display(path)))
                        for chart_id, path in found.items()]

    def _kept(self, chart_id: str, own: tuple):
        """The chart as the last build of this process prepared it, while the content of its
        file, of the other files of the folder (a twin, a helper) and of the data files it
        reads is unchanged (a livereload edit rebuilds one chart, not all of them in both
        languages); else None."""
        kept = self.desk.cache.prepared.get((self.lang, chart_id))
        if kept is not None and kept[0] == own and kept[1] == self._data_key(kept[2]):
            return kept
        return None

    def send_ahead(self) -> int:
        """Send to the workers, without waiting, every chart of this language (and of the
        other language sites) that neither this process nor the prepared store holds: the
        build reads its articles meanwhile, and ``_prepare`` takes the answers
        (``desk.chart_jobs``). Prepares nothing here and counts nothing: the number of jobs
        sent (0 when the charts are few enough, or the workers one, to be done here)."""
        shared, charts = self._inputs()
        misses = []
        for chart_id, path, own in charts:
            if self._kept(chart_id, own) is not None:
                continue
            key = self._key(self.lang, chart_id, own)
            if self.store is None or self.store.get(key) is None:
                misses.append((chart_id, path, own, key))
        before = len(self.desk.chart_jobs)
        if self._send(misses, shared) is None:
            return 0
        self.desk.charts_sent_at = time.perf_counter()
        return len(self.desk.chart_jobs) - before

    def _prepare(self) -> None:
        prepared = self.desk.cache.prepared
        shared, charts = self._inputs()
        found = self.found
        for old in [k for k in prepared if k[0] == self.lang and k[1] not in found]:
            del prepared[old]
        results, misses = {}, []
        for chart_id, path, own in charts:
            kept = self._kept(chart_id, own)
            if kept is not None:
                results[chart_id] = kept[3]
                self.desk.count("charts", "cached")
                continue
            key = self._key(self.lang, chart_id, own)
            stored = self._stored(key, chart_id)
            earlier = prepared.get((self.lang, chart_id))
            if (stored is None and self._only is not None and chart_id not in self._only and earlier
                    and earlier[0] == own and isinstance(earlier[3], Prepared) and self.cache.has(earlier[3].key)):
                results[chart_id] = earlier[3]  # its data changed: as this process last prepared it
                self.stale.add(chart_id)
                self.desk.count("charts", "kept with earlier data")
            elif stored is None:
                misses.append((chart_id, path, own, key))
            else:
                uses, results[chart_id] = stored
                prepared[(self.lang, chart_id)] = (own, self._data_key(uses), uses, stored[1])
        for (chart_id, _path, own, key), (uses, result) in zip(misses, self._prepare_misses(misses, shared)):
            # A chart that fails is never kept: its error is found again, and reported, on
            # every build while it stands.
            if isinstance(result, Prepared) and self.store is not None:
                self.store.put(key, {"data": self._portable(self._data_key(uses)), "prepared": result.payload()})
            prepared[(self.lang, chart_id)] = (own, self._data_key(uses), uses, result)
            results[chart_id] = result
        for chart_id in found:  # in the definitions' order, however they were prepared
            result = results[chart_id]
            if isinstance(result, ChartError):
                self.errors[chart_id] = result
            else:
                for notice in result.notices:
                    logger.info("%s", notice)
                self.builds[chart_id] = result
        self._render()

    def _key(self, lang: str, chart_id: str, own: tuple) -> str:
        """The prepared store's key of a chart in ``lang`` (``own``: its files and settings),
        with the paths inside the project written from its root, as the converted articles'
        keys are (articles.settings_key): a copy of the project and of its ``.cache`` (a clone
        restoring its cache elsewhere, a test's copy) finds the same entries. The files are
        named by their content hashes, and an entry's data is checked against the data files
        by path (from the root) and hash when it is read (``_stored``)."""
        return key_of("chart", code_version(), lang, chart_id, self._portable(own),
                      versions(self.conf["DATADESK_CHARTS_VL_VERSION"]), environment())

    def _portable(self, value):
        """``value`` as JSON gives it back, with the project's root in its paths written
        ``<root>`` (the prepared store's keys and its entries' data files)."""
        return json.loads(json.dumps(value, ensure_ascii=False, default=str).replace(self._root, "<root>/"))

    def _stored(self, key: str, chart_id: str):
        """(datasets read, Prepared) from the build processes' store when the same inputs
        were prepared before (a new ``invoke build``), else None."""
        stored = self.store.get(key, f"{chart_id} ({self.lang})") if self.store is not None else None
        if stored is not None:
            uses = tuple(stored["prepared"]["uses"])
            if stored["data"] == self._portable(self._data_key(uses)):
                self.desk.count("charts", "cached")
                return uses, Prepared.of_payload(stored["prepared"])
        return None

    def _prepare_misses(self, misses: list, shared: tuple) -> list:
        """(datasets read, Prepared or ChartError) for each chart the stores lack: in the
        build's worker processes when two or more miss and there are several workers (each
        prepares a chart and draws its files, see jobs.py), else here, one after the other."""
        start = time.perf_counter()
        if self.desk.charts_sent_at is not None:  # sent ahead: ready since they were sent
            start, self.desk.charts_sent_at = min(start, self.desk.charts_sent_at), None
        answers = self._in_workers(misses, shared) if misses else {}
        out = []
        for chart_id, path, _own, _key in misses:
            if chart_id in answers:
                out.append(answers[chart_id])
                self.desk.count("charts", "prepared in workers")
            else:
                out.append(self._prepare_one(chart_id, path))
            self.desk.count("charts", "prepared")
        # The time to have the charts that missed ready (prepared, and drawn in the workers):
        # with the drawing time of _render, what `invoke bench` compares serial and parallel.
        self.desk.render_stats["seconds"] = self.desk.render_stats.get("seconds", 0.0) + time.perf_counter() - start
        return out

    def _in_workers(self, misses: list, shared: tuple) -> dict:
        """chart id -> (datasets read, Prepared or ChartError) for the charts the workers
        prepared (and drew); a chart missing from it is prepared in this process."""
        from . import jobs

        sent = self._send(misses, shared)
        if sent is None:
            return {}
        futures = [sent.pop(key) for _chart_id, _path, _own, key in misses]
        answers = {}
        for (chart_id, path, own, key), future in zip(misses, futures):
            try:
                answer = future.result()
            except BrokenProcessPool:  # a worker died (killed, out of memory): the rest are done here
                logger.info("charts: a worker process stopped: preparing the remaining charts here")
                self._pool().fail()
                break
            except Exception:  # noqa: BLE001 (prepared again here, where it fails with its own traceback)
                continue
            uses, result = jobs.result_of(answer)
            # The worker read the files this build read, or the chart is prepared again here.
            if (answer["definition"] != own[0][0][1] or answer["shared"] != _plain(shared)
                    or answer["data"] != _plain(self._data_key(uses))):
                continue
            answers[chart_id] = (uses, result)
            if answer["failure"] is not None:
                self._failed[chart_id] = jobs.error_of(answer["failure"])
            elif answer["drawn"]:
                self._drawn.add(result.key)
                logger.info("charts: rendered %s (%s) in %.2fs", chart_id, self.lang, answer["draw_seconds"])
        return answers

    def _send(self, misses: list, shared: tuple) -> dict | None:
        """``desk.chart_jobs`` (store key -> the future of a job sent to the workers) with a
        job for each chart of ``misses`` it lacks, and, from the main site, for the other
        languages' charts; None when these charts are to be prepared here (fewer than
        render.PROCESSES_FROM, one worker, or the workers could not start)."""
        from . import jobs

        workers = render.workers_of(self.conf)
        pool = self._pool()
        if len(misses) < render.PROCESSES_FROM or workers < 2 or pool.broken:
            return None

        def submit(chart_id: str, path: Path, lang: str):
            return executor.submit(jobs.run, jobs.job(chart_id, path, self.display(path), lang, self.conf,
                                                      self.catalog, self.cache.path, [p for p, _d in shared]))

        sent = self.desk.chart_jobs  # store key -> a job sent ahead (send_ahead, or the main site below)
        try:
            executor = pool.executor(workers)
            for chart_id, path, _own, key in misses:
                if key not in sent:
                    sent[key] = submit(chart_id, path, self.lang)
            # The other languages' charts, sent now so the workers draw them while this
            # site reads its articles: a language site whose settings make the same key
            # (the same DATADESK_* values, theme and files) takes the answer; another one
            # sends its own jobs, and these are only wasted, never used.
            if is_main_site(self.settings):
                for lang in [lang for lang in (self.settings.get("I18N_SUBSITES") or {}) if lang != self.lang]:
                    for chart_id, path, own, _key in misses:
                        key = self._key(lang, chart_id, own)
                        if key not in sent and (self.store is None or self.store.get(key) is None):
                            sent[key] = submit(chart_id, path, lang)
        except (BrokenProcessPool, RuntimeError, OSError) as exc:
            logger.info("charts: the worker processes could not start (%s): preparing the charts here", exc)
            pool.fail()
            for _chart_id, _path, _own, key in misses:
                sent.pop(key, None)
            return None
        return sent

    def _pool(self) -> render.Pool:
        if self.desk.render_pool is None:
            self.desk.render_pool = render.Pool(self.conf["DATADESK_CHARTS_VL_VERSION"])
        return self.desk.render_pool

    def _render(self) -> None:
        """The files of every prepared chart, from the render cache or drawn now (a chart
        kept from an earlier build is built again first if its files are missing)."""
        def full(item: Prepared) -> Built:
            if item.built is None:
                _uses, again = self._prepare_one(item.id, self.found[item.id])
                self.desk.count("charts", "prepared")
                if isinstance(again, ChartError):
                    raise again
                item.built = again.built
            return item.built

        for chart_id, exc in self._failed.items():  # a worker prepared it, vl-convert did not draw it
            self.errors[chart_id] = exc
            self.builds.pop(chart_id, None)
        items = list(self.builds.values())
        if self._only is None:  # the whole site's charts: the next build hashes these early
            self.desk.render_keys[self.lang] = sorted({item.key for item in items})
        metas, failures = render.ensure_rendered(items, self.cache, self.conf, self.desk.render_stats, full=full,
                                                 pool=self._pool(), drawn=frozenset(self._drawn), rendered=self.fresh)
        for item in items:
            if item.key in failures:
                exc = failures[item.key]
                if isinstance(exc, ChartError):  # prepared again to draw it, and failed this time
                    self.errors[item.id] = exc
                else:
                    self.errors[item.id] = draw_failure(item.built, exc)
                del self.builds[item.id]
            else:
                self.metas[item.id] = metas[item.key]
            item.built = None  # the specs and frames are not needed once the files are drawn
        _write_stats(self.cache.path, self.desk.render_stats)

    def _data_key(self, uses) -> tuple:
        """The data files a chart reads (all of them when its definition did not load)."""
        return data_key(self.catalog, self.desk.snapshot, uses)

    def _prepare_one(self, chart_id: str, path: Path):
        """(datasets the definition names or None, Prepared or ChartError) for one chart."""
        return prepare_chart(chart_id, path, self.display(path), self.lang, self.conf, self.catalog)

    def known(self) -> list[str]:
        return sorted(set(self.builds) | set(self.errors))

    def figure(self, chart_id: str, heading: str = "h3", settings: dict | None = None) -> str:
        """The chart's figure, rendered by the Jinja environment of the site running with
        ``settings`` (the site reading the article; by default the one that prepared it)."""
        if chart_id in self.errors:
            self.reported.add(chart_id)
            raise self.errors[chart_id]
        if chart_id not in self.builds:
            known = ", ".join(self.known()) or "none yet"
            raise ChartError(chart_id, "there is no chart with this id",
                             f"Check the spelling (charts: {known}), or add "
                             f"{self.display(self.dir)}/{chart_id}.py or .yaml.")
        settings = settings or self.settings
        memo = (chart_id, heading, settings.get("DEFAULT_LANG"))
        if memo not in self.figures:  # every article placing it, in both language runs
            self.figures[memo] = self._figure(chart_id, heading, settings)
        return self.figures[memo]

    def _payload_key(self, chart_id: str, chart) -> str:
        """The key of the prepared chart's payload (its spec, texts, data table…), once per
        chart and build: each figure of it (a heading each) is keyed by it."""
        found = self._payload_keys.get(chart_id)
        if found is None or found[0] is not chart:
            found = self._payload_keys[chart_id] = (chart, key_of("payload", chart.payload()))
        return found[1]

    def _figure(self, chart_id: str, heading: str, settings: dict) -> Markup:
        """The figure, from the store when an earlier build process rendered it from the same
        prepared chart, files, datasets, heading, settings and theme (templates, catalogues)."""
        chart, meta = self.builds[chart_id], self.metas[chart_id]
        key = None
        if self.store is not None:
            if self._theme is None:
                self._theme = theme_digest(settings, self.desk.snapshot)
            env_settings = {name: settings.get(name) for name in FIGURE_SETTINGS}
            # Jinja's options, but not the preview's bytecode cache (an object: its templates'
            # sources are in the theme digest)
            env_settings["JINJA_ENVIRONMENT"] = {k: v for k, v in (settings.get("JINJA_ENVIRONMENT") or {}).items()
                                                 if k != "bytecode_cache"}
            shown = {name: meta[name] for name in ("files", "bytes", "svg", "svg_narrow")}  # what it reads
            key = key_of("figure", code_version(), self._payload_key(chart_id, chart), shown, heading, self._conf,
                         figure.datasets_of(chart, self.catalog), self._theme, env_settings)
            stored = self.store.get(key, f"the figure of {chart_id} ({self.lang})")
            if stored is not None:
                self.desk.count("figures", "cached")
                return Markup(stored["html"])
        html = figure.render_figure(chart, meta, self.catalog, self.desk.env(settings, self.lang), self.conf, heading)
        self.desk.count("figures", "rendered")
        if key is not None:
            self.store.put(key, {"html": str(html)})
        return html


def prepare_chart(chart_id: str, path: Path, display: str, lang: str, conf: dict, catalog):
    """(datasets the definition names or None, Prepared or ChartError) for one chart in
    ``lang``: loaded, built, linted, described, its data table made. Run by the build
    process or by a worker (jobs.py): the same function, so the same result or error."""
    uses = None
    try:
        defn = definitions.load(chart_id, path, display)
        uses = tuple(use.name for use in defn.uses)
        built = build_chart(defn, catalog, lang, conf)
        problems = lint_with_keys(defn, built.specs, built.t, conf["DATADESK_CHARTS_MIN_DELTA_E"])
        if problems:
            raise defn.error("; ".join(p for _k, p in problems),
                             'Each check is explained in plugins/datadesk/README.md ("Lint").',
                             key=problems[0][0])
        notices = []
        try:
            alt_text, description = describe(built.specs["wide"], built.t, built.texts["title"])
        except Exception as exc:  # a shape describe() does not know: the title still says it
            notices.append(f"charts: no generated description for {chart_id} ({lang}): {exc}")
            alt_text = description = built.texts["title"]
        built.extra["alt"] = built.texts.get("alt") or alt_text
        built.extra["description"] = built.texts.get("description") or description
        made = Prepared(id=chart_id, lang=lang, key=built.key, texts=built.texts,
                        extra={"alt": built.extra["alt"], "description": built.extra["description"]},
                        uses=list(uses), csv={name: csv_name(defn, name) for name in uses},
                        table=figure.table(built, conf["DATADESK_CHARTS_TABLE_MAX_ROWS"]),
                        notices=notices)
        # As JSON gives it back: a chart prepared here and one read from the store are
        # the same values, so the pages are byte-identical either way.
        return uses, Prepared.of_payload(_plain(made.payload()), built=built)
    except ChartError as exc:
        return uses, exc


def data_key(catalog, snapshot, uses) -> tuple:
    """The data files a chart reads (all of them when its definition did not load), with
    their content hashes in ``snapshot``."""
    folder = catalog.data_dir
    if uses is None:
        return snapshot.folder(folder)
    paths = [p for name in uses for p in ((catalog.csv_path(name), catalog.description_path(name))
                                          if name in catalog else (folder / f"{name}.?",))]
    return snapshot.key(paths)


def draw_failure(built: Built, exc: Exception) -> ChartError:
    """The error of a chart prepared but not drawn (vl-convert refused its spec)."""
    return built.defn.error(
        f"vl-convert could not draw it: {str(exc).strip().splitlines()[0][:300]}",
        "Check the marks and encodings the message names; run `invoke build --debug` for details.",
        key="chart")


def _plain(value):
    """``value`` as JSON gives it back (tuples become lists)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def site_charts(settings: dict, lang: str, desk: Desk) -> SiteCharts:
    """The charts in ``lang``, prepared once per build."""
    if lang not in desk.charts:
        desk.charts[lang] = SiteCharts(settings, lang, desk)
    return desk.charts[lang]


def _write_stats(cache_path: Path, stats: dict) -> None:
    # For `invoke bench` and tests that build in a subprocess.
    cache_path.mkdir(parents=True, exist_ok=True)
    (cache_path / "last-run.json").write_text(json.dumps(stats, sort_keys=True), encoding="utf-8")


ATX_HEADING = re.compile(r"^(#{1,6})\s+\S")
FENCE = re.compile(r"^\s*(```|~~~)")


def heading_for(ctx) -> str:
    """The chart title's heading level: one below the last heading above the chart in the
    Markdown (h2 when there is none: the page title is the h1), so no level is skipped."""
    path = conf_mod.project_root(ctx.settings) / ctx.path
    level, fenced = 1, False
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[: max(ctx.line - 1, 0)]
    except OSError:
        return "h3"
    for line in lines:
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and ATX_HEADING.match(line):
            level = len(ATX_HEADING.match(line).group(1))
    return f"h{min(level + 1, 6)}"


def chart_shortcode(args: str, ctx) -> str:
    """``{{ chart ID }}``: the chart's figure (the shortcode handler, see shortcodes.py)."""
    words = args.split()
    if len(words) != 1:
        raise ShortcodeError(f'expected one chart id, like {{{{ chart aid_inkind_gap }}}}, found "{args}". '
                             "Write the id alone (see plugins/datadesk/README.md).")
    if not ctx.block:
        raise ShortcodeError(f'the chart "{words[0]}" must stand alone on its line. '
                             "Put {{ chart " + words[0] + " }} on a line of its own, with blank lines around it.")
    if ctx.desk.ahead and ctx.lang not in ctx.desk.charts:
        # Converted ahead while the workers prepare the charts (shortcodes.convert_ahead): the
        # figure is a placeholder in the kept conversion, filled when the file is read; this
        # stands for it in the meantime (a figure: a block of its own, as the theme's
        # partials/chart_figure.html makes it). A chart that is unknown or fails is not among
        # the charts when the file is read: it is converted again then, and says its error.
        return Markup("<figure></figure>")
    heading = getattr(ctx, "heading", None) or heading_for(ctx)  # known when a placeholder is filled
    try:
        return site_charts(ctx.settings, ctx.lang, ctx.desk).figure(words[0], heading=heading, settings=ctx.settings)
    except ChartError as exc:
        raise ShortcodeError(exc.for_article()) from None


class ChartsGenerator(Generator):
    """Per language site: every chart's artefacts and embed page under charts/<id>/."""

    def generate_context(self):
        lang = self.settings["DEFAULT_LANG"]
        self.desk = desk_of(self.settings)
        self.site = site_charts(self.settings, lang, self.desk)
        for chart_id, exc in sorted(self.site.errors.items()):
            if chart_id not in self.site.reported:  # articles naming it have reported it already
                logger.error("%s", exc.standalone())
        self._record_usage()

    def _record_usage(self) -> None:
        if not self.site.conf["DATADESK_CHARTS_EMBED_PAGES"]:
            return  # the usage links to the chart's own page; without one there is nothing to link
        out = self.site.conf["DATADESK_CHARTS_OUTPUT_DIR"].strip("/")
        for chart_id, built in sorted(self.site.builds.items()):
            for name in built.uses:
                self.desk.record_usage(name, "chart", built.texts["title"], f"{out}/{chart_id}/", self.site.lang)

    def generate_output(self, writer):
        site, lang = self.site, self.site.lang
        out = site.conf["DATADESK_CHARTS_OUTPUT_DIR"].strip("/")
        for chart_id, built in sorted(site.builds.items()):
            folder = Path(self.output_path) / out / chart_id
            folder.mkdir(parents=True, exist_ok=True)
            meta = site.metas[chart_id]
            for name in meta["files"].values():
                # the cache's files of this chart were checked by this build (SiteCharts._render)
                outputs.copy(self.settings, site.cache.file(built.key, name), folder / name, "charts",
                             verified=True, sha256=(meta.get("sha256") or {}).get(name))
            if site.conf["DATADESK_CHARTS_EMBED_PAGES"]:
                self._embed_page(writer, chart_id, built, f"{out}/{chart_id}/index.html")
        logger.debug("charts: wrote %d charts (%s)", len(site.builds), lang)

    def _embed_page(self, writer, chart_id, built, save_as: str) -> None:
        relative = self.settings.get("RELATIVE_URLS")
        root = path_to_url(get_relative_path(save_as)) if relative else self.settings.get("SITEURL", "")
        html = links.resolve(self.site.figure(chart_id, heading="h1", settings=self.settings), root)
        siteurl = self.settings.get("SITEURL", "")
        page_url = posixpath.dirname(save_as) + "/"
        embed_src = f"{siteurl.rstrip('/')}/{page_url}" if siteurl.startswith(("http://", "https://")) else page_url
        # The PNG's size (its sharing card's og:image:width/height) is given to the template,
        # not read from the output folder by it: then every value the page shows is in its
        # context, and an unchanged page is kept unrendered (outputs.LISTED_TEMPLATES). It is
        # read from the header of the file the chart's folder was just given a copy of.
        png = self.site.cache.file(built.key, self.site.metas[chart_id]["files"]["png"])
        writer.write_file(
            save_as, self.get_template("chart_embed"), self.context, relative_urls=relative,
            chart_id=chart_id, chart_title=built.texts["title"], chart_figure=html,
            chart_embed_src=embed_src, chart_height=self.site.metas[chart_id]["svg"][1] + 420,
            chart_png_size=png_size(png, chart_id), page_name=posixpath.dirname(save_as),
        )


def png_size(path: Path, chart_id: str) -> list[int]:
    """[width, height] of the PNG file ``path`` of chart ``chart_id``, from its header."""
    with open(path, "rb") as handle:
        header = handle.read(24)
    try:
        return list(outputs.png_size(header))
    except ValueError:
        raise ChartError(chart_id, f"its PNG file {path} is not a PNG file",
                         "Remove that file's folder from the charts' cache and build again.") from None


def get_generators(pelican):
    return ChartsGenerator


def on_initialized(pelican) -> None:
    settings = pelican.settings
    conf = conf_mod.values(settings)  # unknown or mistyped DATADESK_* settings stop the build here
    _start_prehash(settings, conf)


def _start_prehash(settings: dict, conf: dict) -> None:
    """A language site about to read its articles: the render cache entries its charts had in
    the last build are hashed by a helper process meanwhile (``render.start_prehash``), so
    checking them (``Cache.get``, on the site's first chart) finds them hashed. Not for a
    language site kept from the last build (datadesk/kept.py), which reads no chart."""
    from ..desk import desk_of, render_keys_key
    from ..kept import VIEW

    desk = desk_of(settings)
    store = desk.store("prepared") if desk.in_build and settings.get(VIEW) is None else None
    if store is None:
        return
    lang = settings.get("DEFAULT_LANG")
    recorded = store.get(render_keys_key(lang), "the chart keys of the last build")
    keys = recorded.get("keys") if isinstance(recorded, dict) else None
    if isinstance(keys, list) and keys:
        render.start_prehash(conf_mod.cache_dir(settings, conf), keys)
