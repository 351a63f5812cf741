"""What `invoke build` (a new process each time) keeps from the last build: prepared charts
(.cache/prepared), dataset verdicts (.cache/datasets) and inline values (.cache/values).
Each build reports what it redid in .cache/last-build.json; the site it writes is the one
a build without those stores writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import tasks
from conftest import ROOT, build_report, file_digests as tree

FIXTURE = ROOT / "tests" / "fixtures" / "charts"
VALUES = ("\n\nMissiles: {{ value sum weekly.missiles_launched }}; "
          "aid: {{ value sum aid.committed_eur_bn }}.\n")


def make_project(where: Path) -> Path:
    project = where / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns(".cache", "__pycache__"))
    # Its own Pelican cache folder, so the build's report (.cache/last-build.json) is its own.
    (project / "chartsconf.py").write_text(
        (FIXTURE / "chartsconf.py").read_text(encoding="utf-8")
        + f"CACHE_PATH = {str(project / '.cache' / 'pelican')!r}\n", encoding="utf-8")
    for lang in ("fr", "en"):  # one value per dataset, in each language
        story = project / "content" / "articles" / f"story.{lang}.md"
        story.write_text(story.read_text(encoding="utf-8") + VALUES, encoding="utf-8")
    return project


def build(project: Path, out: Path) -> dict:
    tasks.build_site(settings=str(project / "chartsconf.py"), output=out, content=project / "content")
    return build_report(project)


def charts(report: dict) -> dict:
    """What the build did with the charts' preparation (the report's "charts" part also counts
    the files written and kept)."""
    return {what: report["charts"].get(what, 0) for what in ("prepared", "cached")}


def datasets(report: dict) -> dict:
    """What the build did with the datasets' validation (the part also counts files written)."""
    return {what: report["datasets"].get(what, 0) for what in ("validated", "cached")}


def clean_build(project: Path, where: Path) -> dict:
    """The same project built without the stores (its rendered charts copied: they are
    checked by their own checksums); the files it writes."""
    clean = where / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns(".cache", "output*"))
    (clean / "chartsconf.py").write_text((project / "chartsconf.py").read_text(encoding="utf-8")
                                         .replace(str(project), str(clean)), encoding="utf-8")
    shutil.copytree(project / ".cache" / "charts", clean / ".cache" / "charts")
    report = build(clean, clean / "output")
    assert charts(report)["cached"] == 0 and datasets(report)["cached"] == 0
    return tree(clean / "output")


@pytest.fixture(scope="module")
def store_builds(tmp_path_factory):
    """A cold build, then a warm one in a new process, of a copy of the charts fixture."""
    where = tmp_path_factory.mktemp("stores")
    project = make_project(where)
    cold = build(project, project / "output")
    cold_files = tree(project / "output")
    warm = build(project, project / "output")
    return where, project, cold, cold_files, warm


def test_a_warm_build_prepares_renders_and_validates_nothing(store_builds):
    _where, project, cold, cold_files, warm = store_builds
    assert charts(cold) == {"prepared": 4, "cached": 0} and cold["charts_drawn"]["renders"] == 4
    assert datasets(cold) == {"cached": 0, "validated": 2}
    assert cold["values"]["computed"] == 4  # two values, two languages
    assert charts(warm) == {"prepared": 0, "cached": 4}
    assert warm["charts_drawn"]["renders"] == 0 and warm["charts_drawn"]["hits"] == 4
    assert datasets(warm) == {"cached": 2, "validated": 0}
    assert warm.get("values", {}).get("computed", 0) == 0
    # the figures (the embed pages' at least) come from the store too
    assert cold["figures"]["rendered"] >= 4 and warm["figures"].get("rendered", 0) == 0
    assert tree(project / "output") == cold_files
    for store in ("prepared", "datasets", "values"):
        assert any((project / ".cache" / store).rglob("*.jsonl")), store


def test_a_copy_of_the_project_and_its_cache_in_another_folder_prepares_no_chart(store_builds):
    """The prepared charts are found by what they were made from, not by where the project
    is: a clone that restores its .cache elsewhere (or a test's copy) prepares and draws no
    chart, and writes the same site."""
    where, project, _cold, cold_files, _warm = store_builds
    moved = where / "elsewhere" / "project"
    shutil.copytree(project, moved, ignore=shutil.ignore_patterns("output*", "last-build.json"))
    (moved / "chartsconf.py").write_text((project / "chartsconf.py").read_text(encoding="utf-8")
                                         .replace(str(project), str(moved)), encoding="utf-8")
    assert str(project) not in (moved / "chartsconf.py").read_text(encoding="utf-8")
    report = build(moved, moved / "output")
    assert charts(report) == {"prepared": 0, "cached": 4}
    assert report["charts_drawn"]["renders"] == 0 and report["charts_drawn"]["hits"] == 4
    assert tree(moved / "output") == cold_files


def test_a_csv_edit_redoes_only_the_charts_and_values_that_read_it(store_builds):
    where, project, _cold, _files, _warm = store_builds
    weekly = project / "data" / "weekly.csv"
    weekly.write_text(weekly.read_text(encoding="utf-8").replace("2022-10-03,22,25", "2022-10-03,23,25"),
                      encoding="utf-8")
    report = build(project, project / "output")
    # "weekly" reads weekly.csv, in two languages; "gap" reads aid.csv and is kept.
    assert charts(report) == {"cached": 2, "prepared": 2}
    assert report["charts_drawn"]["renders"] == 2
    assert datasets(report) == {"cached": 1, "validated": 1}
    assert report["values"]["computed"] == 2  # the weekly value in each language; not the aid one
    assert tree(project / "output") == clean_build(project, where)


def test_a_chart_edit_redoes_only_that_chart(store_builds):
    where, project, _cold, _files, _warm = store_builds
    gap = project / "content" / "charts" / "gap.py"
    text = gap.read_text(encoding="utf-8")
    assert '"Promis <et> livré"' in text
    gap.write_text(text.replace('"Promis <et> livré"', '"Promis <et> tout livré"')
                   .replace('"Committed <and> delivered"', '"Committed <and> all delivered"'), encoding="utf-8")
    report = build(project, project / "output")
    assert charts(report) == {"cached": 2, "prepared": 2}
    assert report["charts_drawn"]["renders"] == 2
    assert datasets(report) == {"cached": 2, "validated": 0}
    assert "Promis &lt;et&gt; tout livré" in (project / "output" / "story" / "index.html").read_text(encoding="utf-8")
    assert tree(project / "output") == clean_build(project, where)


def test_a_damaged_entry_is_made_again_with_a_notice(store_builds, capfd):
    where, project, _cold, _files, _warm = store_builds
    build(project, project / "output")  # every entry is there for the current files
    capfd.readouterr()
    damaged = []
    for store, kind in (("prepared", "prepared"), ("datasets", "problems")):
        # the newest entry of a prepared chart (the store keeps figures too), of a verdict
        entry = sorted((p for p in (project / ".cache" / store).rglob("*.jsonl")
                        if kind in json.loads(p.read_bytes().partition(b"\n")[2])),
                       key=lambda p: p.stat().st_mtime)[-1]
        entry.write_text(entry.read_text(encoding="utf-8")[:-20], encoding="utf-8")  # a cut write
        damaged.append(store)
    report = build(project, project / "output")
    said = capfd.readouterr()
    for store in damaged:
        assert f"in {store}/ was damaged (" in said.out + said.err
    assert charts(report) == {"cached": 3, "prepared": 1}
    assert report["charts_drawn"]["renders"] == 0  # the rendered files were sound
    assert tree(project / "output") == clean_build(project, where)
