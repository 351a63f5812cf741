"""Supply chain (issue: security and resilience, item 9): what readers get is audited,
an audit that could not run says so (and fails under --strict), and the workflow gives a
pull request's code nothing to steal."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from tools.check import gate_supply

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def test_the_runtime_shipped_to_readers_is_in_dependencies():
    package = json.loads((ROOT / "theme" / "js" / "package.json").read_text(encoding="utf-8"))
    assert "vega" in package["dependencies"] and set(package["devDependencies"]) == {"esbuild"}
    assert gate_supply.runtime_findings(ROOT / "theme" / "js") == []
    lock = json.loads((ROOT / "theme" / "js" / "package-lock.json").read_text(encoding="utf-8"))
    assert not lock["packages"]["node_modules/vega"].get("dev"), "npm audit --omit=dev sees the runtime"


def test_a_runtime_package_moved_to_dev_is_a_finding(tmp_path):
    package = json.loads((ROOT / "theme" / "js" / "package.json").read_text(encoding="utf-8"))
    package["devDependencies"]["vega-tooltip"] = package["dependencies"].pop("vega-tooltip")
    (tmp_path / "package.json").write_text(json.dumps(package), encoding="utf-8")
    [finding] = gate_supply.runtime_findings(tmp_path)
    assert '"vega-tooltip" is in devDependencies but is part of the runtime shipped to readers' in str(finding)


NPM_405 = json.dumps({"message": "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk"})
PIP_SKIPPED = json.dumps({"dependencies": [
    {"name": "altair", "skip_reason": "Dependency not found on PyPI and could not be audited: altair (6.3.0)"},
    {"name": "pandas", "skip_reason": "Dependency not found on PyPI and could not be audited: pandas (3.1.1)"}]})
NPM_OK = json.dumps({"vulnerabilities": {}, "metadata": {"dependencies": {"prod": 60}}})
PIP_VULN = json.dumps({"dependencies": [
    {"name": "jinja2", "version": "3.1.0", "vulns": [{"id": "GHSA-x", "description": "sandbox escape", "fix_versions": ["3.1.6"]}]},
    {"name": "pandas", "version": "3.1.1", "vulns": []}]})


def fake_run(npm_out: str, pip_out: str):
    def run(command, cwd):
        out = npm_out if Path(command[0]).name == "npm" else pip_out
        return subprocess.CompletedProcess(command, 1, out, "")
    return run


@pytest.mark.parametrize("strict", [False, True])
def test_an_unreachable_database_is_said_plainly_and_fails_under_strict(monkeypatch, strict):
    monkeypatch.setattr(gate_supply, "_run", fake_run(NPM_405, PIP_SKIPPED))
    monkeypatch.setattr(gate_supply.shutil, "which", lambda name: "/usr/bin/npm")
    outcome = gate_supply.check(ROOT, strict=strict)
    not_audited = [n for n in outcome.notes if n.startswith("NOT AUDITED")]
    assert len(not_audited) == 2
    assert "405 Method Not Allowed" in not_audited[0]
    assert 'could not be reached for any of the 2 packages (pip-audit: "Dependency not found' in not_audited[1]
    assert outcome.passed is (not strict)


def test_vulnerabilities_are_findings_with_the_fix(monkeypatch):
    monkeypatch.setattr(gate_supply, "_run", fake_run(NPM_OK, PIP_VULN))
    monkeypatch.setattr(gate_supply.shutil, "which", lambda name: "/usr/bin/npm")
    outcome = gate_supply.check(ROOT, strict=True)
    assert [str(f) for f in outcome.findings] == [
        "requirements.txt: jinja2==3.1.0: GHSA-x: sandbox escape Fixed in: 3.1.6. Raise the pin in "
        "requirements.in and run `invoke lock`. [pip-audit]"]
    assert "npm audit: 60 runtime packages audited" in outcome.notes
    assert "pip-audit: 2 of 2 packages audited" in outcome.notes


def test_every_action_is_pinned_by_commit_sha_and_checkout_keeps_no_credential():
    text = WORKFLOW.read_text(encoding="utf-8")
    uses = re.findall(r"uses:\s*(\S+)", text)
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses
    flow = yaml.safe_load(text)
    checkout = [s for job in flow["jobs"].values() for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout and all(s["with"]["persist-credentials"] is False for s in checkout)


def test_pull_requests_build_without_secrets_or_write_access():
    text = WORKFLOW.read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads "on" as true
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert "secrets." not in text
    assert flow["permissions"] == {"contents": "read"}
    assert flow["jobs"]["deploy"]["if"].startswith("github.event_name != 'pull_request'")
    build = flow["jobs"]["build"]
    assert "permissions" not in build, "the job that runs a pull request's code keeps the read-only token"


def test_the_review_rule_for_code_that_runs_at_build_time_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Security", 1)[1].split("\n## ", 1)[0]
    for path in ("content/charts/*.py", "plugins/", "tasks.py", ".github/workflows/"):
        assert path in section, f"the review rule names {path}"
