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
        return self.folder / key[:2] / f"{key}.json"

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
        try:
            entry = json.loads(raw)
        except ValueError:
            return "it cannot be read as JSON", None
        if not isinstance(entry, dict) or not {"key", "sha256", "payload"} <= entry.keys():
            return "it is incomplete", None
        if entry["key"] != key:
            return "it was stored under another key", None
        body = json.dumps(entry["payload"], sort_keys=True, ensure_ascii=False).encode("utf-8")
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            return "its payload does not match its checksum", None
        return None, entry["payload"]

    def put(self, key: str, payload) -> None:
        """Keep ``payload`` (JSON-serialisable) under ``key``; a failure to write is only a miss
        next time, never a failed build."""
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        entry = json.dumps({"key": key, "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
                            "payload": payload}, sort_keys=True, ensure_ascii=False)
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=f".{key[:8]}-", dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(entry)
            os.replace(temp, path)
        except OSError as exc:
            logger.info("cache: could not keep %s in %s (%s)", key[:12], self.folder, exc)
