"""Gate 5: two builds of the same commit are byte-identical.

A timestamp, a random id or an unsorted set in the output shows up here as
the first line that differs between two builds in different directories.
"""

from __future__ import annotations

import filecmp
import tempfile
from collections.abc import Callable
from pathlib import Path

from .site import Finding, Outcome

NAME = "reproducible"
TITLE = "Reproducible build"
SHOW = 70  # characters of context around the first difference


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def first_difference(a: bytes, b: bytes) -> str:
    """Where two versions of a file first differ, as 'line N: <a> != <b>'."""
    try:
        la, lb = a.decode("utf-8").splitlines(), b.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        offset = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return f"binary, first differing byte at offset {offset} (sizes {len(a)} and {len(b)})"
    for number, (x, y) in enumerate(zip(la, lb), start=1):
        if x != y:
            col = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            start = max(0, col - SHOW // 2)
            return (f"line {number}, column {col + 1}: `{x[start:start + SHOW]}` "
                    f"!= `{y[start:start + SHOW]}`")
    shorter = min(len(la), len(lb))
    return f"one build has {len(la)} lines, the other {len(lb)}; they differ after line {shorter}"


def compare_trees(a: Path, b: Path) -> list[Finding]:
    files_a, files_b = _files(a), _files(b)
    findings = []
    for rel in sorted(files_a - files_b):
        findings.append(Finding(rel, "is in the first build only; output file names must not depend "
                                     "on time or chance.", "only-in-one"))
    for rel in sorted(files_b - files_a):
        findings.append(Finding(rel, "is in the second build only; output file names must not depend "
                                     "on time or chance.", "only-in-one"))
    for rel in sorted(files_a & files_b):
        pa, pb = a / rel, b / rel
        if filecmp.cmp(pa, pb, shallow=False):
            continue
        where = first_difference(pa.read_bytes(), pb.read_bytes())
        findings.append(Finding(rel, f"differs between two builds of the same commit: {where}. "
                                     "Use dates from the content or SOURCE_DATE_EPOCH, sort what "
                                     "you iterate, derive ids from content.", "differs"))
    return findings


def check(build: Callable[[Path], None], first: Path | None = None,
          build_again: Callable[[Path], None] | None = None) -> Outcome:
    """Build (once more, if ``first`` is an existing build) and compare.

    ``build(out_dir)`` must build the site into ``out_dir`` and raise on failure;
    ``build_again``, if given, makes the second build (from a second copy of the
    sources, so no cache is shared).
    """
    with tempfile.TemporaryDirectory(prefix="repro-") as tmp:
        tmp = Path(tmp)
        if first is None:
            first = tmp / "first"
            build(first)
        second = tmp / "second"
        try:
            (build_again or build)(second)
        except Exception as exc:  # e.g. tasks.BuildFailed: report it, do not crash the gate
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return Outcome([Finding("(build)", (
                f"the second build failed, so there is nothing to compare: {first_line} "
                "If the first build passed, did files change during the check?"), "build")],
                notes=[str(exc)[-1500:]])
        findings = compare_trees(first, second)
        count = len(_files(first))
    return Outcome(findings, notes=[f"{count} files compared byte for byte"])
