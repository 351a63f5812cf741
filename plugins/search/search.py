"""Full-text search with Pagefind, built from the finished site.

Pagefind indexes each language site once its pages are written, into that site's own
bundle (``pagefind/`` and ``en/pagefind/``), and ships its own small UI; everything is
served from the site itself. The English subsite is written first, inside the French run,
so its index is made while Pelican writes the French pages; an edit in one language leaves
the other language's index as it was (reused, not made again). Only elements marked
``data-pagefind-body`` are indexed (articles, pages, dataset pages), so navigation, listings
and drafts stay out of the index. An edit build starts its index ahead, as soon as the
edited articles' pages are written, and keeps it only when it was given exactly the pages
published (:func:`start_ahead`).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import weakref
from importlib import metadata
from itertools import chain
from pathlib import Path

from datadesk import DeskError, Setting, Settings, desk_of, write_output
from datadesk.outputs import copy as write_copy, remove_stale_folders
from datadesk.store import Store, code_version, key_of
from pelican import signals

logger = logging.getLogger(__name__)

# The family is SEARCH_*, so a typo such as SEARCH_INDEX_DIRS or SEARCH_ENABLED stops the
# build; Pelican's own SEARCH_URL and SEARCH_SAVE_AS (the "search" direct template) are not ours.
SETTINGS = Settings("search", "SEARCH_", [
    Setting("SEARCH_INDEX_ENABLED", True, "Build the Pagefind index after the site is written."),
    Setting("SEARCH_INDEX_DIR", "pagefind", "Folder of each language site where its index and "
                                            "Pagefind's UI go."),
    Setting("SEARCH_INDEX_PART_PAGES", 100, "A language site with more indexed pages than this "
                                            "is indexed in parts of about this many (a page's part "
                                            "is set by its path), merged in the reader's browser: "
                                            "an edit makes only its part again. 0: one index."),
], "plugins/search/README.md")


class SearchIndexError(DeskError):
    """Pagefind could not index the built site."""


def settings_for(settings: dict) -> dict:
    return SETTINGS.values(settings)


PAGEFIND_ARGS = ("--silent",)
# Where Pagefind looks for a configuration of its own: in the folder it runs in, and PAGEFIND_*
# variables (part of the key, so a configuration added there is never served a stale index).
PAGEFIND_CONFIGS = ("pagefind.json", "pagefind.toml", "pagefind.yml", "pagefind.yaml")


def pagefind_command(site: Path, bundle: Path) -> list[str]:
    """Pagefind's own binary, found as ``python -m pagefind`` finds it (PAGEFIND_BINARY_PATH,
    the extended build, the standard one), run directly: no Python process in between. It
    writes its bundle into ``bundle`` (``--output-path``: the same files as ``--output-subdir``
    would write into the site)."""
    try:
        from pagefind.service import get_executable

        binary = get_executable()
    except ImportError:
        binary = None
    head = [str(binary)] if binary is not None else [sys.executable, "-m", "pagefind"]
    return [*head, "--site", str(site), "--output-path", str(bundle), *PAGEFIND_ARGS]


# Every Pagefind run works while the build does (it writes pages, draws cards), and the build
# waits for it only at the end: it runs at a lower priority (``nice``, where there is one),
# so it takes the cores the build leaves, and all of them once the build waits. At 1,000
# articles, one French story edited and built in turn (six whole builds each, medians):
# 5.69 s as before, 5.57 s with Pagefind on one thread fewer than the cores, 5.25 s with
# every core and the lower priority. The index is the same (its threads only share work).
NICE = ["nice", "-n", "10"] if shutil.which("nice") else []


class Indexing:
    """One Pagefind run, started now and waited for by :meth:`wait` (the build goes on with
    its sharing cards and sitemap meanwhile). Pagefind only reads the site: it writes its
    bundle into a temporary folder of its own (:attr:`bundle`), whose files the build then
    puts in place, so a build that fails while Pagefind runs can remove its staging folder
    at once; :meth:`stop` (at exit, or when the next build starts) ends such a run. Its
    output goes to a temporary file, so a talkative Pagefind never blocks on a full pipe."""

    def __init__(self, site: Path, bundle_dir: str, pages=None, beside: Path | None = None):
        """``pages``: the pages to index, as paths relative to ``site`` (each taken from
        there), or a dict of such paths to the file that holds each one's bytes, or to its
        bytes; None: all of ``site``. See :func:`mirror`."""
        self.site = site
        self.bundle = Path(tempfile.mkdtemp(prefix="pagefind-")) / bundle_dir
        self.output = tempfile.TemporaryFile()
        self.mirror = None
        try:
            if pages is not None:
                self.mirror = mirror(site, pages, beside)
            self.process = subprocess.Popen(NICE + pagefind_command(self.mirror or site, self.bundle),
                                            stdout=self.output, stderr=subprocess.STDOUT)
        except OSError as exc:
            self._clean()
            raise SearchIndexError(f"Pagefind could not be started: {exc}. Reinstall it with "
                                   "`invoke setup` (it is in requirements.txt).") from exc

    def _clean(self) -> None:
        self.output.close()
        shutil.rmtree(self.bundle.parent, ignore_errors=True)
        if self.mirror is not None:
            shutil.rmtree(self.mirror, ignore_errors=True)

    def wait(self) -> Path:
        """Pagefind's bundle folder, once it finished (SearchIndexError if it failed). The
        caller removes it (:meth:`done`)."""
        code = self.process.wait()
        self.output.seek(0)
        text = self.output.read().decode("utf-8", "replace").strip()
        if code != 0:
            self._clean()
            raise SearchIndexError(
                f"Pagefind could not index {self.site}: {text}. "
                "Rebuild with `invoke build --debug` and check the pages it names."
            )
        return self.bundle

    def done(self) -> None:
        self._clean()

    def stop(self) -> None:
        """A build that failed before waiting: the run is ended and its folder removed."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._clean()


