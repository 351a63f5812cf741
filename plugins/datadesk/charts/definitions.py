"""Chart definitions: ``content/charts/<id>.py`` (a pure ``chart(df, t)``) or ``<id>.yaml``.

A definition declares the dataset(s) and columns it charts, optional row filters, its
texts in both languages (title, subtitle, notes, source, alt, description), LABELS and
UNITS. ``select_rows`` applies the declaration to the catalogue, so the CSV published
with a chart is exactly the rows it was drawn from.
"""

from __future__ import annotations

import ast
import re
import traceback
import types
from pathlib import Path

from .. import lazy
from .errors import ChartError
from .model import FILTER, TEXT_KEYS, DataUse, Definition, _filters  # noqa: F401 (re-exported)
from .yamlchart import load_yaml

pd = lazy.module("pandas")

CHART_ID = re.compile(r"^[a-z][a-z0-9_]*$")
REQUIRED_TEXT = ("title", "source")
PY_NAMES = {"DATASET", "DATASETS", "COLUMNS", "FILTER", "TEXT", "LABELS", "UNITS",
            "MAX_ROWS", "MAX_ROWS_REASON", "chart", "select", "table"}


def find(charts_dir: Path) -> dict[str, Path]:
    """chart id -> definition file; a .py and a .yaml with the same id is an error later."""
    found: dict[str, Path] = {}
    if charts_dir.is_dir():
        for path in sorted(charts_dir.iterdir()):
            if path.suffix in (".py", ".yaml", ".yml") and not path.name.startswith(("_", ".")):
                found.setdefault(path.stem, path)
    return found


def load(chart_id: str, path: Path, display: str) -> Definition:
    if not CHART_ID.match(chart_id):
        raise ChartError(chart_id, "the file name is not a valid chart id",
                         "Rename it with lower-case letters, digits and underscores, e.g. aid_by_month.py.",
                         display)
    real = path.resolve()
    if not real.is_relative_to(path.parent.resolve()):
        raise ChartError(chart_id, f"the file links to {real}, outside its folder",
                         "A chart is code or data the build runs: put the file itself in the charts "
                         "folder, not a link out of the project", display)
    twins = [p for p in path.parent.glob(f"{chart_id}.*") if p.suffix in (".py", ".yaml", ".yml")]
    if len(twins) > 1:
        raise ChartError(chart_id, f"it is defined twice ({', '.join(sorted(p.name for p in twins))})",
                         "Keep one of the files.", display)
    if path.suffix == ".py":
        return _load_python(chart_id, path, display)
    return load_yaml(chart_id, path, display)


def _assign_lines(source: str) -> dict:
    lines = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    lines[target.id] = node.lineno
        elif isinstance(node, ast.FunctionDef):
            lines[node.name] = node.lineno
    return lines


def _load_python(chart_id: str, path: Path, display: str) -> Definition:
    source = path.read_text(encoding="utf-8")
    try:
        lines = _assign_lines(source)
        # Compiled from the text just read (no __pycache__ in content/, no stale module).
        module = types.ModuleType(f"_datadesk_chart_{chart_id}")
        module.__file__ = str(path)
        exec(compile(source, str(path), "exec"), module.__dict__)  # noqa: S102 (project code, like conf files)
    except SyntaxError as exc:
        raise ChartError(chart_id, f"Python syntax error: {exc.msg}", "Fix the line it names.",
                         f"{display}:{exc.lineno}") from None
    except Exception as exc:  # the module's own top-level code failed
        raise ChartError(chart_id, f"the module failed to load: {type(exc).__name__}: {exc}",
                         "Fix the line it names (a chart module only defines constants and functions).",
                         f"{display}:{error_line(exc, path) or 1}") from None
    ns = vars(module)
    where = lambda key: f"{display}:{lines[key]}" if key in lines else display  # noqa: E731
    if not callable(ns.get("chart")):
        raise ChartError(chart_id, "it has no chart(df, t) function",
                         "Define `def chart(df, t):` returning an Altair chart.", display)
    if "DATASET" in ns and "DATASETS" in ns:
        raise ChartError(chart_id, "it sets both DATASET and DATASETS", "Keep one.", where("DATASETS"))
    if "DATASETS" in ns:
        raw = ns["DATASETS"]
        if not isinstance(raw, dict) or not raw:
            raise ChartError(chart_id, "DATASETS is not a mapping of dataset name to {columns, filter}",
                             'Write DATASETS = {"name": {"columns": [...], "filter": [...]}}.', where("DATASETS"))
        uses = [DataUse(name, _columns(chart_id, (opts or {}).get("columns"), where("DATASETS")),
                        _filters(chart_id, (opts or {}).get("filter"), where("DATASETS")))
                for name, opts in raw.items()]
    elif isinstance(ns.get("DATASET"), str):
        uses = [DataUse(ns["DATASET"], _columns(chart_id, ns.get("COLUMNS"), where("COLUMNS")),
                        _filters(chart_id, ns.get("FILTER"), where("FILTER")))]
    else:
        raise ChartError(chart_id, "it does not say which dataset it charts",
                         'Add DATASET = "<dataset name>" (see the data/*.resource.json files) and COLUMNS = [...].',
                         display)
    text = ns.get("TEXT")
    if not isinstance(text, dict):
        raise ChartError(chart_id, "it has no TEXT (title, source... in fr and en)",
                         'Add TEXT = {"title": {"fr": ..., "en": ...}, "source": {...}}.', display)
    lines.update({f"TEXT.{k}": lines.get("TEXT") for k in TEXT_KEYS if "TEXT" in lines})
    return Definition(
        id=chart_id, path=path, display=display, kind="python", uses=uses, text=text,
        labels=ns.get("LABELS") or {}, units=ns.get("UNITS") or {}, chart=ns["chart"],
        select=ns.get("select") if callable(ns.get("select")) else None,
        table=ns.get("table") if callable(ns.get("table")) else None,
        max_rows=ns.get("MAX_ROWS"), max_rows_reason=ns.get("MAX_ROWS_REASON"), lines=lines,
    )


