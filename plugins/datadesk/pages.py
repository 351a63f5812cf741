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

**List pages** (Pelican's home page, archives, sections, tags, search and 404 pages), the
site's own pages and the dataset pages are kept by the same rules (same record, same
verification) with :meth:`Pages.list_fingerprint`: every value the page's template context
holds that the build gives that page, every collection of the context its templates read,
and the site's part as above. Objects listed are described whole: by their own page's
fingerprint of this build (:meth:`Pages.fingerprint`, which describes everything of them)
with the hashes of their source body and summary, or by :func:`listed_vars`, the body and
the summary as shown. A template that uses a filter reading a collection of the context
itself (``latest_articles``) or includes a computed name is rendered every time.
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


_NOT_LEAF = object()


def _leaf(value, content=None):
    """The description of a value that holds no other value to describe (a date, a URL
    wrapper, a content object, a path, a function, a time zone), else ``_NOT_LEAF``: shared by
    :func:`_hook` and :func:`describe`."""
    from pelican.contents import Content
    from pelican.urlwrappers import URLWrapper

    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat(), "tz": str(value.tzinfo)}
    if isinstance(value, (datetime.date, datetime.time)):
        return {"date": value.isoformat()}
    if isinstance(value, URLWrapper):
        return {"name": str(value), "slug": value.slug, "url": value.url, "save_as": value.save_as}
    if isinstance(value, Content):
        return (content or light)(value)
    if isinstance(value, PurePath):
        return str(value)
    if callable(value) and (inspect.isfunction(value) or inspect.ismethod(value) or inspect.isclass(value)):
        return _callable(value)
    if type(value).__module__ == "zoneinfo" or type(value).__name__ in ("ZoneInfo", "timezone"):
        return str(value)
    return _NOT_LEAF


def _hook(content=None):
    """:func:`describe` of a value JSON cannot write itself, for ``json.dumps(default=…)``
    (a TypeError for any other: then :func:`describe` walks the value and says what it is)."""

    def hook(value):
        found = _leaf(value, content)
        if found is not _NOT_LEAF:
            return found
        if isinstance(value, (set, frozenset)):
            return sorted(value, key=lambda v: json.dumps(v, default=hook, sort_keys=True, ensure_ascii=False))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {"dataclass": type(value).__qualname__,
                    "fields": {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}}
        raise TypeError(type(value).__qualname__)

    return hook


def describe(value, depth: int = 0, content=None):
    """``value`` as JSON can write it, or :class:`Unknown`. Content objects met inside
    another value (translations, related stories) are described by their address and title,
    or by ``content(obj)`` when given (the list pages: everything of each listed object).
    A dict or list is written by the json module's encoder with :func:`_hook` (the same
    description, made in C); when that fails it is walked here, which names what it cannot
    describe."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth <= 1 and isinstance(value, (dict, list, tuple)):
        try:
            return json.loads(json.dumps(value, default=_hook(content), sort_keys=True, ensure_ascii=False))
        except (TypeError, ValueError, RecursionError):
            pass
    if depth > 12:
        raise Unknown("too deep")
    found = _leaf(value, content)
    if found is not _NOT_LEAF:
        return found
    if isinstance(value, dict):
        return {str(k): describe(v, depth + 1, content) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [describe(v, depth + 1, content) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((describe(v, depth + 1, content) for v in value),
                      key=lambda v: json.dumps(v, default=str))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"dataclass": type(value).__qualname__,
                "fields": {f.name: describe(getattr(value, f.name), depth + 1, content)
                           for f in dataclasses.fields(value)}}
    raise Unknown(type(value).__qualname__)


def _described(value):
    """:func:`describe` of one attribute of an article (at depth 1), a dict or a list kept as
    the JSON text the json module writes of it (``{"json": text}``) rather than read back into
    objects only to be written again in the page's description: the same value, the same
    text. A value it cannot write is walked by :func:`describe`, which names what it cannot
    describe."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dict, list, tuple)):
        try:
            return {"json": json.dumps(value, default=_hook(), sort_keys=True, ensure_ascii=False)}
        except (TypeError, ValueError, RecursionError):
            pass
    return describe(value, 1)


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


