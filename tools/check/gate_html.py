"""Gate 1: every page is valid HTML (Nu HTML Checker, errors only)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import REPO
from .site import Finding, Outcome, Site, group_findings

NAME = "html"
TITLE = "Valid HTML (vnu)"
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def check(site: Site, jar: Path = VNU_JAR) -> Outcome:
    files = site.html_files()
    if not files:
        return Outcome([Finding(str(site.root), "no HTML page in the build; expected the site's pages.")])
    if not jar.is_file():
        return Outcome([Finding(str(jar), "vnu.jar is missing; run `npm ci` at the repository root.")])
    # One JVM for all pages: starting Java per page would cost a second each.
    proc = subprocess.run(
        ["java", "-Xss8m", "-jar", str(jar), "--errors-only", "--format", "json",
         "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(proc.stderr or "{}").get("messages", [])
    except json.JSONDecodeError:
        return Outcome([Finding(str(jar), f"vnu did not return JSON: {proc.stderr[:500]}")])
    items = []
    for msg in messages:
        path = Path(unquote(urlsplit(msg.get("url", "")).path))
        try:
            where = site.rel(path)
        except ValueError:
            where = str(path)
        line = msg.get("lastLine") or msg.get("firstLine")
        if line:
            where += f":{line}"
            col = msg.get("firstColumn") or msg.get("lastColumn")
            if col:
                where += f":{col}"
        extract = (msg.get("extract") or "").strip().replace("\n", " ")
        text = msg.get("message", "").strip()
        if extract:
            text += f" Found: `{extract[:160]}`."
        items.append((where, text + " Fix the template or the markdown that produced it.",
                      msg.get("type", "error")))
    # The same template error repeats on every page built from it: group them.
    return Outcome(group_findings(items), notes=[f"{len(files)} pages checked"])
