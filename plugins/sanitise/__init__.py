"""Untrusted input never acts on readers:

- article and page bodies and summaries go through an allow-list HTML sanitiser (below);
- every published CSV is checked for spreadsheet formulas and written by one writer
  (:func:`formula_start`, :func:`csv_text`);
- content files are read only if they are inside content/ after symlinks and within
  ``CONTENT_MAX_BYTES`` (:func:`refusal`, checked by the reader before it opens a file).

Article and page bodies and summaries go through an allow-list HTML sanitiser before
anything else sees them.

The sanitiser is nh3, the Python binding of the Rust crate ammonia: an allow-list
sanitiser built on html5ever (the browser-grade HTML parser), maintained, fast enough to
run on every article at every build, and the library that bleach's maintainers point to.

How it fits in the Markdown pipeline (``plugins/datadesk/shortcodes.py`` reads every Markdown file):

1. a shortcode's HTML (a chart figure, an inline value) is ours: the shortcode
   preprocessor hands it to :func:`protect`, which stashes an opaque token instead, made
   from a random per-document nonce the editor cannot guess;
2. Markdown converts the text (the editor's raw HTML included);
3. :class:`SanitisePostprocessor`, the last postprocessor, cleans the whole HTML with the
   allow-list below, then puts our shortcode HTML back in place of the tokens.

Allowed: the text tags Markdown writes (paragraphs, headings, lists, links, emphasis,
code, quotes, tables, footnotes, abbreviations, line breaks), images from the site
itself, ``lang``/``dir``/``title`` everywhere. Not allowed, whatever the editor writes:
``meta``, ``link``, ``base``, ``style``, ``script``, ``iframe``, ``object``, ``embed``,
``form`` and its fields, ``figure`` (use ``{{ chart … }}``), event handlers (``on*``),
``style`` attributes, ``name``, classes other than the footnotes' own, URLs other than
``http``, ``https``, ``mailto`` and relative ones (no ``javascript:``, no ``data:``),
images from another host, and any ``id`` that could collide with the theme's own (see
:data:`RESERVED_ID`).

Templates show the result with the ``html`` filter (``site_context``): the one place where
text from content is marked safe.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import secrets
import stat
import unicodedata
from pathlib import Path

import nh3
from markdown import Markdown
from markdown.postprocessors import Postprocessor

logger = logging.getLogger(__name__)

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u",
    "ul", "var", "wbr",
}
ATTRIBUTES = {
    "*": {"lang", "dir", "title", "id"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
}
CLASSES = {"div": {"footnote"}, "a": {"footnote-ref", "footnote-backref"}}
URL_SCHEMES = {"http", "https", "mailto"}
# ids the theme, the chart loader, search and the corrections log use: an editor's id
# (from raw HTML, or a heading's automatic anchor) that matches is dropped.
RESERVED_ID = re.compile(
    r"^(main|search|latest-heading|log-heading|related-heading|vg-tooltip-element"
    r"|(chart|embed|download|cite|pandas|used|caveats|columns|preview|sources|vg|pagefind)[-_].*"
    r"|\d{4}-\d{2}-\d{2}-.*)$", re.IGNORECASE)
SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|//|\\\\)", re.IGNORECASE)


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id" and RESERVED_ID.match(value.strip()):
        return None
    if tag == "img" and name == "src" and SCHEME.match(value):
        return None  # an image from another host would be a request the reader did not ask for
    return value


CLEANER = nh3.Cleaner(
    tags=TAGS, clean_content_tags={"script", "style", "template", "noscript", "textarea", "title"},
    attributes=ATTRIBUTES, attribute_filter=_attribute, allowed_classes=CLASSES,
    url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True,
)


def clean(html: str) -> str:
    """The editor's HTML with everything outside the allow-list removed."""
    return CLEANER.clean(html) if html else html


def _tokens(md: Markdown) -> dict:
    if not hasattr(md, "_ef_protected"):
        md._ef_protected = {}
        md._ef_nonce = secrets.token_hex(12)
    return md._ef_protected


def protect(md: Markdown, html: str) -> str:
    """Stash our own HTML (a shortcode's) so the sanitiser leaves it alone; returns the
    stash placeholder to put in the Markdown text."""
    tokens = _tokens(md)
    token = f"efprotected{md._ef_nonce}n{len(tokens)}x"
    tokens[token] = html
    return md.htmlStash.store(token)


class SanitisePostprocessor(Postprocessor):
    """Last step of the conversion: clean, then restore the protected HTML."""

    def run(self, text: str) -> str:
        tokens = _tokens(self.md)
        text = clean(text)
        if tokens:
            nonce = re.escape(self.md._ef_nonce)
            text = re.sub(rf"(<p>)?(efprotected{nonce}n\d+x)(</p>)?", self._restore, text)
        return text

    def _restore(self, match: re.Match) -> str:
        html = _tokens(self.md).get(match.group(2), "")
        opening, closing = match.group(1) or "", match.group(3) or ""
        tag = re.match(r"\s*<([a-zA-Z][a-zA-Z0-9]*)", html)
        if opening and closing and tag and self.md.is_block_level(tag.group(1)):
            return html  # a block shortcode is its own block, not inside a paragraph
        return f"{opening}{html}{closing}"


