"""A language subsite kept from the previous build: read, and linked from output/ rather than written.

When ``invoke build`` finds that a language subsite (the English site, ``en/``) would be
written with the same bytes as the previous build's (an edit to French articles' prose only:
``datadesk/uptodate.py``, ``Check.kept_subsites``), tools/build.py has i18n_subsites run that
subsite with :class:`KeptSite`. It reads the subsite's content as Pelican does, so that
i18n_subsites links every language's pages to their translations exactly as in a full
build (the main site's pages need the subsite's addresses), then links the subsite's folder
from output/ into the build's folder instead of writing it: no page is rendered or
fingerprinted, no chart, card, feed or search index of that language is made again.

The article pages' fingerprints (pages.py) of that folder are kept for the next build as if
its pages had been written now.

**What the other sites take from it.** Of a language subsite's reading, the rest of the
build uses two things only, and both are recorded (:func:`views`) with the build that made
output/ (uptodate.py, ``Check.record``):

- the address of each of its contents, in its own language (i18n_subsites'
  ``_NATIVE_CONTENT_URL_DB``): the main site's pages link their translations with them;
- its newest published articles (discovery's ``discovery_build``): the main site's 404
  page lists them, with their address, title and date.

Both are functions of what the subsite reads, which the subsites key covers: when that key
is the recorded one, the recorded view is what reading it again would give. So a kept
subsite whose view was recorded is not read at all (:func:`replay`: ``subsites: read from
the record``); one without (a record from before, a title that is not plain text) is read
as above, and its view is recorded for the next build.
"""

from __future__ import annotations

import datetime
import os

from pelican import Pelican, signals

PELICAN_CLASS = "datadesk.KeptSite"  # as i18n_subsites imports it: the package, then the name
# The recorded view of a kept subsite, put in its settings by tools/build.py (lower-case:
# not a setting); and discovery's per-build state, where each language site's newest
# articles are (discovery.py, BUILD_KEY).
VIEW = "datadesk_kept_view"
NEWEST = "discovery_build"
I18N = "pelican.plugins.i18n_subsites.i18n_subsites"


class KeptSite(Pelican):
    """A Pelican run that reads its site and links its output from the previous build."""

    def run(self):
        view = self.settings.get(VIEW)
        if view is not None and replay(self.settings, view):
            from .desk import desk_of

            desk_of(self.settings).count("subsites", "read from the record")
            # ``get_writer`` as below: i18n_subsites links the translations of the sites read
            self._get_writer()
            link_previous(self.settings, self.output_path)
            return
        # Pelican.run (Pelican 4.12, pinned) up to the writer: the content is read and every
        # generator's context made, and ``get_writer`` is sent, where i18n_subsites links the
        # translations of every language site of the build; then no generator writes.
        context = self.settings.copy()
        context["generated_content"] = {}
        context["static_links"] = set()
        context["static_content"] = {}
        context["localsiteurl"] = self.settings["SITEURL"]
        generators = [cls(context=context, settings=self.settings, path=self.path, theme=self.theme,
                          output_path=self.output_path)
                      for cls in self._get_generator_classes()]
        for generator in generators:
            if hasattr(generator, "generate_context"):
                generator.generate_context()
            if hasattr(generator, "check_disabled_readers"):
                generator.check_disabled_readers()
        signals.all_generators_finalized.send(generators)
        for generator in generators:
            if hasattr(generator, "refresh_metadata_intersite_links"):
                generator.refresh_metadata_intersite_links()
        self._get_writer()
        link_previous(self.settings, self.output_path)


def link_previous(settings: dict, folder: str) -> int:
    """Link every file of the previous output's copy of ``folder`` (a subsite's folder in this
    build's output) into it, as the files this build made; returns how many. The previous
    output's folder is in the state the recorded build left it (``Check.kept_subsites``): its
    files are that build's, checked when it wrote them."""
    from .desk import desk_of
    from .pages import pages_of

    desk = desk_of(settings)
    count = desk.outputs.keep_folder(folder, "subsite")
    pages = pages_of(settings)
    if pages is not None:  # the next build finds these pages' fingerprints as if written now
        prefix = pages.relative(folder).replace(os.sep, "/").rstrip("/") + "/"
        pages.recorded.update({page: entry for page, entry in pages.previous.items() if page.startswith(prefix)})
    desk.count("subsites", "kept")
    desk.count("subsites", "files linked", count)
    return count


