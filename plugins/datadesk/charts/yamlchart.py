"""Charts an editor writes in YAML, no Python: one mark, x, y, optional colour.

    dataset: kiel_allocations_monthly
    fold: {columns: [military_eur_bn, financial_eur_bn], as: [type, value_eur_bn]}
    mark: bar
    x: {field: month, type: temporal, timeUnit: yearmonth, format: month}
    y: {field: value_eur_bn, type: quantitative}
    color: {field: type, type: nominal}
    tooltip: [month, type, value_eur_bn]
    labels: {...}   units: {...}   title/subtitle/notes/source/alt/description: {fr, en}

See plugins/datadesk/README.md for every key.
"""

from __future__ import annotations

from pathlib import Path

from .. import lazy
from .. import yamlsafe
from .errors import ChartError
from .model import TEXT_KEYS, DataUse, Definition, _filters

alt = lazy.module("altair")
pd = lazy.module("pandas")

TOP_KEYS = {"dataset", "columns", "filter", "fold", "mark", "x", "y", "color", "tooltip",
            "labels", "units", "height", "narrow_height", "sort", "max_rows", "max_rows_reason", *TEXT_KEYS}
CHANNEL_KEYS = {"field", "type", "aggregate", "timeUnit", "title", "format", "sort", "stack",
                "colors", "axis", "scale", "legend", "bin"}
TYPES = {"n": "nominal", "o": "ordinal", "q": "quantitative", "t": "temporal",
         "nominal": "nominal", "ordinal": "ordinal", "quantitative": "quantitative",
         "temporal": "temporal"}
MARKS = {"bar", "line", "point", "area", "rect", "tick", "circle", "square"}
MAX_BYTES = 64 * 1024  # a chart file is a few hundred bytes
FORMATS = {"date": "date_format", "month": "month_format", "day_month": "day_month_format"}


def load_yaml(chart_id: str, path: Path, display: str) -> Definition:
    try:
        raw = yamlsafe.load(path, display, max_bytes=MAX_BYTES)
        if not isinstance(raw, dict):
            raise ChartError(chart_id, "the file is not a YAML mapping", "Start with `dataset: <name>`.", display)
        _check_text(raw, display)
    except yamlsafe.YamlError as exc:
        raise ChartError(chart_id, exc.what, exc.fix, exc.where) from None
    lines = raw.lines
    where = lambda key: f"{display}:{lines[key]}" if key in lines else display  # noqa: E731
    spec = yamlsafe.plain(raw)
    unknown = [k for k in spec if k not in TOP_KEYS]
    if unknown:
        raise ChartError(chart_id, f'unknown key "{unknown[0]}"',
                         f"Use only: {', '.join(sorted(TOP_KEYS))} (plugins/datadesk/README.md).", where(unknown[0]))
    for key in ("dataset", "mark", "x", "y"):
        if key not in spec:
            raise ChartError(chart_id, f'"{key}" is missing', f"Add `{key}:` (plugins/datadesk/README.md).", display)
    mark = spec["mark"] if isinstance(spec["mark"], str) else (spec["mark"] or {}).get("type")
    if mark not in MARKS:
        raise ChartError(chart_id, f'mark "{mark}" is not supported', f"Use one of: {', '.join(sorted(MARKS))}.",
                         where("mark"))
    channels = {}
    for name in ("x", "y", "color"):
        if name in spec:
            channels[name] = _channel(chart_id, name, spec[name], where(name))
    columns = spec.get("columns")
    if columns is None:  # the dataset columns the encodings and the fold name
        folded = (spec.get("fold") or {}).get("columns", [])
        out = (spec.get("fold") or {}).get("as", [])
        named = [c["field"] for c in channels.values()] + list(_tooltip_fields(spec.get("tooltip")))
        columns = list(dict.fromkeys([c for c in named if c not in out] + list(folded)))
    fold = spec.get("fold")
    if fold is not None and (not isinstance(fold.get("columns"), list) or len(fold.get("as", [])) != 2):
        raise ChartError(chart_id, "fold needs `columns: [...]` and `as: [key, value]`",
                         "Write fold: {columns: [a, b], as: [type, value]}.", where("fold"))
    lines_out = {k: lines.get(k) for k in lines}
    lines_out.update({"DATASET": lines.get("dataset"), "COLUMNS": lines.get("columns"),
                      "MAX_ROWS": lines.get("max_rows"), "FILTER": lines.get("filter")})
    return Definition(
        id=chart_id, path=path, display=display, kind="yaml",
        uses=[DataUse(spec["dataset"], list(columns), _filters(chart_id, spec.get("filter"), where("filter")))],
        text={k: spec[k] for k in TEXT_KEYS if k in spec},
        labels=spec.get("labels") or {}, units=spec.get("units") or {},
        chart=_chart_function(spec, channels, mark), lines=lines_out,
        max_rows=spec.get("max_rows"), max_rows_reason=spec.get("max_rows_reason"),
    )


