"""Render an article's page only when what it shows changed.

A warm build converts no article and rewrites no file (``articles.py``, ``outputs.py``), but
Jinja would still render every article page only to find its bytes equal to ``output/``'s.
:class:`KeepingWriter` (outputs.py) asks :meth:`Pages.keep` first: when the page's
**fingerprint** equals the one recorded for the same output path by the build that made the
current ``output/``, and that file's bytes still hash to the SHA-256 recorded with it, the
file is hard-linked from ``output/`` and not rendered. Otherwise the page is rendered (and
then written or linked by its bytes, as any file).

The fingerprint (:meth:`Pages.fingerprint`) is a BLAKE2b hash (as
:func:`~datadesk.store.key_of`) of everything the templates read for that page. ``article.html`` extends ``base.html`` and includes
``partials/share.html``, ``partials/article_list.html`` and ``partials/head_common.html``; they read:

- **the article**: every attribute of the object (Pelican's and the ones plugins add:
  ``corrections``, ``corrected_on``, ``updated_on``, ``locale_date``, ``in_default_lang``…),
  its ``metadata`` (``datasets`` and anything a reader or plugin put there), and the
  properties ``content`` (the body HTML as written, links resolved), ``summary``, ``status``,
  ``url``, ``save_as``; categories, tags and authors by name, slug and address;
- **its translations**: address, path, language, title, status, slug;
- **"Related stories"** (``articles|related_stories(article, N)``, plugins/site_context):
  the same filter's answer, each article's address, title, summary, date and category;
  ``N`` is read from the templates: a template that reads ``articles`` any other way
  turns skipping off;
- **the site's pages** (the footer links the ``about`` and ``corrections`` pages): slug,
  address, title, language, status of each;
- **the settings and the context's plain values**: every value of the template context
  that JSON can write (all the settings, ``SITEURL``, ``DATASETS``, ``lang_siteurls``,
  ``main_siteurl``, ``output_file``…), but ``OUTPUT_PATH`` and ``DATADESK_PREVIOUS_OUTPUT``
  (a new folder each build: the build's own folder in any value is written as one marker)
  and the settings checks' memo (``_checked_…_``, object ids);
  functions in the settings (Jinja filters) by module, name and source; the answer of
  ``relpath_to_site`` (i18n_subsites) for every pair of languages;
- **the theme**: the content hash of every file of its templates folder, of the
  ``THEME_TEMPLATES_OVERRIDES`` folders and of its translation catalogues (``.po``, ``.mo``);
- **the code**: :func:`~datadesk.store.code_version` (the plugins' source, Pelican's, Jinja's
  and Markdown's versions).

The context's collections of every article (``articles``, ``dates``, ``categories``,
``tags``, ``authors``, drafts, hidden articles and pages, static files, discovery's newest
articles ``discovery_build``) are left out: the article templates read them only as above.
That is checked, not assumed: the variables the template and everything it extends or
includes read (``jinja2.meta``) must each be one of the described ones, a plain value of the
context, or a global of the Jinja environment, and it may not use ``latest_articles`` (which
reads ``discovery_build``); if a template reads anything else, includes a template by a
computed name, or a value cannot be described, the page is simply rendered
(``count("article pages", "unfingerprinted")``).

The fingerprints of the pages a build rendered or kept are recorded with the SHA-256 of
each file's bytes, per output path, in one :class:`~datadesk.store.Store` entry under
``.cache/fingerprints`` keyed by the output folder (``DATADESK_PREVIOUS_OUTPUT``: where the build is
swapped in) and ``code_version()``. They are saved by :meth:`Pages.save` from
``Desk.finish()``, which runs only after a build that succeeded: a failed build leaves the
previous record as it was. A record that does not match ``output/`` (a hand-edited file, a
swap that did not happen) only costs a render: nothing is linked unverified.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import inspect
import json
import logging
import os
from pathlib import Path, PurePath

from .store import code_version, key_of

logger = logging.getLogger(__name__)

# Context keys never described: per-build folders, and collections the article templates
# read only through the described views (or not at all: checked by ``_readable``).
# (DEBUG: Pelican's --debug, set by the command line, not by a preview's build; no template
# or filter reads it, and one that did would have its pages rendered every time.)
PER_BUILD = {"OUTPUT_PATH", "DATADESK_PREVIOUS_OUTPUT", "DATADESK_CHARTS_WORKERS", "DEBUG"}
COLLECTIONS = {"articles", "all_articles", "dates", "drafts", "hidden_articles", "draft_pages",
               "hidden_pages", "pages", "authors", "categories", "tags", "period_archives",
               "related_posts", "static_content", "static_links", "staticfiles",
               "generated_content", "relpath_to_site", "article", "category", "discovery_build"}
# Filters and globals that read one of those collections from the context: a template that
# uses one is not fingerprinted (``latest_articles``: discovery_build, the newest articles).
READ_COLLECTIONS = {"latest_articles"}
LIGHT = ("url", "save_as", "lang", "title", "status", "slug")


def _unread(name: str, value):
    """``value`` without what no article page shows: the byte size of each dataset's CSV in
    ``DATASETS`` (``resource.bytes``, which only the dataset pages print), so a CSV edit
    renders again the article pages whose values, charts or ``Datasets:`` changed, not all."""
    if name != "DATASETS" or not isinstance(value, dict):
        return value
    return {key: ({**entry, "resource": {k: v for k, v in entry["resource"].items() if k != "bytes"}}
                  if isinstance(entry, dict) and isinstance(entry.get("resource"), dict) else entry)
            for key, entry in value.items()}


class Unknown(Exception):
    """A value the fingerprint cannot describe: the page is rendered."""


def _digest_files(folders) -> dict:
    found = {}
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _callable(value) -> dict:
    try:
        source = inspect.getsource(value)
    except (OSError, TypeError):
        code = getattr(value, "__code__", None)
        source = repr(code.co_code) if code is not None else None
    if source is None:
        raise Unknown(repr(value))
    return {"callable": f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}",
            "source": hashlib.sha256(source.encode("utf-8")).hexdigest()}


def describe(value, depth: int = 0):
    """``value`` as JSON can write it, or :class:`Unknown`. Content objects met inside
    another value (translations, related stories) are described by their address and title."""
    from pelican.contents import Content
    from pelican.urlwrappers import URLWrapper

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth > 12:
        raise Unknown("too deep")
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat(), "tz": str(value.tzinfo)}
    if isinstance(value, (datetime.date, datetime.time)):
        return {"date": value.isoformat()}
    if isinstance(value, URLWrapper):
        return {"name": str(value), "slug": value.slug, "url": value.url, "save_as": value.save_as}
    if isinstance(value, Content):
        return light(value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dict):
        return {str(k): describe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [describe(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((describe(v, depth + 1) for v in value), key=lambda v: json.dumps(v, default=str))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"dataclass": type(value).__qualname__,
                "fields": {f.name: describe(getattr(value, f.name), depth + 1)
                           for f in dataclasses.fields(value)}}
    if callable(value) and (inspect.isfunction(value) or inspect.ismethod(value) or inspect.isclass(value)):
        return _callable(value)
    if type(value).__module__ == "zoneinfo" or type(value).__name__ in ("ZoneInfo", "timezone"):
        return str(value)
    raise Unknown(type(value).__qualname__)


def light(content) -> dict:
    """A content object as another page shows it (address, title, language, status…)."""
    found = {}
    for name in LIGHT:
        value = getattr(content, name, None)
        found[name] = None if value is None else str(value)
    found["date"] = describe(getattr(content, "date", None), 1)
    category = getattr(content, "category", None)
    found["category"] = None if category is None else [str(category), category.url]
    found["summary"] = str(getattr(content, "summary", "") or "")
    return found


def full(content, light=light) -> dict:
    """Everything the article's own page may read of it."""
    found = {}
    for name, value in vars(content).items():
        if name in ("_context", "settings", "_content", "_summary"):
            continue  # the context and settings are described once; the HTML as shown, below
        if name == "translations":
            found[name] = [light(t) for t in value]
            continue
        found[name] = describe(value, 1)
    for name in ("content", "summary", "status", "url", "save_as", "title", "slug", "lang"):
        found["." + name] = describe(getattr(content, name, None), 1)
    return found


