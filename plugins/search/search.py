"""Full-text search with Pagefind, built from the finished site.

Pagefind indexes the HTML after Pelican has written every language site, one index
per ``<html lang>``, and ships its own small UI; everything is served from the site
itself. Only elements marked ``data-pagefind-body`` are indexed (articles, pages,
dataset pages), so navigation, listings and drafts stay out of the index.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from datadesk import DeskError, Setting, Settings, desk_of, write_output
from datadesk.outputs import copy as write_copy
from datadesk.store import Store, code_version, key_of
from pelican import signals

logger = logging.getLogger(__name__)

# The family is SEARCH_*, so a typo such as SEARCH_INDEX_DIRS or SEARCH_ENABLED stops the
# build; Pelican's own SEARCH_URL and SEARCH_SAVE_AS (the "search" direct template) are not ours.
SETTINGS = Settings("search", "SEARCH_", [
    Setting("SEARCH_INDEX_ENABLED", True, "Build the Pagefind index after the site is written."),
    Setting("SEARCH_INDEX_DIR", "pagefind", "Folder of the main-language site where the index and "
                                            "Pagefind's UI go."),
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


class Indexing:
    """One Pagefind run, started now and waited for by :meth:`wait` (the build goes on with
    its sharing cards and sitemap meanwhile). Pagefind only reads the site: it writes its
    bundle into a temporary folder of its own (:attr:`bundle`), whose files the build then
    puts in place, so a build that fails while Pagefind runs can remove its staging folder
    at once; :meth:`stop` (at exit, or when the next build starts) ends such a run. Its
    output goes to a temporary file, so a talkative Pagefind never blocks on a full pipe."""

    def __init__(self, site: Path, bundle_dir: str):
        self.site = site
        self.bundle = Path(tempfile.mkdtemp(prefix="pagefind-")) / bundle_dir
        self.output = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(pagefind_command(site, self.bundle), stdout=self.output,
                                            stderr=subprocess.STDOUT)
        except OSError as exc:
            self._clean()
            raise SearchIndexError(f"Pagefind could not be started: {exc}. Reinstall it with "
                                   "`invoke setup` (it is in requirements.txt).") from exc

    def _clean(self) -> None:
        self.output.close()
        shutil.rmtree(self.bundle.parent, ignore_errors=True)

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


def build_index(site: Path, bundle_dir: str) -> None:
    """Pagefind's bundle of ``site`` into its ``bundle_dir`` (waits for it)."""
    running = Indexing(site, bundle_dir)
    try:
        shutil.copytree(running.wait(), site / bundle_dir, dirs_exist_ok=True)
    finally:
        running.done()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(folder: Path, skip: str | None = None, pattern: str = "*", digest=None) -> dict[str, str]:
    """Every file under ``folder`` matching ``pattern`` (but in the top folder ``skip``), by its
    path and SHA-256 (``digest(path)`` when given: the build's record of the pages it wrote)."""
    found = {}
    for path in folder.rglob(pattern):
        rel = path.relative_to(folder).as_posix()
        if skip and (rel == skip or rel.startswith(skip + "/")):
            continue
        if path.is_file():
            found[rel] = digest(path) if digest else _digest(path.read_bytes())
    return dict(sorted(found.items()))


