"""The settings tables of the plugins' READMEs, generated from their ``Settings`` tables
(`invoke settings-doc` writes them; tests/test_settings.py checks they agree)."""

from __future__ import annotations

from pathlib import Path

from . import ROOT


def families() -> list:
    """Every settings family of the site's plugins, as each plugin's package exports it."""
    import corrections
    import datadesk
    import discovery
    import editorial
    import search

    return [datadesk.DATADESK, editorial.SETTINGS, discovery.SETTINGS, search.SETTINGS,
            corrections.SETTINGS]


def stale(root: Path = ROOT) -> list[str]:
    """The READMEs whose generated table differs from their plugin's table."""
    from datadesk.settings import readme_with_table

    out = []
    for family in families():
        text = (root / family.readme).read_text(encoding="utf-8")
        if readme_with_table(text, family) != text:
            out.append(family.readme)
    return out


def write(root: Path = ROOT) -> list[str]:
    """Rewrite every generated table; the READMEs that changed."""
    from datadesk.settings import write_readme

    return [family.readme for family in families() if write_readme(family, root)]
