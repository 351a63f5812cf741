"""``{{ value DATASET.COLUMN key=value }}``: a figure from a dataset, written in the prose.

Editors never type a number the data holds: the shortcode picks a cell by key or
aggregates rows, formats the result for the article's language, and wraps it in a
link to the dataset page whose title says which rows it came from. Every mistake
(unknown dataset, column, key, a key matching several rows, ...) is a build error
with the article's file and line, what is wrong and the valid names.
"""

from __future__ import annotations

import csv
import html
import logging
import os
from pathlib import Path

from ..datasets import DataValidationError
from ..datasets.package import BASE
from ..desk import desk_of
from ..links import site_link
from ..settings import CONFIG_FILE, DATADESK, SettingsError
from ..shortcodes import ShortcodeError
from ..store import code_version, key_of
from . import formatting as fmt
from . import query as q

logger = logging.getLogger(__name__)

# The settings (DATADESK_VALUES_*, DATADESK_LOCALES, DATADESK_UNITS) are in the desk's one table.
SETTINGS = [s.name for s in DATADESK.table
            if s.name.startswith("DATADESK_VALUES_") or s.name in ("DATADESK_LOCALES", "DATADESK_UNITS")]

WORDS = {
    "fr": {"source": "Source\u00a0: ", "line": "ligne", "rows": "lignes", "over": "sur",
           "where": "où", "sum": "somme", "mean": "moyenne", "min": "minimum", "max": "maximum",
           "count": "nombre", "distinct": "nombre de valeurs différentes", "share": "part", "first": "première valeur",
           "last": "dernière valeur", "of": "de", "colon": "\u00a0: "},
    "en": {"source": "Source: ", "line": "line", "rows": "rows", "over": "over",
           "where": "where", "sum": "sum", "mean": "mean", "min": "minimum", "max": "maximum",
           "count": "count", "distinct": "number of different values", "share": "share", "first": "first value", "last": "last value",
           "of": "of", "colon": ": "},
}


def setting(settings: dict, name: str):
    return DATADESK.value(settings, name)


def configure(pelican) -> None:
    DATADESK.fill(pelican.settings)
    for name, spec in setting(pelican.settings, "DATADESK_UNITS").items():
        if not isinstance(spec, dict) or not (spec.get("cldr") or "{n}" in spec.get("en", "")):
            raise SettingsError(
                f"DATADESK_UNITS[{name!r}] needs an 'en' template with {{n}} (and usually 'fr'), "
                f"or a CLDR unit name.", file=CONFIG_FILE,
                fix="Write it like {'fr': '{n} t', 'en': '{n} t'} or {'cldr': 'mass-tonne'}.")


def _catalog(desk, settings: dict):
    try:
        return desk.catalog(settings)
    except DataValidationError as exc:
        logger.debug("catalog failed: %s", exc)
        raise ShortcodeError("the datasets did not pass validation (their errors are listed "
                             "with this build); fix the data first.")


def _signature(desk, cat, name: str) -> tuple:
    """What every value drawn from one dataset depends on: the content of its CSV file and
    of its description, as this build's snapshot read them."""
    try:
        return desk.snapshot.key([cat.csv_path(name), cat.description_path(name)])
    except KeyError:
        return ()


def _frame(desk, cat, name: str):
    if name not in desk.frames:
        desk.frames[name] = cat.frame(name)  # a copy; nothing here modifies it
    return desk.frames[name]


def _csv_lines(cat, name: str, rows: int) -> list[int] | None:
    """The line each data row starts on in its CSV (a quoted cell may span lines), so a
    reader opening the file finds the row the title names."""
    path = getattr(cat, "csv_path", lambda _name: None)(name)
    if path is None or not Path(path).is_file():
        return None
    starts = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        last = reader.line_num
        for row in reader:
            if any(cell.strip() for cell in row):
                starts.append(last + 1)
            last = reader.line_num
    return starts if len(starts) == rows else None


def _fields(resource: dict) -> dict:
    return {f["name"]: f for f in resource.get("schema", {}).get("fields", [])}


