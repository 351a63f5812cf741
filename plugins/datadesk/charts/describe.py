"""Default alt text and description, written from the spec and the data it draws.

Alt text: chart type and title. Description: what is measured (with its unit) by what,
the range with where the extremes are (totals per bar for stacked bars), the latest value
when the axis is time; for charts without a measured axis (timelines, labelled dots),
how many marks over which period and categories. TEXT["alt"] / TEXT["description"]
written by an editor replace them.
"""

from __future__ import annotations

import numbers

import re

from .. import lazy
from ..typography import singular
from ..values import formatting
from .text import T, TextError, _french
from .walk import channel_title, views

np = lazy.module("numpy")
pd = lazy.module("pandas")

KINDS = {
    "bar": ("Diagramme en barres", "Bar chart"),
    "stacked": ("Diagramme en barres empilées", "Stacked bar chart"),
    "line": ("Graphique linéaire", "Line chart"),
    "area": ("Graphique en aires", "Area chart"),
    "point": ("Graphique à points", "Dot chart"),
    "timeline": ("Frise chronologique", "Timeline"),
    "rect": ("Carte de chaleur", "Heatmap"),
    "tick": ("Diagramme en traits", "Tick chart"),
}
WORDS = {
    "fr": {"range": "de {lo} ({lo_at}) à {hi} ({hi_at})", "same": "toutes les valeurs valent {v}",
           "latest": "dernière valeur, {at} : {v}", "total": "total", "marks": "{n} points du {a} au {b}",
           "for": "pour {items}", "colon": "\u202f: "},
    "en": {"range": "from {lo} ({lo_at}) to {hi} ({hi_at})", "same": "every value is {v}",
           "latest": "latest value, {at}: {v}", "total": "total", "marks": "{n} points from {a} to {b}",
           "for": "for {items}", "colon": ": "},
}
COUNT_UNITS = {"nombre", "number", "count"}
EQUALS = re.compile(r"""^\(?\s*datum\.(\w+)\s*===?\s*(['"])(.*?)\2\s*\)?$""")
MARK_ORDER = ("rect", "bar", "area", "line", "point", "circle", "square", "tick")


def filtered(view) -> tuple[pd.DataFrame | None, list[str]]:
    """The view's rows after its simple equality filters, and the values filtered on."""
    df, picked = view.data, []
    if df is None:
        return None, picked
    for step in view.transforms:
        cond = step.get("filter") if isinstance(step, dict) else None
        if isinstance(cond, dict) and "field" in cond and "equal" in cond and cond["field"] in df:
            df = df[df[cond["field"]] == cond["equal"]]
            picked.append(str(cond["equal"]))
        elif isinstance(cond, str) and EQUALS.match(cond.strip()):
            field, _, value = EQUALS.match(cond.strip()).groups()
            if field in df:
                df = df[df[field].astype(str) == value]
                picked.append(value)
    return df, picked


def _measure(view):
    """(channel name, channel) of the quantity the view draws, or None."""
    enc = view.encoding
    if view.mark.get("type") == "rect" and enc.get("color", {}).get("type") == "quantitative":
        return "color", enc["color"]
    for name in ("y", "x"):
        channel = enc.get(name)
        if isinstance(channel, dict) and channel.get("type") == "quantitative" and channel.get("field"):
            return name, channel
    return None


def _kind(view, bar_views: int) -> str:
    mark = view.mark.get("type")
    enc = view.encoding
    if mark == "rect":
        return "rect"
    if mark == "bar":
        stacked = bar_views == 1 and enc.get("color", {}).get("field") and "xOffset" not in enc \
            and "yOffset" not in enc
        return "stacked" if stacked else "bar"
    if mark in ("point", "circle", "square"):
        types = {enc.get("x", {}).get("type"), enc.get("y", {}).get("type")}
        return "timeline" if types == {"temporal", "nominal"} or types == {"temporal", "ordinal"} else "point"
    return mark if mark in KINDS else "point"


