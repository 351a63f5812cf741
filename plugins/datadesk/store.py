"""What may outlive one build *process*: a folder of JSON entries, each found by a key that
hashes everything it was made from, each checked before it is used.

The in-process :class:`~datadesk.snapshot.DeskCache` serves the builds of one process (the
live preview). ``invoke build`` starts a new process each time, so the parts that are worth
keeping across builds (converted articles, prepared charts, validated datasets) keep them
in a :class:`Store` under ``.cache/`` as well. The rules, the same as the chart renders':

- **The key says what an entry was made from**: the content hashes of its inputs, the
  settings it read and :func:`code_version` (the plugins' own source and the versions of
  the libraries that shape the output), so an edit of any of them is a miss, never a stale hit.
- **Nothing is trusted**: an entry records its key and the SHA-256 of its payload; one that
  does not match (a killed build, a full disk, a hand edit, a cache restored from elsewhere)
  is removed with a one-line notice and made again. Entries are JSON, never pickle: loading
  a cache cannot run code.
- **Writes are atomic** (a temporary file renamed into place): a reader sees all of an entry
  or none, and two builds writing the same key agree.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

logger = logging.getLogger(__name__)

PLUGINS = Path(__file__).resolve().parents[1]
# Libraries whose version changes what a build writes (Markdown's HTML, Pelican's metadata,
# the charts' specs and drawings, the validation report).
# Entries of this layout end so (files of an earlier layout are never read).
SUFFIX = ".jsonl"  # two lines of JSON: the header, the payload
LIBRARIES = ("pelican", "markdown", "jinja2", "altair", "vl-convert-python", "frictionless", "pandas")


def key_of(*parts) -> str:
    """A hex key for ``parts`` (anything JSON can write: strings, numbers, lists, dicts)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


@lru_cache(maxsize=None)
def code_version(folder: Path = PLUGINS) -> str:
    """The hash of every Python file of the plugins and of the libraries' versions: a change
    to the code that makes an entry makes every entry of the stores a miss."""
    digest = hashlib.blake2b(digest_size=20)
    for path in sorted(Path(folder).rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


class Store:
    """Entries of one kind (``folder`` is e.g. ``.cache/articles``), JSON payloads by key."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str, label: str = ""):
        """The payload put under ``key``, or None (missing, or damaged and removed)."""
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        problem, payload = self._check(raw, key)
        if problem is None:
            self.hits += 1
            return payload
        # a notice, not a warning (builds fail on warnings): printed, so every build shows it
        message = (f"cache: the entry for {label or key[:12]} in {self.folder.name}/ was damaged "
                   f"({problem}): making it again")
        logger.info("%s", message)
        print(message, file=sys.stderr)
        try:
            path.unlink()
        except OSError:
            pass
        self.misses += 1
        return None

    @staticmethod
    def _check(raw: bytes, key: str):
        """An entry is one line of JSON (its key and the SHA-256 of the payload's bytes), then
        the payload's JSON: the checksum is of the bytes read, so checking it costs one hash."""
        header, newline, body = raw.partition(b"\n")
        try:
            head = json.loads(header) if newline else None
        except ValueError:
            head = None
        if not isinstance(head, dict) or not {"key", "sha256"} <= head.keys():
            return "its header cannot be read", None
        if head["key"] != key:
            return "it was stored under another key", None
        if hashlib.sha256(body).hexdigest() != head["sha256"]:
            return "its payload does not match its checksum", None
        try:
            return None, json.loads(body)
        except ValueError:
            return "its payload cannot be read as JSON", None

    def has(self, key: str) -> bool:
        """Whether an entry is there under ``key`` (not checked: ``get`` checks it)."""
        return self._path(key).is_file()

    def put(self, key: str, payload) -> None:
        """Keep ``payload`` (JSON-serialisable) under ``key``; a failure to write is only a miss
        next time, never a failed build."""
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = json.dumps({"key": key, "sha256": hashlib.sha256(body).hexdigest()}).encode("utf-8")
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=f".{key[:8]}-", dir=path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(header + b"\n" + body)
            os.replace(temp, path)
        except OSError as exc:
            logger.info("cache: could not keep %s in %s (%s)", key[:12], self.folder, exc)
