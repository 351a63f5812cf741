"""From a chart definition to everything the renderer needs, for one language.

``build_chart`` selects the declared rows, calls the pure ``chart(df, t)`` once per
picture size, applies the house theme and the source footer, validates the spec, and
returns a ``Built``: the Vega-Lite specs to render, the CSV extract, the texts and the
cache key. Every problem is a ``ChartError`` that names the chart and the fix.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import platform
import re
import textwrap
import time
from dataclasses import dataclass, field
from importlib import metadata

import sanitise

from .. import lazy
from . import theme
from .definitions import Definition, error_line, select_rows
from .lint import missing_text, text_key
from .text import NUMBER_LOCALE, SOURCE_PREFIX, TIME_LOCALE, Countries, T, TextError, pick

alt = lazy.module("altair")
np = lazy.module("numpy")
pd = lazy.module("pandas")
vlc = lazy.module("vl_convert")

RENDER_VERSION = 7  # bump when the artefacts change for the same inputs (cache key); 6: checksums in meta; 7: dates the browser formats follow the language
AUTO_NAME = re.compile(r"\b((?:param|view)_)([0-9a-f]{16}|\d+)\b")


def versions(vl_version: str) -> dict:
    """The libraries' versions in every chart's key. Read from the installed packages' metadata
    (the same strings as their ``__version__``), so a warm build, which prepares no chart,
    does not import Altair, pandas and NumPy to learn them; vl-convert is light to import."""
    found = _installed()
    return {"altair": found["altair"], "vl-convert": found["vl-convert"], "vega-lite": vl_version,
            "vega": found["vega"], "render": RENDER_VERSION, "pandas": found["pandas"],
            "numpy": found["numpy"], "python": found["python"]}


@functools.cache
def _installed() -> dict:
    """Read once per process: the modules in memory are those of the process's start."""
    return {"altair": metadata.version("altair"),
            "vl-convert": vlc.__version__ if hasattr(vlc, "__version__") else "",
            "vega": vlc.get_vega_version(), "pandas": metadata.version("pandas"),
            "numpy": metadata.version("numpy"), "python": platform.python_version()}


def environment() -> dict:
    """What of the process could change a drawing: the time zone and the C locale. Charts
    are drawn in UTC whatever the zone (see README, "Reproducible builds"), and they stay in
    the cache key so an artefact drawn elsewhere is never reused blindly."""
    return {"TZ": os.environ.get("TZ", ""), "tzname": list(time.tzname),
            "locale": {k: os.environ.get(k, "") for k in ("LC_ALL", "LC_TIME", "LC_NUMERIC", "LANG")}}


@dataclass
class Built:
    defn: Definition
    lang: str
    specs: dict  # name -> Vega-Lite dict: wide, narrow, png, vega_wide, vega_narrow (+ _dark twins)
    csv: dict  # file name -> bytes (the rows charted, per dataset)
    frames: dict  # dataset -> DataFrame (the rows charted)
    texts: dict  # title, subtitle, notes, source, alt?, description? (this language)
    t: T
    key: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.defn.id


def canonical_names(spec: dict) -> dict:
    """Altair names unnamed params and views with a random or per-process id
    (param_7e6bf4cbc7914316, view_3); renumber them by first appearance, so the same
    chart always gives the same spec (and cache key)."""
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    seen: dict[str, str] = {}

    def rename(match):
        old = match.group(0)
        if old not in seen:
            count = sum(1 for k in seen if k.startswith(match.group(1)))
            seen[old] = f"{match.group(1)}{count + 1}"
        return seen[old]

    return json.loads(AUTO_NAME.sub(rename, text))


def source_lines(text: str, width: int) -> list[str]:
    # Vega titles do not wrap; ~6.2 px per character at 11 px.
    return textwrap.wrap(text, max(30, int(width / 6.2))) or [text]


def footer(source: str, lang: str, width: int) -> alt.TitleParams:
    return alt.TitleParams(source_lines(SOURCE_PREFIX[lang] + source, width), orient="bottom",
                           anchor="start", fontSize=11, fontWeight="normal", color=theme.SITE["light"]["muted"],
                           offset=14)


def field_meta(defn: Definition, catalog) -> tuple[dict, dict]:
    """Units and {fr, en} titles of the columns of the datasets the chart uses."""
    units, titles = {}, {}
    for use in defn.uses:
        if use.name not in catalog.names:
            continue
        for fld in catalog.resource(use.name)["schema"]["fields"]:
            if fld.get("unit") and fld["unit"] != "see column unit":
                units.setdefault(fld["name"], fld["unit"])
            if fld.get("title_fr") or fld.get("title_en"):
                titles.setdefault(fld["name"], {"fr": fld.get("title_fr"), "en": fld.get("title_en")})
    return units, titles


