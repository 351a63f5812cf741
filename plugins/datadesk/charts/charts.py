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
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup
from pelican.generators import Generator
from pelican.utils import get_relative_path, path_to_url

from .. import links, outputs
from ..articles import theme_digest
from ..desk import Desk, desk_of
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

    def __init__(self, settings: dict, lang: str, desk: Desk | None = None):
        self.settings = settings
        self.lang = lang
        self.desk = desk if desk is not None else desk_of(settings)
        self.conf = conf_mod.values(settings)
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
        self._theme = None  # the digest of the theme's templates and catalogues (articles.theme_digest)
        self._conf = ""
        self._prepare()

    def display(self, path: Path) -> str:
        # the folder is resolved, not the file: a link is named as the editor sees it
        path = path.parent.resolve() / path.name
        try:
            return path.relative_to(conf_mod.project_root(self.settings)).as_posix()
        except ValueError:
            return path.as_posix()

    def _prepare(self) -> None:
        found = self.found = definitions.find(self.dir)  # chart id -> its definition file
        snapshot, prepared = self.desk.snapshot, self.desk.cache.prepared
        mine = set(found.values())
        shared = snapshot.key(p for p in (sorted(self.dir.iterdir()) if self.dir.is_dir() else ())
                              if p.is_file() and p not in mine)
        # Every DATADESK_* value but those that change no chart: where the previous output is
        # (a new folder each build) and how many workers draw.
        conf = self._conf = json.dumps({k: v for k, v in self.conf.items() if k not in NOT_SHOWN},
                                       sort_keys=True, default=str)
        for old in [k for k in prepared if k[0] == self.lang and k[1] not in found]:
            del prepared[old]
        for chart_id, path in found.items():
            # Kept from the last build of this process while the content of its file, of the
            # other files of the folder (a twin, a helper) and of the data files it reads is
            # unchanged: a livereload edit rebuilds one chart, not all of them in both languages.
            own = (snapshot.key([path]), shared, conf, str(self.settings.get("THEME")), self.display(path))
            kept = prepared.get((self.lang, chart_id))
            if kept is not None and kept[0] == own and kept[1] == self._data_key(kept[2]):
                result = kept[3]
                self.desk.count("charts", "cached")
            else:
                uses, result = self._stored_or_prepared(chart_id, path, own)
                prepared[(self.lang, chart_id)] = (own, self._data_key(uses), uses, result)
            if isinstance(result, ChartError):
                self.errors[chart_id] = result
            else:
                for notice in result.notices:
                    logger.info("%s", notice)
                self.builds[chart_id] = result
        self._render()

    def _stored_or_prepared(self, chart_id: str, path: Path, own: tuple):
        """(datasets read, Prepared or ChartError): from the build processes' store when the
        same inputs were prepared before (a new ``invoke build``), else prepared here and
        kept. A chart that fails is never kept: its error is found again, and reported, on
        every build while it stands."""
        key = key_of("chart", code_version(), self.lang, chart_id, own,
                     versions(self.conf["DATADESK_CHARTS_VL_VERSION"]), environment())
        label = f"{chart_id} ({self.lang})"
        stored = self.store.get(key, label) if self.store is not None else None
        if stored is not None:
            uses = tuple(stored["prepared"]["uses"])
            if stored["data"] == _plain(self._data_key(uses)):
                self.desk.count("charts", "cached")
                return uses, Prepared.of_payload(stored["prepared"])
        uses, result = self._prepare_one(chart_id, path)
        self.desk.count("charts", "prepared")
        if isinstance(result, Prepared) and self.store is not None:
            self.store.put(key, {"data": _plain(self._data_key(uses)), "prepared": result.payload()})
        return uses, result

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

        items = list(self.builds.values())
        if self.desk.render_pool is None:
            self.desk.render_pool = render.Pool()
        metas, failures = render.ensure_rendered(items, self.cache, self.conf, self.desk.render_stats,
                                                 full=full, pool=self.desk.render_pool)
        for item in items:
            if item.key in failures:
                exc = failures[item.key]
                if isinstance(exc, ChartError):  # prepared again to draw it, and failed this time
                    self.errors[item.id] = exc
                else:
                    self.errors[item.id] = item.built.defn.error(
                        f"vl-convert could not draw it: {str(exc).strip().splitlines()[0][:300]}",
                        "Check the marks and encodings the message names; run `invoke build --debug` for details.",
                        key="chart")
                del self.builds[item.id]
            else:
                self.metas[item.id] = metas[item.key]
            item.built = None  # the specs and frames are not needed once the files are drawn
        _write_stats(self.cache.path, self.desk.render_stats)

    def _data_key(self, uses) -> tuple:
        """The data files a chart reads (all of them when its definition did not load)."""
        folder = self.catalog.data_dir
        if uses is None:
            return self.desk.snapshot.folder(folder)
        paths = [p for name in uses for p in ((self.catalog.csv_path(name), self.catalog.description_path(name))
                                              if name in self.catalog else (folder / f"{name}.?",))]
        return self.desk.snapshot.key(paths)

    def _prepare_one(self, chart_id: str, path: Path):
        """(datasets the definition names or None, Prepared or ChartError) for one chart."""
        uses = None
        try:
            defn = definitions.load(chart_id, path, self.display(path))
            uses = tuple(use.name for use in defn.uses)
            built = build_chart(defn, self.catalog, self.lang, self.conf)
            problems = lint_with_keys(defn, built.specs, built.t, self.conf["DATADESK_CHARTS_MIN_DELTA_E"])
            if problems:
                raise defn.error("; ".join(p for _k, p in problems),
                                 'Each check is explained in plugins/datadesk/README.md ("Lint").',
                                 key=problems[0][0])
            notices = []
            try:
                alt_text, description = describe(built.specs["wide"], built.t, built.texts["title"])
            except Exception as exc:  # a shape describe() does not know: the title still says it
                notices.append(f"charts: no generated description for {chart_id} ({self.lang}): {exc}")
                alt_text = description = built.texts["title"]
            built.extra["alt"] = built.texts.get("alt") or alt_text
            built.extra["description"] = built.texts.get("description") or description
            made = Prepared(id=chart_id, lang=self.lang, key=built.key, texts=built.texts,
                            extra={"alt": built.extra["alt"], "description": built.extra["description"]},
                            uses=list(uses), csv={name: csv_name(defn, name) for name in uses},
                            table=figure.table(built, self.conf["DATADESK_CHARTS_TABLE_MAX_ROWS"]),
                            notices=notices)
            # As JSON gives it back: a chart prepared here and one read from the store are
            # the same values, so the pages are byte-identical either way.
            return uses, Prepared.of_payload(_plain(made.payload()), built=built)
        except ChartError as exc:
            return uses, exc

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
            key = key_of("figure", code_version(), chart.payload(), shown, heading, self._conf,
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
            for name in site.metas[chart_id]["files"].values():
                outputs.copy(self.settings, site.cache.file(built.key, name), folder / name, "charts")
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
        writer.write_file(
            save_as, self.get_template("chart_embed"), self.context, relative_urls=relative,
            chart_id=chart_id, chart_title=built.texts["title"], chart_figure=html,
            chart_embed_src=embed_src, chart_height=self.site.metas[chart_id]["svg"][1] + 420,
            page_name=posixpath.dirname(save_as),
        )


def get_generators(pelican):
    return ChartsGenerator


def on_initialized(pelican) -> None:
    conf_mod.values(pelican.settings)  # unknown or mistyped DATADESK_* settings stop the build here
