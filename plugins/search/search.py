"""Full-text search with Pagefind, built from the finished site.

Pagefind indexes the HTML after Pelican has written every language site, one index
per ``<html lang>``, and ships its own small UI; everything is served from the site
itself. Only elements marked ``data-pagefind-body`` are indexed (articles, pages,
dataset pages), so navigation, listings and drafts stay out of the index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from datadesk import DeskError, Setting, Settings, desk_of, write_output
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


def build_index(site: Path, bundle_dir: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", bundle_dir, *PAGEFIND_ARGS],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SearchIndexError(
            f"Pagefind could not index {site}: {(result.stderr or result.stdout).strip()}. "
            "Rebuild with `invoke build --debug` and check the pages it names."
        )


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


def index_site(site: Path, bundle_dir: str, settings: dict) -> None:
    """Pagefind's index of ``site``; reused from the previous output when the pages, Pagefind
    and its configuration are those it was made from (see README: Pagefind cannot update an
    index, so one changed page means a new index, whose unchanged files are linked)."""
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
        return
    if bundle.exists():
        shutil.rmtree(bundle)
    build_index(site, bundle_dir)
    sort_entry(bundle / "pagefind-entry.json")
    files = _files(bundle)
    for rel in files:
        desk.outputs.keep_if_unchanged(os.path.abspath(bundle / rel), "search")
    store.put(latest, {"key": key, "files": files})
    desk.count("search", "indexed")


def on_finalized(pelican) -> None:
    settings = pelican.settings
    config = settings_for(settings)
    # The English subsite finishes first, inside the French run: index once, at the end
    # of the main site, when every language is on disk.
    if not config["SEARCH_INDEX_ENABLED"] or settings.get("DEFAULT_LANG") != settings.get("MAIN_LANG", "fr"):
        return
    index_site(Path(pelican.output_path), config["SEARCH_INDEX_DIR"], settings)


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
    signals.finalized.connect(on_finalized)