def extend(md: Markdown) -> None:
    """Register the sanitiser on a Markdown instance (after raw HTML is put back)."""
    md.postprocessors.register(SanitisePostprocessor(md), "sanitise", 1)


def outside(path: Path, root: Path, folders: dict | None = None) -> Path | None:
    """Where ``path`` really is, if that is outside ``root`` once symlinks are followed.
    ``folders``: a memo of the folders already resolved (one build's), so the files of one
    folder resolve it once; the file itself is still checked for being a link each time."""
    real = resolved(Path(path), folders)
    return None if real.is_relative_to(resolved(Path(root), folders, whole=True)) else real


def resolved(path: Path, folders: dict | None = None, whole: bool = False) -> Path:
    """``path.resolve()``: with a memo (one build's), its folder resolved once (a name that is
    not a link resolves to its resolved folder and that name: no other component to follow);
    ``whole``: the path itself resolved once. The content files of one folder are many, and
    each build reads each of them in both languages (datadesk's Articles.display uses it too)."""
    if folders is None:
        return path.resolve()
    if whole:
        key = ("whole", str(path))
        if key not in folders:
            folders[key] = path.resolve()
        return folders[key]
    if not path.name or path.name in (".", "..") or ".." in path.parts or os.path.islink(path):
        return path.resolve()
    parent = str(path.parent)
    if parent not in folders:
        folders[parent] = path.parent.resolve()
    return folders[parent] / path.name


MAX_CONTENT_BYTES = 256 * 1024  # an article is 20-30 KB; CONTENT_MAX_BYTES in pelicanconf.py


# A key of the build's settings (not a setting): "_…_" like the settings checks' memo, which
# the article pages' fingerprints leave out (it holds paths, not what a page shows).
VERDICTS = "_sanitise_verdicts_"


class _Verdicts(dict):
    """One build's verdicts, by file; closed (and emptied) when the build's first site is
    finalized, after every run has read its files: a reader used after the build (the
    preview's fast path reads an edited file with the last build's readers) checks anew."""

    open = True

    def __init__(self):
        super().__init__()
        self.folders: dict = {}  # folders resolved for the verdicts (outside), this build


def refusal(path, settings: dict) -> str | None:
    """Why Pelican must not read the content file ``path``, or None: it is outside content/
    (``PATH``) once symlinks are followed, or larger than ``CONTENT_MAX_BYTES``. The message
    names the file as the editor knows it (the link, not its target) and the fix.

    Checked once per file per build: the editorial checks and both language runs ask about
    every file, and the answer is kept in the build's settings (made anew for each build,
    shared by the language subsites), never from one build to the next."""
    verdicts = settings.get(VERDICTS)
    if verdicts is None or not verdicts.open:
        return _refusal(path, settings)
    key = (str(path), settings["PATH"], settings.get("CONTENT_MAX_BYTES", MAX_CONTENT_BYTES))
    if key not in verdicts:
        verdicts[key] = _refusal(path, settings, verdicts.folders)
    return verdicts[key]


def _refusal(path, settings: dict, folders: dict | None = None) -> str | None:
    root = Path(settings["PATH"])
    limit = settings.get("CONTENT_MAX_BYTES", MAX_CONTENT_BYTES)
    size = _plain_file_inside(path, root, folders)
    if size is None:  # a link, an odd name or outside: the whole check, with pathlib
        real = outside(Path(path), root, folders)
        if real is not None:
            return (f"{_shown(path, root, folders)}: this file links to {real}, outside {root.name}/. Content "
                    f"must be inside the project: put the file itself in {root.name}/ instead of a link.")
        size = Path(path).stat().st_size
    if size > limit:
        return (f"{_shown(path, root, folders)}: the file is {size:,} bytes; the limit is {limit:,} "
                f"(CONTENT_MAX_BYTES). Split the article, or check that this is the file you meant; the "
                f"limit can be raised in pelicanconf.py.")
    return None


def _shown(path, root: Path, folders: dict | None):
    """The file as the editor knows it: relative to the project (the link, not its target)."""
    project = resolved(root, folders, whole=True).parent
    shown = Path(path).absolute()
    return shown.relative_to(project).as_posix() if shown.is_relative_to(project) else shown


