"""The settings tables of the READMEs, generated from the plugins' ``Settings`` tables: each
plugin's README has its own family, the project's README.md every family
(`invoke settings-doc` writes them; tests/datadesk/test_settings.py checks they agree)."""

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


PROJECT_README = "README.md"


def project_block() -> str:
    """README.md's settings section: every family, with a link to its plugin's README."""
    parts = []
    for family in families():
        parts.append(f"`{family.prefix}*`, the `{family.plugin}` plugin ([{family.readme}]({family.readme})):\n\n"
                     + family.markdown())
    return "\n".join(parts)


def expected(root: Path = ROOT) -> dict[str, str]:
    """Each README (path from the root) as it should read, its generated tables up to date."""
    from datadesk.settings import readme_with_table, replace_block

    out = {}
    for family in families():
        text = (root / family.readme).read_text(encoding="utf-8")
        out[family.readme] = readme_with_table(text, family)
    text = (root / PROJECT_README).read_text(encoding="utf-8")
    out[PROJECT_README] = replace_block(text, project_block(), PROJECT_README)
    return out


def stale(root: Path = ROOT) -> list[str]:
    """The READMEs whose generated tables differ from the plugins' tables."""
    return [path for path, text in expected(root).items()
            if (root / path).read_text(encoding="utf-8") != text]


def write(root: Path = ROOT) -> list[str]:
    """Rewrite every generated table; the READMEs that changed."""
    changed = stale(root)
    for path, text in expected(root).items():
        if path in changed:
            (root / path).write_text(text, encoding="utf-8")
    return changed