def template_reads(env, name: str):
    """What the template ``name`` and those it extends or includes read from the context
    (``jinja2.meta``), and the N of their ``articles|related_stories(article, N)``: a pair, or
    None when they read ``articles`` any other way (the fingerprint could not say what of it)
    or include a template whose name is computed at render time."""
    import jinja2.meta
    from jinja2 import nodes

    names, counts, reads, todo, seen = set(), [], 0, [name], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        tree = env.parse(env.loader.get_source(env, current)[0])
        names |= jinja2.meta.find_undeclared_variables(tree)
        found = list(jinja2.meta.find_referenced_templates(tree))
        if None in found:
            return None
        todo.extend(found)
        reads += sum(1 for node in tree.find_all(nodes.Name) if node.name == "articles" and node.ctx == "load")
        if any(node.name in READ_COLLECTIONS for node in tree.find_all(nodes.Filter)):
            return None
        for node in tree.find_all(nodes.Filter):
            if (node.name == "related_stories" and isinstance(node.node, nodes.Name)
                    and node.node.name == "articles" and len(node.args) == 2 and not node.kwargs
                    and isinstance(node.args[0], nodes.Name) and node.args[0].name == "article"
                    and isinstance(node.args[1], nodes.Const) and isinstance(node.args[1].value, int)):
                counts.append(node.args[1].value)
    if reads != len(counts) or names & READ_COLLECTIONS:
        return None
    return frozenset(names), max(counts) if counts else 0