def index_key(site: Path, bundle_dir: str, digest=None) -> str:
    """What the index is made from: every HTML file of the site (path and content hash),
    Pagefind's version, its arguments and any configuration of its own, the plugins' code."""
    pages = _files(site, skip=bundle_dir, pattern="*.html", digest=digest)
    versions = {}
    for name in ("pagefind", "pagefind-bin"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    configs = {name: _digest(Path(name).read_bytes()) for name in PAGEFIND_CONFIGS if Path(name).is_file()}
    env = {k: v for k, v in os.environ.items() if k.startswith("PAGEFIND")}
    return key_of("pagefind", versions, bundle_dir, PAGEFIND_ARGS, configs, env, code_version(), pages)


def reuse(recorded: dict, previous: Path, bundle: Path, settings: dict) -> bool:
    """Put the previous build's index in place when every file recorded for this key is there
    with its recorded checksum (linked, datadesk/outputs.py); False, and nothing put, otherwise."""
    files = recorded.get("files") if isinstance(recorded, dict) else None
    if not isinstance(files, dict) or not files:
        return False
    verified = {}
    for rel, digest in files.items():
        path = previous / rel
        if not isinstance(digest, str) or Path(rel).is_absolute() or ".." in Path(rel).parts or not path.is_file():
            return False
        data = path.read_bytes()
        if _digest(data) != digest:
            return False
        verified[rel] = data
    for rel, data in verified.items():
        write_output(settings, bundle / rel, data, "search")
    return True


def start_index(site: Path, bundle_dir: str, settings: dict):
    """Pagefind's index of ``site``; reused from the previous output when the pages, Pagefind
    and its configuration are those it was made from (see README: Pagefind cannot update an
    index, so one changed page means a new index, whose unchanged files are linked). Returns
    None when it was reused, else the function that waits for Pagefind and records the index
    (Pagefind runs meanwhile)."""
    desk = desk_of(settings)
    store = Store(Path(settings["CACHE_PATH"]).parent / "search")
    key = index_key(site, bundle_dir, desk.outputs.digest)
    # one entry per output folder (the index of the site now in it), never more
    latest = key_of("pagefind-index", desk.outputs.destination or str(site.resolve()))
    bundle = site / bundle_dir
    previous = desk.outputs.previous
    recorded = store.get(latest, "the search index") if previous else None
    if (isinstance(recorded, dict) and recorded.get("key") == key
            and reuse(recorded, Path(previous) / bundle_dir, bundle, settings)):
        desk.count("search", "reused")
        return None
    if bundle.exists():
        shutil.rmtree(bundle)
    running = Indexing(site, bundle_dir)

    def finish() -> None:
        made = running.wait()
        try:
            sort_entry(made / "pagefind-entry.json")
            files = _files(made)
            for rel in files:  # linked from the previous output where its bytes are the same
                write_copy(settings, made / rel, bundle / rel, "search")
        finally:
            running.done()
        store.put(latest, {"key": key, "files": files})
        desk.count("search", "indexed")

    finish.indexing = running
    return finish


def index_site(site: Path, bundle_dir: str, settings: dict) -> None:
    """:func:`start_index` and wait for it."""
    finish = start_index(site, bundle_dir, settings)
    if finish is not None:
        finish()


# The Pagefind run each main site started at ``finalized`` and waits for at the end of it
_PENDING: dict[int, tuple] = {}


def _stop_pending() -> None:
    """At exit, or when a new build starts: a run a failed build left is stopped."""
    for _pelican, finish in list(_PENDING.values()):
        finish.indexing.stop()
    _PENDING.clear()


atexit.register(_stop_pending)


def on_finalized(pelican) -> None:
    """Started first among the main site's ``finalized`` receivers (``search`` comes before
    ``discovery`` in PLUGINS), once every language site's pages are written: Pagefind indexes
    them while the sharing cards, the manifest and the sitemap are made (they write no HTML);
    :func:`wait_for_index`, connected after every plugin's receivers, waits for it."""
    settings = pelican.settings
    config = settings_for(settings)
    # The English subsite finishes first, inside the French run: index once, at the end
    # of the main site, when every language is on disk.
    if not config["SEARCH_INDEX_ENABLED"] or settings.get("DEFAULT_LANG") != settings.get("MAIN_LANG", "fr"):
        return
    _stop_pending()
    finish = start_index(Path(pelican.output_path), config["SEARCH_INDEX_DIR"], settings)
    if finish is not None:
        _PENDING[id(pelican)] = (pelican, finish)


def wait_for_index(pelican) -> None:
    found = _PENDING.pop(id(pelican), None)
    if found is not None:
        found[1]()


def connect_last(_pelican) -> None:
    """``initialized`` runs after every plugin's ``register()``: a ``finalized`` receiver
    connected now runs after theirs (discovery's cards and sitemap)."""
    signals.finalized.connect(wait_for_index)


def sort_entry(entry: Path) -> None:
    """Pagefind lists the languages in whatever order its threads finish; sort them so two
    builds of one commit are identical."""
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["languages"] = dict(sorted(data.get("languages", {}).items()))
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        entry.unlink()  # a new file, never written through a link
        entry.write_text(text, encoding="utf-8")


def fill_defaults(pelican) -> None:
    """Templates read the settings too, so the defaults go into the settings themselves."""
    pelican.settings.update(settings_for(pelican.settings))


def register() -> None:
    signals.initialized.connect(fill_defaults)
    signals.initialized.connect(connect_last)
    signals.finalized.connect(on_finalized)
