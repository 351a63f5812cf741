"""Compile the theme's gettext catalogues (.po -> .mo) before templates need them.

Only the .po files are kept in git; the binary .mo files are derived, so they are
rebuilt whenever a .po is newer. Babel writes them deterministically.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from pelican import signals

logger = logging.getLogger(__name__)


def compile_catalogs(translations_dir: Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` under ``translations_dir``; return what was written."""
    from site_context import typography  # plugins/ is on sys.path once Pelican has loaded them
    # The desk's error for a .po file that cannot be read; this plugin is loaded before datadesk
    # (PLUGINS), so it is imported here, when the catalogues are compiled, not when loaded.
    from datadesk import TranslationCatalogError

    written = []
    for po_path in sorted(Path(translations_dir).glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        newest = max(po_path.stat().st_mtime, Path(typography.__file__).stat().st_mtime)
        if mo_path.exists() and mo_path.stat().st_mtime >= newest:
            continue
        try:
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parent.parent.name)
        except Exception as exc:  # Babel raises several types for a malformed file
            raise TranslationCatalogError(
                f"cannot be read as a gettext catalogue ({exc}).", file=po_path,
                fix="Fix the quoting on the line it names, or restore the file from git."
            ) from exc
        typography.set_catalog(catalog)  # French: ’, « 1er », narrow no-break spaces
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def on_initialized(pelican) -> None:
    theme = Path(pelican.settings["THEME"])
    localedir = Path(pelican.settings.get("I18N_GETTEXT_LOCALEDIR") or theme / "translations")
    for path in compile_catalogs(localedir):
        logger.debug("compiled %s", path)


def register() -> None:
    signals.initialized.connect(on_initialized)
