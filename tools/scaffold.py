"""`invoke new-article` and `invoke new-chart`: files an editor starts from, complete
enough to build at once, with every blank marked so the build refuses to publish it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from datadesk import DeskError
from editorial import SETTINGS, Source, languages, read_front_matter, slugify_text

ARTICLE = """\
Title: {title}
Date: {date}
Slug: {slug}
Lang: {lang}
Category: {category}
Tags:{tags}
Summary: {summary}
Status: draft
Authors: {authors}
{translation}
{body}
"""
TEXT = {
    "fr": {
        "summary": "{mark} : une ou deux phrases qui disent ce que le lecteur va apprendre.]",
        "body": "{mark} : le texte. Un paragraphe par idée ; chaque chiffre tiré de nos données "
                "s'écrit avec `{{{{ value … }}}}` et chaque graphique avec `{{{{ chart … }}}}` "
                "(voir EDITING.md).]",
        "byline": "Rédaction {site}",
    },
    "en": {
        "summary": "{mark}: one or two sentences that say what the reader will learn.]",
        "body": "{mark}: the text. One paragraph per idea; every figure from our data is "
                "written `{{{{ value … }}}}` and every chart `{{{{ chart … }}}}` (see EDITING.md).]",
        "byline": "{site} desk",
    },
}


class ScaffoldError(DeskError):
    """The editor asked for something that cannot be created; the message says why and what to do."""


@dataclass
class Created:
    path: Path
    slug: str
    lang: str
    category: str
    preview: str  # path of the draft in the preview, e.g. drafts/<slug>/ or en/drafts/<slug>/
    sections: list  # the sections (categories) already used in this language
    translated: bool  # it is the translation of an existing article


def _articles(content: Path, settings: dict) -> list:
    root = content.parent
    found = []
    for folder in settings["ARTICLE_PATHS"]:
        for path in sorted((content / folder).rglob("*.md")):
            matter, _problem = read_front_matter(Source(path, path.relative_to(root).as_posix(), "article"))
            if matter:
                found.append(matter)
    return found


def _category_for(lang: str, original, matters) -> str | None:
    """The original's section in the other language, learnt from pairs already translated."""
    pairs = Counter()
    by_slug: dict[str, dict] = {}
    for m in matters:
        by_slug.setdefault(m.value("slug"), {})[m.value("lang")] = m.value("category")
    for langs in by_slug.values():
        if original.value("lang") in langs and lang in langs:
            pairs[(langs[original.value("lang")], langs[lang])] += 1
    known = [(target, n) for (source, target), n in pairs.items()
             if source == original.value("category") and target]
    return max(known, key=lambda item: item[1])[0] if known else None


def new_article(content: Path, settings: dict, title: str, lang: str, translation_of: str = "",
                section: str = "", slug: str = "", author: str = "",
                now: dt.datetime | None = None) -> Created:
    langs = languages(settings)
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError('the title is empty; write --title "Les frappes du 10 octobre".')
    if lang not in langs:
        raise ScaffoldError(f'--lang {lang} is not a language of this site; expected one of: '
                            f"{', '.join(langs)}.")
    matters = _articles(content, settings)
    original = None
    if translation_of:
        originals = [m for m in matters if m.value("slug") == translation_of]
        if not originals:
            slugs = sorted({m.value("slug") for m in matters if m.value("slug")})
            close = difflib.get_close_matches(translation_of, slugs, 1, 0.6)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            raise ScaffoldError(f'--translation-of {translation_of}: no article has that Slug; '
                                f"the slugs are: {', '.join(slugs)}.{hint}")
        original = originals[0]
        if any(m.value("lang") == lang for m in originals):
            same = next(m for m in originals if m.value("lang") == lang)
            raise ScaffoldError(f"{same.source.display} is already the {lang} version of "
                                f'"{translation_of}"; open it instead.')
        slug = translation_of
    slug = slug or slugify_text(title.replace("'", " ").replace("’", " "))[:70].rstrip("-")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
        raise ScaffoldError(f'the address "{slug}" is not lower-case letters, digits and hyphens; '
                            f"pass --slug with one, e.g. --slug frappes-10-octobre.")
    clash = [m for m in matters if m.value("slug") == slug and m.value("lang") == lang]
    if clash:
        raise ScaffoldError(f'the Slug "{slug}" is already used in {lang} by '
                            f"{clash[0].source.display}; choose another title, or pass "
                            f"--slug another-address.")
    folder = content / settings["ARTICLE_PATHS"][0]
    path = folder / f"{slug}.{lang}.md"
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(content.parent)} already exists; open it, or "
                            f"choose another title (or --slug). Nothing was overwritten.")
    in_lang = Counter(m.value("category") for m in matters
                      if m.value("lang") == lang and m.value("category"))
    category = section or (original and _category_for(lang, original, matters)) or \
        (in_lang.most_common(1)[0][0] if in_lang else "")
    if not category:
        raise ScaffoldError("there is no article in this language yet to take a section from; "
                            'pass --section "Analyses" (the section, shown as the category).')
    words = TEXT.get(lang, TEXT["en"])
    mark = SETTINGS.value(settings, "EDITORIAL_PLACEHOLDERS").get(lang)
    site = settings.get("I18N_SUBSITES", {}).get(lang, {}).get("SITENAME") or settings["SITENAME"]
    authors = author or settings.get("EDITORIAL_AUTHORS", {}).get(lang) or \
        words["byline"].format(site=site)
    now = now or dt.datetime.now(ZoneInfo(settings.get("TIMEZONE", "UTC")))
    text = ARTICLE.format(
        title=title, date=now.strftime("%Y-%m-%d %H:%M"), slug=slug, lang=lang,
        category=category, tags="", summary=words["summary"].format(mark=mark),
        authors=authors, translation="Translation: true\n" if original else "",
        body=words["body"].format(mark=mark))
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    main = langs[0]
    draft_url = settings["DRAFT_URL" if lang == main else "DRAFT_LANG_URL"].format(slug=slug, lang=lang)
    return Created(path, slug, lang, category, ("" if lang == main else f"{lang}/") + draft_url,
                   sorted(in_lang), bool(original))