def _resolve(desk, cat, query: q.Query, lang: str, limit: int):
    """The dataset and columns the query names, each checked with the valid names listed."""
    names = sorted(cat.names)
    if query.dataset not in names:
        raise q.QueryError(f'there is no dataset "{query.dataset}"; the datasets are: '
                           f"{q.names_list(names, limit)}.{q.did_you_mean(query.dataset, names)}")
    frame, resource = _frame(desk, cat, query.dataset), cat.resource(query.dataset)
    columns = list(frame.columns)
    if query.column not in columns and f"{query.column}_{lang}" in columns:
        query.column = f"{query.column}_{lang}"  # label_fr / label_en: the article's language
    named = [query.column] + [f.column for f in query.filters]
    named += [query.options[o] for o in ("by", "of") if o in query.options]
    for column in named:
        if column not in columns:
            raise q.QueryError(f'{query.dataset} has no column "{column}"; its columns are: '
                               f"{q.names_list(columns, limit)}.{q.did_you_mean(column, columns)}")
    return frame, resource, _fields(resource)


def _localized(value, lang: str, fallback: str) -> str:
    if isinstance(value, dict):
        return value.get(lang) or value.get("en") or next(iter(value.values()), fallback)
    return value or fallback


def _title(resource: dict, fields: dict, query: q.Query, answer: q.Answer, lang: str,
           line_of) -> str:
    """``Source : Vagues de frappes — strikes_waves.csv, ligne 14``; for an aggregate,
    ``Source: Strike waves — strikes_waves.csv: sum of Missiles launched over 9 rows where …``."""
    words = WORDS.get(lang, WORDS["en"])
    name = resource.get("name", query.dataset)
    title = _localized(resource.get(f"title_{lang}") or resource.get("title"), lang, name)
    head = f"{words['source']}{title} — {Path(resource.get('path', name + '.csv')).name}"
    if len(answer.rows) == 1 and query.aggregate not in ("count", "distinct", "share", "sum", "mean"):
        return f"{head}, {words['line']} {line_of(answer.rows[0])}"

    def label(column: str) -> str:
        spec = fields.get(column, {})
        return _localized(spec.get(f"title_{lang}") or spec.get("title"), lang, column)

    what = f"{words[query.aggregate]} {words['of']} «\u00a0{label(query.column)}\u00a0»" if lang == "fr" \
        else f'{words[query.aggregate]} of "{label(query.column)}"'
    if query.aggregate == "share" and "of" in query.options:
        what += f" / {label(query.options['of'])}"
    count = len(answer.rows)
    rows = f"{count} {words['line'] if count == 1 else words['rows']}"
    where = ""
    if query.filters:
        shown = ", ".join(str(f).replace(">=", " ≥ ").replace("<=", " ≤ ") for f in query.filters)
        where = f" {words['where']} {shown}"
    return f"{head}{words['colon']}{what} {words['over']} {rows}{where}"


def render(answer: q.Answer, query: q.Query, lang: str, settings: dict, dataset: str,
           column: str) -> str:
    """The answer as text in the article's language."""
    locale = fmt.babel_locale(lang, setting(settings, "DATADESK_LOCALES"))
    form = query.options.get("format")
    if form:
        fmt.check_format(form)
    if answer.kind in q.DATES:
        return fmt.format_date_value(answer.value, form, locale)
    if answer.kind == "boolean":
        return fmt.format_boolean(bool(answer.value), lang)
    if answer.kind not in q.NUMERIC:
        if form not in (None, "text"):
            raise fmt.FormatError(f"format={form} applies to numbers or dates, and {dataset}."
                                  f"{column} holds text; remove format=.")
        return str(answer.value)
    if form in fmt.DATE_PATTERNS:
        raise fmt.FormatError(f"format={form} applies to dates, and this value is a number; "
                              f"use integer, decimal:N, percent or compact.")
    table = fmt.unit_table(setting(settings, "DATADESK_UNITS"))
    known = fmt.lookup(answer.unit, table) if answer.unit else "none"
    if known is None and fmt.lookup(query.options.get("unit") or "", table) == "none":
        known = "none"  # the advice below: the bare number, whatever the column's unit
    if known is None:
        raise fmt.FormatError(
            f'{dataset}.{column} is measured in "{answer.unit}", a unit this site does not '
            f"know yet; write unit=none to show the bare number, or ask for the unit to be added "
            f"to DATADESK_UNITS (plugins/datadesk/README.md).")
    source = table[known]
    wanted = query.options.get("unit")
    if wanted and fmt.lookup(wanted, table):
        wanted = fmt.lookup(wanted, table)
    elif wanted:
        raise fmt.FormatError(f"unit={wanted} is not a unit; expected one of: "
                              f"{', '.join(table)}.{q.did_you_mean(wanted, table, 0.75)}")
    target = table[wanted] if wanted else source
    value = fmt.convert(answer.value, source, target, known, wanted or "")
    integer = answer.integer and (target is source)
    return fmt.format_quantity(value, target, form, lang, locale, integer_column=integer)