class Listed:
    """A recorded article of a kept subsite, as the other sites' pages list it (the 404 page's
    newest articles of each language read ``url``, ``title`` and ``date``)."""

    __slots__ = ("url", "title", "date", "lang", "status")

    def __init__(self, url: str, title: str, date: datetime.datetime, lang: str):
        self.url, self.title, self.date, self.lang, self.status = url, title, date, lang, "published"


def _i18n():
    import sys

    return sys.modules.get(I18N)


def _subsite_lang(settings: dict) -> str | None:
    from .desk import is_main_site

    return None if is_main_site(settings) else settings.get("DEFAULT_LANG")


def _prefix(settings: dict) -> str:
    """The sources' folder as Pelican joins it to each source path (so the same string is made again)."""
    return str(settings["PATH"]).rstrip(os.sep) + os.sep


def note_start(pelican) -> None:
    """``initialized`` of a language subsite: the addresses i18n_subsites knows before it is read."""
    from .desk import desk_of

    lang, i18n = _subsite_lang(pelican.settings), _i18n()
    if lang is not None and i18n is not None:
        desk_of(pelican.settings).subsite_views[lang] = {"before": dict(i18n._NATIVE_CONTENT_URL_DB)}


def note_read(pelican) -> None:
    """``get_writer`` of a language subsite: it has been read; what the other sites take from
    it is noted (turned into its record by :func:`views` once the build has succeeded)."""
    from .desk import desk_of

    lang, i18n = _subsite_lang(pelican.settings), _i18n()
    noted = desk_of(pelican.settings).subsite_views.get(lang) if lang is not None else None
    if i18n is None or not isinstance(noted, dict) or "before" not in noted:
        return  # replayed (its view is recorded already), or not a subsite
    before = noted.pop("before")
    prefix = _prefix(pelican.settings)  # each source by its path under PATH
    urls = {}
    for source, url in i18n._NATIVE_CONTENT_URL_DB.items():
        if source in before and before[source] == url:
            continue
        if not (isinstance(source, str) and source.startswith(prefix) and isinstance(url, str)):
            noted["unrecordable"] = True
            continue
        urls[source[len(prefix):]] = url
    noted["urls"] = urls
    noted["newest"] = (pelican.settings.get(NEWEST) or {}).get("latest", {}).get(lang)


def views(settings: dict) -> dict:
    """What each language subsite read in this build gives the other sites, as JSON (for the
    build's record): ``{lang: {"urls": {source: address}, "newest": [{url, title, date}]}}``.
    A subsite whose articles hold anything else than plain text and dates (a title made
    markup by a plugin) is left out: the next build reads it."""
    from .desk import desk_of

    found = {}
    for lang, noted in desk_of(settings).subsite_views.items():
        if "recorded" in noted:  # replayed: the record it came from
            found[lang] = noted["recorded"]
            continue
        if "urls" not in noted or noted.get("unrecordable") or noted.get("newest") is None:
            continue
        newest = []
        for article in noted["newest"]:
            title, date, url = (getattr(article, name, None) for name in ("title", "date", "url"))
            if type(title) is not str or type(url) is not str or not isinstance(date, datetime.datetime) \
                    or date.tzinfo is None:
                break
            newest.append({"url": url, "title": title, "date": date.isoformat()})
        else:
            found[lang] = {"urls": noted["urls"], "newest": newest}
    return found


def replay(settings: dict, view) -> bool:
    """Give the other sites what reading this subsite would (its recorded ``view``): False,
    having changed nothing, when the view is not one :func:`views` writes."""
    from .desk import desk_of

    lang, i18n = _subsite_lang(settings), _i18n()
    newest_state = settings.get(NEWEST)
    if lang is None or i18n is None or not isinstance(view, dict) or not isinstance(newest_state, dict):
        return False
    urls, newest = view.get("urls"), view.get("newest")
    if not isinstance(urls, dict) or not isinstance(newest, list):
        return False
    prefix = _prefix(settings)
    addresses = {}
    for rel, url in urls.items():
        if not isinstance(rel, str) or not isinstance(url, str) or os.path.isabs(rel) \
                or os.pardir in rel.split(os.sep):
            return False
        addresses[prefix + rel] = url
    articles = []
    for entry in newest:
        try:
            date = datetime.datetime.fromisoformat(entry["date"])
            if not (isinstance(entry["url"], str) and isinstance(entry["title"], str)) or date.tzinfo is None:
                return False
        except (TypeError, KeyError, ValueError):
            return False
        articles.append(Listed(entry["url"], entry["title"], date, lang))
    i18n._NATIVE_CONTENT_URL_DB.update(addresses)
    newest_state.setdefault("latest", {})[lang] = articles
    desk_of(settings).subsite_views[lang] = {"recorded": view}
    return True