# Pelican 4.12's INTRASITE_LINK_REGEX, and what any link it rewrites starts with: the quote of
# an attribute's value followed by "{" or "|" ({filename}, |static|…).
INTRASITE_DEFAULT = "[{|](?P<what>.*?)[|}]"
INTRASITE_OPENERS = ('"{', "'{", '"|', "'|")


def no_intrasite_link(settings: dict, body: str) -> bool:
    """Whether Pelican's rewriting of intra-site links leaves ``body`` as it is, known without
    running its regular expression: with the default ``INTRASITE_LINK_REGEX`` a link it
    rewrites is a quoted attribute value starting with "{" or "|", so a body without any of
    those four pairs of characters has none. (Any other setting: False, the regex decides.)"""
    return (settings.get("INTRASITE_LINK_REGEX") == INTRASITE_DEFAULT
            and not any(opener in body for opener in INTRASITE_OPENERS))


def _no_intrasite_link(content, body: str) -> bool:
    """:func:`no_intrasite_link` with the settings of ``content``."""
    return no_intrasite_link(getattr(content, "settings", None) or {}, body)


def shown(content) -> str | None:
    """``content.content``, the body as the page shows it (links resolved), without running
    Pelican's rewriting over a body that has no intra-site link (:func:`_no_intrasite_link`)."""
    body = getattr(content, "_content", None)
    if not hasattr(content, "_get_content") and isinstance(body, str) and _no_intrasite_link(content, body):
        return body
    return getattr(content, "content", None)


def full(content, light=light) -> dict:
    """Everything the article's own page may read of it; its body as shown by its SHA-256
    (the same bytes, the same digest: a page's body is most of its description)."""
    found = {}
    for name, value in vars(content).items():
        if name in ("_context", "settings", "_content", "_summary"):
            continue  # the context and settings are described once; the HTML as shown, below
        if name == "translations":
            found[name] = [light(t) for t in value]
            continue
        found[name] = _described(value)
    body = shown(content)
    found[".content"] = None if body is None else {
        "sha256": hashlib.sha256(str(body).encode("utf-8", "surrogatepass")).hexdigest()}
    for name in ("summary", "status", "url", "save_as", "title", "slug", "lang"):
        found["." + name] = describe(getattr(content, name, None), 1)
    return found


def listed_vars(content, light=light) -> dict:
    """Every attribute of an object a list page lists (as :func:`full`, without its body): the
    part of :meth:`Pages.listed` that is the same on every page."""
    found = {}
    for name, value in vars(content).items():
        if name in ("_context", "settings", "_content", "_summary"):
            continue
        if name == "translations":
            found[name] = [light(t) for t in value]
            continue
        found[name] = describe(value, 1)
    for name in ("status", "url", "save_as", "title", "slug", "lang"):
        found["." + name] = describe(getattr(content, name, None), 1)
    return found


def _body(content) -> tuple[bool, str]:
    """The body of ``content`` by the SHA-256 of its source HTML, and whether that is the body
    as shown on every page (False when it holds an intra-site link: then the address of the
    page being written, and of the objects it links to, change what is shown)."""
    body = getattr(content, "_content", None)
    if (hasattr(content, "_get_content") or not isinstance(body, str)
            or (not _no_intrasite_link(content, body) and content._get_intrasite_link_regex().search(body))):
        return False, hashlib.sha256(str(getattr(content, "content", None) or "").encode("utf-8")).hexdigest()
    return True, hashlib.sha256(body.encode("utf-8")).hexdigest()


def _parsed(env, name: str):
    """What ``jinja2.meta`` finds in the template ``name``: the names it reads, the templates it
    extends or includes (None for a computed name), whether it uses a filter of READ_COLLECTIONS."""
    import jinja2.meta
    from jinja2 import nodes

    tree = env.parse(env.loader.get_source(env, name)[0])
    return (frozenset(jinja2.meta.find_undeclared_variables(tree)),
            tuple(jinja2.meta.find_referenced_templates(tree)),
            any(node.name in READ_COLLECTIONS for node in tree.find_all(nodes.Filter)))


