"""The <figure> an article gets for ``{{ chart ID }}`` (markup contract: theme/js/README.md).

Rendered from ``theme/templates/partials/chart_figure.html`` by Pelican's own Jinja
environment of the language site, with the theme's gettext catalogue. URLs are written
with ``links.site_link`` and resolved where the HTML is placed on a page (datadesk/links.py),
so the site works under a sub-path and nothing starts with ``/``.
"""

from __future__ import annotations

import math
import re

from markupsafe import Markup

from .. import lazy
from ..links import site_link
from .build import Built
from .text import T, _french

np = lazy.module("numpy")
pd = lazy.module("pandas")

URL = re.compile(r"^https?://\S+$")


def human_size(n: int, lang: str) -> str:
    if n < 1024:
        text = f"{n} o" if lang == "fr" else f"{n} B"
        return text
    kb = n / 1024
    value = f"{kb:.0f}" if kb >= 10 else f"{kb:.1f}"
    if lang == "fr":
        return value.replace(".", ",") + "\u00a0Ko"
    return value + "\u00a0KB"


def _cell(column: str, value, t: T) -> tuple[str, bool, str | None]:
    """(text, is_number, link)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "", False, None
    if isinstance(value, pd.Timestamp):
        return t.date(value), False, None
    if isinstance(value, np.generic):  # pandas hands Int64/float64 cells over as numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return ("oui" if value else "non") if t.lang == "fr" else ("yes" if value else "no"), False, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return "", False, None
        return t.number(value, 0 if float(value).is_integer() else None), True, None
    text = str(t.value(column, value))
    return text, False, text if URL.match(text) else None


def table(built: Built, limit: int) -> dict:
    """Header and rows of the data-table alternative (escaped by the template)."""
    defn, t = built.defn, built.t
    frame = built.frames[defn.primary]
    if defn.table is not None:
        frame = defn.table(frame.copy(), t)
    headers = [t.label(c) for c in frame.columns]
    rows = []
    for record in frame.head(limit).itertuples(index=False):
        rows.append([_cell(c, v, t) for c, v in zip(frame.columns, record)])
    numeric = [bool(rows) and all(r[i][1] or not r[i][0] for r in rows) for i in range(len(headers))]
    return {"headers": headers, "rows": rows, "numeric": numeric, "shown": min(limit, len(frame)),
            "total": len(frame)}


def datasets_of(chart, catalog) -> list[dict]:
    """The title, page and publisher of each dataset a prepared chart reads, in its language."""
    lang = chart.lang

    def in_lang(text: str) -> str:
        return _french(text) if lang == "fr" else text

    return [{"title": in_lang(catalog.text(name, "title", lang)), "url": site_link(catalog.dataset_url(name)),
             "publisher": in_lang(catalog.publisher(name, lang))} for name in chart.uses]


def context(chart, meta: dict, catalog, conf: dict, heading: str = "h3") -> dict:
    """The template's values for a prepared chart (charts.Prepared) and its rendered files."""
    lang = chart.lang
    folder = site_link(f"{conf['DATADESK_CHARTS_OUTPUT_DIR'].strip('/')}/{chart.id}/")
    files = meta["files"]
    datasets = datasets_of(chart, catalog)
    csvs = [{"url": folder + chart.csv[name], "dataset": name,
             "size": human_size(meta["bytes"][chart.csv[name]], lang)} for name in chart.uses]
    return {
        "id": chart.id, "lang": lang, "texts": chart.texts, "alt": chart.extra["alt"],
        "description": chart.extra["description"], "folder": folder,
        "url": {k: folder + v for k, v in files.items() if not k.startswith("csv:")},
        "size": {k: tuple(meta[k]) for k in ("svg", "svg_narrow")},
        "bytes": {k: human_size(meta["bytes"][v], lang) for k, v in files.items() if not k.startswith("csv:")},
        "datasets": datasets, "csvs": csvs,
        "table": chart.table,
        "embed_url": folder if conf["DATADESK_CHARTS_EMBED_PAGES"] else None, "heading": heading if heading in ("h1", "h2", "h3", "h4", "h5", "h6") else "h3",
    }


def render_figure(chart, meta: dict, catalog, env, conf: dict, heading: str = "h3") -> str:
    """The figure of a prepared chart (charts.Prepared), from the theme's template in ``env``:
    the Jinja environment of the language site, with its gettext catalogue (datadesk/desk.py,
    ``on_generator_init``)."""
    html = env.get_template("partials/chart_figure.html").render(
        chart=context(chart, meta, catalog, conf, heading))
    # One block of HTML with no blank line, whatever Markdown does around it.
    return Markup("\n".join(line for line in html.splitlines() if line.strip()))
