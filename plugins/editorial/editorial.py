"""Front matter checked before Pelican reads a single article, with messages an editor
can act on.

Left alone, Pelican skips an article with no title with "Skipping x.md: could not find
information about 'title'", reads 03/10/2022 as 10 March, files an article without a
category under "misc", and crashes (KeyError, with i18n_subsites) on `Translation: true`.
This plugin checks every Markdown article and page when the generators are created,
logs one error per mistake (``content/articles/x.fr.md:4: Date is "31/10/2022"; ...``),
and hides the faulty files from Pelican so its own, vaguer messages never follow. The
build then fails, as every error does in this project, listing all problems at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals
from pelican.readers import MarkdownReader

from .frontmatter import Source, check_all

logger = logging.getLogger(__name__)

# Settings as data: name -> (default, help). The README documents each; a test checks it.
SETTINGS = {
    "EDITORIAL_CHECK": (True, "Check the front matter of every Markdown article and page."),
    "EDITORIAL_PLACEHOLDERS": ({"fr": "[À COMPLÉTER", "en": "[TO WRITE"},
                               "Text invoke new-article leaves to be replaced, per language; a "
                               "file that still holds it cannot be published."),
    "EDITORIAL_RESERVED_SLUGS": (["charts", "data", "feeds", "search", "pagefind", "cards"],
                                 "Addresses the site keeps for itself, besides those derived from "
                                 "the URL settings (category, tag, archives, drafts, data, theme, "
                                 "the language subsites)."),
    "EDITORIAL_AUTHORS": ({}, "Byline invoke new-article writes, per language; by default "
                              "'Rédaction <SITENAME>' (fr) and '<SITENAME> desk' (en)."),
}
CONTEXT_KEY = "EDITORIAL_PROBLEMS"  # the problems of this run, also visible to templates
_CACHE: dict[tuple, dict] = {}
_MAIN_LANG: str | None = None


class EditorialSettingsError(Exception):
    """A setting in pelicanconf.py is not one this plugin knows."""


def setting(settings: dict, name: str):
    return settings.get(name, SETTINGS[name][0])


def configure(pelican) -> None:
    unknown = sorted(k for k in pelican.settings if k.startswith("EDITORIAL_") and k not in SETTINGS)
    if unknown:
        raise EditorialSettingsError(
            f"pelicanconf.py: {', '.join(unknown)} is not an editorial setting; the settings are: "
            f"{', '.join(SETTINGS)} (see plugins/editorial/README.md).")
    for name, (default, _help) in SETTINGS.items():
        pelican.settings.setdefault(name, default)


def is_main_site(settings: dict) -> bool:
    return settings["DEFAULT_LANG"] not in settings.get("I18N_SUBSITES", {})


def languages(settings: dict) -> list[str]:
    """The main language first, then the subsites'. A subsite's settings carry its own
    language as DEFAULT_LANG; the main site always runs first and leaves its language here."""
    global _MAIN_LANG  # noqa: PLW0603
    if is_main_site(settings):
        _MAIN_LANG = settings["DEFAULT_LANG"]
    main = _MAIN_LANG or settings["DEFAULT_LANG"]
    return [main] + [lang for lang in settings.get("I18N_SUBSITES", {}) if lang != main]


def reserved_slugs(settings: dict) -> list[str]:
    names = set(setting(settings, "EDITORIAL_RESERVED_SLUGS"))
    for key in ("CATEGORY_URL", "TAG_URL", "ARCHIVES_URL", "DRAFT_URL", "THEME_STATIC_DIR",
                "CATALOG_OUTPUT_DIR", "SEARCH_INDEX_DIR"):
        first = str(settings.get(key) or "").strip("/").split("/")[0]
        if first and "{" not in first:
            names.add(first)
    names.update(settings.get("I18N_SUBSITES", {}))
    return sorted(names)


def sources(generator) -> list[Source]:
    settings = generator.settings
    root = Path(settings["PATH"]).resolve().parent
    found = []
    for kind, paths, exclude in (("article", "ARTICLE_PATHS", "ARTICLE_EXCLUDES"),
                                 ("page", "PAGE_PATHS", "PAGE_EXCLUDES")):
        for rel in sorted(generator.get_files(settings[paths], exclude=settings[exclude],
                                              extensions=MarkdownReader.file_extensions)):
            path = Path(generator.path, rel).resolve()
            try:
                display = path.relative_to(root).as_posix()
            except ValueError:
                display = path.as_posix()
            found.append(Source(path, display, kind))
    return found


def problems_for(generator) -> dict[str, list]:
    """Problems by display path, cached by the files' mtimes (both language sites and
    every livereload rebuild where nothing changed reuse them)."""
    settings = generator.settings
    found = sources(generator)
    langs = languages(settings)
    placeholders = sorted(setting(settings, "EDITORIAL_PLACEHOLDERS").values())
    reserved = reserved_slugs(settings)
    charts = Path(settings["PATH"]) / settings.get("CHARTS_DIR", "charts")
    watched = found + [Source(p, p.name, "chart") for p in sorted(charts.glob("*.yaml"))]
    stats = tuple((s.display, s.kind, s.path.stat().st_mtime_ns, s.path.stat().st_size)
                  for s in watched)
    key = (stats, tuple(langs), tuple(placeholders), tuple(reserved))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = check_all(found, langs, placeholders, reserved,
                                charts if charts.is_dir() else None)
    return _CACHE[key]


def check(generator) -> None:
    """Runs when each article or page generator is created, before any file is read."""
    settings = generator.settings
    if not setting(settings, "EDITORIAL_CHECK"):
        return
    context = generator.context
    if CONTEXT_KEY not in context:
        found = problems_for(generator)
        context[CONTEXT_KEY] = [str(p) for group in found.values() for p in group]
        if is_main_site(settings):  # the subsites read the same files: report once
            for message in context[CONTEXT_KEY]:
                logger.error("%s", message)
    _hide_bad_files(generator, {p.split(":", 1)[0] for p in context[CONTEXT_KEY]})


def _hide_bad_files(generator, bad: set[str]) -> None:
    """Pelican never reads a file whose front matter failed, so its own "Skipping ..."
    message does not repeat ours; the file is recorded as failed, as Pelican does."""
    if not bad:
        return
    root = Path(generator.settings["PATH"]).resolve().parent
    original = generator.get_files

    def get_files(paths, exclude=None, extensions=None):
        files = original(paths, exclude=exclude, extensions=extensions)
        skipped = set()
        for rel in files:
            path = Path(generator.path, rel).resolve()
            display = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            if display in bad:
                skipped.add(rel)
                generator._add_failed_source_path(rel)
        return files - skipped

    generator.get_files = get_files


def drop_translation_flag(_generator, metadata: dict) -> None:
    """`Translation: true` has been checked (its original exists); i18n_subsites pairs
    translations by Slug and crashes on the flag, so it goes no further."""
    metadata.pop("translation", None)


def register() -> None:
    signals.initialized.connect(configure)
    signals.article_generator_init.connect(check)
    signals.page_generator_init.connect(check)
    signals.article_generator_context.connect(drop_translation_flag)
    signals.page_generator_context.connect(drop_translation_flag)