# Where the mirrors go when the machine has a memory file system (Linux: /dev/shm): in a
# build, writing a language site's pages there takes a fraction of the time it takes on a
# disk busy with the build's other files (at 1,000 articles, 522 pages: 0.07-0.09 s against
# 0.3-0.7 s on this machine's ext4). Each is named after the process that made it, so a
# build removes those whose process is gone (a killed build's).
SHARED_MEMORY = Path("/dev/shm")
MIRROR_PREFIX = "pagefind-mirror-"


def _mirror_folder(beside: Path) -> Path:
    if SHARED_MEMORY.is_dir() and os.access(SHARED_MEMORY, os.W_OK | os.X_OK):
        remove_stale_folders(SHARED_MEMORY, MIRROR_PREFIX)
        try:
            return Path(tempfile.mkdtemp(prefix=f"{MIRROR_PREFIX}{os.getpid()}-", dir=SHARED_MEMORY))
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix=f"{beside.name}-pagefind-", dir=beside.parent))


def mirror(site: Path, pages, beside: Path | None = None) -> Path:
    """A folder holding only ``pages`` (paths relative to ``site``, or a dict of such paths to
    the file to take each one from, or to its bytes) at the same paths: what Pagefind indexes
    of a language site (its pages that have something to index, without the language
    subsites' folders inside the main one), with the same addresses. Each page is there as
    :func:`indexed_view` gives it, else (when that cannot be told) whole. In shared memory
    where there is some (see above), else beside ``beside`` (the build's staging folder; by
    default ``site``), with pages hard-linked where they can be, named after the staging
    folder so that, the build being killed, the next build removes it with the staging
    folder's other leftovers (tools/build.py). Pagefind numbers the pages in the order it
    lists them, which is the file system's: the pages are made in the order of their paths,
    so the same pages make the same index in every build on one machine."""
    beside = beside or site
    sources = pages if isinstance(pages, dict) else {rel: site / rel for rel in pages}
    folder = _mirror_folder(beside)
    made = {str(folder)}  # folders made (os calls, not pathlib: a site's worth of pages)
    for rel in sorted(sources):
        source = sources[rel]
        target = os.path.join(folder, rel)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        data = source if isinstance(source, bytes) else None
        if data is None:
            with open(source, "rb") as page:
                data = page.read()
        view = indexed_view(data)
        if view is not None or isinstance(source, bytes):
            with open(target, "wb") as out:
                out.write(data if view is None else view)
            continue
        try:
            os.link(source, target)
        except OSError:  # (another file system: shared memory) the bytes read above
            with open(target, "wb") as out:
                out.write(data)
    return folder


def build_index(site: Path, bundle_dir: str) -> None:
    """Pagefind's bundle of ``site`` into its ``bundle_dir`` (waits for it)."""
    running = Indexing(site, bundle_dir)
    try:
        shutil.copytree(running.wait(), site / bundle_dir, dirs_exist_ok=True)
    finally:
        running.done()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(folder: Path, skip=(), pattern: str = "*", digest=None) -> dict[str, str]:
    """Every file under ``folder`` matching ``pattern`` (but in the top folders ``skip``), by
    its path and SHA-256 (``digest(path)`` when given: the build's record of the pages it
    wrote)."""
    found = {}
    for path in folder.rglob(pattern):
        rel = path.relative_to(folder).as_posix()
        if rel.split("/", 1)[0] in skip:
            continue
        if path.is_file():
            found[rel] = digest(path) if digest else _digest(path.read_bytes())
    return dict(sorted(found.items()))


