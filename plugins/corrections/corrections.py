"""The corrections log: ``content/corrections.yaml`` rendered on the corrections page,
with a notice on every article an entry concerns.

The log is data an editor writes, so every problem is reported with the file and line
of the entry, all at once, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from datadesk import DeskError, Setting, Settings, yamlsafe
from pelican import signals

SETTINGS = Settings("corrections", "CORRECTIONS_", [
    Setting("CORRECTIONS_FILE", "corrections.yaml", "The corrections log, relative to PATH (content/)."),
], "plugins/corrections/README.md")
KINDS = ("correction", "clarification", "update", "note")
NOTICE_KINDS = ("correction", "clarification", "update")
MAX_BYTES = 1024 * 1024  # years of entries; refused before parsing above that
FIELDS = ("id", "date", "article", "kind", "fr", "en")
ID_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9-]+$")


class CorrectionsError(DeskError):
    """The corrections log cannot be read; the message lists every problem."""


@dataclass(frozen=True)
class Correction:
    id: str
    date: dt.date
    article: str
    kind: str
    text: dict
    line: int

    @property
    def shows_notice(self) -> bool:
        return self.kind in NOTICE_KINDS and bool(self.article)


def _config(settings: dict) -> dict:
    return SETTINGS.values(settings)


def load_corrections(path: Path, shown_as: str) -> list[Correction]:
    """Read and check the log; raise CorrectionsError listing every problem."""
    if not path.exists():
        return []
    try:
        root = yamlsafe.load(path, shown_as, max_bytes=MAX_BYTES)
    except yamlsafe.YamlError as exc:
        raise CorrectionsError(str(exc)) from None
    if root is None:
        return []
    if not isinstance(root, list):
        raise CorrectionsError(
            f"{shown_as}:{getattr(root, 'line', 1)}: expected a list of entries, each starting "
            "with '- id:'. See the example at the top of the file."
        )
    problems, entries, seen = [], [], {}
    for index, raw in enumerate(root):
        line = root.lines[index]
        where = f"{shown_as}:{line}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected an entry with the fields {', '.join(FIELDS)}.")
            continue
        missing = [f for f in FIELDS if f not in raw]
        extra = sorted(set(raw) - set(FIELDS))
        if missing:
            problems.append(f"{where}: the entry lacks {', '.join(missing)}; every entry has "
                            f"{', '.join(FIELDS)} (article may be \"\" for the whole site).")
            continue
        if extra:
            problems.append(f"{where}: unknown field {extra[0]}; expected only {', '.join(FIELDS)}.")
        entry_id = str(raw["id"])
        if not ID_PATTERN.match(entry_id):
            problems.append(f"{where}: id is {entry_id!r}; expected YYYY-MM-DD-short-name in "
                            "lower case, e.g. 2026-12-01-front-energetique-vagues.")
        elif entry_id in seen:
            problems.append(f"{where}: id {entry_id} is already used at line {seen[entry_id]}; "
                            "give each entry its own id.")
        seen.setdefault(entry_id, line)
        date = raw["date"]
        if not isinstance(date, dt.date):
            problems.append(f"{where}: date is {date!r}; expected YYYY-MM-DD, e.g. 2026-12-01.")
        kind = raw["kind"]
        if kind not in KINDS:
            problems.append(f"{where}: kind is {kind!r}; expected one of {', '.join(KINDS)}.")
        try:
            for field in ("id", "article", "kind", "fr", "en"):
                if raw[field] is not None:  # empty is reported below, in plain words
                    yamlsafe.text(raw[field], raw.where(shown_as, field), field)
        except yamlsafe.YamlError as exc:
            problems.append(str(exc))
            continue
        for lang in ("fr", "en"):
            if not str(raw[lang] or "").strip():
                problems.append(f"{where}: the {lang} text is empty; write what changed in both "
                                "languages.")
        entries.append(Correction(entry_id, date, str(raw["article"] or ""), kind,
                                  {"fr": str(raw["fr"]), "en": str(raw["en"])}, line))
    if problems:
        raise CorrectionsError("\n".join(problems))
    return sorted(entries, key=lambda e: (e.date, e.id), reverse=True)


def _log_of(settings: dict) -> tuple[list[Correction], str, Path]:
    config = _config(settings)
    content = Path(settings["PATH"])
    shown_as = f"{content.name}/{config['CORRECTIONS_FILE']}"
    return load_corrections(content / config["CORRECTIONS_FILE"], shown_as), shown_as, content


def check_early(pelican) -> None:
    """Fail before any article is read (and any chart rendered) when the log is malformed."""
    _log_of(pelican.settings)


def attach(generator) -> None:
    """Give each article its entries, check every entry names a real article, expose the log."""
    entries, shown_as, content = _log_of(generator.settings)
    articles = list(generator.articles) + list(getattr(generator, "drafts", []))
    for article in articles + [t for a in articles for t in a.translations]:
        mine = [e for e in entries if e.article == article.slug]
        article.corrections = mine
        noticed = [e for e in mine if e.shows_notice]
        article.corrected_on = max((e.date for e in noticed), default=None)
        _derive_modified(article)
        article.updated_on = _updated_on(article)
    known = {a.slug for a in articles} | set(_all_slugs(content))
    unknown = [e for e in entries if e.article and e.article not in known]
    if unknown:
        raise CorrectionsError("\n".join(
            f"{shown_as}:{e.line}: article {e.article!r} matches no article's Slug; expected one "
            f"of {', '.join(sorted(known))}, or \"\" for the whole site." for e in unknown))
    generator.context["CORRECTIONS"] = entries


def _derive_modified(article) -> None:
    """A correction's date is the article's `Modified` in both languages, written or not:
    the page, the feeds, the sitemap and the structured data all read the same date, and
    an editor has nothing to add by hand (a later `Modified:` written by hand is kept)."""
    if not article.corrected_on:
        return
    modified = getattr(article, "modified", None)
    day = modified.date() if isinstance(modified, dt.datetime) else modified
    if day and day >= article.corrected_on:
        return
    tz = article.date.tzinfo if isinstance(article.date, dt.datetime) else None
    article.modified = dt.datetime.combine(article.corrected_on, dt.time(), tzinfo=tz)
    article.metadata["modified"] = article.modified
    if hasattr(article, "date_format"):
        article.locale_modified = article.modified.strftime(article.date_format)


def _updated_on(article) -> dt.date | None:
    """The "updated" date a reader sees: the later of Modified and the last correction."""
    candidates = [article.corrected_on]
    modified = getattr(article, "modified", None)
    if modified:
        candidates.append(modified.date() if isinstance(modified, dt.datetime) else modified)
    latest = max((d for d in candidates if d), default=None)
    published = article.date.date() if isinstance(article.date, dt.datetime) else article.date
    return latest if latest and latest > published else None


def _all_slugs(content: Path):
    """Slugs of every article file, whatever its language (the subsite sees only its own),
    read by the project's one front-matter reader (datadesk.frontmatter)."""
    from datadesk.frontmatter import parse

    for md in content.rglob("*.md"):
        # A file in another encoding is the editorial plugin's to report; read what we can.
        slug = parse(md.read_text(encoding="utf-8-sig", errors="replace")).value("slug")
        if slug:
            yield slug


def register() -> None:
    signals.initialized.connect(check_early)
    signals.article_generator_finalized.connect(attach)
