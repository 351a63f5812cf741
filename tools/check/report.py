"""Render gate results as text for the terminal, Markdown for reports/check.md, and JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .site import Outcome

CONSOLE_FINDINGS = 25  # per gate in the terminal; the files have all of them


@dataclass
class GateRun:
    name: str
    title: str
    seconds: float
    outcome: Outcome | None = None
    skipped: str = ""
    error: str = ""  # the gate itself crashed (counts as a failure)

    @property
    def result(self) -> str:
        if self.skipped:
            return "skipped"
        if self.error or (self.outcome and not self.outcome.passed):
            return "FAIL"
        return "pass"


def table(rows: list[dict]) -> str:
    """A Markdown table padded so it also reads well in a terminal."""
    if not rows:
        return ""
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    cells = [[str(row.get(c, "")).replace("|", "\\|") for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]

    def line(values):
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths)) + " |"

    out = [line(columns), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells]
    return "\n".join(out)


def summary_rows(runs: list[GateRun], build_seconds: float | None) -> list[dict]:
    rows = []
    if build_seconds is not None:
        rows.append({"gate": "build (publishconf)", "result": "done", "findings": "",
                     "time": f"{build_seconds:.1f}s"})
    for run in runs:
        count = len(run.outcome.findings) if run.outcome else ("error" if run.error else "")
        rows.append({"gate": f"{run.name}: {run.title}", "result": run.result,
                     "findings": count if not run.skipped else "", "time": f"{run.seconds:.1f}s"})
    return rows


def gate_section(run: GateRun, limit: int | None) -> str:
    lines = [f"## {run.title} [{run.name}]: {run.result} ({run.seconds:.1f}s)", ""]
    if run.skipped:
        return "\n".join(lines + [f"Skipped: {run.skipped}", ""])
    if run.error:
        lines += ["It could not run:", "", "```", run.error.rstrip(), "```", ""]
    outcome = run.outcome
    if outcome:
        for note in outcome.notes:
            lines.append(f"- {note}")
        if outcome.notes:
            lines.append("")
        if outcome.table:
            lines += [table(outcome.table), ""]
        shown = outcome.findings if limit is None else outcome.findings[:limit]
        for finding in shown:
            lines.append(f"- {finding}")
        if len(shown) < len(outcome.findings):
            lines.append(f"- … and {len(outcome.findings) - len(shown)} more in reports/check.md")
        if outcome.findings:
            lines.append("")
    return "\n".join(lines)


def render(runs: list[GateRun], build_seconds: float | None, total: float, limit: int | None,
           context: str = "") -> str:
    failed = [r.name for r in runs if r.result == "FAIL"]
    head = ["# invoke check", ""]
    if context:
        head += [context, ""]
    body = [gate_section(r, limit) for r in runs]
    verdict = (f"FAILED: {', '.join(failed)}" if failed else "All gates passed")
    summary = ["## Summary", "", table(summary_rows(runs, build_seconds)), "",
               f"{verdict} in {total:.1f}s.", ""]
    return "\n".join(head + body + summary)


def write(runs: list[GateRun], build_seconds: float | None, total: float, directory: Path,
          context: str = "") -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md = directory / "check.md"
    md.write_text(render(runs, build_seconds, total, None, context), encoding="utf-8")
    data = {
        "passed": not any(r.result == "FAIL" for r in runs),
        "seconds": round(total, 1),
        "build_seconds": None if build_seconds is None else round(build_seconds, 1),
        "context": context,
        "gates": [{
            "name": r.name, "title": r.title, "result": r.result, "seconds": round(r.seconds, 1),
            "skipped": r.skipped or None, "error": r.error or None,
            "notes": r.outcome.notes if r.outcome else [],
            "table": r.outcome.table if r.outcome else [],
            "findings": [{"where": f.where, "message": f.message, "rule": f.rule}
                         for f in (r.outcome.findings if r.outcome else [])],
        } for r in runs],
    }
    js = directory / "check.json"
    js.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return md, js