def _is_month(channel: dict) -> bool:
    unit = str(channel.get("timeUnit", ""))
    return "month" in unit and "date" not in unit


def _fmt(value, t: T, channel: dict | None = None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if channel is not None and channel.get("type") == "temporal":
        return t.date(pd.Timestamp(value), month=_is_month(channel))
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        value = value.item() if hasattr(value, "item") else value
        number = t.number(value, 0 if float(value).is_integer() else None)
        if channel is not None:  # a numbered category, e.g. "group 18"
            return f"{(channel_title(channel) or t.label(channel['field'])).lower()} {number}"
        return number
    return str(value)


def _with_unit(value, unit: str, t: T, field: str | None = None) -> str:
    money = _money(value, t, field)
    if money:
        return money
    text = _fmt(value, t)
    if unit and t.lang == "fr" and isinstance(value, numbers.Number):
        unit = singular(unit, float(value))  # « 1 unité », « 0 heure »
    return text if not unit or unit in COUNT_UNITS else f"{text}\u00a0{unit}"


def _money(value, t: T, field: str | None) -> str | None:
    """Sums of money are written as the prose writes them (``12,3 Md€`` / ``€12.3bn``):
    the inline values (values/formatting.py) own that table, so a chart and its article agree."""
    raw = t.raw_unit(field) if field else None
    if raw is None or not isinstance(value, numbers.Number) or isinstance(value, bool):
        return None
    table = formatting.unit_table()
    name = formatting.lookup(str(raw), table)
    if name is None or table[name].base not in ("eur", "usd"):
        return None
    locale = formatting.babel_locale(t.lang)
    return formatting.format_quantity(float(value), table[name], None, t.lang, locale)


def _sentence(view, name, channel, t: T, kind: str, label_from_colour: bool) -> str:
    w = WORDS[t.lang]
    df, _ = filtered(view)
    field = channel["field"]
    others = []
    for key in ("x", "y", "color", "xOffset", "yOffset"):
        ch = view.encoding.get(key)
        if key == name or not isinstance(ch, dict) or ch.get("field") not in df or ch.get("type") == "quantitative":
            continue
        if key == "color" and (label_from_colour or kind == "stacked"):
            continue
        if key.endswith("Offset") and "color" in view.encoding:
            continue
        others.append((ch["field"], ch))
    df = df.copy()
    for f, ch in others:
        if ch.get("type") == "temporal":
            df[f] = pd.to_datetime(df[f])
    group = list(dict.fromkeys(f for f, _ in others))
    how = channel.get("aggregate") or ("sum" if kind == "stacked" else None)
    if how in ("sum", "mean", "max", "min") and group:
        df = df.groupby(group, as_index=False, sort=False)[field].agg(how)
    df = df.assign(**{field: pd.to_numeric(df[field], errors="coerce")}).dropna(subset=[field])
    if df.empty:
        return ""
    try:
        unit = t.unit(field)
    except TextError:
        unit = ""
    lo, hi = df.loc[df[field].idxmin()], df.loc[df[field].idxmax()]
    where = lambda row: ", ".join(_fmt(row[f], t, ch) for f, ch in others)  # noqa: E731
    if lo[field] == hi[field]:
        text = w["same"].format(v=_with_unit(hi[field], unit, t, field))
    else:
        text = w["range"].format(lo=_with_unit(lo[field], unit, t, field), lo_at=where(lo),
                                 hi=_with_unit(hi[field], unit, t, field), hi_at=where(hi))
    time = next(((f, ch) for f, ch in others if ch.get("type") == "temporal"), None)
    if time is not None:
        f, ch = time
        last = df[df[f] == df[f].max()]
        at = _fmt(last[f].iloc[0], t, ch)
        colour = view.encoding.get("color", {})
        if len(last) == 1:
            text += "; " + w["latest"].format(at=at, v=_with_unit(last[field].iloc[0], unit, t, field))
        elif isinstance(colour, dict) and colour.get("field") in last and len(last) <= 4:
            values = ", ".join(f"{row[colour['field']]} {_with_unit(row[field], unit, t, field)}" for _, row in last.iterrows())
            text += "; " + w["latest"].format(at=at, v=values)
    return text


def _overview(spec: dict, t: T) -> str:
    """For charts without a measured axis: how many marks, when, for what."""
    w = WORDS[t.lang]
    for view in views(spec):
        if view.mark.get("type") not in ("point", "circle", "square", "tick") or view.data is None:
            continue
        enc = view.encoding
        time = next((ch for ch in (enc.get("x"), enc.get("y")) if isinstance(ch, dict)
                     and ch.get("type") == "temporal" and ch.get("field") in view.data), None)
        cats = next((ch for ch in (enc.get("y"), enc.get("x")) if isinstance(ch, dict)
                     and ch.get("type") in ("nominal", "ordinal") and ch.get("field") in view.data), None)
        if time is None:
            continue
        dates = pd.to_datetime(view.data[time["field"]])
        text = w["marks"].format(n=len(view.data), a=t.date(dates.min()), b=t.date(dates.max()))
        if cats is not None:
            items = list(dict.fromkeys(str(v) for v in view.data[cats["field"]]))
            sort = cats.get("sort")
            if isinstance(sort, list):
                items = [v for v in sort if v in items] + [v for v in items if v not in sort]
            text += " " + w["for"].format(items=", ".join(items))
        return text[0].upper() + text[1:] + "."
    return ""


def describe(spec: dict, t: T, title: str) -> tuple[str, str]:
    """(alt text, description) in ``t.lang``; French is set as French prose is (see
    datadesk.typography: « huit points », « 1er juin », narrow no-break spaces)."""
    alt_text, description = _describe(spec, t, title)
    if t.lang == "fr":
        return _french(alt_text, prose=True), _french(description, prose=True)
    return alt_text, description


def _describe(spec: dict, t: T, title: str) -> tuple[str, str]:
    w = WORDS[t.lang]
    index = 0 if t.lang == "fr" else 1
    found = []
    all_views = list(views(spec))
    bar_views = sum(1 for v in all_views if v.mark.get("type") == "bar")
    for view in all_views:
        picked = _measure(view)
        if picked and view.mark.get("type") in MARK_ORDER and view.data is not None:
            found.append((view, *picked))
    if not found:
        kind = next((_kind(v, bar_views) for v in all_views if v.mark.get("type") in MARK_ORDER), "point")
        alt_text = f"{KINDS[kind][index]}{w['colon']}{title}"
        overview = _overview(spec, t)
        return alt_text, f"{alt_text}. {overview}".strip()
    found.sort(key=lambda item: MARK_ORDER.index(item[0].mark.get("type")))
    kind = _kind(found[0][0], bar_views)
    alt_text = f"{KINDS[kind][index]}{w['colon']}{title}"
    parts, seen = [], set()
    for view, name, channel in found:
        df, picked = filtered(view)
        if df is None or channel["field"] not in df or df.empty:
            continue
        colour = view.encoding.get("color", {})
        from_colour = isinstance(colour, dict) and colour.get("field") in df and df[colour["field"]].nunique() == 1
        if from_colour:
            label = str(df[colour["field"]].iloc[0])
        else:
            label = channel_title(channel) or t.label(channel["field"])
            if picked:
                label += " – " + ", ".join(t.label(p) for p in picked)
        if kind == "stacked":
            label += f" ({w['total']})" if t.lang == "en" else f" ({w['total']})"
        if label in seen:
            continue
        seen.add(label)
        sentence = _sentence(view, name, channel, t, _kind(view, bar_views), from_colour)
        if sentence:
            parts.append(f"{label}{w['colon']}{sentence}.")
        if len(parts) == 4:
            break
    return alt_text, " ".join([alt_text + "."] + parts)
