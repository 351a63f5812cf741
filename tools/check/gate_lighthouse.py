"""Gate 7: Lighthouse 12 (mobile) on the home page and one chart article.

Scores are printed; a category below its minimum fails the gate and the
report lists the audits that cost points, so the template fix is obvious.
Runs are sequential: two Lighthouse runs at once on 2 cores would each slow
the other and make the performance score meaningless.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from .config import REPO
from .gate_weight import heaviest_chart_article
from .site import CHROMIUM_ARGS, Finding, Outcome, Site, chromium_path

NAME = "lighthouse"
TITLE = "Lighthouse 12 (mobile)"
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def run_lighthouse(url: str, out: Path, timeout: int = 180) -> dict:
    env = dict(os.environ, CHROME_PATH=chromium_path())
    flags = " ".join(["--headless", *CHROMIUM_ARGS])
    proc = subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--form-factor=mobile",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}",
         "--output=json", f"--output-path={out}", "--max-wait-for-load=30000"],
        capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url} (exit {proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[-600:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def failing_audits(report: dict, category: str) -> list[str]:
    """Audits of a category that lost points, heaviest first, with their worst items."""
    audits = report["audits"]
    lost = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        score = audit.get("score")
        mode = audit.get("scoreDisplayMode")
        if score is None or mode in ("notApplicable", "manual", "informative") or score >= 1:
            continue
        if ref.get("weight", 0) == 0 and category != "performance":
            continue
        text = f"{audit.get('title')} (score {score:.2f}"
        if audit.get("displayValue"):
            text += f", {audit['displayValue']}"
        text += ")"
        items = (audit.get("details") or {}).get("items") or []
        examples = []
        for item in items[:3]:
            node = item.get("node") or {}
            source = item.get("source") if isinstance(item.get("source"), dict) else {}
            example = (node.get("snippet") or item.get("url") or source.get("url")
                       or item.get("description"))
            if example:
                examples.append(str(example)[:120])
        if examples:
            text += ": " + "; ".join(examples)
        lost.append((ref.get("weight", 0) * (1 - score), text))
    # Scored metrics first; performance diagnostics (weight 0) after, capped.
    return [text for _, text in sorted(lost, key=lambda x: -x[0])][:8]


def pick_pages(site: Site) -> list[tuple[str, Path]]:
    """The home page and the same chart article the weight gate budgets."""
    pages = [("home", site.root / "index.html")]
    article = heaviest_chart_article(site)
    if article:
        pages.append(("chart article", article))
    return [(k, p) for k, p in pages if p.is_file()]


def check(site: Site, budgets: dict, pages: list[tuple[str, Path]] | None = None) -> Outcome:
    if not site.url:
        raise ValueError("Lighthouse needs the site served (Site.url)")
    minimums = budgets["lighthouse_min_scores"]
    findings, table = [], []
    if pages is None:
        pages = pick_pages(site)
        if not any(kind == "chart article" for kind, _ in pages):
            findings.append(Finding("(site)", "no article with a chart to audit; expected at least one.",
                                    "missing"))
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        for kind, path in pages:
            rel = site.rel(path)
            report = run_lighthouse(site.page_url(path), Path(tmp) / "report.json")
            row = {"page": f"{kind}: {rel}"}
            for category in CATEGORIES:
                score = report["categories"][category]["score"]
                score = round(score * 100) if score is not None else 0
                row[category] = score
                if score < minimums[category]:
                    why = failing_audits(report, category)
                    findings.append(Finding(rel, (
                        f"{category} score {score} is below {minimums[category]:g}. Lost points: "
                        + (" | ".join(why) if why else "(no single audit; see the full report)")),
                        category))
            if report.get("runWarnings"):
                row["warnings"] = "; ".join(report["runWarnings"])[:200]
            table.append(row)
    return Outcome(findings, table=table)
