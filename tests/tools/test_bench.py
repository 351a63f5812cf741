"""`invoke bench` (tools/bench/scale.py) and its synthetic corpus (tools/bench/corpus.py).

Functional only: the benchmark's figures are never asserted, only that it runs end to end,
prints every row of its table and writes every measure to its JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import file_bytes as _files

from tools.bench.corpus import CSV_CELL, edit_article, edit_chart, edit_csv_cell, make_corpus

ROOT = Path(__file__).resolve().parents[2]

ROWS = ["cold build (empty caches)", "chart renders in the cold build, parallel vs serial",
        "warm build, nothing changed", "warm build, nothing changed, with --force (every stage runs)",
        "one article edited, then build", "one English article edited, then build", "one CSV cell edited, then build",
        "live preview: article saved -> page rebuilt", "live preview: CSV cell saved -> page rebuilt",
        "live preview: chart saved -> page rebuilt", "peak memory, live preview (all its processes)", "4 articles: warm build",
        "4 articles: one article edited, then build", "peak memory of a build (all its processes)"]
MEASURES = {"chart_floor", "cold", "chart_render", "warm", "warm_forced", "article_edit", "article_edit_en", "csv_edit",
            "preview_article",
            "preview_csv", "preview_chart", "preview_memory", "scale_warm_4", "scale_edit_4", "memory"}


def test_corpus_is_deterministic(tmp_path):
    one = make_corpus(ROOT, tmp_path / "one", articles=6, charts=2)
    two = make_corpus(ROOT, tmp_path / "two", articles=6, charts=2)
    first, second = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert first.keys() == second.keys()
    # The settings file names its own folder; everything else is byte-identical.
    settings = "project/benchconf.py"
    assert first.pop(settings).replace(b"/one/", b"/x/") == second.pop(settings).replace(b"/two/", b"/x/")
    assert first == second
    assert len([n for n in first if n.startswith("project/content/articles/essais/")]) == 6
    assert len([n for n in first if n.startswith("project/content/charts/bench_")]) == 2
    # the twins hold the same Markdown
    assert all(first[n] == first["plain/" + n[len("project/"):]] for n in first
               if n.startswith("project/content/articles/"))
    # the edits are deterministic too, and do what they say
    for corpus in (one, two):
        edit_article(corpus["article"], "STAMP1")
        assert edit_csv_cell(corpus["csv"], 3) == "503"
    assert _files(tmp_path / "one")["project/data/strikes_waves.csv"] == \
        _files(tmp_path / "two")["project/data/strikes_waves.csv"]
    assert corpus["article"].read_text(encoding="utf-8").rstrip().endswith("STAMP1.")
    row = [line for line in corpus["csv"].read_text(encoding="utf-8").splitlines() if f",{CSV_CELL[3]}," in line]
    header = corpus["csv"].read_text(encoding="utf-8").splitlines()[0].split(",")
    assert row[0].split(",")[header.index(CSV_CELL[1])] == "503"
    assert corpus["csv_page"] is not None  # an article shows the edited cell
    # the chart edit: the French subtitle of the YAML chart an article places, stamp replaced
    assert corpus["chart_page"] is not None and corpus["chart"].suffix == ".yaml"
    for stamp in ("STAMPA", "STAMPB"):
        edit_chart(corpus["chart"], stamp)
    subtitle = corpus["chart"].read_text(encoding="utf-8").split("subtitle:", 1)[1].split("\n")[1]
    assert subtitle.endswith(" ✎ STAMPB") and "STAMPA" not in subtitle


def test_each_round_of_cold_builds_starts_with_another_side():
    """The serial chart floor, the project and plain Pelican are built once in each round of
    cold builds, and each round starts with the next one, so that a load on the machine at
    one point of a round weighs on every side in turn."""
    from tools.bench.scale import COLD_SIDES, cold_round

    rounds = [cold_round(n) for n in range(6)]
    assert all(sorted(r) == sorted(COLD_SIDES) for r in rounds)
    assert [r[0] for r in rounds[:3]] == list(COLD_SIDES)
    assert rounds[3:] == rounds[:3]
    assert rounds[0] == COLD_SIDES


@pytest.mark.slow
def test_bench_runs_end_to_end(tmp_path):
    """A tiny corpus, one run of each measure: the table has every row, the JSON every
    measure, no measure failed, and neither twin's build logged a warning. (The order of
    several rounds of cold builds: test_each_round_of_cold_builds_starts_with_another_side.)"""
    work, figures = tmp_path / "work", tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "tools.bench.scale", "--articles", "4", "--charts", "1", "--repeats", "1",
         "--sizes", "4", "--cold-repeats", "1", "--json", str(figures), "--work", str(work)],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    table = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    for label in ROWS:
        assert any(line.startswith(f"| {label}") for line in table), (label, result.stdout)
    assert "FAILED" not in result.stdout
    data = json.loads(figures.read_text(encoding="utf-8"))
    assert set(data["measures"]) == MEASURES
    for key, measure in data["measures"].items():
        assert measure["error"] is None, (key, measure["error"])
        assert measure["project"], key
        assert "target" in measure and "met" in measure, key
    for key in ("cold", "warm", "article_edit", "article_edit_en", "csv_edit", "preview_article"):
        assert data["measures"][key]["plain"], key
    assert data["measures"]["warm"]["project"][0]["report"]["charts_drawn"]["renders"] == 0
    # a French article's prose edited: the English site is linked; its translation edited: written
    assert data["measures"]["article_edit"]["project"][0]["report"]["subsites"]["kept"] == 1
    assert "subsites" not in data["measures"]["article_edit_en"]["project"][0]["report"]
    assert any(line.startswith("| one article edited, then build") and "language site linked from output/" in line
               for line in table)
    # `invoke build` with nothing changed stops at once; with --force every stage runs, and
    # finds nothing to prepare or draw
    assert "up to date" in data["measures"]["warm"]["project"][0]["report"]
    forced = data["measures"]["warm_forced"]["project"][0]["report"]
    assert "up to date" not in forced and forced["charts_drawn"]["renders"] == 0
    assert forced["articles"].get("converted", 0) == 0 and forced["articles"]["cached"] > 0
    assert any(line.startswith("| warm build, nothing changed |") and "up to date" in line for line in table)
    assert data["measures"]["cold"]["project"][0]["report"]["charts_drawn"]["renders"] > 0
    # the serial chart floor is built in the round of cold builds
    assert len(data["measures"]["chart_floor"]["project"]) == 1
    assert len(cold_runs := data["measures"]["cold"]["project"]) == 1 and len(data["measures"]["cold"]["plain"]) == 1
    assert all(run["report"]["charts_drawn"]["renders"] > 0 for run in cold_runs)
    assert data["measures"]["chart_floor"]["chart_floor_seconds"] > 0
    # the sharing cards' share of the cold build, and of the chart floor's (serial) build
    cold = data["measures"]["cold"]
    assert cold["project"][0]["report"]["cards"]["drawn"] > 0
    # the cold build drew charts: its card workers started once every site was read, before
    # the first cards were asked for; the chart floor's one worker and the --force build
    # (nothing drawn) start none early
    assert cold["project"][0]["report"]["cards"]["workers started early"] == 1
    assert "workers started early" not in data["measures"]["chart_floor"]["project"][0]["report"]["cards"]
    assert "workers started early" not in forced.get("cards", {})
    assert cold["cards_seconds"] > 0 and cold["cards_serial_seconds"] > 0
    assert any(line.startswith("| cold build") and "sharing cards" in line for line in table)
    logs = sorted((work / "corpus-4" / "logs").glob("*-*.log"))
    builds = [log for log in logs if log.name.startswith(("project-", "plain-"))]
    assert len(builds) >= 9
    for log in builds:
        assert "WARNING" not in log.read_text(encoding="utf-8"), log.name
    # the table again, from the JSON alone, through the task the README gives
    again = subprocess.run([sys.executable, "-m", "invoke", "bench", "--from-json", str(figures)],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert [line for line in again.stdout.splitlines() if line.startswith("| ")] == table


def test_bench_refuses_bad_sizes():
    result = subprocess.run([sys.executable, "-m", "tools.bench.scale", "--sizes", "250,lots"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "--sizes: 'lots' is not a number of articles" in result.stderr
    assert "Traceback" not in result.stderr