def list_reads(env, name: str, parsed=None):
    """What the list template ``name`` and those it extends or includes read from the
    context (``jinja2.meta``), or None when they include a template whose name is computed
    at render time or use a filter that reads a collection from the context itself.
    ``parsed``: a dict kept by the caller, each template parsed once (:func:`_parsed`)."""
    parsed = {} if parsed is None else parsed
    names, todo, seen = set(), [name], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if current not in parsed:
            parsed[current] = _parsed(env, current)
        read, found, collections = parsed[current]
        names |= read
        if None in found or collections:
            return None
        todo.extend(found)
    if names & READ_COLLECTIONS:
        return None
    return frozenset(names)


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
        self._templates: dict = {}  # (kind, template name) -> what it reads (reads())
        self._site_base: dict = {}  # (id, len, SITEURL) of a context -> its described part
        self._theme: dict = {}
        self._light: dict = {}  # id of a content object -> its light description, this build
        self._listed: dict = {}  # (id, its site URL) -> (object, digest of listed()), this build
        self._whole: dict = {}  # id -> (object, digest of listed_vars(), body digest or None)
        self._parsed: dict = {}  # template name -> _parsed()
        self._printed: dict = {}  # id of an article -> (article, its page's fingerprint), this build
        self._collections: dict = {}  # (name, id, site URL) -> (value, description)

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

    def _site(self, context: dict) -> dict:
        """The part every page of one language site shares: the settings, the plain values
        of the generators' context, relpath_to_site. ``context`` is the generators' own
        (not a page's copy), so it is described once per site and state of its URLs (its
        ``localsiteurl``, which Pelican's writer sets for each page, apart)."""
        key = (id(context), len(context), context.get("localsiteurl"), context.get("SITEURL"))
        if key not in self._sites:
            base = key[:2] + key[3:]
            if base not in self._site_base:
                site, unknown = {}, set()
                for name, value in context.items():
                    if name in PER_BUILD or name in COLLECTIONS or name.startswith("_") or name == "localsiteurl":
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
                self._site_base[base] = (text.replace(self.outputs.root, "<output>"), frozenset(unknown))
            text, unknown = self._site_base[base]
            local = json.dumps(describe(context.get("localsiteurl")), ensure_ascii=False, default=str)
            digest = key_of("site", text, local.replace(self.outputs.root, "<output>"), self.theme(context))
            self._sites[key] = (digest, unknown)
        return self._sites[key]

    def reads(self, template, context: dict, kind: str):
        """:func:`template_reads` (``kind`` "article") or :func:`list_reads` (``kind`` "list")
        of ``template``: once per build, and kept in the store by the theme's files (their
        hashes, :meth:`theme`) and the code, so a build parses no template to know them."""
        name = template.name
        if (kind, name) in self._templates:
            return self._templates[kind, name]
        key = key_of("template reads", kind, name, self.theme(context), code_version())
        found = self.store.get(key, "the templates' reads") if self.store is not None else None
        if isinstance(found, dict) and "reads" in found:
            value = found["reads"]
            value = None if value is None else (frozenset(value) if kind == "list"
                                                else (frozenset(value[0]), value[1]))
        else:
            value = (list_reads(template.environment, name, self._parsed) if kind == "list"
                     else template_reads(template.environment, name))
            if self.store is not None:
                stored = None if value is None else (sorted(value) if kind == "list"
                                                     else [sorted(value[0]), value[1]])
                self.store.put(key, {"reads": stored})
        self._templates[kind, name] = value
        return value

    def fingerprint(self, template, context: dict, localcontext: dict) -> str | None:
        """The key of everything ``template`` reads for the page of ``localcontext["article"]``
        (``context``: the generator's, ``localcontext``: the page's copy with its own values),
        or None when something it reads cannot be described (then the page is rendered)."""
        readable = self.reads(template, context, "article")
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
        self._printed[id(article)] = (article, digest.hexdigest())  # for the list pages (listed)
        return digest.hexdigest()

    def listed(self, content) -> str:
        """The digest of everything a list page may read of ``content``: its attributes
        (:func:`listed_vars`, once per object and build), its body (:func:`_body`) and its
        summary as shown on the page being written (they depend on its address)."""
        printed = self._printed.get(id(content))
        if printed is not None and printed[0] is content:
            # its own page's fingerprint, made this build: everything of it (full()), its body
            # and summary as shown there, and more (its related stories…); with their sources
            # (shown from another address here: the list page's own is in its fingerprint)
            if len(printed) == 2:
                sources = [hashlib.sha256(str(getattr(content, name, None) or "").encode("utf-8")).hexdigest()
                           for name in ("_content", "_summary")]
                printed = self._printed[id(content)] = (content, printed[1], key_of("page", printed[1], sources))
            return printed[2]
        siteurl = (content._context.get("localsiteurl")
                   if isinstance(getattr(content, "_context", None), dict) else None)
        key = (id(content), str(siteurl))
        found = self._listed.get(key)
        if found is not None and found[0] is content:
            return found[1]
        whole = self._whole.get(id(content))
        if whole is None or whole[0] is not content:
            text = json.dumps(listed_vars(content, self.light), sort_keys=True, ensure_ascii=False, default=str)
            same, body = _body(content)
            whole = self._whole[id(content)] = (content, key_of("listed", text.replace(self.outputs.root, "<output>")),
                                                body if same else None)
        body = whole[2] if whole[2] is not None else _body(content)[1]
        summary = str(getattr(content, "summary", "") or "").replace(self.outputs.root, "<output>")
        digest = key_of(whole[1], body, summary)
        self._listed[key] = (content, digest)
        return digest

    def list_fingerprint(self, template, context: dict, localcontext: dict) -> str | None:
        """The key of everything the list template reads for one page (the home page,
        archives, sections, tags…), or None when it cannot be described (then the page is
        rendered). Each object listed is described whole (:meth:`listed`); the collections of
        the context the templates read (``articles``, ``dates``, ``tags``, ``pages``…) too."""
        names = self.reads(template, context, "list")
        if names is None:
            return None
        site, unknown = self._site(context)
        siteurl = str(context.get("localsiteurl"))
        parts = {}
        try:
            for name, value in localcontext.items():
                if name in PER_BUILD or name.startswith("_"):
                    continue
                shared = name in context and context[name] is value
                if shared and name not in COLLECTIONS:
                    continue  # described with the site
                if name in COLLECTIONS and name not in names:
                    continue  # not read by these templates
                if shared or isinstance(value, (dict, list, tuple)):
                    # a collection of the context, or a value given to several pages (the
                    # dataset pages' list of every dataset): described once per page address
                    key = (name, id(value), siteurl)
                    found = self._collections.get(key)
                    if found is None or found[0] is not value:
                        try:
                            text = json.dumps(describe(value, content=self.listed), sort_keys=True,
                                              ensure_ascii=False, default=str)
                            found = self._collections[key] = (value, {"digest": key_of(
                                "value", text.replace(self.outputs.root, "<output>"))})
                        except Unknown:
                            found = self._collections[key] = (value, Unknown)
                    if found[1] is not Unknown:
                        parts[name] = found[1]
                        continue
                    if name in names:
                        raise Unknown(name)
                    continue
                try:
                    parts[name] = describe(value, content=self.listed)
                except Unknown:
                    if name in names:
                        raise
                    # the paginators Pelican adds, unread
        except (Unknown, KeyError) as exc:
            logger.debug("pages: %s not fingerprinted (%s)", localcontext.get("output_file"), exc)
            return None
        for name in names:
            if name in unknown or name in PER_BUILD or (name.startswith("_") and name in localcontext):
                return None  # read by a template, not described
        if "DATASETS" in names and "DATASETS" in localcontext:
            try:  # the site's part leaves out what only a page reading DATASETS shows (_unread)
                parts["DATASETS"] = describe(localcontext["DATASETS"])
            except Unknown:
                return None
        text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
        text = text.replace(self.outputs.root, "<output>")
        digest = hashlib.blake2b(digest_size=20)
        for part in ("list page", site, template.name, code_version(), text):
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
