"""Write only what changed: a file whose bytes equal the previous build's is linked, not written.

A build writes into a fresh staging folder beside ``output/`` that ``tools/build.py`` swaps in
only when the build succeeded. It tells the build where the current ``output/`` is
(``DATADESK_PREVIOUS_OUTPUT``); every file the build writes goes through :meth:`Outputs.put`
or :meth:`Outputs.copy`, which compare the new bytes with the file of the same path in the
previous output and, when they are equal, **hard-link** that file into the staging folder
instead of writing it. After the swap an unchanged file keeps its inode and its mtime (a
server, a deploy's rsync or a browser cache sees no change); only the files whose bytes
changed are new.

The previous output is never modified: a file is linked only after its bytes were compared
with the new ones, and a path of the staging folder is always unlinked before new bytes are
written to it (writing into a linked file would write into ``output/``). A build that fails
removes its staging folder: ``output/`` is left byte for byte and inode for inode as it was.
Where links are impossible (the staging folder and ``output/`` on different file systems, a
file system without hard links) the build says so once and writes every file.

Pelican's pages and feeds go through :class:`KeepingWriter` (the ``get_writer`` signal), which
first asks ``pages.py`` whether an article page, a list page, a page of the site or a dataset
page needs rendering at all (its inputs' fingerprint against the last build's record,
output/'s file verified by its SHA-256); the
plugins' own files (charts, dataset files, feeds, sitemap, cards, the search bundle) call
:func:`put` and :func:`copy`; and :func:`finish`, run by ``tools/build.py`` once Pelican has
finished, links whatever else is unchanged (the theme's static files, anything written
otherwise) and adds the totals to the build's report: ``count(part, "written" | "kept")`` for
each part, and ``output`` for all of them.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import logging
import os
import shutil
import stat
import struct
import sys
from pathlib import Path

from pelican.contents import Content
from pelican.paginator import Paginator
from pelican.plugins import signals
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

logger = logging.getLogger(__name__)

SETTING = "DATADESK_PREVIOUS_OUTPUT"
# Errors of os.link that mean "no links here" (not "this one file"): write everything.
_NO_LINKS = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS,
             errno.EACCES}
_CHUNK = 1 << 20
# Templates whose pages are fingerprinted as the list pages are (pages.py: everything the
# template reads, each value given to it described whole): the dataset pages and the chart
# embed pages (whose PNG's size charts.py gives the template, so it reads nothing from the
# output folder: a template that did could not be kept by its context alone).
LISTED_TEMPLATES = {"dataset.html", "datasets.html", "chart_embed.html"}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its first 24 bytes: signature and IHDR chunk);
    ValueError when ``data`` does not start as a PNG file does."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def _same_file_bytes(a: Path, b: Path, size: int) -> bool:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            chunk = fa.read(_CHUNK)
            if chunk != fb.read(_CHUNK):
                return False
            if not chunk:
                return True


def _same_inode(a, b) -> bool:
    try:
        one, two = os.stat(a), os.stat(b)
    except OSError:
        return False
    return one.st_ino == two.st_ino and one.st_dev == two.st_dev


def _remove(target: str) -> None:
    """Unlink ``target`` if it is there (a file this build wrote or linked): new bytes go into a
    new file, never through a link into the previous output."""
    try:
        if not stat.S_ISDIR(os.lstat(target).st_mode):
            os.unlink(target)
    except FileNotFoundError:
        pass


class Outputs:
    """What one build (the main site and its language subsites) wrote and kept."""

    def __init__(self, settings: dict, count=None):
        self.root = os.path.abspath(settings.get("OUTPUT_PATH") or "output")
        previous = settings.get(SETTING) or ""
        # where the site goes once built (output/), and its files when it is there already
        self.destination = os.path.abspath(previous) if previous else None
        self.previous = self.destination if previous and os.path.isdir(previous) else None
        try:
            if self.previous is not None and os.path.samefile(self.previous, self.root):
                self.previous = None  # building into output/ itself: nothing to link
        except OSError:
            pass
        self.linking = self.previous is not None
        self.count = count or (lambda part, what, n=1: None)
        self.kept: set[str] = set()  # paths of the staging folder linked from the previous output
        self.handled: set[str] = set()  # every path written or kept through put/copy
        self.digests: dict[str, str] = {}  # SHA-256 of each page put, for those who read them back
        self.totals = {"written": 0, "kept": 0}
        self.folders: set[str] = set()  # folders of this build's output known to exist (_folder)

    # Where a file of this build was in the previous one
    def previous_of(self, target: str) -> str | None:
        if not self.linking:
            return None
        rel = os.path.relpath(target, self.root)
        if rel.startswith(os.pardir + os.sep) or rel == os.pardir or os.path.isabs(rel):
            return None
        return os.path.join(self.previous, rel)

    def _old_size(self, old: str | None) -> int | None:
        if old is None:
            return None
        try:
            info = os.lstat(old)
        except OSError:
            return None
        return info.st_size if stat.S_ISREG(info.st_mode) else None

    def _link(self, old: str, target: str) -> bool:
        try:
            os.link(old, target)
        except OSError as exc:
            if exc.errno in _NO_LINKS:
                self.linking = False
                message = (f"build: the previous output cannot be linked into the new one "
                           f"({exc.strerror}: {self.previous}); every file is written this time")
                logger.info("%s", message)
                print(message, file=sys.stderr)  # a notice, not a warning (warnings fail builds)
            return False
        return True

    def _done(self, target: str, part: str, kept: bool) -> bool:
        self.handled.add(target)
        what = "kept" if kept else "written"
        if kept:
            self.kept.add(target)
        else:
            self.kept.discard(target)
        self.totals[what] += 1
        self.count(part, what)
        self.count("output", what)
        return kept

    # Writing
    def _folder(self, folder: str) -> None:
        """Make ``folder`` of this build's output unless this build made or found it already
        (one system call per folder, not per file: the sharing cards, the charts…)."""
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)

    def _again(self, target: str, action):
        """``action`` once ``target``'s folder is made again (a folder this build made and then
        removed, as the search index's, is not in ``folders`` any more)."""
        folder = os.path.dirname(target)
        self.folders = {known for known in self.folders
                        if known != folder and not known.startswith(folder + os.sep)
                        and not folder.startswith(known + os.sep)}
        os.makedirs(folder, exist_ok=True)
        self.folders.add(folder)
        return action()

    def put(self, target, data: bytes, part: str) -> bool:
        """Write ``data`` to ``target`` (a path in this build's output), or link the previous
        output's file of the same path when its bytes are ``data``. True when kept."""
        target = os.path.abspath(target)
        _remove(target)
        self._folder(os.path.dirname(target))
        if target.endswith(".html"):
            self.digests[target] = hashlib.sha256(data).hexdigest()
        else:
            self.digests.pop(target, None)
        old = self.previous_of(target)
        if self._old_size(old) == len(data):
            with open(old, "rb") as handle:
                same = handle.read() == data
            if same and self._link(old, target):
                return self._done(target, part, True)
        try:
            handle = open(target, "wb")  # noqa: SIM115
        except FileNotFoundError:  # its folder was removed since this build made it
            handle = self._again(target, lambda: open(target, "wb"))
        with handle as out:
            out.write(data)
        return self._done(target, part, False)

    def copy(self, source, target, part: str, verified: bool = False, sha256: str | None = None) -> bool:
        """Copy the file ``source`` to ``target``, or link the previous output's file of the
        same path when its bytes are the source's. True when kept.

        ``verified``: ``source`` is a file of a cache that this build has checked against the
        SHA-256 recorded with it (the chart renders: charts/render.py ``Cache.get`` hashes every
        file of an entry each time it is used). It is then linked rather than copied, so the
        output's file is the cache's; and a previous output's file that is that very file (the
        same inode) is kept without reading either: its bytes are the ones just checked. A file
        changed in place in one of them is changed in both, and the next build's check of the
        cache finds it and draws it again. ``sha256``: the checked hash of ``source``, kept as
        the output file's (:meth:`digest`) when it is linked."""
        target = os.path.abspath(target)
        _remove(target)
        self.digests.pop(target, None)
        self._folder(os.path.dirname(target))
        old = self.previous_of(target)
        size = self._old_size(old)
        if verified:
            if size is not None and _same_inode(source, old) and self._link(old, target):
                if sha256:
                    self.digests[target] = sha256
                return self._done(target, part, True)
            try:
                try:
                    os.link(source, target)
                except FileNotFoundError:  # its folder was removed since this build made it (or no source)
                    self._again(target, lambda: os.link(source, target))
                if sha256:
                    self.digests[target] = sha256
                return self._done(target, part, False)
            except OSError:
                pass  # another file system, or no links there: copied as any file
        if size is not None and os.path.getsize(source) == size and _same_file_bytes(source, old, size):
            if self._link(old, target):
                return self._done(target, part, True)
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:  # its folder was removed since this build made it (or no source)
            self._again(target, lambda: shutil.copyfile(source, target))
        return self._done(target, part, False)

    def digest(self, path) -> str:
        """The SHA-256 of a file of this build: recorded when a page was put, else read."""
        path = os.path.abspath(path)
        found = self.digests.get(path)
        if found is None:
            with open(path, "rb") as handle:
                found = hashlib.sha256(handle.read()).hexdigest()
        return found

    def keep_if_unchanged(self, target: str, part: str) -> bool:
        """``target`` was written by someone else (Pelican's static files, Pagefind): replace
        it by a link to the previous output's file when their bytes are equal."""
        old = self.previous_of(target)
        size = self._old_size(old)
        try:
            info = os.lstat(target)
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        if size is None or info.st_size != size or not _same_file_bytes(target, old, size):
            return self._done(target, part, False)
        temp = f"{target}.keep-{os.getpid()}"
        if not self._link(old, temp):
            return self._done(target, part, False)
        os.replace(temp, target)  # the new file goes, the previous one's inode takes its name
        return self._done(target, part, True)

    def keep_verified(self, target, part: str, sha256: str) -> bool:
        """Link the previous output's file for ``target`` without new bytes to compare, when its
        bytes hash to ``sha256`` (recorded when a build made it from the same inputs: pages.py).
        True when kept; False (nothing done) when it is missing, differs or cannot be linked."""
        target = os.path.abspath(target)
        old = self.previous_of(target)
        if self._old_size(old) is None:
            return False
        digest = hashlib.sha256()
        with open(old, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            return False
        _remove(target)
        self._folder(os.path.dirname(target))
        if not self._link(old, target):
            return False
        self.digests[target] = sha256  # the page's bytes, for those who read them back (Memo)
        return self._done(target, part, True)

    def keep_folder(self, folder: str, part: str) -> int:
        """Link every file of the previous output's copy of ``folder`` (a folder of this build's
        output) into it, as kept files (copied where links are impossible); returns how many.
        For a folder whose previous copy is known to be what this build would write (a language
        subsite, datadesk/kept.py): its files are not compared."""
        folder = os.path.abspath(folder)
        if self.previous is None:
            return 0
        source = os.path.join(self.previous, os.path.relpath(folder, self.root))
        count = 0
        for parent, _dirs, files in os.walk(source):
            target_dir = os.path.normpath(os.path.join(folder, os.path.relpath(parent, source)))
            self._folder(target_dir)
            for name in files:
                old, target = os.path.join(parent, name), os.path.join(target_dir, name)
                if not (self.linking and self._link(old, target)):
                    shutil.copy2(old, target)
                self._done(target, part, True)
                count += 1
        return count

    def finish(self) -> None:
        """Once every file is written: the files nobody wrote through put/copy (the theme's
        static files, Pelican's static files) are linked where unchanged, and counted."""
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                path = os.path.join(folder, name)
                if path not in self.handled:
                    self.keep_if_unchanged(path, "other")


def outputs_of(settings: dict) -> Outputs:
    """The build's :class:`Outputs` (on its desk, shared by the language subsites)."""
    from .desk import desk_of

    return desk_of(settings).outputs


def put(settings: dict, target, data: bytes | str, part: str) -> bool:
    """Write ``data`` (text is written as UTF-8) to ``target`` unless the previous output has
    those bytes at that path (then it is linked). True when kept."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return outputs_of(settings).put(target, data, part)


def copy(settings: dict, source, target, part: str, verified: bool = False, sha256: str | None = None) -> bool:
    """Copy ``source`` to ``target`` unless the previous output has its bytes there
    (``verified``, ``sha256``: see :meth:`Outputs.copy`)."""
    return outputs_of(settings).copy(source, target, part, verified, sha256)


def is_kept(context: dict, path) -> bool:
    """True when ``path`` was linked from the previous output by this build: its bytes are the
    ones a previous, successful build wrote and checked (the checks of written pages skip it)."""
    from .desk import DESK_KEY

    desk = context.get(DESK_KEY) if isinstance(context, dict) else None
    return desk is not None and os.path.abspath(path) in desk.outputs.kept


class _Pending(io.StringIO):
    """What Pelican's writer writes to a file, kept in memory until it is closed."""

    def __init__(self, outputs: Outputs, path: str, encoding: str, part: str, written=None):
        super().__init__()
        self._outputs, self._path, self._encoding, self._part = outputs, path, encoding, part
        self._written = written  # told the bytes once they are in place (pages.py records them)

    def close(self) -> None:
        if not self.closed:
            data = self.getvalue().encode(self._encoding)
            super().close()
            self._outputs.put(self._path, data, self._part)
            if self._written is not None:
                self._written(data)

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            io.StringIO.close(self)  # a failed write writes nothing (the build fails anyway)
            return False
        self.close()
        return False


class KeepingWriter(Writer):
    """Pelican's writer, whose files go through :class:`Outputs` (kept when unchanged), and
    which does not render an article page whose inputs did not change (pages.py)."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.outputs = outputs_of(settings)
        self._fingerprints: dict[str, str] = {}  # path -> fingerprint of the page being rendered

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        from .desk import desk_of
        from .pages import pages_of

        article = kwargs.get("article")
        # Pelican's list pages (blog=True), its pages, the dataset pages: fingerprinted whole
        listing = article is None and (kwargs.get("blog") is True or isinstance(kwargs.get("page"), Content)
                                       or getattr(template, "name", None) in LISTED_TEMPLATES)
        pages = pages_of(self.settings) if (article is not None or listing) else None
        page_kwargs, target = kwargs, name
        if pages is not None and name and listing:
            page_kwargs, target = self._one_page(name, url, paginated, template_name, kwargs)
        if (pages is None or not name or target is None
                or (article is not None and (paginated is not None or kwargs.keys() & {"articles", "dates"}))):
            return super().write_file(name, template, context, relative_urls, paginated,
                                      template_name, override_output, url, **kwargs)
        count = desk_of(self.settings).count
        kind = ("list pages" if kwargs.get("blog") is True else "other pages") if listing else "article pages"
        # The page's context as Pelican's Writer.write_file makes it (Pelican 4.12)
        localcontext = context.copy()
        localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
        if relative_urls:
            relative_url = path_to_url(get_relative_path(target))
            localcontext["SITEURL"] = relative_url
            localcontext["localsiteurl"] = relative_url
        localcontext["output_file"] = target
        localcontext.update(page_kwargs)
        if localcontext["localsiteurl"]:
            context["localsiteurl"] = localcontext["localsiteurl"]  # as Pelican does before rendering
        path = sanitised_join(self.output_path, target)
        fingerprint = None
        if path not in self._written_files and path not in self._overridden_files:
            fingerprint = (pages.list_fingerprint(template, context, localcontext) if listing
                           else pages.fingerprint(template, context, localcontext))
        if fingerprint is None:
            count(kind, "unfingerprinted")
        elif pages.keep(path, fingerprint):
            # Pelican's bookkeeping of _open_w, the signal of _write_file; nothing rendered
            if override_output:
                self._overridden_files.add(path)
            self._written_files.add(path)
            logger.info('Keeping "%s" (its inputs did not change)', path)
            count(kind, "skipped")
            count("pages", "skipped")
            signals.content_written.send(path, context=localcontext)
            return None
        else:
            self._fingerprints[path] = fingerprint
        count(kind, "rendered")
        count(f"rendered {kind}", pages.relative(path))  # which ones, for the tests
        try:
            return super().write_file(name, template, context, relative_urls, paginated,
                                      template_name, override_output, url, **kwargs)
        finally:
            self._fingerprints.pop(path, None)

    def _one_page(self, name, url, paginated, template_name, kwargs):
        """The keyword arguments and file name of a list page as Pelican's Writer.write_file
        renders it (Pelican 4.12: its paginators when the template is paginated), or
        ``(kwargs, None)`` when it makes more than one page (then nothing is skipped)."""
        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}
        if not (paginated and template_name in self.settings["PAGINATED_TEMPLATES"]):
            return kwargs, name
        per_page = (self.settings["PAGINATED_TEMPLATES"][template_name]
                    or self.settings["DEFAULT_PAGINATION"])
        paginators = {key: Paginator(name, url, val, self.settings, per_page)
                      for key, val in paginated.items()}
        if next(iter(paginators.values())).num_pages != 1:
            return kwargs, None
        paginated_kwargs = kwargs.copy()
        for key, paginator in paginators.items():
            page = paginator.page(1)
            paginated_kwargs.update({f"{key}_paginator": paginator, f"{key}_page": page,
                                     f"{key}_previous_page": None, f"{key}_next_page": None})
        return paginated_kwargs, page.save_as

    def _open_w(self, filename, encoding, override=False):
        # Pelican's own bookkeeping (Writer._open_w, Pelican 4.12), then a buffer instead of a file.
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)')
            logger.info('Skipping "%s", not overwriting', filename)
            return open(os.devnull, "w", encoding=encoding)  # noqa: SIM115
        if filename in self._written_files:
            if override:
                logger.info('Overwriting "%s"', filename)
            else:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already written to it '
                    "previously (set `override=True` if intended)")
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        part = "pages" if str(filename).endswith(".html") else "feeds"
        if str(filename).endswith(".html"):
            self.outputs.count("pages", "rendered")
        fingerprint = self._fingerprints.get(filename)
        written = None
        if fingerprint is not None:
            from .pages import pages_of

            pages = pages_of(self.settings)
            written = lambda data: pages.record(filename, fingerprint, data)  # noqa: E731
        return _Pending(self.outputs, filename, encoding, part, written)


def get_writer(_pelican):
    return KeepingWriter


class Memo:
    """What was read from a page, or made from inputs, kept between builds: one checked entry
    of a :class:`~datadesk.store.Store` under ``.cache/pages/`` (beside Pelican's CACHE_PATH) per
    ``name``, keyed by the name and :func:`~datadesk.store.code_version`. :meth:`page` looks a page
    up by the SHA-256 of its bytes, so a page whose bytes did not change is not parsed again
    (the sitemap's and the cards' reading of every page); :meth:`get`/:meth:`set` take keys
    that hash every input. Only what this build asked for is kept (:meth:`save`)."""

    def __init__(self, settings: dict, name: str):
        from .desk import desk_of
        from .store import Store, code_version, key_of

        self.desk = desk_of(settings)
        self.name = name
        self.store = Store(Path(settings["CACHE_PATH"]).parent / "pages")
        self.key = key_of("memo", name, code_version())
        found = self.store.get(self.key, name)
        self.old = found if isinstance(found, dict) else {}
        self.new: dict = {}

    def get(self, key: str):
        value = self.old.get(key)
        if value is not None:
            self.new[key] = value
        return value

    def set(self, key: str, value) -> None:
        self.new[key] = json.loads(json.dumps(value))  # as it will read back: lists, not tuples

    def page(self, path, compute):
        """``compute(path)`` for the page at ``path`` (a file of this build), or what it gave
        for the same bytes before."""
        digest = self.desk.outputs.digest(path)
        value = self.get(digest)
        if value is None:
            self.set(digest, compute(path))
            value = self.new[digest]
            self.desk.count(self.name.split(":")[0], "read")
        else:
            self.desk.count(self.name.split(":")[0], "remembered")
        return value

    def save(self) -> None:
        if self.new != self.old:
            self.store.put(self.key, self.new)


def remove_stale_folders(root: Path, prefix: str) -> None:
    """Remove the folders in ``root`` named ``<prefix><pid>-…`` whose process is gone (one
    killed before it could remove its own): Pagefind's page mirrors, the chart workers' font
    copies. This process's own, and a live process's, are kept."""
    try:
        found = list(root.glob(f"{prefix}*"))
    except OSError:
        return
    for folder in found:
        pid = folder.name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # alive (another user's)