def _check_text(raw: dict, display: str) -> None:
    """Every title, note, label and unit is text in each language (``fr: yes`` is refused)."""
    for key in (*TEXT_KEYS, "labels", "units"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, dict):
            if key in TEXT_KEYS:
                yamlsafe.text(value, raw.where(display, key), key)
            continue
        for name, entry in value.items():
            where = value.where(display, name)
            if key not in TEXT_KEYS and isinstance(entry, dict):
                for lang, label in entry.items():
                    yamlsafe.text(label, entry.where(display, lang), f"{key}.{name}.{lang}")
            else:
                yamlsafe.text(entry, where, f"{key}.{name}")


def _channel(chart_id, name, value, where) -> dict:
    if isinstance(value, str):  # shorthand "field:Q"
        field, _, kind = value.partition(":")
        value = {"field": field, "type": kind or "nominal"}
    if not isinstance(value, dict) or "field" not in value:
        raise ChartError(chart_id, f"{name} has no field", f"Write {name}: {{field: <column>, type: ...}}.", where)
    unknown = [k for k in value if k not in CHANNEL_KEYS]
    if unknown:
        raise ChartError(chart_id, f'{name} has an unknown key "{unknown[0]}"',
                         f"Use only: {', '.join(sorted(CHANNEL_KEYS))}.", where)
    kind = TYPES.get(str(value.get("type", "nominal")).lower())
    if kind is None:
        raise ChartError(chart_id, f'{name} type "{value.get("type")}" is unknown',
                         "Use nominal, ordinal, quantitative or temporal.", where)
    return {**value, "type": kind}


def _tooltip_fields(tooltip):
    for item in tooltip or []:
        yield item if isinstance(item, str) else item.get("field")


def _title(channel: dict, t, df_columns) -> str | None:
    title = channel.get("title")
    if isinstance(title, dict):
        return title[t.lang]
    if title is not None:
        return title
    field = channel["field"]
    if channel["type"] == "quantitative":
        return t.axis_title(field)
    return t.label(field)


def _encode(channel: dict, t, df, channel_name: str):
    kwargs = {"type": channel["type"], "title": _title(channel, t, df.columns)}
    for key in ("aggregate", "timeUnit", "sort", "stack", "bin"):
        if key in channel:
            kwargs[key] = channel[key]
    fmt = channel.get("format")
    if fmt:
        kwargs["axis" if channel_name in ("x", "y") else "legend"] = {"format": getattr(t, FORMATS[fmt], fmt)}
    for key in ("axis", "scale", "legend"):
        if isinstance(channel.get(key), dict):
            kwargs[key] = {**kwargs.get(key, {}), **channel[key]}
    if channel.get("colors"):
        # Colours go to the categories in the order they come (a fold's column order),
        # not alphabetically: the editor's first colour is the first column.
        domain = list(dict.fromkeys(v for v in df[channel["field"]] if v is not None))
        kwargs["scale"] = {**kwargs.get("scale", {}), "domain": domain,
                           "range": [t.color(c) for c in channel["colors"]]}
        kwargs.setdefault("sort", domain)
    cls = {"x": alt.X, "y": alt.Y, "color": alt.Color}[channel_name]
    return cls(channel["field"], **kwargs)


# One time unit later than a date at the start of its unit: where the last bar ends.
NEXT_UNIT = {"year": {"years": 1}, "yearquarter": {"months": 3}, "yearmonth": {"months": 1},
             "yearmonthdate": {"days": 1}, "yearweek": {"weeks": 1}}  # pd.DateOffset(**…)
UNIT_START = {"year": "YS", "yearquarter": "QS", "yearmonth": "MS", "yearmonthdate": "D"}


