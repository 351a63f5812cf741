"""Compile the theme's gettext catalogues (.po -> .mo) before templates need them.

Only the .po files are kept in git; the binary .mo files are derived. They are compiled at
the start of every build (a few tens of milliseconds) and written only when the bytes
differ, so no modification time decides whether a catalogue is current: an edit of the
.po, or of the French typography set on its messages, always reaches the site.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from pelican import signals

logger = logging.getLogger(__name__)


def compile_catalogs(translations_dir: Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` under ``translations_dir``; return the
    .mo files whose content changed (and were written)."""
    # The desk's error for a .po file that cannot be read; this plugin is loaded before datadesk
    # (PLUGINS), so it is imported here, when the catalogues are compiled, not when loaded.
    from datadesk import TranslationCatalogError
    from datadesk.typography import set_catalog

    written = []
    for po_path in sorted(Path(translations_dir).glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        try:
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parent.parent.name)
        except Exception as exc:  # Babel raises several types for a malformed file
            raise TranslationCatalogError(
                f"cannot be read as a gettext catalogue ({exc}).", file=po_path,
                fix="Fix the quoting on the line it names, or restore the file from git."
            ) from exc
        set_catalog(catalog)  # French: ’, « 1er », narrow no-break spaces
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        if not mo_path.is_file() or mo_path.read_bytes() != compiled.getvalue():
            mo_path.write_bytes(compiled.getvalue())
            written.append(mo_path)
    return written


def on_initialized(pelican) -> None:
    settings = pelican.settings
    if settings["DEFAULT_LANG"] in settings.get("I18N_SUBSITES", {}):
        return  # a language subsite: the main site compiled them at the start of this build
    theme = Path(settings["THEME"])
    localedir = Path(settings.get("I18N_GETTEXT_LOCALEDIR") or theme / "translations")
    for path in compile_catalogs(localedir):
        logger.debug("compiled %s", path)


def register() -> None:
    signals.initialized.connect(on_initialized)
