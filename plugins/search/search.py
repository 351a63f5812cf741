"""Full-text search with Pagefind, built from the finished site.

Pagefind indexes the HTML after Pelican has written every language site, one index
per ``<html lang>``, and ships its own small UI; everything is served from the site
itself. Only elements marked ``data-pagefind-body`` are indexed (articles, pages,
dataset pages), so navigation, listings and drafts stay out of the index.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from datadesk import DeskError, Setting, Settings
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


def build_index(site: Path, bundle_dir: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", bundle_dir,
         "--silent"],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SearchIndexError(
            f"Pagefind could not index {site}: {(result.stderr or result.stdout).strip()}. "
            "Rebuild with `invoke build --debug` and check the pages it names."
        )


def on_finalized(pelican) -> None:
    settings = pelican.settings
    config = settings_for(settings)
    # The English subsite finishes first, inside the French run: index once, at the end
    # of the main site, when every language is on disk.
    if not config["SEARCH_INDEX_ENABLED"] or settings.get("DEFAULT_LANG") != settings.get("MAIN_LANG", "fr"):
        return
    bundle = Path(pelican.output_path) / config["SEARCH_INDEX_DIR"]
    build_index(Path(pelican.output_path), config["SEARCH_INDEX_DIR"])
    sort_entry(bundle / "pagefind-entry.json")


def sort_entry(entry: Path) -> None:
    """Pagefind lists the languages in whatever order its threads finish; sort them so two
    builds of one commit are identical."""
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["languages"] = dict(sorted(data.get("languages", {}).items()))
        entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def fill_defaults(pelican) -> None:
    """Templates read the settings too, so the defaults go into the settings themselves."""
    pelican.settings.update(settings_for(pelican.settings))


def register() -> None:
    signals.initialized.connect(fill_defaults)
    signals.finalized.connect(on_finalized)