def csv_bytes(df: pd.DataFrame, defn: Definition | None = None, name: str = "") -> bytes:
    """The rows charted as CSV, written by the site's one CSV writer (a CR in a cell is
    quoted); a header or text cell a spreadsheet would run as a formula is refused."""
    out = df.copy()
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "true", False: "false"})
    text = sanitise.frame_csv_text(out, date_format="%Y-%m-%d")
    numeric = [pd.api.types.is_numeric_dtype(out[c]) for c in out.columns]
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for number, row in enumerate(reader):
        for column, cell in enumerate(row):
            why = sanitise.formula_start(cell) if number == 0 or not numeric[column] else None
            if why and defn is not None:
                raise defn.error(
                    f"its CSV download {name}:{line}:{column + 1} would hold {cell[:60]!r}, which starts "
                    f"with {why} and would run as a formula when the file is opened in a spreadsheet",
                    "Reword that value in the data (or rename the column) so it starts with a letter "
                    "or digit", key="DATASET")
        line = reader.line_num + 1
    return text.encode("utf-8")


def _call_chart(defn: Definition, frames: dict, t: T):
    arg = frames[defn.primary] if len(frames) == 1 else {k: v.copy() for k, v in frames.items()}
    if isinstance(arg, pd.DataFrame):
        arg = arg.copy()
    try:
        chart = defn.chart(arg, t)
    except TextError as exc:
        raise defn.error(f"missing translation: {exc}", "Add the text in both languages (fr and en).",
                         line=error_line(exc, defn.path) or defn.lines.get("LABELS")) from None
    except Exception as exc:
        raise defn.error(f"chart() raised {type(exc).__name__}: {exc}",
                         "Fix the chart function at the line named (run `invoke build --debug` for the traceback).",
                         line=error_line(exc, defn.path) or defn.lines.get("chart")) from None
    if not isinstance(chart, alt.TopLevelMixin):
        raise defn.error(f"chart() returned {type(chart).__name__}, not an Altair chart",
                         "Return the alt.Chart (or layer) you built.", key="chart")
    if getattr(chart, "title", alt.Undefined) is not alt.Undefined:
        raise defn.error("chart() sets a title", 'Put the title in TEXT["title"]; the page and the '
                         "images show it (and the source) for you.", key="chart")
    return chart


def _to_dict(defn: Definition, chart, settings: dict, validate: bool, mode: str = "light") -> dict:
    limit = defn.max_rows or settings["DATADESK_CHARTS_MAX_ROWS"]
    try:
        with alt.data_transformers.enable("default", max_rows=limit), alt.theme.enable(theme.THEMES[mode]):
            spec = chart.to_dict(validate=validate)
    except alt.MaxRowsError as exc:
        count = re.search(r"\((\d+)\)", str(exc))
        rows = f"{count.group(1)} rows" if count else f"more than {limit} rows"
        setting = ('`max_rows: <n>` and `max_rows_reason: "why"`' if defn.kind == "yaml"
                   else 'MAX_ROWS = <n> and MAX_ROWS_REASON = "why"')
        raise defn.error(f"the chart passes {rows} to Vega-Lite; the limit is {limit}",
                         "Aggregate in chart() or in `invoke curate` (fewer rows load faster on phones); "
                         f"if every row must be drawn, set {setting} in the definition.", key="chart") from None
    except Exception as exc:  # altair's SchemaValidationError and friends
        first = str(exc).strip().splitlines()
        detail = " ".join(line.strip() for line in first[:4] if line.strip())
        raise defn.error(f"the Vega-Lite spec is invalid: {detail}",
                         "Fix the encoding or mark option it names (see https://altair-viz.github.io/).",
                         key="chart") from None
    return canonical_names(spec)


