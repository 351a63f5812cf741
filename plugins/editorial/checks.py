"""The editorial checks of the front matter of Markdown articles and pages, with the
messages an editor can act on: one per mistake, with the file, the line, what is wrong and
the fix. The front matter itself is read by ``datadesk.frontmatter``, the project's one
reader of it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .bidi import problems as bidi_controls
from datadesk.frontmatter import Fields, FrontMatter, Problem, Source, read
from .header import header_breaks, printed_problems
from .pairs import charts_placed, unpaired

# We ask for ISO dates. Pelican reads dates with dateutil, which takes 03/10/2022 as
# 10 March (month first) while a French editor means 3 October: only YYYY-MM-DD is safe.
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?$")
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STATUSES = ["published", "draft", "hidden"]
FIELDS = ["title", "date", "modified", "slug", "lang", "category", "tags", "summary",
          "status", "authors", "author", "translation", "save_as", "url", "template",
          "datasets"]
# What editors type instead of the English field names.
ALIASES = {"titre": "title", "résumé": "summary", "resume": "summary", "chapo": "summary",
           "chapeau": "summary", "catégorie": "category", "categorie": "category",
           "rubrique": "category", "section": "category", "auteur": "authors",
           "auteurs": "authors", "étiquettes": "tags", "etiquettes": "tags",
           "mots-clés": "tags", "mots-cles": "tags", "tag": "tags", "langue": "lang",
           "language": "lang", "statut": "status", "état": "status", "traduction": "translation",
           "modifié": "modified", "modifie": "modified", "mise-à-jour": "modified"}
SAMPLE = {"title": "Title: Les frappes du 10 octobre", "date": "Date: 2022-10-31",
          "slug": "Slug: frappes-10-octobre", "category": "Category: Analyses"}
LANG_NAMES = {"fr": "French", "en": "English"}


def suggest_iso(text: str) -> tuple[str, bool] | None:
    """``31/10/2022`` -> (``2022-10-31``, False), reading the day first as French and British
    editors write; True when the other reading is a date too (03/10/2022)."""
    match = DAY_FIRST.match(text.strip())
    if not match:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    iso = f"{year}-{int(month):02d}-{int(day):02d}"
    return (f"{iso} {int(hour):02d}:{minute}" if hour else iso), int(day) <= 12


def check_date(matter: FrontMatter, key: str) -> Problem | None:
    value = matter.value(key)
    name = matter.fields[key][2]
    where = (matter.source.display, matter.line(key))
    expected = ("expected year-month-day such as 2022-10-31, optionally with the time "
                "(2022-10-31 14:30)")
    if not ISO_DATE.match(value):
        guess = suggest_iso(value)
        if guess:
            iso, ambiguous = guess
            fix = f"Write {name}: {iso}" + (" if the day comes first." if ambiguous else ".")
        else:
            fix = f"Write the date as numbers, year first: {name}: 2022-10-31."
        return Problem(*where, f'{name} is "{value}"; {expected}. {fix}')
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return Problem(*where, f'{name} is "{value}", which is not a day on the calendar; '
                               f"check the month (01-12) and the day.")
    return None


def unknown_fields(matter: FrontMatter) -> list[Problem]:
    problems = []
    for key, (_value, line, typed) in {**matter.fields, **matter.stray}.items():
        if key in FIELDS:  # a field after a stray line is fine once that line is renamed
            continue
        meant = ALIASES.get(key) or next(iter(difflib.get_close_matches(key, FIELDS, 1, 0.8)), None)
        if meant:
            problems.append(Problem(matter.source.display, line,
                                    f'"{typed}" is not a field name; expected "{meant.capitalize()}" '
                                    f"(field names are in English: Title, Date, Slug, Lang, "
                                    f"Category, Tags, Summary, Status, Authors). Rename it: "
                                    f"`{meant.capitalize()}: {_value[:40]}`."))
    return problems


def check_one(matter: FrontMatter, langs: list[str], placeholders: list[str],
              categories: dict[str, set[str]]) -> list[Problem]:
    """Checks that need only this file."""
    src, problems = matter.source, unknown_fields(matter)
    display = src.display
    misnamed = {p.message.split('expected "', 1)[1].split('"')[0].lower() for p in problems}
    printed, meant = printed_problems(matter.fields)
    problems += [Problem(display, line, message) for line, message in printed]
    problems += [Problem(display, line, message)
                 for line, message in bidi_controls(matter.header)]
    for key, value in meant.items():  # judge what the editor meant, not the quotes again
        matter.fields[key] = (value, *matter.fields[key][1:])
    broken = header_breaks(matter.text.splitlines(), matter.start)
    if broken:
        problems.append(Problem(display, *broken))
    if "summary" in matter.fields:
        from datadesk import parse_line  # the data desk's public API

        _codes, wrong = parse_line(matter.value("summary"))
        problems += [Problem(display, matter.line("summary"), f"Summary: {message}")
                     for message in wrong]
    for key in ("title", "category", "tags", "slug", "lang", "date", "authors"):
        if "{{" in (matter.value(key) or "") or "}}" in (matter.value(key) or ""):
            problems.append(Problem(display, matter.line(key),
                                    f"{matter.fields[key][2]} contains a shortcode; expected plain "
                                    f"words (shortcodes such as {{{{ value … }}}} work in the text "
                                    f"and in Summary only). Write it out."))

    def missing(key: str, why: str) -> list[Problem]:
        if key in misnamed:  # already explained: "Titre" is not a field name
            return []
        sample = SAMPLE.get(key, f"{key.capitalize()}: …")
        return [Problem(display, 1, f"the {key.capitalize()} line is missing{why}; add a line such "
                                    f"as `{sample}` at the top of the file, before the first blank "
                                    f"line.")]

    if not matter.fields:
        return [Problem(display, 1, "no front matter found; expected the file to start with "
                                    "lines such as `Title: …`, `Date: …`, `Lang: …`, then a blank "
                                    "line, then the text. Copy the top of an existing article, or "
                                    "create the file with `invoke new-article`.")]
    status = (matter.value("status") or "published").lower()
    if status not in STATUSES:
        close = difflib.get_close_matches(status, STATUSES, 1, 0.5)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        problems.append(Problem(display, matter.line("status"),
                                f'Status is "{matter.value("status")}"; expected one of: '
                                f"{', '.join(STATUSES)}. Write Status: draft while you work on it "
                                f"and Status: published when it is ready.{hint}"))
    if not matter.value("title"):
        problems += missing("title", "" if "title" not in matter.fields else " (it is empty)")
    if src.kind == "article" and "date" not in matter.fields and status != "draft":
        problems += missing("date", " (a published article needs its date)")
    for key in ("date", "modified"):
        if key in matter.fields:
            problem = check_date(matter, key)
            if problem:
                problems.append(problem)
    suffix = _file_lang(src.path)
    lang = matter.value("lang")
    if lang is None and "lang" not in misnamed:
        problems.append(Problem(display, 1, f"the Lang line is missing; add `Lang: "
                                            f"{suffix or langs[0]}` at the top of the file "
                                            f"(this site has {', '.join(langs)})."))
    elif lang not in langs:
        problems.append(Problem(display, matter.line("lang"),
                                f'Lang is "{lang}"; expected one of: {", ".join(langs)} '
                                f"(the languages this site publishes). Fix the code, e.g. "
                                f"Lang: {suffix if suffix in langs else langs[0]}."))
    elif suffix in langs and suffix != lang:
        problems.append(Problem(display, matter.line("lang"),
                                f'Lang is "{lang}" but the file name ends in .{suffix}.md; '
                                f"expected them to agree. Change the line to Lang: {suffix}, or "
                                f"rename the file to end in .{lang}.md."))
    slug = matter.value("slug")
    if not slug:
        guess = slug_from_name(src.path)
        problems.append(Problem(display, matter.line("slug"),
                                f"the Slug line is {'empty' if 'slug' in matter.fields else 'missing'}; "
                                f"add `Slug: {guess}` (the article's address; a translation uses "
                                f"the same Slug as its original)."))
    elif not SLUG.match(slug):
        problems.append(Problem(display, matter.line("slug"),
                                f'Slug is "{slug}"; expected lower-case letters, digits and '
                                f"hyphens only (it becomes the address). Write Slug: "
                                f"{slugify_text(slug)}."))
    if src.kind == "article" and status == "published" and not matter.value("category") \
            and "category" not in misnamed:
        known = sorted(categories.get(lang or "", set()))
        listed = f" (sections in use: {', '.join(known)})" if known else ""
        problems.append(Problem(display, matter.line("category"),
                                f"the Category line is missing; a published article without one "
                                f'is filed under "misc". Add `Category: …`{listed}.'))
    translation = (matter.value("translation") or "false").lower()
    if "translation" in matter.fields and translation not in ("true", "false", "none"):
        problems.append(Problem(display, matter.line("translation"),
                                f'Translation is "{matter.value("translation")}"; expected true, '
                                f"false or none. A translation shares its original's Slug: write "
                                f"Translation: true and the original's Slug; an article that exists "
                                f"in one language only says Translation: none."))
    found = sorted((p for p in placeholders if p and p in matter.text), key=matter.text.index)
    if found and status != "draft":
        line = matter.text[: matter.text.index(found[0])].count("\n") + 1
        problems.append(Problem(display, line,
                                f'the file still contains "{found[0]} …]" from invoke '
                                f"new-article; replace it with your text before publishing "
                                f"(or keep Status: draft)."))
    return problems


def _file_lang(path: Path) -> str | None:
    suffixes = path.suffixes
    return suffixes[-2][1:].lower() if len(suffixes) >= 2 and len(suffixes[-2]) == 3 else None


def slugify_text(text: str) -> str:
    from pelican.utils import slugify

    return slugify(text, regex_subs=[(r"[^\w\s-]", ""), (r"(?u)\A\s*", ""), (r"(?u)\s*\Z", ""),
                                     (r"[-\s]+", "-")])


def slug_from_name(path: Path) -> str:
    name = path.name.split(".")[0]
    return slugify_text(name)


CHART_LINE = re.compile(r"\{\{\s*chart\s+([a-z][a-z0-9_]*)\s*\}\}")


def chart_files(matter: FrontMatter, charts_dir: Path | None) -> list[tuple[int, str, Path]]:
    """(line, chart id, its YAML file) of each chart a published article places: the files
    :func:`unfinished_charts` reads, so the findings kept for the article name them too."""
    if charts_dir is None or (matter.value("status") or "published").lower() == "draft":
        return []
    return [(number, chart_id, charts_dir / f"{chart_id}.yaml")
            for number, line in enumerate(matter.text.splitlines(), start=1)
            for chart_id in CHART_LINE.findall(line)]


def unfinished_charts(matter: FrontMatter, charts_dir: Path | None, placeholders) -> list[Problem]:
    """A published article may not show a chart new-chart left half written."""
    problems = []
    for number, chart_id, path in chart_files(matter, charts_dir):
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        found = sorted((p for p in placeholders if p and p in text), key=text.index)
        if found:
            at = text[: text.index(found[0])].count("\n") + 1
            shown = f"{charts_dir.parent.name}/{charts_dir.name}/{path.name}:{at}"
            problems.append(Problem(matter.source.display, number,
                                    f'the chart "{chart_id}" still contains "{found[0]} …]" '
                                    f"({shown}); write its text before publishing (or keep "
                                    f"Status: draft)."))
    return problems


# What the checks that compare files read of each one (besides its Source): _cross_checks
# and pairs.unpaired read these fields and nothing else of the header.
COMPARED = ("slug", "lang", "translation", "date")


@dataclass
class Summary(Fields):
    """What the checks that compare files read of one file: the fields of ``COMPARED`` as
    :func:`check_one` left them (the quotes an editor wrapped around a value removed, as
    it meant them), the charts it places, and its section as written. It is kept with the
    file's own findings, so a file that did not change is not read again to be compared
    with the others; it answers ``value`` and ``line`` as a :class:`FrontMatter` does (both
    are :class:`Fields`)."""

    source: Source
    fields: dict[str, tuple[str, int, str]]
    charts: frozenset[str]  # pairs.charts_placed
    section: tuple[str, str] | None  # (Lang, Category) as written, for an article with a Category


@dataclass
class Checked:
    """One file's own findings (:func:`check_one`, :func:`unfinished_charts`, or the file not
    being UTF-8) and what they were made from besides the file: the sections in use they
    were told about (by language asked, for an article without a Category) and the chart
    files they read. Kept from one build to the next (editorial.py) while those are the same."""

    source: Source
    problems: list[Problem]
    summary: Summary | None  # None: the file could not be read
    sections: dict[str, list[str]] = field(default_factory=dict)
    charts: list[Path] = field(default_factory=list)


class _Sections(Mapping):
    """The sections in use by language, as :func:`check_one` reads them, noting what it was
    told (``told``: language -> the sections listed): its findings hold only while those
    are the sections in use, whatever the other files do to the rest."""

    def __init__(self, by_lang: dict[str, set[str]]):
        self._by_lang, self.told = by_lang, {}

    def __getitem__(self, lang: str) -> set[str]:
        self.told[lang] = sorted(self._by_lang.get(lang, ()))
        return self._by_lang[lang]

    def __iter__(self):
        self.told.update({lang: sorted(names) for lang, names in self._by_lang.items()})
        return iter(self._by_lang)

    def __len__(self) -> int:
        return len(self._by_lang)


def section_of(matter: FrontMatter) -> tuple[str, str] | None:
    """(Lang, Category) as written, for the sections in use: an article's, when it has one."""
    if matter.source.kind == "article" and matter.value("category"):
        return matter.value("lang") or "", matter.value("category")
    return None