class Pages:
    """The fingerprints of one build's article pages, and those of the build before it."""

    def __init__(self, desk):
        self.desk = desk
        self.outputs = desk.outputs
        self.store = desk.store("fingerprints")
        target = self.outputs.destination  # where the build is swapped in (output/)
        self.key = (key_of("article pages", target, code_version())
                    if self.store is not None and target else None)
        previous = self.store.get(self.key, "the article pages' fingerprints") if self.key else None
        self.previous: dict = (previous or {}).get("pages", {}) if isinstance(previous, dict) else {}
        self.recorded: dict[str, list[str]] = {}
        self._sites: dict = {}  # per template context: its described part
        self._templates: dict = {}  # template name -> (readable names, related count) or None
        self._theme: dict = {}
        self._light: dict = {}  # id of a content object -> its light description, this build

    # The parts of a fingerprint
    def relative(self, path: str) -> str:
        return os.path.relpath(os.path.abspath(path), self.outputs.root)

    def theme(self, settings: dict) -> dict:
        theme = settings.get("THEME") or ""
        key = (theme, tuple(settings.get("THEME_TEMPLATES_OVERRIDES") or ()),
               settings.get("I18N_GETTEXT_LOCALEDIR") or "")
        if key not in self._theme:
            folders = [Path(theme) / "templates", *key[1],
                       Path(key[2] or Path(theme) / "translations")]
            self._theme[key] = _digest_files(folders)
        return self._theme[key]

    def readable(self, template):
        """:func:`template_reads` of ``template``, once per build."""
        if template.name not in self._templates:
            self._templates[template.name] = template_reads(template.environment, template.name)
        return self._templates[template.name]

    def _site(self, context: dict) -> dict:
        """The part every page of one language site shares: the settings, the plain values
        of the generators' context, relpath_to_site. ``context`` is the generators' own
        (not a page's copy), so it is described once per site and state of its URLs."""
        key = (id(context), len(context), context.get("localsiteurl"), context.get("SITEURL"))
        if key not in self._sites:
            site, unknown = {}, set()
            for name, value in context.items():
                if name in PER_BUILD or name in COLLECTIONS or name.startswith("_"):
                    continue  # "_checked_…_": the settings checks' memo (object ids)
                try:
                    site[name] = describe(_unread(name, value))
                except Unknown:
                    unknown.add(name)  # fine unless a template reads it (see fingerprint)
            relpath = context.get("relpath_to_site")
            langs = sorted((context.get("lang_siteurls") or {}).keys())
            if callable(relpath):
                site["relpath_to_site"] = {f"{a}>{b}": relpath(a, b) for a in langs for b in langs}
            text = json.dumps(site, sort_keys=True, ensure_ascii=False, default=str)
            digest = key_of("site", text.replace(self.outputs.root, "<output>"), self.theme(context))
            self._sites[key] = (digest, frozenset(unknown))
        return self._sites[key]

    def fingerprint(self, template, context: dict, localcontext: dict) -> str | None:
        """The key of everything ``template`` reads for the page of ``localcontext["article"]``
        (``context``: the generator's, ``localcontext``: the page's copy with its own values),
        or None when something it reads cannot be described (then the page is rendered)."""
        readable = self.readable(template)
        if readable is None:
            return None
        names, related_count = readable
        site, unknown = self._site(context)
        article = localcontext["article"]
        try:
            own = {name: describe(value) for name, value in localcontext.items()
                   if name not in COLLECTIONS and name not in PER_BUILD and not name.startswith("_")
                   and (name not in context or context[name] is not value)}
            parts = {
                "article": full(article, self.light),
                "category": describe(localcontext.get("category")),
                "pages": [self.light(p) for p in localcontext.get("pages") or []],
                "related": [],
                "own": own,
            }
            if related_count:
                related = template.environment.filters["related_stories"]
                parts["related"] = [self.light(a) for a in related(localcontext.get("articles") or [],
                                                                    article, related_count)]
        except (Unknown, KeyError) as exc:
            logger.debug("pages: %s not fingerprinted (%s)", localcontext.get("output_file"), exc)
            return None
        for name in names:
            if name in ("article", "articles", "pages", "category", "relpath_to_site"):
                continue
            if (name in unknown or name in PER_BUILD or (name.startswith("_") and name in localcontext)
                    or (name in COLLECTIONS and name in localcontext)):
                return None  # read by a template, not described
            # anything else is described (site, own), an environment global, or undefined
        text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
        text = text.replace(self.outputs.root, "<output>")
        digest = hashlib.blake2b(digest_size=20)  # key_of's hash, without writing the text out again
        for part in ("article page", site, template.name, code_version(), text):
            digest.update(part.encode("utf-8") + b"\0")
        return digest.hexdigest()

    def light(self, content) -> dict:
        """:func:`light`, once per content object and build (the site's pages and the newest
        stories are described for every article page; the objects do not change while pages
        are written)."""
        found = self._light.get(id(content))
        if found is None or found[0] is not content:
            found = self._light[id(content)] = (content, light(content))
        return found[1]

    # Keeping and recording
    def keep(self, path: str, fingerprint: str) -> bool:
        """Link ``output/``'s file for ``path`` when it was made from ``fingerprint`` and its
        bytes are still the ones recorded. True when kept (then nothing is rendered)."""
        rel = self.relative(path)
        entry = self.previous.get(rel)
        if not (isinstance(entry, list) and len(entry) == 2 and entry[0] == fingerprint):
            return False
        if not self.outputs.keep_verified(path, "pages", entry[1]):
            return False
        self.recorded[rel] = [fingerprint, entry[1]]
        return True

    def record(self, path: str, fingerprint: str, data: bytes) -> None:
        self.recorded[self.relative(path)] = [fingerprint, hashlib.sha256(data).hexdigest()]

    def save(self) -> None:
        """The build succeeded: its record replaces the previous one (Desk.finish)."""
        if self.key is not None:
            self.store.put(self.key, {"pages": self.recorded})


def pages_of(settings: dict) -> Pages | None:
    """The build's :class:`Pages` (on its desk), or None outside a Pelican build."""
    from .desk import DESK_KEY

    desk = settings.get(DESK_KEY) if isinstance(settings, dict) else None
    if desk is None or "CACHE_PATH" not in desk.settings:
        return None
    if getattr(desk, "pages", None) is None:
        desk.pages = Pages(desk)
    return desk.pages
