"""What may outlive one build, keyed by content hashes: the :class:`Snapshot` of the files a
build reads and the :class:`DeskCache` a process that runs several builds (the live preview)
owns and passes in. No Pelican hooks and no imports of the rest of the desk, so the
catalogue, charts and values use it without importing the desk (see desk.py)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path


def file_digest(path: Path) -> str | None:
    """The content hash of a file (None when it does not exist or cannot be read)."""
    try:
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return None


class Snapshot:
    """Content hashes of the files a build reads, each taken the first time it is asked for
    and then fixed for the build: every part of the build sees the same state of a file."""

    def __init__(self):
        self._digests: dict[str, str | None] = {}
        self._folders: dict[str, tuple] = {}

    def digest(self, path: Path | str) -> str | None:
        key = os.path.abspath(path)
        if key not in self._digests:
            self._digests[key] = file_digest(Path(key))
        return self._digests[key]

    def key(self, paths) -> tuple:
        """(path, digest) of each path, in the order given."""
        return tuple((str(p), self.digest(p)) for p in paths)

    def folder(self, folder: Path | str) -> tuple:
        """(name, digest) of every file directly in ``folder``, by name; () when it is missing."""
        key = os.path.abspath(folder)
        if key not in self._folders:
            try:
                with os.scandir(key) as found:
                    names = sorted(entry.name for entry in found if entry.is_file())
            except OSError:
                names = []
            self._folders[key] = tuple((name, self.digest(Path(key) / name)) for name in names)
        return self._folders[key]


@dataclass
class DeskCache:
    """What survives between the builds of one process, each entry keyed by content hashes.

    - ``catalogs``: the validated catalogue (or its report), by the data folder's hashes;
      only the latest state is kept.
    - ``checked``: each CSV's own validation, by the hash of its bytes and its description.
    - ``frames``: each CSV as a typed DataFrame, by the hash of its bytes and its schema.
    - ``prepared``: each chart of each language, by the hashes of its definition, the other
      files of the charts folder and the data files it reads, and the CHARTS_* settings.
    - ``values``: each inline value's HTML, by its arguments, language and settings, checked
      against the hashes of its dataset's CSV and description.
    - ``lines``: the line each data row of a CSV starts on, by the CSV's hash.
    - ``templates``: compiled Jinja templates, by their source (a ``jinja2.BytecodeCache``).
    - ``articles``: the Markdown reader's result for each source file (its project-relative
      path -> (key, entry)), by the file's text, the reader's settings and the code, checked
      against the hashes of the files its conversion read (datadesk/articles.py).
    """

    catalogs: dict = field(default_factory=dict)
    checked: dict = field(default_factory=dict)
    frames: dict = field(default_factory=dict)
    prepared: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    articles: dict = field(default_factory=dict)
    templates: object = None