def check_file(source: Source, matter: FrontMatter | None, problem: Problem | None, langs: list[str],
               placeholders, categories: dict[str, set[str]], charts_dir: Path | None) -> Checked:
    """The checks that need only this file (``read(source)`` gave ``matter`` or ``problem``)
    and the sections in use (``categories``). The section is taken before :func:`check_one`,
    which leaves the fields as the editor meant them for the checks that compare files."""
    if matter is None:
        return Checked(source, [problem] if problem else [], None)
    section = section_of(matter)
    told = _Sections(categories)
    problems = check_one(matter, langs, list(placeholders), told)
    problems += unfinished_charts(matter, charts_dir, placeholders)
    fields = {key: matter.fields[key] for key in COMPARED if key in matter.fields}
    return Checked(source, problems, Summary(source, fields, charts_placed(matter.text), section),
                   told.told, sorted({path for _line, _id, path in chart_files(matter, charts_dir)}))


def sections_in_use(sections) -> dict[str, set[str]]:
    """The categories of the articles, by language as written (the list an article without a
    Category is told), from each file's :func:`section_of` (None for none)."""
    categories: dict[str, set[str]] = {}
    for section in sections:
        if section is not None:
            lang, category = section
            categories.setdefault(lang, set()).add(category)
    return categories


