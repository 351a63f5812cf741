"""`invoke test --fast` runs `-m "not slow"`: the part that needs no site build, server or
browser. It must hold the unit tests and leave out what builds, serves or opens Chromium."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_the_fast_part_holds_the_unit_tests_and_no_build_server_or_browser():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-m", "not slow", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"collecting the fast part failed (pytest exit " \
                                   f"{result.returncode}):\n{result.stdout[-2000:]}{result.stderr}"
    fast = [line for line in result.stdout.splitlines() if "::" in line]
    counts = re.search(r"(\d+)/(\d+) tests collected \((\d+) deselected\)", result.stdout)
    assert counts, result.stdout[-500:]
    chosen, total, left_out = map(int, counts.groups())
    assert chosen == len(fast) and 0 < chosen < total and left_out > 0
    for unit in ("test_safe_yaml.py::test_lines_of_nested_keys_and_items_are_kept",
                 "test_datasets.py::test_bad_input_is_reported_exactly[latin1]",
                 "test_markers.py::test_the_fast_part_holds_the_unit_tests_and_no_build"
                 "_server_or_browser"):
        assert any(test_id.endswith(unit) for test_id in fast), f"{unit} is not in the fast part"
    for heavy in ("test_golden.py::",  # the published build
                  "test_browser_site.py::",  # a server and Chromium
                  "test_datasets.py::test_bad_input_fails_the_build_and_keeps_output"):
        assert not any(heavy in test_id for test_id in fast), f"{heavy} is in the fast part"
