"""Compiled templates kept between builds, as the live preview keeps them in memory.

Compiling the theme's templates (Pelican's environment of each language site, the chart
figures', the dataset pages') takes about a second of every build that is a new process
(`invoke build`). Jinja's own ``FileSystemBytecodeCache`` keeps each compiled template under
``.cache/templates/<key>/``: Jinja finds it by the template's name and file and uses it only
while the template's source has the SHA-1 it was compiled from (its own check), and only
with the Python version that wrote it. The folder's key holds what else shapes the compiled
code: the ``JINJA_ENVIRONMENT`` options (extensions, autoescape, whitespace control), the
``I18N_GETTEXT_NEWSTYLE`` flag, the names and calling conventions of the filters, tests and
globals the settings add, and :func:`~datadesk.store.code_version` (the plugins' source and
the libraries' versions, Jinja's among them). A build that already has a bytecode cache (the
preview's, in memory) keeps it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from jinja2 import FileSystemBytecodeCache

from .store import code_version, key_of

CACHE = "bytecode_cache"  # the Jinja Environment option


def _described(functions) -> list:
    """Name, module, qualified name and calling convention of each filter, test or global."""
    from jinja2.utils import _PassArg

    described = []
    for name, value in sorted((functions or {}).items()):
        pass_arg = _PassArg.from_obj(value) if callable(value) else None
        described.append([name, getattr(value, "__module__", None), getattr(value, "__qualname__", None),
                          pass_arg.name if pass_arg else None, None if callable(value) else repr(value)])
    return described


def folder_of(settings: dict) -> Path:
    """``.cache/templates/<key>`` beside Pelican's CACHE_PATH."""
    jinja = {k: v for k, v in (settings.get("JINJA_ENVIRONMENT") or {}).items() if k != CACHE}
    key = key_of(jinja, settings.get("I18N_GETTEXT_NEWSTYLE"),
                 [_described(settings.get(name)) for name in ("JINJA_FILTERS", "JINJA_TESTS", "JINJA_GLOBALS")],
                 code_version())
    return Path(settings["CACHE_PATH"]).parent / "templates" / key


@dataclasses.dataclass(eq=False)
class KeptTemplates(FileSystemBytecodeCache):
    """Jinja's cache of compiled templates in ``folder``; a dataclass, so the article pages'
    fingerprints (pages.py) describe it by its folder, whose name is the key above."""

    folder: str

    def __post_init__(self):
        super().__init__(self.folder)


def keep_compiled(pelican) -> None:
    """``initialized``: the build's Jinja environments load and save compiled templates under
    :func:`folder_of`. The language subsites share the main site's settings, and so its cache.
    (A filter a plugin adds is in the key through :func:`~datadesk.store.code_version`.)"""
    settings = pelican.settings
    jinja = settings.get("JINJA_ENVIRONMENT") or {}
    if jinja.get(CACHE) is not None:
        return
    folder = folder_of(settings)
    folder.mkdir(parents=True, exist_ok=True)
    settings["JINJA_ENVIRONMENT"] = {**jinja, CACHE: KeptTemplates(str(folder))}