def build_chart(defn: Definition, catalog, lang: str, settings: dict) -> Built:
    """Everything for one chart in one language, validated (raises ChartError)."""
    yaml = defn.kind == "yaml"
    name, reason = ("max_rows", "max_rows_reason") if yaml else ("MAX_ROWS", "MAX_ROWS_REASON")
    raise_it = (f'set `{name}: <n>` with `{reason}: "why"`' if yaml
                else f'set {name} = <n> with {reason} = "why"')
    if defn.max_rows is not None and not (isinstance(defn.max_rows, int) and not isinstance(defn.max_rows, bool)
                                          and defn.max_rows > 0 and isinstance(defn.max_rows_reason, str)
                                          and defn.max_rows_reason.strip()):
        raise defn.error(f"{name} is set without a positive integer and a {reason}",
                         f'Write {name}: 8000 and {reason}: "every day of every group is drawn".' if yaml else
                         f'Write {name} = 8000 and {reason} = "every day of every group is drawn".',
                         key="MAX_ROWS")
    texts = {}
    for key, value in defn.text.items():
        if value is None:
            continue
        try:
            texts[key] = pick(value, lang, key)
        except TextError:
            what, fix = missing_text(defn, key, lang, value=value)
            raise defn.error(what, fix, key=text_key(defn, key)) from None
    for key in ("title", "source"):
        if not texts.get(key):
            fix = (f'Add "{key}:" with a line "  fr: …" and a line "  en: …" under it.' if defn.kind == "yaml"
                   else f'Add TEXT["{key}"] = {{"fr": ..., "en": ...}}.')
            raise defn.error(f"it has no {key}", fix, key="TEXT" if defn.kind != "yaml" else None)
    frames = select_rows(defn, catalog)
    total = sum(len(df) for df in frames.values())
    limit = defn.max_rows or settings["DATADESK_CHARTS_MAX_ROWS"]
    if total > limit:
        whose = f"this chart's {name}" if defn.max_rows else "DATADESK_CHARTS_MAX_ROWS"
        raise defn.error(f"it selects {total} rows; the limit is {limit} ({whose})",
                         f"Filter or aggregate the rows ({'filter' if yaml else 'FILTER, select()'}, or "
                         f"`invoke curate`), or {raise_it}.", key="FILTER")
    units, titles = field_meta(defn, catalog)
    width, narrow_width = settings["DATADESK_CHARTS_WIDTH"], settings["DATADESK_CHARTS_NARROW_WIDTH"]
    specs = {}
    for name, w, narrow in (("wide", width, False), ("narrow", narrow_width, True)):
        t = T(lang, defn.labels, defn.units, width=w, narrow=narrow, field_units=units,
              field_titles=titles, source=texts["source"], countries=Countries.of(settings))
        chart = _call_chart(defn, frames, t)
        # fit-x: the picture is exactly w px wide, axes and legend included.
        sized = (chart.properties(width=w, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
                 if isinstance(chart, (alt.Chart, alt.LayerChart)) else chart)
        static = sized.properties(title=footer(texts["source"], lang, w))
        specs[name] = _to_dict(defn, static, settings, validate=(name == "wide"))
        # Symbol legends wrap instead of running off the picture, and long labels are cut
        # with an ellipsis (the tooltip and the data table have them whole); a chart may set
        # its own. A legend starts where the plot does, after the axis labels, so on a phone
        # one entry per row is what fits whatever the labels.
        own = specs[name]["config"]
        own.setdefault("legend", {}).setdefault("columns", 1 if narrow else 3)
        own["legend"].setdefault("titleLimit", w - 40)  # Vega's 180 px would cut a title's unit
        if narrow:
            own["legend"].setdefault("labelLimit", 200)
            own.setdefault("axis", {}).setdefault("labelLimit", 160)
        if name == "wide":
            heading = alt.TitleParams(texts["title"], subtitle=texts.get("subtitle", alt.Undefined),
                                      anchor="start", orient="top")
            # The PNG stands alone (downloads, social cards): title on top, source below.
            inner = chart.properties(width=w) if isinstance(chart, (alt.Chart, alt.LayerChart)) else chart
            png = alt.vconcat(inner.properties(title=footer(texts["source"], lang, w))).properties(title=heading)
            specs["png"] = _to_dict(defn, png, settings, validate=False)
            specs["png"]["background"] = theme.SITE["light"]["bg"]
            t_wide = t
    for name in ("wide", "narrow"):
        # The live view is the static picture come alive: the same spec (size, legend,
        # axes, source footer), so swapping one for the other changes nothing on screen.
        specs[f"vega_{name}"] = _interactive(specs[name], lang)
    for name in ("wide", "narrow", "png"):
        # Pictures are <img>s named by their alt text and description: per-mark ARIA labels
        # would only triple the file size (the heatmap's SVG: 515 KB -> 170 KB). The live
        # view keeps Vega's ARIA (with it off, Vega leaves every mark group a role and no name).
        specs[name].setdefault("config", {})["aria"] = False
    for name in ("wide", "narrow", "vega_wide", "vega_narrow"):
        specs[f"{name}_dark"] = theme.to_dark(specs[name])
    built = Built(defn=defn, lang=lang, specs=specs, frames=frames, texts=texts, t=t_wide,
                  csv={csv_name(defn, use.name): csv_bytes(frames[use.name], defn, csv_name(defn, use.name))
                       for use in defn.uses})
    built.key = cache_key(built, settings)
    return built


def csv_name(defn: Definition, dataset: str) -> str:
    return f"{defn.id}.csv" if dataset == defn.primary else f"{defn.id}.{dataset}.csv"


def _interactive(spec: dict, lang: str) -> dict:
    """The browser's spec: the picture's own spec at the picture's own size (charts.js
    scales the drawing into the image's box, as the <img> is scaled), its text in the
    font the picture was laid out with, and the language's number and date locale."""
    spec = theme.measured(spec)
    spec.setdefault("config", {})["locale"] = {"number": NUMBER_LOCALE[lang], "time": TIME_LOCALE[lang]}
    return spec


def cache_key(built: Built, settings: dict) -> str:
    payload = {
        "specs": built.specs,
        "csv": {name: hashlib.sha256(data).hexdigest() for name, data in built.csv.items()},
        "lang": built.lang,
        "locale": [NUMBER_LOCALE[built.lang], TIME_LOCALE[built.lang]],
        "versions": versions(settings["DATADESK_CHARTS_VL_VERSION"]),
        "environment": environment(),
        "png_scale": settings["DATADESK_CHARTS_PNG_SCALE"],
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
