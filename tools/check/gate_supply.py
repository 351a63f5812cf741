"""Gate: the supply chain. Known vulnerabilities in what we ship and what builds it.

- The npm packages shipped to readers (the Vega runtime built from theme/js) are
  ``dependencies`` there, so ``npm audit --omit=dev`` audits exactly them; a runtime
  package listed as a devDependency is a finding (it would never be audited).
- ``pip-audit`` audits the hashed lock file requirements.txt (what the build runs).

A vulnerability database that cannot be reached is never a silent pass: pip-audit says
"No known vulnerabilities found" when it skipped every package, and npm audit fails
with the registry's error. The gate then says plainly which audit did not run and why;
under ``invoke check --strict`` (CI decides) that is a failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from .site import Finding, Outcome

NAME = "supply-chain"
TITLE = "Supply chain (npm audit, pip-audit)"
BUILD_TOOLS = {"esbuild"}  # theme/js devDependencies that build the runtime, never shipped
TIMEOUT = 300


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)


def runtime_findings(js: Path) -> list[Finding]:
    package = json.loads((js / "package.json").read_text(encoding="utf-8"))
    shipped_as_dev = sorted(set(package.get("devDependencies", {})) - BUILD_TOOLS)
    return [Finding("theme/js/package.json", f'"{name}" is in devDependencies but is part of the runtime '
                    "shipped to readers, so `npm audit --omit=dev` would not audit it. Move it to "
                    '"dependencies" and run `npm install --package-lock-only` in theme/js.', "dev-runtime")
            for name in shipped_as_dev]


def npm_audit(js: Path) -> tuple[list[Finding], str | None, str]:
    """(findings, why the audit could not run or None, summary)."""
    npm = shutil.which("npm")
    if npm is None:
        return [], "npm is not installed", ""
    try:
        proc = _run([npm, "audit", "--omit=dev", "--json"], js)
    except subprocess.TimeoutExpired:
        return [], f"npm audit did not answer within {TIMEOUT}s", ""
    try:
        report = json.loads(proc.stdout or "{}")
    except ValueError:
        report = {}
    if "vulnerabilities" not in report:
        reason = report.get("message") or report.get("error", {}).get("summary") or proc.stderr.strip()
        return [], f"the npm registry's audit endpoint could not be used ({(reason or 'no answer')[:200]})", ""
    findings = []
    for name, vuln in sorted(report["vulnerabilities"].items()):
        via = [v.get("title") or v.get("url") for v in vuln.get("via", []) if isinstance(v, dict)]
        findings.append(Finding(f"theme/js: {name} {vuln.get('range', '')}".strip(),
                                f"{vuln.get('severity', '?')} vulnerability: {'; '.join(via) or 'see npm audit'}. "
                                f"Fix: {'update to a fixed version' if vuln.get('fixAvailable') else 'no fix yet'} "
                                "(npm audit in theme/js).", "npm-audit"))
    total = report.get("metadata", {}).get("dependencies", {}).get("prod", 0)
    return findings, None, f"npm audit: {total} runtime packages audited"


def pip_audit(repo: Path) -> tuple[list[Finding], str | None, str]:
    command = [sys.executable, "-m", "pip_audit", "-r", "requirements.txt", "--require-hashes",
               "--disable-pip", "--progress-spinner", "off", "--format", "json"]
    try:
        proc = _run(command, repo)
    except subprocess.TimeoutExpired:
        return [], f"pip-audit did not answer within {TIMEOUT}s", ""
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return [], f"pip-audit could not run ({tail[0][:200]})", ""
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = len(deps) - len(skipped)
    findings = []
    for dep in deps:
        for vuln in dep.get("vulns", []):
            fix = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            findings.append(Finding(f"requirements.txt: {dep['name']}=={dep.get('version', '?')}",
                                    f"{vuln.get('id')}: {(vuln.get('description') or '')[:160]} Fixed in: {fix}. "
                                    "Raise the pin in requirements.in and run `invoke lock`.", "pip-audit"))
    if deps and not audited:
        reason = skipped[0]["skip_reason"]
        return findings, (f"the vulnerability database could not be reached for any of the {len(deps)} "
                          f"packages (pip-audit: \"{reason[:120]}\")"), ""
    note = f"pip-audit: {audited} of {len(deps)} packages audited"
    if skipped:
        note += f"; not audited: {', '.join(d['name'] for d in skipped[:10])}"
    return findings, None, note


def check(repo: Path, strict: bool = False) -> Outcome:
    findings = runtime_findings(repo / "theme" / "js")
    notes = []
    for audit in (npm_audit(repo / "theme" / "js"), pip_audit(repo)):
        found, unreachable, summary = audit
        findings += found
        if summary:
            notes.append(summary)
        if unreachable:
            message = (f"NOT AUDITED: {unreachable}. Nothing is known about vulnerabilities in these "
                       "packages; run the check where the database can be reached.")
            notes.append(message)
            if strict:
                findings.append(Finding("(vulnerability database)", message + " (--strict)", "unreachable"))
    return Outcome(findings, notes=notes)