def _plain_file_inside(path, root: Path, folders: dict | None) -> int | None:
    """The size of ``path`` when it is a plain file (not a link) whose folder, once resolved, is
    inside ``root`` resolved; None when that is not so or not known this way (then
    :func:`outside` decides). What :func:`outside` and a ``stat`` find for the common case, with
    strings and one ``lstat`` instead of pathlib: every build asks it of every content file.
    ``folders``: the build's memo (string keys of their own beside :func:`resolved`'s)."""
    if folders is None:
        return None
    text = os.fspath(path)
    parent, name = os.path.split(text)
    if not name or name in (".", "..") or ".." in text.split(os.sep):
        return None
    try:
        info = os.lstat(text)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return None
    base_key, parent_key = ("realpath", os.fspath(root)), ("realpath", parent)
    if base_key not in folders:
        folders[base_key] = os.path.realpath(os.fspath(root))
    if parent_key not in folders:
        folders[parent_key] = os.path.realpath(parent or os.curdir)
    base, real = folders[base_key], folders[parent_key]
    if not (real == base or real.startswith(base.rstrip(os.sep) + os.sep)):
        return None
    return info.st_size


SKIP = {"status": "skip"}  # Pelican's own status for a file it must leave alone, silently


class ContainedReader:
    """Mixin for a Pelican reader class: ``read`` opens a content file only if
    :func:`refusal` finds nothing; a refused file is reported (one error naming it) and
    given Pelican's public ``status: skip``, so Pelican makes no content of it and adds no
    message of its own. Pelican has no hook between finding a file and reading it other
    than the reader, so the reader is where the check goes."""

    def read(self, source_path):
        problem = refusal(source_path, self.settings)
        if problem:
            logger.error("%s", problem)
            return "", dict(SKIP)
        return super().read(source_path)


def contain_readers(readers) -> None:
    """``readers_init``: every reader of articles and pages (not the "static" pseudo-format,
    which copies files) becomes a subclass checking :func:`refusal` before it reads."""
    for ext, cls in list(readers.reader_classes.items()):
        if cls and ext != "static" and not issubclass(cls, ContainedReader):
            readers.reader_classes[ext] = type(cls.__name__, (ContainedReader, cls),
                                               {"__doc__": cls.__doc__})


def connect_last(_pelican) -> None:
    """``initialized`` runs after every plugin's ``register()``: a ``readers_init`` receiver
    connected now runs after the others (Pelican calls receivers in connection order), so
    it wraps whichever reader the plugins chose (the shortcodes reader for Markdown)."""
    from pelican import signals

    # A new build's main site starts with no verdicts (its settings are read anew); the
    # subsites' settings are copies of the main site's, and share its verdicts.
    _pelican.settings.setdefault(VERDICTS, _Verdicts())
    signals.readers_init.connect(contain_readers)
    signals.finalized.connect(close_verdicts)


def close_verdicts(pelican) -> None:
    """``finalized``: the build has read its files; later reads are checked each time."""
    verdicts = pelican.settings.get(VERDICTS)
    if verdicts is not None:
        verdicts.open = False
        verdicts.clear()
        verdicts.folders.clear()


def register() -> None:
    """Content files are read only inside content/ and within CONTENT_MAX_BYTES (the reader
    subclass above); the sanitiser and the CSV writer are functions other plugins call."""
    from pelican import signals

    signals.initialized.connect(connect_last)


# ---- downloads: CSV cells that a spreadsheet would run as a formula -----------------------
#
# A spreadsheet runs a cell that starts with = + - @ (and some also after a leading TAB,
# CR, space or full-width form such as ＝). Every text cell and header of every published
# CSV is checked here, after trimming and width-normalising (NFKC), before it is written.

FORMULA_CHARS = ("=", "+", "-", "@")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?$")


def formula_start(cell) -> str | None:
    """What makes ``cell`` run as a formula (e.g. '"=" after a TAB'), or None if it is safe.

    A plain number (``-3``, ``+1.5e3``) is safe: a spreadsheet reads it as a number."""
    if not isinstance(cell, str) or not cell:
        return None
    if cell[0] in "\t\r":
        return f'a leading {"TAB" if cell[0] == chr(9) else "CR"}'
    normalised = unicodedata.normalize("NFKC", cell).strip()
    if not normalised or normalised[0] not in FORMULA_CHARS or PLAIN_NUMBER.match(normalised):
        return None
    first = cell.lstrip()[:1]
    if first != normalised[0]:
        return f'"{first}" (read as "{normalised[0]}")'
    if cell[0] != first:
        return f'"{first}" after leading spaces'
    return f'"{first}"'


def csv_text(rows) -> str:
    """CSV text with "\\n" between rows and every field that needs it quoted: a delimiter, a
    quote, a LF *or a CR* inside a field (csv.QUOTE_MINIMAL alone leaves a CR bare when the
    line terminator is "\\n", and the row then splits in a spreadsheet)."""
    out = io.StringIO()
    for row in rows:
        line = io.StringIO()
        csv.writer(line, lineterminator="\r\n").writerow(row)  # CR and LF both quoted
        out.write(line.getvalue()[:-2] + "\n")
    return out.getvalue()


def frame_csv_text(frame, **to_csv) -> str:
    """A pandas frame as :func:`csv_text` (pandas formats the values, we quote and join)."""
    text = frame.to_csv(index=False, lineterminator="\r\n", **to_csv)
    return csv_text(csv.reader(io.StringIO(text, newline="")))