def check_files(sources: list[Source], langs: list[str], placeholders=(), charts_dir: Path | None = None,
                kept: dict[str, Checked] | None = None) -> list[Checked]:
    """Each file's own findings, in the order of ``sources``. ``kept`` (by display path) holds
    findings from an earlier build whose file and chart files have not changed since
    (editorial.py checks them); each is used again if the sections it was told about are
    still the sections in use, else its file is read and checked again. A file not in
    ``kept`` is read and checked."""
    kept = kept or {}
    read_now = {s.display: read(s) for s in sources if s.display not in kept}

    def section(source: Source) -> tuple[str, str] | None:
        if source.display in kept:
            summary = kept[source.display].summary
            return summary.section if summary else None
        matter = read_now[source.display][0]
        return section_of(matter) if matter else None

    categories = sections_in_use(section(source) for source in sources)
    out = []
    for source in sources:
        old = kept.get(source.display)
        if old is not None and all(sorted(categories.get(lang, ())) == listed
                                   for lang, listed in old.sections.items()):
            out.append(old)
            continue
        matter, problem = read_now[source.display] if source.display in read_now else read(source)
        out.append(check_file(source, matter, problem, langs, placeholders, categories, charts_dir))
    return out


def compare(checked: list[Checked], langs: list[str], reserved=()) -> dict[str, list[Problem]]:
    """Every problem of every file, by display path, from each file's own findings and the
    checks that compare files: a slug is used once per language (articles and pages share
    the address space), a translation's original exists, no slug takes an address the site
    uses for its own pages, and translations pair up."""
    problems = {c.source.display: list(c.problems) for c in checked}
    summaries = [c.summary for c in checked if c.summary is not None]
    by_slug: dict[str, list[Summary]] = {}
    # The older file keeps the slug: the one just created or renamed is the one to change.
    for m in sorted(summaries, key=lambda m: (m.source.path.stat().st_mtime_ns, m.source.display)):
        if m.value("slug"):
            by_slug.setdefault(m.value("slug"), []).append(m)
    for slug, group in by_slug.items():
        for m in group:
            problems[m.source.display] += _cross_checks(m, slug, group, by_slug, reserved)
    for problem in unpaired(summaries, lambda m, line, message: Problem(m.source.display, line, message),
                            langs):
        problems[problem.display].append(problem)
    return {k: sorted(v, key=lambda p: p.line) for k, v in problems.items() if v}