def describe(created: Created, root: Path, port: int = 8000) -> str:
    """What the editor reads after new-article: where the file is and what to do next."""
    rel = created.path.relative_to(root)
    other = "en" if created.lang == "fr" else "fr"
    others = [s for s in created.sections if s != created.category]
    lines = [
        f"Created {rel} (a draft, in the section \"{created.category}\"" +
        (f"; the others are {', '.join(others)}: change the Category line to move it)."
         if others else ")."),
        "",
        "Next:",
        f"  1. Open {rel} and replace each \"[…]\" placeholder: the Summary and the text.",
        f"  2. Preview it: run `invoke livereload`, then open "
        f"http://127.0.0.1:{port}/{created.preview}",
        "     (the page reloads each time you save; drafts are never published).",
        "  3. When it is ready: change `Status: draft` to `Status: published`.",
    ]
    if not created.translated:
        lines.append(f"  Translate it: invoke new-article --lang {other} --translation-of "
                     f"{created.slug} --title \"…\"")
    return "\n".join(lines + ["  Guide: EDITING.md"])


# --- new-chart ---------------------------------------------------------------------------

CHART = """\
# Made by `invoke new-chart --dataset {dataset}`: a first chart from the dataset's real
# columns. Change what you need (every key: plugins/datadesk/README.md), then put it in an
# article with this line, alone on its line:
#
#     {{{{ chart {chart_id} }}}}
#
# Columns of {dataset}:
{columns}
dataset: {dataset}
{filter}mark: {mark}  # or: {marks}
x: {{field: {x}, type: {x_type}{x_format}}}
y: {{field: {y}, type: quantitative}}
{color}tooltip: [{tooltip}]
{units}title:
  fr: "{fr_mark} : le titre, une phrase qui dit ce que montre le graphique.]"
  en: "{en_mark}: the title, a sentence that says what the chart shows.]"
subtitle:
  fr: "{y_fr}"
  en: "{y_en}"
source:
  fr: "{source_fr}"
  en: "{source}"
"""


@dataclass
class ChartCreated:
    path: Path
    chart_id: str
    dataset: str


def _kind(field: dict) -> str:
    kind = field.get("type", "string")
    return {"integer": "number", "number": "number", "date": "date", "datetime": "date",
            "year": "number", "boolean": "yes/no"}.get(kind, "text")


