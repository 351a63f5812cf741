"""Build the published site for the check, from a clean copy of the sources.

The check never builds in the working tree itself: it copies what a fresh
clone would hold (tracked files plus new, not-ignored ones, or the tree of a
commit) into a temporary directory, twice, and builds each copy with its own
empty caches. So a teammate saving a file mid-check cannot make two builds
differ, a warm chart cache cannot hide a renderer that is not deterministic,
and a path of the source directory leaking into the output shows up as a diff.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

from .config import REPO


class UsageError(ValueError):
    """A bad option to `invoke check` (unknown gate, unknown commit)."""


class BuildError(RuntimeError):
    """The site did not build; the message is the build's own report."""


# Runs in the copied sources with their own build runner (tools/build.py: temp dir,
# atomic swap, readable errors), with publish settings.
_BUILD = """
import sys
sys.path.insert(0, sys.argv[1])
from tools.build import BuildFailed, build_site
try:
    build_site(settings="publishconf.py", output=sys.argv[2], env={"SITEURL": sys.argv[3]},
               quiet=True)
except BuildFailed as exc:
    sys.exit(str(exc))
"""


# The second build of the reproducibility gate runs in another time zone (UTC+14, the
# farthest from UTC), another C locale and another hash seed than the first, so output that
# depends on the machine's zone, locale or set order shows up as a difference.
OTHER_MACHINE = {"TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8",
                 "PYTHONHASHSEED": "271828"}


def publish_builder(siteurl: str, source: Path = REPO, env: dict | None = None) -> Callable[[Path], None]:
    """A function that builds ``source`` into a directory, for ``siteurl``.

    A fresh interpreter per build, so a second build shares no module state
    (Pelican caches, plugin registries) with the first; ``env`` is added to its
    environment (the gate's second build: :data:`OTHER_MACHINE`).
    """
    def build(out: Path) -> None:
        proc = subprocess.run([sys.executable, "-c", _BUILD, str(source), str(out), siteurl.rstrip("/")],
                              cwd=source, capture_output=True, text=True, env={**os.environ, **(env or {})})
        if proc.returncode != 0:
            raise BuildError((proc.stderr or proc.stdout).strip())

    return build


def export_commit(ref: str, dest: Path) -> Path:
    """The tree of commit ``ref`` in ``dest`` (git archive): what CI would build."""
    proc = subprocess.run(["git", "archive", "--format=tar", ref], cwd=REPO, capture_output=True)
    if proc.returncode != 0:
        raise UsageError(f"cannot export commit {ref!r}: {proc.stderr.decode().strip()}")
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def export_worktree(dest: Path, repo: Path = REPO) -> Path:
    """Tracked and new not-ignored files of the working tree, as they are now, in ``dest``."""
    proc = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                          cwd=repo, capture_output=True, check=True)
    dest.mkdir(parents=True)
    for rel in sorted(set(proc.stdout.decode().split("\0")) - {""}):
        src = repo / rel
        if not (src.is_file() or src.is_symlink()):
            continue  # deleted in the working tree but not yet in git
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), target)
        else:
            shutil.copy2(src, target)
    return dest


def two_sources(tmp: Path, commit: str = "") -> tuple[Path, Path]:
    """Two identical, pristine copies of the sources to build (before any build runs)."""
    first = export_commit(commit, tmp / "src-1") if commit else export_worktree(tmp / "src-1")
    second = tmp / "src-2"
    shutil.copytree(first, second, symlinks=True)
    return first, second