def index_key(bundle_dir: str, part: str, count: int, pages: dict[str, str]) -> str:
    """What one part of a language site's index is made from: the pages Pagefind is given
    (``pages``: path and content hash; their bytes tell which are marked, see
    :func:`to_index`), the part's name and how many parts the site has, Pagefind's version,
    its arguments and any configuration of its own, the plugins' code."""
    versions = {}
    for name in ("pagefind", "pagefind-bin"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    configs = {name: _digest(Path(name).read_bytes()) for name in PAGEFIND_CONFIGS if Path(name).is_file()}
    env = {k: v for k, v in os.environ.items() if k.startswith("PAGEFIND")}
    return key_of("pagefind", versions, bundle_dir, part, count, PAGEFIND_ARGS, configs, env, code_version(), pages)


# An index in parts. Pagefind cannot update an index: one page edited meant the whole
# language site indexed again (at 1,000 articles, 522 French pages, about 4.5 s of Pagefind's
# CPU in an edit build, more than the build's own work). A site with more indexed pages than
# SEARCH_INDEX_PART_PAGES is indexed in parts, each by its own Pagefind run, and the reader's
# browser merges them (Pagefind's ``mergeIndex``, which shares the first part's WebAssembly:
# a part costs the reader its small entry and metadata files, and one index chunk per part
# for each search). A page's part is set by the SHA-256 of its path, so a new page joins one
# part and leaves the others as they were; an edit makes only its page's part again (about a
# sixth of the site at 1,000 articles) and the others are reused. The first part is the
# bundle's own folder (with Pagefind's UI and WebAssembly); the others are ``part-<n>/``
# inside it, with only their index files, and the first part's ``pagefind-entry.json``
# lists them (``parts``), for the search page's script (theme/static/js/search.js). Each
# part ranks its own pages (Pagefind's scores use the part's word counts), so the order of
# results can differ a little from one index's; what is found is the same.
PART_PREFIX = "part-"


def part_name(number: int) -> str:
    """The folder of part ``number`` inside the bundle: the bundle itself for the first."""
    return "" if number == 0 else f"{PART_PREFIX}{number}"


def parts_of(indexed, per_part: int) -> list[list[str]]:
    """``indexed`` (page paths) in parts: one when there are at most ``per_part`` pages (or
    ``per_part`` is 0), else as many as it takes for about ``per_part`` each, a page's part
    set by the SHA-256 of its path. Never an empty part (Pagefind cannot index nothing):
    fewer parts then."""
    pages = sorted(indexed)
    count = 1 if per_part <= 0 or len(pages) <= per_part else -(-len(pages) // per_part)
    while count > 1:
        parts = [[] for _ in range(count)]
        for rel in pages:
            parts[int.from_bytes(hashlib.sha256(rel.encode("utf-8")).digest()[:8], "big") % count].append(rel)
        if all(parts):
            return parts
        count -= 1
    return [pages]


# What a part other than the first keeps of Pagefind's bundle: its index, not the UI's
# scripts and styles nor the WebAssembly, which the first part's serve every part.
_UI_FILE = re.compile(r"(?:pagefind[\w.-]*\.(?:js|css)|wasm\.[\w-]+\.pagefind)")


def part_files(files: dict[str, str], name: str) -> dict[str, str]:
    """The files of Pagefind's bundle that part ``name`` publishes."""
    if not name:
        return files
    return {rel: digest for rel, digest in files.items() if "/" in rel or not _UI_FILE.fullmatch(rel)}


def _inside(rel) -> bool:
    """Whether a path read from a record is a relative path that stays inside its folder."""
    return isinstance(rel, str) and not Path(rel).is_absolute() and ".." not in Path(rel).parts


def reuse(recorded: dict, previous: Path, bundle: Path, settings: dict) -> bool:
    """Put the previous build's index in place when every file recorded for this key is there
    with its recorded checksum (linked, datadesk/outputs.py); False, and nothing put, otherwise."""
    files = recorded.get("files") if isinstance(recorded, dict) else None
    if not isinstance(files, dict) or not files:
        return False
    verified = {}
    for rel, digest in files.items():
        path = previous / rel
        if not isinstance(digest, str) or not _inside(rel) or not path.is_file():
            return False
        data = path.read_bytes()
        if _digest(data) != digest:
            return False
        verified[rel] = data
    for rel, data in verified.items():
        write_output(settings, bundle / rel, data, "search")
    return True


def _record_of(site: Path, settings: dict):
    """The store of the search indexes, where the language site ``site`` is in the build
    ("." for the main one, "en"), and the key of its record: one entry per output folder and
    language site (the index now in it), never more."""
    desk = desk_of(settings)
    store = Store(Path(settings["CACHE_PATH"]).parent / "search")
    where = os.path.relpath(site, desk.outputs.root)
    return store, where, key_of("pagefind-index", desk.outputs.destination or str(site.resolve()), where)


def _part_pages(settings: dict) -> int:
    return settings_for(settings)["SEARCH_INDEX_PART_PAGES"]


class _Runs:
    """The Pagefind runs of one language site's parts, stopped together (a failed build)."""

    def __init__(self, runs):
        self.runs = runs

    def stop(self) -> None:
        for run in self.runs:
            run.stop()


def start_index(site: Path, bundle_dir: str, settings: dict, skip=()):
    """Pagefind's index of the language site ``site`` (less its folders ``skip``: the other
    language sites inside the main one), in parts (:func:`parts_of`). Each part is reused
    from the previous output when its pages, Pagefind and its configuration are those it was
    made from (see README: Pagefind cannot update an index, so one changed page means a new
    index of its part, whose unchanged files are linked), taken from the run started ahead
    for it when that run was given exactly its pages, else made now. Returns None when every
    part was reused, else the function that waits for Pagefind and records the index
    (Pagefind runs meanwhile)."""
    desk = desk_of(settings)
    store, where, latest = _record_of(site, settings)
    pages = _files(site, skip={bundle_dir, *skip}, pattern="*.html", digest=desk.outputs.digest)
    indexed = to_index(site, pages)
    parts = parts_of(indexed, _part_pages(settings))
    names = [part_name(number) for number in range(len(parts))]
    bundle = site / bundle_dir
    previous = desk.outputs.previous
    ahead = _AHEAD.pop((desk, where), None)  # the runs started ahead for this site, if any
    kept = recorded_parts(_recorded(desk, site, settings))  # the previous build's, read once
    if bundle.exists():
        shutil.rmtree(bundle)
    made, runs = {}, {}
    for name, part in zip(names, parts):
        given = {rel: pages[rel] for rel in part}
        key = index_key(bundle_dir, name, len(parts), given)
        entry = kept.get(name)
        if (isinstance(entry, dict) and entry.get("key") == key
                and reuse(entry, Path(previous) / where / bundle_dir / name, bundle / name, settings)):
            made[name] = {"key": key, "files": entry["files"]}
            desk.count("search", "reused")
            continue
        running = ahead.take(name, len(parts), given) if ahead is not None else None
        if running is not None:  # started on exactly these pages' bytes: its index is theirs
            desk.count("search", "indexed ahead")
        else:
            if ahead is not None and ahead.started(name):
                desk.count("search", "indexed ahead, then again")
            running = Indexing(site, bundle_dir, part, beside=Path(desk.outputs.root))
        runs[name] = (key, running)
    if ahead is not None:
        ahead.stop()  # the runs not taken
    bodies = _BODIES.get(desk, {}).pop(where, None)
    if not runs:
        return None  # the same pages: the record's bodies are theirs

    def finish() -> None:
        try:
            for name, (key, running) in runs.items():
                out = running.wait()
                sort_entry(out / "pagefind-entry.json")
                files = part_files(_files(out), name)
                for rel in files:  # linked from the previous output where its bytes are the same
                    write_copy(settings, out / rel, bundle / name / rel, "search")
                made[name] = {"key": key, "files": files}
                desk.count("search", "indexed")
        finally:
            for _key, running in runs.values():
                running.done()
        if len(names) > 1:  # the first part's entry lists the others, as they are now
            entry = bundle / "pagefind-entry.json"
            data = json.loads(entry.read_text(encoding="utf-8"))
            data["parts"] = [part_entry(bundle / name, name) for name in names[1:]]
            text = entry_text(data).encode("utf-8")
            write_output(settings, entry, text, "search")
            made[""]["files"] = {**made[""]["files"], "pagefind-entry.json": _digest(text)}
        record = {"parts": {name: made[name] for name in names}, "indexed": indexed}
        if bodies is not None:
            record["bodies"] = bodies
        store.put(latest, record)

    finish.indexing = _Runs([running for _key, running in runs.values()])
    return finish


BODY = b"data-pagefind-body"  # the attribute of what the templates give Pagefind to index

# What Pagefind reads of a page with one data-pagefind-body element (see indexed_view). The
# page is searched in lower case; each pattern starts with a literal "<", which the regular
# expression engine looks for first (much faster, on a 27 KB page, than alternatives).
_START_TAG = re.compile(rb"<([a-z][a-z0-9-]*)[\s>/]")
_HTML_TAG = re.compile(rb"<html(?:\s[^>]*)?>")
_TITLE = re.compile(rb"<title(?:\s[^>]*)?>[^<]*</title>")
_TAG_END = frozenset(b" \t\n\r\f>/")
# Inside the element, what could hide a tag from counting (comments, raw text); outside it,
# what Pagefind may read from anywhere on the page (its default title and image: the first
# h1 and img; and any data-pagefind-* attribute, looked for apart).
_UNSURE_INSIDE = re.compile(rb"<(?:!--|!\[cdata\[|(?:script|style|textarea|template|title|noscript|xmp|plaintext)[\s>/])")
_READ_ANYWHERE = re.compile(rb"<(?:h1|img)[\s>/]")


def _tag_at(low: bytes, opening: bytes, start: int, end: int) -> int:
    """Where the first tag beginning with ``opening`` (``<name`` or ``</name``) is in
    ``low[start:end]``, -1 if none."""
    at = low.find(opening, start, end)
    while at >= 0:
        after = at + len(opening)
        if after < len(low) and low[after] in _TAG_END:
            return at
        at = low.find(opening, at + 1, end)
    return -1


def _element_end(low: bytes, name: bytes, start: int) -> int:
    """The end of the element whose start tag, named ``name``, is at ``start``: just after
    its end tag, found by counting the tags of that name; -1 when it has none."""
    depth, at = 1, start + 1
    opening, closing = b"<" + name, b"</" + name
    while True:
        close = _tag_at(low, closing, at, len(low))
        if close < 0:
            return -1
        inner = _tag_at(low, opening, at, close)
        if inner >= 0:  # one more of the same tag opens first
            depth, at = depth + 1, inner + 1
            continue
        depth, at = depth - 1, close + 1
        if depth == 0:
            end = low.find(b">", close)
            return end + 1 if end >= 0 else -1


def indexed_view(page: bytes) -> bytes | None:
    """The page as Pagefind is given it: its ``<html>`` tag, its title, and its one
    ``data-pagefind-body`` element, byte for byte; Pagefind reads nothing else of a page
    once a site marks what to index, so the index is the same, and made sooner (about 15 %
    less of Pagefind's time at 1,000 articles: no header, navigation, scripts or footer to
    parse). None, and the whole page is given, when that cannot be told from the bytes
    alone: the attribute found other than exactly once, the element's end not found by
    counting its tag, a comment or raw text (a script, a style) inside it, or anything
    Pagefind reads from anywhere on the page outside it (a ``data-pagefind-*`` attribute,
    an ``h1``, an ``img``)."""
    low = page.lower()  # (ASCII only: the same offsets)
    at = low.find(BODY)
    if at < 0 or low.find(BODY, at + 1) >= 0:
        return None
    start = low.rfind(b"<", 0, at)
    tag = _START_TAG.match(low, start) if start >= 0 else None
    if tag is None or low.find(b">", start, at) >= 0:
        return None
    end = _element_end(low, tag.group(1), start)
    if end < 0 or _UNSURE_INSIDE.search(low, start, end):
        return None
    if low.find(b"data-pagefind", 0, start) >= 0 or low.find(b"data-pagefind", end) >= 0:
        return None
    if _READ_ANYWHERE.search(low, 0, start) or _READ_ANYWHERE.search(low, end):
        return None
    html = _HTML_TAG.search(low, 0, start)
    if html is None:
        return None
    title = _TITLE.search(low, 0, start)
    return b"".join((b"<!DOCTYPE html>\n", page[html.start():html.end()], b'<head><meta charset="utf-8">',
                     page[title.start():title.end()] if title else b"", b"</head><body>", page[start:end],
                     b"</body></html>\n"))


def to_index(site: Path, pages) -> list[str]:
    """The pages Pagefind is given: those whose HTML holds ``data-pagefind-body``. Once a
    page of a site has that attribute, Pagefind indexes only the pages that have it and reads
    the others for nothing (about a third of a language site: lists, tags, chart embeds), so
    the index is the same, made sooner. A site where no page has it is given every page
    (Pagefind then indexes each whole)."""
    marked = [rel for rel in pages if BODY in (site / rel).read_bytes()]
    return marked or list(pages)


def index_site(site: Path, bundle_dir: str, settings: dict) -> None:
    """:func:`start_index` and wait for it."""
    finish = start_index(site, bundle_dir, settings)
    if finish is not None:
        finish()


# The Pagefind runs of the build under way, each with the build's desk (shared by the main
# site and its language subsites): started at each language site's ``finalized``, waited for
# at the end of the main site's.
_PENDING: list[tuple] = []
# The runs started ahead (:func:`start_ahead`), by desk and language site, until that site's
# ``finalized`` takes or stops them.
_AHEAD: dict[tuple, "Ahead"] = {}


def _stop_pending(keep=None) -> None:
    """At exit, or when a new build starts: a run a failed build left (any run not of the
    desk ``keep``) is stopped."""
    for desk, finish in list(_PENDING):
        if desk is not keep:
            finish.indexing.stop()
            _PENDING.remove((desk, finish))
    for (desk, where), ahead in list(_AHEAD.items()):
        if desk is not keep:
            ahead.stop()
            _AHEAD.pop((desk, where), None)


# Index ahead. Pagefind cannot update an index, so an edit to one article means a new index of
# its language site, and Pagefind, started once the site is written, was most of what an edit
# build waited for at the end of the main site (a language subsite's index runs while the main
# site is written: started sooner, it only competes with that). A main site whose only new
# pages are those of the few articles this build converted (an edit to their text) is indexed
# as soon as those pages are written: the
# articles generator writes them first (:func:`write_converted_first`), and Pagefind is started
# on them and on the previous build's copies of the site's other indexed pages, while the build
# writes the rest. At the site's ``finalized`` (:func:`start_index`) that run is kept only when
# the pages it was given are, path for path and byte for byte, the pages of the site to index;
# otherwise (a page more or less, one whose bytes differ: a list of titles on a dataset page)
# it is stopped and Pagefind indexes the site as written. The index is always that of the pages
# published.
AHEAD_LIMIT = 20  # at most this many articles converted by the build: otherwise no index ahead


class Ahead:
    """The Pagefind runs started ahead for one language site, on ``pages`` (path -> SHA-256
    of the bytes it would be given), in parts (:func:`parts_of`): only the parts whose pages
    are not those the previous build indexed them from (:func:`start_parts`)."""

    def __init__(self, pages: dict[str, str], count: int, runs: dict, guess: bool = False):
        self.pages, self.count, self.guess = pages, count, guess
        self.runs = runs  # part name -> (its pages, the run)

    def started(self, name: str) -> bool:
        return name in self.runs

    def take(self, name: str, count: int, given: dict[str, str]):
        """The run of part ``name`` of ``count`` parts, when it was given exactly ``given``
        (path -> SHA-256): it is the caller's from now on. None otherwise."""
        found = self.runs.get(name)
        if (found is None or count != self.count or sorted(given) != found[0]
                or any(self.pages.get(rel) != digest for rel, digest in given.items())):
            return None
        del self.runs[name]
        return found[1]

    def stop(self) -> None:
        for _part, running in self.runs.values():
            running.stop()
        self.runs.clear()


def recorded_parts(recorded) -> dict:
    """The parts a language site's search record holds (name -> its key and files); none
    from a record of another shape (an older one, or none)."""
    parts = recorded.get("parts") if isinstance(recorded, dict) else None
    return parts if isinstance(parts, dict) else {}


def start_parts(site: Path, settings: dict, sources: dict, pages: dict[str, str], recorded,
                guess: bool = False):
    """Pagefind started ahead on the parts of ``pages`` (path -> SHA-256; ``sources``: path
    -> the file or bytes to give it) that the previous build's record (``recorded``, as the
    caller read it) does not hold as they are; None when every part is (nothing to start)."""
    desk = desk_of(settings)
    bundle_dir = settings_for(settings)["SEARCH_INDEX_DIR"]
    kept = recorded_parts(recorded)
    parts = parts_of(pages, _part_pages(settings))
    runs = {}
    for number, part in enumerate(parts):
        name = part_name(number)
        entry = kept.get(name)
        if isinstance(entry, dict) and entry.get("key") == index_key(bundle_dir, name, len(parts),
                                                                      {rel: pages[rel] for rel in part}):
            continue  # its index is the previous build's (reused if its files are intact)
        runs[name] = (part, Indexing(site, bundle_dir, {rel: sources[rel] for rel in part},
                                     beside=Path(desk.outputs.root)))
    return Ahead(pages, len(parts), runs, guess=guess) if runs else None


def start_ahead(generator) -> None:
    """Start Pagefind on the pages the main site will most likely index: those written so far
    (the converted articles' pages), the others as the previous build indexed them, when that
    build recorded which pages it indexed and they are all still in its output. Called by the
    main site's articles generator only, with search on (:func:`write_converted_first`)."""
    settings = generator.settings
    desk = desk_of(settings)
    previous = desk.outputs.previous
    if previous is None:
        return
    site, bundle_dir = Path(generator.output_path), settings_for(settings)["SEARCH_INDEX_DIR"]
    where = os.path.relpath(site, desk.outputs.root)
    recorded = _recorded(desk, site, settings)
    indexed = recorded.get("indexed")
    skip = {bundle_dir, *_subsites_inside(settings)}
    written = set(_files(site, skip=skip, pattern="*.html", digest=lambda _path: ""))
    guessed = _AHEAD.get((desk, where))
    if guessed is not None and not guessed.guess:
        return  # started ahead already
    if guessed is not None and _guess_holds(guessed, site, written):
        desk.count("search", "guess held")
        return  # Pagefind runs on these very pages already
    _drop_guess(desk, where)
    if not isinstance(indexed, list) or not indexed:
        return
    old = Path(previous) / where
    sources, pages = {}, {}
    for rel in sorted(set(indexed) | written):
        if not _inside(rel):
            return
        source = site / rel if rel in written else old / rel
        try:
            data = source.read_bytes()
        except OSError:
            return  # a page the previous build indexed is gone: index once the site is written
        if BODY in data:
            sources[rel], pages[rel] = source, _digest(data)
    if not pages:
        return
    ahead = start_parts(site, settings, sources, pages, recorded)
    if ahead is not None:
        _AHEAD[(desk, where)] = ahead
        desk.count("search", "started ahead")


def write_converted_first(generator) -> None:
    """Once the main site's articles are read: its articles generator will write the pages of
    the articles this build converted first, then start the index ahead (:func:`start_ahead`).
    Not for a language subsite: its index already runs while the main site is written."""
    if settings_for(generator.settings)["SEARCH_INDEX_ENABLED"] and _main_site(generator.settings):
        generator.generate_articles = functools.partial(_generate_articles, generator)


def _generate_articles(generator, write) -> None:
    """Pelican's ``ArticlesGenerator.generate_articles`` (Pelican 4.12, pinned), the same pages
    written with the same arguments, the converted articles' first (when there are at most
    AHEAD_LIMIT: an edit, not a new build), then the index started ahead, then the others."""
    every = list(chain(generator.translations, generator.articles,
                       generator.hidden_translations, generator.hidden_articles))
    converted = desk_of(generator.settings).converted
    first = [article for article in every if getattr(article, "source_path", None) in converted]
    if len(first) > AHEAD_LIMIT:
        first = []
    for article in first:
        _write_article(generator, write, article)
    if first:
        start_ahead(generator)
    else:  # more than an edit: no index ahead, nor on a guess
        desk = desk_of(generator.settings)
        _drop_guess(desk, os.path.relpath(generator.output_path, desk.outputs.root))
    done = {id(article) for article in first}
    for article in every:
        if id(article) not in done:
            _write_article(generator, write, article)


def _write_article(generator, write, article) -> None:
    signals.article_generator_write_article.send(generator, content=article)
    write(
        article.save_as,
        generator.get_template(article.template),
        generator.context,
        article=article,
        category=getattr(article, "category", None),
        override_output=hasattr(article, "override_save_as"),
        url=article.url,
        blog=True,
    )
    _note_body(generator, article)


# Index on a guess. Started when the edited page is written (above), Pagefind still finished
# last in an edit build: it reads the whole French site, and the page came after every file
# was read. But the edited story's new page is, most often, its previous page with the new
# body in place of the old one. So each build notes where each article's body is in its page
# (``bodies``, with the page's SHA-256, in the site's search record), and the next build,
# before it reads the files (``article_generator_init``), finds the one noted article whose
# source changed, makes its new body and starts Pagefind on the previous output's indexed
# pages with that page guessed: its previous bytes, the new body in place. The guess is
# checked twice: when the edited pages are written (``start_ahead``: each page given to
# Pagefind must be the page written, byte for byte, or the run is stopped and started again
# on the pages written: ``search: guess dropped``), and at the site's ``finalized``, as any
# run started ahead (every page given must be the page published). The index published is always the one of the pages published.
# desk -> language site -> {page: [source, start, end, the page's SHA-256, the source's hash]};
# by the desk, weakly: a process that builds again (the preview) keeps no build's state.
_BODIES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _as_shown(body, save_as: str, settings: dict) -> str | None:
    """``body`` as an article's own page at ``save_as`` shows it (``content|site_links``), when
    that is known without Pelican's rewriting of intra-site links (none in it: see
    datadesk.pages.shown); else None. Its site links are resolved from the page's ``SITEURL``
    as Pelican's writer sets it (Pelican 4.12: with RELATIVE_URLS, the way back to the root)."""
    from datadesk.links import resolve
    from datadesk.pages import no_intrasite_link
    from pelican.utils import get_relative_path, path_to_url

    if not isinstance(body, str) or not no_intrasite_link(settings, body):
        return None
    if settings.get("RELATIVE_URLS"):
        siteurl = path_to_url(get_relative_path(save_as))
    else:
        siteurl = settings.get("SITEURL")
    return resolve(body, siteurl)


def _note_body(generator, article) -> None:
    """After the main site wrote (or kept) an article's page: where the body is in its bytes,
    for the next build's guess. A page kept from the previous output keeps its entry."""
    settings = generator.settings
    desk = desk_of(settings)
    if not desk.in_build:
        return
    site = Path(generator.output_path)
    rel = Path(article.save_as).as_posix()
    path = os.path.abspath(site / rel)
    source = str(getattr(article, "source_path", ""))
    found = _BODIES.setdefault(desk, {}).setdefault(os.path.relpath(site, desk.outputs.root), {})
    if path in desk.outputs.kept:
        before = _recorded_bodies(desk, site, settings).get(rel)
        if (isinstance(before, list) and len(before) == 5 and before[0] == source
                and before[3] == desk.outputs.digest(Path(path)) and before[4] == desk.snapshot.digest(source)):
            found[rel] = before
        return
    body = None if hasattr(article, "_get_content") else _as_shown(getattr(article, "_content", None), rel, settings)
    if body is None:
        return
    try:
        data = Path(path).read_bytes()
    except OSError:
        return
    text = body.encode("utf-8")
    start = data.find(text)
    if text and start >= 0 and data.find(text, start + 1) < 0:
        found[rel] = [source, start, start + len(text), _digest(data), desk.snapshot.digest(source)]


_RECORDS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # desk -> site -> its record, read once


def _recorded(desk, site: Path, settings: dict) -> dict:
    """The previous build's search record of the language site ``site``, read once per build
    ({} without a previous output, or a record of another shape)."""
    records = _RECORDS.setdefault(desk, {})
    where = os.path.relpath(site, desk.outputs.root)
    if where not in records:
        store, _where, latest = _record_of(site, settings)
        recorded = store.get(latest, "the search index") if desk.outputs.previous else None
        records[where] = recorded if isinstance(recorded, dict) else {}
    return records[where]


def _recorded_bodies(desk, site: Path, settings: dict) -> dict:
    bodies = _recorded(desk, site, settings).get("bodies")
    return bodies if isinstance(bodies, dict) else {}


def guess_ahead(generator) -> None:
    """``article_generator_init`` of the main site, before any file is read: when exactly one
    article whose page the last build noted has changed since (its source's hash), its new
    body is made now (the reader's ``body_ahead``) and Pagefind starts on the pages the last
    build indexed, that article's page guessed (see above). Only with search on, a previous
    output, and the page's previous bytes those the record describes."""
    from datadesk.shortcodes import ShortcodeMarkdownReader

    settings = generator.settings
    if not _main_site(settings) or not settings_for(settings)["SEARCH_INDEX_ENABLED"]:
        return
    desk = desk_of(settings)
    if not desk.in_build or desk.outputs.previous is None or len(desk.converted) > AHEAD_LIMIT:
        return  # (more converted already, while the workers prepare charts: not an edit)
    site = Path(generator.output_path)
    where = os.path.relpath(site, desk.outputs.root)
    if (desk, where) in _AHEAD:
        return
    recorded = _recorded(desk, site, settings)
    bodies = _recorded_bodies(desk, site, settings)
    indexed = recorded.get("indexed")
    if not isinstance(indexed, list):
        return
    changed = [(rel, entry) for rel, entry in bodies.items()
               if isinstance(entry, list) and len(entry) == 5 and isinstance(entry[0], str)
               and desk.snapshot.digest(entry[0]) != entry[4]]
    if len(changed) != 1:
        return  # no article, or several: the index starts when the edited pages are written
    rel, (source, start, end, digest, _source_digest) = changed[0]
    reader = generator.readers.readers.get(os.path.splitext(source)[1][1:])
    if (not _inside(rel) or rel not in indexed or not isinstance(start, int) or not isinstance(end, int)
            or not 0 <= start <= end or not isinstance(reader, ShortcodeMarkdownReader)
            or not os.path.isfile(source) or _refused(source, settings)):
        return
    old = Path(desk.outputs.previous) / where
    try:
        data = (old / rel).read_bytes()
    except OSError:
        return
    if _digest(data) != digest:
        return  # not the page the record describes
    body = _as_shown(reader.body_ahead(source), rel, settings)
    if body is None:
        return
    page = data[:start] + body.encode("utf-8") + data[end:]
    sources, pages = {}, {}
    for other in sorted(indexed):
        if not _inside(other):
            return
        if other == rel:
            pages[other] = _digest(page)
            continue
        try:
            found = (old / other).read_bytes()
        except OSError:
            return
        if BODY in found:
            sources[other], pages[other] = found, _digest(found)
    sources[rel] = page
    ahead = start_parts(site, settings, dict(sorted(sources.items())), pages, recorded, guess=True)
    if ahead is not None:
        _AHEAD[(desk, where)] = ahead
        desk.count("search", "started on a guess")


def _refused(source: str, settings: dict) -> bool:
    """Whether the sanitise plugin refuses to read ``source`` (outside content/, too large)."""
    import sanitise

    return bool(sanitise.refusal(source, settings))


def _drop_guess(desk, where: str) -> None:
    """The run started on a guess for the language site ``where`` is stopped (``search: guess
    dropped``), if there is one."""
    found = _AHEAD.get((desk, where))
    if found is not None and found.guess:
        _AHEAD.pop((desk, where)).stop()
        desk.count("search", "guess dropped")


def _guess_holds(ahead: Ahead, site: Path, written) -> bool:
    """Whether every page written so far is, byte for byte, the page the guessed run was
    given (or, without the attribute Pagefind reads, was not given one)."""
    for rel in written:
        try:
            data = (site / rel).read_bytes()
        except OSError:
            return False
        if (BODY in data) != (rel in ahead.pages) or (BODY in data and _digest(data) != ahead.pages[rel]):
            return False
    return True


atexit.register(_stop_pending)


def stop_runs() -> None:
    """Every Pagefind run under way is stopped (a build failed: tools/build.py)."""
    _stop_pending()


def _main_site(settings: dict) -> bool:
    return settings.get("DEFAULT_LANG") not in (settings.get("I18N_SUBSITES") or {})


def _subsites_inside(settings: dict) -> list[str]:
    """The folders of a language site that are other language sites' (the main site's folder
    holds them; their pages are theirs): none for a subsite."""
    return sorted((settings.get("I18N_SUBSITES") or {}).keys()) if _main_site(settings) else []


def on_finalized(pelican) -> None:
    """Each language site's pages are written: Pagefind indexes them. Runs first among the
    site's ``finalized`` receivers (``search`` comes before ``discovery`` in PLUGINS). The
    English subsite finishes first, inside the French run, so its index is made while the
    French pages are written; the main site's runs while the sharing cards, the manifest and
    the sitemap are made (they write no HTML). :func:`wait_for_index`, connected after every
    plugin's receivers, waits for both at the end of the main site."""
    settings = pelican.settings
    config = settings_for(settings)
    if not config["SEARCH_INDEX_ENABLED"]:
        return
    desk = desk_of(settings)
    _stop_pending(keep=desk)
    # The main site's folder holds the language subsites' folders: their pages are theirs.
    skip = _subsites_inside(settings)
    finish = start_index(Path(pelican.output_path), config["SEARCH_INDEX_DIR"], settings, skip)
    if finish is not None:
        _PENDING.append((desk, finish))


def wait_for_index(pelican) -> None:
    """At the end of the main site: every index of the build is waited for and put in place."""
    if not _main_site(pelican.settings):
        return
    desk = desk_of(pelican.settings)
    for found in [item for item in _PENDING if item[0] is desk]:
        _PENDING.remove(found)
        found[1]()


def connect_last(_pelican) -> None:
    """``initialized`` runs after every plugin's ``register()``: a ``finalized`` receiver
    connected now runs after theirs (discovery's cards and sitemap)."""
    signals.finalized.connect(wait_for_index)


def entry_text(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def sort_entry(entry: Path) -> None:
    """Pagefind lists the languages in whatever order its threads finish; sort them so two
    builds of one commit are identical."""
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["languages"] = dict(sorted(data.get("languages", {}).items()))
        text = entry_text(data)
        entry.unlink()  # a new file, never written through a link
        entry.write_text(text, encoding="utf-8")


def part_entry(folder: Path, name: str) -> dict:
    """How the first part's entry lists part ``name`` (its files in ``folder``): its folder,
    relative to the first part's; the hashes of its metadata files (one per language), which
    name them; and a tag made of those and Pagefind's version, which changes whenever the
    part's index does. The search page's script gives the tag to Pagefind (``metaCacheTag``:
    the part's entry is then asked for at an address of that version, not a new one each
    time) and asks for each part's entry and metadata at once, before Pagefind asks for them
    one part after the other."""
    data = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    languages = data.get("languages") if isinstance(data.get("languages"), dict) else {}
    hashes = [str(value.get("hash")) for _lang, value in sorted(languages.items()) if isinstance(value, dict)]
    return {"bundle": f"{name}/", "tag": "-".join([str(data.get("version", "")), *hashes]), "hashes": hashes}


def fill_defaults(pelican) -> None:
    """Templates read the settings too, so the defaults go into the settings themselves."""
    pelican.settings.update(settings_for(pelican.settings))


def register() -> None:
    signals.initialized.connect(fill_defaults)
    signals.initialized.connect(connect_last)
    # After datadesk's (earlier in PLUGINS), which converts the files ahead when charts are to
    # be prepared: the guess is then left out. Before the editorial checks (connected at
    # ``initialized``): Pagefind starts first and works while they run.
    signals.article_generator_init.connect(guess_ahead)
    signals.article_generator_finalized.connect(write_converted_first)
    signals.finalized.connect(on_finalized)