def new_chart(content: Path, settings: dict, dataset: str, chart_id: str = "") -> ChartCreated:
    import datadesk as catalog_module

    conf = {**settings, "PATH": str(content)}
    try:
        cat = catalog_module.get_catalog(conf)
    except catalog_module.DataValidationError as exc:
        raise ScaffoldError(f"the datasets have errors; fix them first:\n{exc}") from None
    if dataset not in cat.names:
        close = difflib.get_close_matches(dataset, cat.names, 1, 0.6)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        raise ScaffoldError(f'there is no dataset "{dataset}"; the datasets are: '
                            f"{', '.join(sorted(cat.names))}.{hint}")
    resource, frame = cat.resource(dataset), cat.frame(dataset)
    fields = resource["schema"]["fields"]
    chart_id = chart_id or dataset
    if not re.fullmatch(r"[a-z][a-z0-9_]*", chart_id):
        raise ScaffoldError(f'--id {chart_id}: expected lower-case letters, digits and "_", '
                            f"starting with a letter (it becomes the file name and the address).")
    folder = content / "charts"
    existing = [p for p in folder.glob(f"{chart_id}.*") if p.suffix in (".yaml", ".yml", ".py")]
    if existing:
        raise ScaffoldError(f"{existing[0].relative_to(content.parent)} already exists; open it, "
                            f"or pass --id {chart_id}_2 for a new chart. Nothing was overwritten.")
    dates = [f for f in fields if f.get("type") in ("date", "datetime")]
    numbers = [f for f in fields if f.get("type") in ("integer", "number") and f.get("unit")] or \
        [f for f in fields if f.get("type") in ("integer", "number")]
    texts = [f for f in fields if f.get("type") == "string" and not f.get("format")
             and not f["name"].endswith(("_id", "_url"))]
    if not numbers:
        raise ScaffoldError(f"{dataset} has no column of numbers to chart; charts need one "
                            f"(its columns: {', '.join(f['name'] for f in fields)}).")
    x = dates[0] if dates else (texts[0] if texts else fields[0])
    y = numbers[0]
    few = [f for f in texts if f is not x and 1 < frame[f["name"]].nunique() <= 8]
    columns = "\n".join(
        f"#   {f['name']}: {_kind(f)}" + (f", {f['unit']}" if f.get("unit") else "") +
        f" ({f.get('title_en') or f.get('title', '')})" for f in fields)
    start = frame[x["name"]].min() if dates else None
    filter_line = (f'# filter: ["{x["name"]} >= {start:%Y-%m-%d}"]  # keep only some rows\n'
                   if dates and not pd_isna(start) else "")
    limit = int(settings.get("DATADESK_CHARTS_MAX_ROWS", 5000))
    if len(frame) > limit and dates:  # a chart may draw so many rows: start with the first ones
        last = frame[x["name"]].sort_values().iloc[limit - 1]
        keep = frame[x["name"]] < last if (frame[x["name"]] <= last).sum() > limit else None
        end = frame[x["name"]][keep].max() if keep is not None else last
        filter_line = (f"# The whole table has {len(frame)} rows, more than a chart draws "
                       f"({limit}): this filter keeps the first ones.\n"
                       f'filter: ["{x["name"]} <= {end:%Y-%m-%d}"]\n')
    units_line = ""
    try:
        from datadesk import UNIT_NAMES  # the units chart axes know how to write
    except ImportError:
        UNIT_NAMES = {}
    if y.get("unit") not in UNIT_NAMES:
        fr_mark = settings.get("EDITORIAL_PLACEHOLDERS", {}).get("fr", "[À COMPLÉTER")
        en_mark = settings.get("EDITORIAL_PLACEHOLDERS", {}).get("en", "[TO WRITE")
        units_line = (f"# The axis needs the unit of {y['name']} in both languages:\n"
                      f'units: {{{y["name"]}: {{fr: "{fr_mark} : unité]", '
                      f'en: "{en_mark}: unit]"}}}}\n')
    mark = "line" if dates else "bar"
    # Publisher names are written in English in the descriptions: the French line is the
    # editor's to write (a French name of its own when the description gives one).
    publisher = (resource.get("publisher") or {}).get("name", "").replace('"', "'")
    publisher_fr = ((resource.get("publisher") or {}).get("name_fr", "").replace('"', "'")
                    or f"{settings.get('EDITORIAL_PLACEHOLDERS', {}).get('fr', '[À COMPLÉTER')} : "
                       f"la source en français ; en anglais : {publisher}]")
    text = CHART.format(
        dataset=dataset, chart_id=chart_id, columns=columns, filter=filter_line, mark=mark,
        marks="bar, line, point, area, rect, tick, circle, square", x=x["name"],
        x_type="temporal" if dates else "nominal", x_format=", format: date" if dates else "",
        y=y["name"],
        color=(f"# color: {{field: {few[0]['name']}, type: nominal}}  # one colour per "
               f"{few[0]['name']}\n") if few else "",
        tooltip=", ".join(dict.fromkeys([x["name"], y["name"]])), units=units_line,
        fr_mark=settings.get("EDITORIAL_PLACEHOLDERS", {}).get("fr", "[À COMPLÉTER"),
        en_mark=settings.get("EDITORIAL_PLACEHOLDERS", {}).get("en", "[TO WRITE"),
        y_fr=y.get("title_fr") or y["name"], y_en=y.get("title_en") or y["name"],
        source=publisher, source_fr=publisher_fr)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{chart_id}.yaml"
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
    return ChartCreated(path, chart_id, dataset)


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def describe_chart(created: ChartCreated, root: Path) -> str:
    rel = created.path.relative_to(root)
    return "\n".join([
        f"Created {rel} from the columns of {created.dataset}.",
        "",
        "Paste this line into an article, alone on its line, where the chart goes:",
        "",
        f"    {{{{ chart {created.chart_id} }}}}",
        "",
        f"Then open {rel}: write the title (both languages), check x, y and the mark, and",
        "watch it change in the preview (`invoke livereload`). Guide: EDITING.md",
    ])