def _columns(chart_id, value, where) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ChartError(chart_id, f"COLUMNS is {value!r}; expected a list of column names",
                         'Write COLUMNS = ["donor", "committed_eur_bn"].', where)
    return list(value)


def error_line(exc: BaseException, path: Path) -> int | None:
    """The last line of ``path`` in the exception's traceback (where the chart code failed)."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = frame.lineno
    return line


def _coerce(series: pd.Series, text: str):
    text = text.strip().strip('"').strip("'")
    if pd.api.types.is_datetime64_any_dtype(series):
        return pd.Timestamp(text)
    if pd.api.types.is_bool_dtype(series):
        if text.lower() not in ("true", "false"):
            raise ValueError(f'"{text}" is not true or false')
        return text.lower() == "true"
    if pd.api.types.is_numeric_dtype(series):
        return float(text)
    return text


def apply_filter(df: pd.DataFrame, expr: str) -> pd.DataFrame:
    column, op, raw = FILTER.match(expr).groups()
    series = df[column]
    if op == "in":
        items = [v for v in raw.strip().strip("[]").split(",") if v.strip()]
        return df[series.isin([_coerce(series, v) for v in items])]
    value = _coerce(series, raw)
    ops = {"=": series.eq, "==": series.eq, "!=": series.ne, ">": series.gt, ">=": series.ge,
           "<": series.lt, "<=": series.le}
    return df[ops[op](value).fillna(False).astype(bool)]


def select_rows(defn: Definition, catalog) -> dict[str, pd.DataFrame]:
    """The rows and columns the chart uses, per dataset, as declared (raises ChartError)."""
    frames: dict[str, pd.DataFrame] = {}
    key = "DATASETS" if len(defn.uses) > 1 else "DATASET"
    for use in defn.uses:
        if use.name not in catalog.names:
            raise defn.error(f'dataset "{use.name}" does not exist',
                             f"Use one of: {', '.join(sorted(catalog.names))} "
                             "(data/<name>.resource.json), or add the dataset with `invoke new-dataset data/<name>.csv`.",
                             key=key if defn.kind == "python" else "dataset")
        df = catalog.frame(use.name)
        wanted = list(use.columns or []) + [FILTER.match(f).group(1) for f in use.filters]
        unknown = [c for c in dict.fromkeys(wanted) if c not in df.columns]
        if unknown:
            raise defn.error(f'dataset "{use.name}" has no column "{unknown[0]}"',
                             f"Use one of: {', '.join(df.columns)}.",
                             key="COLUMNS" if defn.kind == "python" else "columns")
        for expr in use.filters:
            try:
                df = apply_filter(df, expr)
            except (ValueError, TypeError) as exc:
                raise defn.error(f'filter "{expr}" cannot be applied: {exc}',
                                 "Compare the column with a value of its type (dates as 2022-12-01).",
                                 key="FILTER" if defn.kind == "python" else "filter") from None
        frames[use.name] = df
    if defn.select is not None:
        arg = frames[defn.primary] if len(frames) == 1 else dict(frames)
        try:
            picked = defn.select(arg.copy() if isinstance(arg, pd.DataFrame) else arg)
        except Exception as exc:
            raise defn.error(f"select() raised {type(exc).__name__}: {exc}", "Fix the line it names.",
                             line=error_line(exc, defn.path) or defn.lines.get("select")) from None
        picked = {defn.primary: picked} if isinstance(picked, pd.DataFrame) else picked
        if not isinstance(picked, dict) or not all(isinstance(v, pd.DataFrame) for v in picked.values()):
            raise defn.error("select() did not return a DataFrame (or a dict of them)",
                             "Return the rows to chart.", key="select")
        frames.update(picked)
    for use in defn.uses:
        if use.columns:
            frames[use.name] = frames[use.name][use.columns]
        frames[use.name] = frames[use.name].reset_index(drop=True)
    return frames