def handle(args: str, ctx) -> str:
    """The ``value`` shortcode handler (see shortcodes.register_handler)."""
    settings, desk = ctx.settings, ctx.desk
    limit = setting(settings, "DATADESK_VALUES_MAX_LISTED")
    memo = desk.cache.values  # kept between builds; each answer checked against its dataset's hashes
    try:
        query = q.parse(args)
        cat = _catalog(desk, settings)
        key = (args, ctx.lang, bool(ctx.line), repr([setting(settings, n) for n in SETTINGS]), str(cat.data_dir))
        kept = memo.get(key)
        if kept is not None and kept[2] == _signature(desk, cat, kept[1]):
            html_text, dataset, _sig = kept
            desk.used.setdefault(ctx.path, set()).add(dataset)
            desk.count("values", "cached")
            return html_text
        # Kept by an earlier build process (.cache/values), by the same key and the content
        # of the dataset's CSV, its description and the package's own description.
        signature = _signature(desk, cat, query.dataset)
        stored_key = (key_of("value", code_version(), list(key), cat.output_dir, signature,
                             desk.snapshot.digest(Path(cat.data_dir) / BASE)) if signature else None)
        store = desk.store("values")
        if store is None:
            stored_key = None
        stored = store.get(stored_key, f"{{{{ value {args.strip()} }}}}") if stored_key else None
        if stored is not None and stored["dataset"] == query.dataset:
            desk.used.setdefault(ctx.path, set()).add(query.dataset)
            memo[key] = (stored["html"], query.dataset, signature)
            desk.count("values", "cached")
            return stored["html"]
        frame, resource, fields = _resolve(desk, cat, query, ctx.lang, limit)
        positions = {label: i for i, label in enumerate(frame.index)}
        csv_key = (str(cat.csv_path(query.dataset)), desk.snapshot.digest(cat.csv_path(query.dataset)))
        if csv_key not in desk.cache.lines:
            desk.cache.lines[csv_key] = _csv_lines(cat, query.dataset, len(frame))
        starts = desk.cache.lines[csv_key]

        def line_of(label) -> int:
            return starts[positions[label]] if starts else positions[label] + 2

        answer = q.answer(frame, fields, query, line_of)
        text = render(answer, query, ctx.lang, settings, query.dataset, query.column)
    except (q.QueryError, fmt.FormatError) as exc:
        raise ShortcodeError(f"{{{{ value {args.strip()} }}}}: {exc}") from None
    desk.used.setdefault(ctx.path, set()).add(query.dataset)
    title = _title(resource, fields, query, answer, ctx.lang, line_of)
    css = html.escape(setting(settings, "DATADESK_VALUES_CLASS"))
    body = html.escape(text, quote=False)
    title = html.escape(title)
    # In metadata (Summary) the value may be shown on listing pages: no link there.
    if setting(settings, "DATADESK_VALUES_LINK") and ctx.line and hasattr(cat, "dataset_url"):
        # Relative to the page it ends up on (article, home page, feed): datadesk/links.py.
        href = html.escape(site_link(cat.dataset_url(query.dataset)))
        result = f'<a class="{css}" href="{href}" title="{title}">{body}</a>'
    else:
        result = f'<span class="{css}" title="{title}">{body}</span>'
    memo[key] = (result, query.dataset, _signature(desk, cat, query.dataset))
    desk.count("values", "computed")
    if stored_key:
        store.put(stored_key, {"html": result, "dataset": query.dataset})
    return result


def note_usage(content) -> None:
    """Tell the catalog which published articles use which datasets (dataset pages list them)."""
    from ..articles import articles_of

    settings = content.settings
    if content.source_path is None:
        return
    desk = desk_of(settings)
    # the file's path relative to the project, as the reader named it (once per file and build)
    key = articles_of(desk).display(content.source_path, settings)
    if os.path.isabs(key):
        return  # outside the project
    used = desk.used.pop(key, None)
    if not used:
        return
    # Drafts are never published, and each language site records only its own articles
    # (their URLs are relative to that site).
    if content.status != "published" or content.lang != settings.get("DEFAULT_LANG"):
        return
    kind = type(content).__name__.lower()
    for dataset in sorted(used):
        desk.record_usage(dataset, kind, content.title, content.url, content.lang)