def _whole_bars(channel: dict, df: pd.DataFrame, mark: str) -> dict | None:
    """The time scale of bars over dates (`timeUnit`) runs from the start of the first
    unit to the end of the last, so the first and the last bar are drawn whole.

    A time unit with offsets rather than a band scale: a band scale would draw every bar
    whole too, but it keeps only the periods present in the data, so a missing month
    would silently vanish from the axis instead of showing as a gap in time."""
    unit = channel.get("timeUnit")
    if mark not in ("bar", "rect") or channel["type"] != "temporal" or unit not in NEXT_UNIT \
            or "domain" in (channel.get("scale") or {}):
        return None
    dates = pd.to_datetime(df[channel["field"]].dropna())
    if dates.empty:
        return None
    if unit == "yearweek":  # Vega-Lite's weeks start on Sunday
        starts = dates.dt.normalize() - pd.to_timedelta((dates.dt.dayofweek + 1) % 7, unit="D")
    else:
        starts = dates.dt.to_period({"YS": "Y", "QS": "Q", "MS": "M", "D": "D"}[UNIT_START[unit]]).dt.start_time
    first, last = starts.min(), starts.max() + pd.DateOffset(**NEXT_UNIT[unit])
    as_date = lambda d: alt.DateTime(year=d.year, month=d.month, date=d.day)  # noqa: E731 (local time, as the data)
    return {"domain": [as_date(first), as_date(last)]}


def _stack_order(spec: dict, channels: dict, mark: str, df: pd.DataFrame, t):
    """Stacked bars and areas pile up in the legend's order, its first category at the
    base (the editor lists first the series the story is about)."""
    colour = channels.get("color")
    if mark not in ("bar", "area") or not colour or colour["type"] != "nominal" or not colour.get("colors"):
        return None, df
    domain = list(dict.fromkeys(v for v in df[colour["field"]] if v is not None))
    order = df[colour["field"]].map({v: i for i, v in enumerate(domain)})
    return alt.Order("stack_order:Q"), df.assign(stack_order=order)


def _chart_function(spec: dict, channels: dict, mark: str):
    fold = spec.get("fold")

    def chart(df: pd.DataFrame, t):
        if fold:
            key, value = fold["as"]
            keep = [c for c in df.columns if c not in fold["columns"]]
            df = df.melt(id_vars=keep, value_vars=fold["columns"], var_name=key, value_name=value)
        for name, channel in channels.items():  # category values shown in the reader's language
            if channel["type"] in ("nominal", "ordinal") and not pd.api.types.is_numeric_dtype(df[channel["field"]]):
                df[channel["field"]] = df[channel["field"]].map(lambda v: t.label(v) if isinstance(v, str) else v)
        mark_opts = spec["mark"] if isinstance(spec["mark"], dict) else {"type": mark}
        enc = {}
        for name, ch in channels.items():
            whole = _whole_bars(ch, df, mark) if name in ("x", "y") else None
            enc[name] = _encode({**ch, "scale": {**(ch.get("scale") or {}), **whole}} if whole else ch, t, df, name)
        order, df = _stack_order(spec, channels, mark, df, t)
        if order is not None:
            enc["order"] = order
        tips = []
        items = list(spec.get("tooltip") or [])
        named = set(_tooltip_fields(items))
        # A category axis cuts long labels with an ellipsis: its tooltip gives them whole.
        items = [ch["field"] for name, ch in channels.items() if name in ("x", "y")
                 and ch["type"] in ("nominal", "ordinal") and ch["field"] not in named] + items
        for item in items:
            field = item if isinstance(item, str) else item["field"]
            ch = next((c for c in channels.values() if c["field"] == field), None)
            kind = ch["type"] if ch else ("temporal" if pd.api.types.is_datetime64_any_dtype(df[field])
                                          else "quantitative" if pd.api.types.is_numeric_dtype(df[field])
                                          else "nominal")
            extra = {"format": t.date_format} if kind == "temporal" else {}
            tips.append(alt.Tooltip(field, type=kind, title=t.label(field), **extra))
        height = spec.get("narrow_height" if t.narrow else "height") or spec.get("height") or 320
        return (alt.Chart(df, mark=alt.MarkDef(**mark_opts))
                .encode(**enc, tooltip=tips).properties(height=height))

    return chart
