"""Charts prepared and drawn, and datasets validated, in the build's worker processes
(charts/jobs.py, datasets/validate.py): when two charts or more miss the prepared store, each
is prepared and drawn by a worker; when two datasets or more miss the datasets store, the
workers validate them. The site is the one a build in a single process writes, its errors
the same, its report says where the work was done; a pool whose workers die leaves the work
to the build's own process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import tasks
from conftest import ROOT, build_report, file_bytes as tree

FIXTURE = ROOT / "tests" / "fixtures" / "charts"


def make_project(where: Path, workers: int) -> Path:
    """A copy of the charts fixture (two charts, two languages) whose build uses ``workers``."""
    project = where / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns(".cache", "__pycache__"))
    (project / "chartsconf.py").write_text(
        (FIXTURE / "chartsconf.py").read_text(encoding="utf-8")
        + f"CACHE_PATH = {str(project / '.cache' / 'pelican')!r}\n"
        + f"DATADESK_CHARTS_WORKERS = {workers}\n", encoding="utf-8")
    return project


def report_of(project: Path) -> dict:
    return build_report(project)


def build(project: Path) -> tuple[dict, dict]:
    """A cold build (no store, no rendered chart) in a new process: (its files, its report)."""
    shutil.rmtree(project / ".cache", ignore_errors=True)
    out = tasks.build_site(settings=str(project / "chartsconf.py"), output=project / "output",
                           content=project / "content", quiet=True)
    return tree(out), report_of(project)


def break_chart(project: Path) -> None:
    """gap.py names a column its dataset lacks (an editor's typo)."""
    gap = project / "content" / "charts" / "gap.py"
    gap.write_text(gap.read_text(encoding="utf-8").replace('"delivered_eur_bn", "note"', '"delivered", "note"'),
                   encoding="utf-8")


def break_data(project: Path) -> None:
    """A cell of each dataset an editor mistyped (a comma for the decimal point, a date)."""
    for name, good, bad in (("aid", "15.2,2.55", '"15,2",2.55'), ("weekly", "2022-10-03,22", "03/10/2022,22")):
        csv = project / "data" / f"{name}.csv"
        csv.write_text(csv.read_text(encoding="utf-8").replace(good, bad, 1), encoding="utf-8")


def misplace_chart(project: Path) -> None:
    """The English story places a chart inside a sentence, and a chart that does not exist."""
    story = project / "content" / "articles" / "story.en.md"
    story.write_text(story.read_text(encoding="utf-8").replace("First paragraph.", "First {{ chart gap }} paragraph.")
                     + "\n{{ chart nowhere }}\n", encoding="utf-8")


def failure_of(project: Path, what: str) -> list[str]:
    """The lines of a failed build's report that name ``what``."""
    shutil.rmtree(project / ".cache", ignore_errors=True)
    with pytest.raises(tasks.BuildFailed) as failure:
        tasks.build_site(settings=str(project / "chartsconf.py"), output=project / "output",
                         content=project / "content", quiet=True)
    return [line for line in str(failure.value).splitlines() if what in line]


@pytest.fixture(scope="module")
def worker_builds(tmp_path_factory):
    """The fixture built cold with two workers and with one (the build's own process), the
    same with a broken chart, with charts misplaced in an article, and with two broken
    datasets."""
    results = {}
    for workers in (2, 1):
        project = make_project(tmp_path_factory.mktemp(f"workers{workers}"), workers)
        files, report = build(project)
        break_chart(project)
        failure = failure_of(project, 'chart "')
        saved = (project / "content" / "articles" / "story.en.md").read_text(encoding="utf-8")
        misplace_chart(project)
        misplaced = failure_of(project, "story.en.md")
        (project / "content" / "articles" / "story.en.md").write_text(saved, encoding="utf-8")
        break_data(project)
        results[workers] = {"files": files, "report": report, "failure": failure, "misplaced": misplaced,
                            "data": failure_of(project, "data/")}
    return results


def test_two_workers_and_one_write_the_same_site(worker_builds):
    two, one = worker_builds[2]["files"], worker_builds[1]["files"]
    assert sorted(two) == sorted(one)
    different = [name for name in two if two[name] != one[name]]
    assert not different, different
    assert "charts/gap/gap.fr.light.svg" in two and "en/charts/weekly/weekly.en.png" in two


def test_the_report_says_where_the_charts_were_prepared(worker_builds):
    two, one = worker_builds[2]["report"], worker_builds[1]["report"]
    # two charts in two languages, all prepared and drawn by the workers with two of them
    assert two["charts"]["prepared"] == 4 and two["charts"]["prepared in workers"] == 4
    assert one["charts"]["prepared"] == 4 and "prepared in workers" not in one["charts"]
    for report in (two, one):
        assert report["charts_drawn"]["renders"] == 4 and report["charts_drawn"]["hits"] == 0
    # the fixture's two datasets, validated side by side with two workers
    assert two["datasets"]["validated"] == 2 and two["datasets"]["validated in workers"] == 2
    assert one["datasets"]["validated"] == 2 and "validated in workers" not in one["datasets"]


def test_the_articles_are_converted_while_the_workers_prepare_the_charts(worker_builds):
    """With workers, the charts are sent to them as the build starts reading, and every
    Markdown file is converted meanwhile (shortcodes.convert_ahead): each file still
    converted once, read from the kept conversion by the other language run, and the site
    the same (test_two_workers_and_one_write_the_same_site)."""
    two, one = worker_builds[2]["report"]["articles"], worker_builds[1]["report"]["articles"]
    assert two["converted ahead"] == two["converted"] == 2
    assert "converted ahead" not in one
    assert {k: v for k, v in two.items() if k != "converted ahead"} == one


def test_errors_of_articles_converted_ahead_read_as_in_one_process(worker_builds):
    """A chart placed inside a sentence and an unknown chart: the file's conversion ahead
    is void, and the reader converts it again and says both, once, as without workers."""
    two, one = worker_builds[2]["misplaced"], worker_builds[1]["misplaced"]
    assert two == one
    assert len([line for line in two if 'the chart "gap" must stand alone on its line' in line]) == 1, two
    assert len([line for line in two if "story.en.md:18:" in line and '"nowhere"' in line]) == 1, two


def test_a_chart_error_raised_in_a_worker_reads_as_in_one_process(worker_builds):
    two, one = worker_builds[2]["failure"], worker_builds[1]["failure"]
    expected = ('content/articles/story.fr.md:10: chart "gap" (content/charts/gap.py:7): dataset "aid" has no '
                'column "delivered". Use one of: donor, committed_eur_bn, delivered_eur_bn, note.')
    assert any(expected in line for line in two), two
    assert two == one


def test_dataset_problems_found_in_workers_read_as_in_one_process(worker_builds):
    two, one = worker_builds[2]["data"], worker_builds[1]["data"]
    assert any("data/aid.csv:2:2" in line and "Write it as 15.2." in line for line in two), two
    assert any("data/weekly.csv:3:1" in line and "Write it as 2022-10-03." in line for line in two), two
    assert two == one


@pytest.fixture(scope="module")
def broken_pool(tmp_path_factory):
    """An in-process build whose worker processes die as they start."""
    from datadesk.charts import render
    from tools.build import build_in_process

    project = make_project(tmp_path_factory.mktemp("broken"), 2)
    with pytest.MonkeyPatch.context() as patch:
        # Each worker's start-up calls os._exit: the process ends before its first job.
        patch.setattr(render, "_plugins_folder", lambda: 3)
        patch.setattr(render.site, "addsitedir", os._exit)
        out = build_in_process(settings=str(project / "chartsconf.py"), output=project / "output",
                               content=project / "content")
    return tree(out), report_of(project)


def test_a_broken_pool_falls_back_to_the_build_process(broken_pool, worker_builds):
    files, report = broken_pool
    assert report["charts"]["prepared"] == 4 and "prepared in workers" not in report["charts"]
    assert "validated in workers" not in report["datasets"] and report["datasets"]["validated"] == 2
    assert report["charts_drawn"]["renders"] == 4
    one = worker_builds[1]["files"]
    assert sorted(files) == sorted(one)
    assert not [name for name in files if files[name] != one[name]]


def test_a_process_that_kept_its_conversions_converts_nothing_ahead(tmp_path):
    """The preview's process keeps its conversions between builds: when its charts are to be
    prepared again (both edited) with an article edited, the workers prepare the charts and
    the reader converts the article, nothing ahead."""
    from tools.build import build_in_process, new_cache

    project = make_project(tmp_path, 2)
    where = {"settings": str(project / "chartsconf.py"), "output": project / "output",
             "content": project / "content", "cache": new_cache()}
    build_in_process(**where)
    assert report_of(project)["articles"]["converted ahead"] == 2
    for name in ("gap.py", "weekly.yaml"):
        chart = project / "content" / "charts" / name
        chart.write_text(chart.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    story = project / "content" / "articles" / "story.fr.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nUn paragraphe de plus.\n", encoding="utf-8")
    build_in_process(**where)
    report = report_of(project)
    assert report["charts"]["prepared in workers"] == 4
    assert report["articles"] == {"converted": 1, "cached": 3}


def test_a_handler_called_outside_a_build_starts_no_worker(monkeypatch):
    """A desk made for settings of no Pelican run (a test or a tool calling a handler) does
    its few files in its own process: nobody would stop its workers, since no build ends.
    The same settings in a Pelican run (Pelican's CACHE_PATH) use DATADESK_CHARTS_WORKERS."""
    from datadesk.charts import render
    from datadesk.desk import desk_of
    from datadesk.shortcodes import ShortcodeContext
    from datadesk.values import inline_values

    started = []
    monkeypatch.setattr(render.Pool, "executor", lambda pool, workers: started.append(workers))
    editor = ROOT / "tests" / "fixtures" / "editor"
    given = {"PATH": str(editor / "content"), "DATADESK_DATA_DIR": str(editor / "data"),
             "DATADESK_CHARTS_WORKERS": 2}
    settings = dict(given)
    # Every dataset of the fixture (more than two) is validated to answer the value.
    html = inline_values.handle("aid.committed_eur_bn donor=Germany", ShortcodeContext(
        path="content/articles/x.fr.md", line=1, lang="en", settings=settings, block=False))
    assert "0.74" in html
    desk = desk_of(settings)
    assert desk.work["datasets"]["validated"] >= 2 and "validated in workers" not in desk.work["datasets"]
    assert started == [] and desk.workers() == 1 and desk.pool() is None
    in_build = desk_of({**given, "CACHE_PATH": "/nonexistent/pelican"})
    assert in_build.workers() == 2 and in_build.pool() is not None


# gap.py's chart() as a worker killed in the middle of it (out of memory, say) would leave it:
# the worker process ends; in the build's own process the chart is drawn as written.
DIES_IN_A_WORKER = '''def chart(df, t):
    import multiprocessing
    if multiprocessing.parent_process() is not None:  # a worker process of the build
        os._exit(9)
'''


@pytest.mark.slow
def test_a_worker_that_dies_while_preparing_leaves_the_charts_to_the_build_process(tmp_path):
    """A worker dies while it prepares a chart: the build prepares the charts the workers did
    not answer in its own process, and writes the site a build in one process writes."""
    sites = {}
    for workers in (2, 1):
        project = make_project(tmp_path / str(workers), workers)
        gap = project / "content" / "charts" / "gap.py"
        text = gap.read_text(encoding="utf-8")
        assert "\ndef chart(df, t):\n" in text
        gap.write_text("import os\n" + text.replace("def chart(df, t):\n", DIES_IN_A_WORKER), encoding="utf-8")
        sites[workers] = build(project)
    (files, report), (one, _report) = sites[2], sites[1]
    assert report["charts"]["prepared"] == 4
    assert report["charts"].get("prepared in workers", 0) < 4, "gap's jobs cannot have been answered"
    assert sorted(files) == sorted(one)
    assert not [name for name in files if files[name] != one[name]]