def check_all(sources: list[Source], langs: list[str], placeholders: list[str] = (),
              reserved: list[str] = (), charts_dir: Path | None = None) -> dict[str, list[Problem]]:
    """Every problem of every file, by display path: each file's own checks
    (:func:`check_files`), then the checks that compare files (:func:`compare`)."""
    return compare(check_files(sources, langs, placeholders, charts_dir), langs, reserved)


def _cross_checks(m: Summary, slug: str, group, by_slug, reserved) -> list[Problem]:
    display, line, out = m.source.display, m.line("slug"), []
    lang = m.value("lang")
    if slug in reserved:
        out.append(Problem(display, line, f'Slug "{slug}" is the address of one of the site\'s own '
                                          f"sections ({', '.join(reserved)}); choose another "
                                          f"Slug, e.g. {slug}-2022."))
    same_lang = [o for o in group if o.value("lang") == lang]
    if len(same_lang) > 1 and same_lang[0] is not m:
        first = same_lang[0]
        out.append(Problem(display, line,
                           f'Slug "{slug}" is already used by {first.source.display} (line '
                           f"{first.line('slug')}) in {LANG_NAMES.get(lang, lang)}; expected each "
                           f"{m.source.kind} to have its own Slug. Change one of them (a "
                           f"translation shares the Slug but has a different Lang)."))
    if (m.value("translation") or "").lower() == "true":
        originals = [o for o in group if o.value("lang") != lang
                     and (o.value("translation") or "false").lower() != "true"]
        if not originals:
            others = [s for s, g in by_slug.items() if any(o.value("lang") != lang for o in g)]
            close = difflib.get_close_matches(slug, others, 1, 0.6)
            hint = ""
            if close:
                target = next(o for o in by_slug[close[0]] if o.value("lang") != lang)
                hint = f' Did you mean "{close[0]}" ({target.source.display})?'
            out.append(Problem(display, m.line("translation"),
                               f'Translation: true says this is the translation of the article '
                               f'with Slug "{slug}", but no article in another language has that '
                               f"Slug. Give it the original's Slug, or remove the Translation "
                               f"line if it stands alone.{hint}"))
    return out
