"""Data and files can never come from outside the project, and no published CSV can run
as a formula (issue: security and resilience, items 3 and 4)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from datadesk import datasets as catalog
import sanitise
import tasks
from datadesk.charts import build
from conftest import ROOT, copy_content
from test_charts import GOOD, shortcode_error, write_chart
from test_datasets import problems_of

FIXTURE = ROOT / "tests" / "fixtures" / "data"
D = "data/deliveries.csv"


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("cases.py", "__pycache__"))
    return target / "data"


DESCRIPTION = "deliveries.resource.json"  # the dataset's description, beside its CSV


def edit_descriptor(data_dir: Path, fn) -> None:
    path = data_dir / DESCRIPTION
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    fn(descriptor)
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def deliveries(descriptor: dict) -> dict:
    return descriptor


# ---- item 3: paths stay inside ------------------------------------------------------------

def test_a_dataset_file_linking_outside_the_data_folder_is_refused(data, tmp_path):
    secret = tmp_path / "secret.csv"
    shutil.move(data / "deliveries.csv", secret)
    (data / "deliveries.csv").symlink_to(secret)
    problems = problems_of(data)
    text = (data / DESCRIPTION).read_text()
    line = text[:text.index('"path": "deliveries.csv"')].count("\n") + 1
    assert problems == [
        f'data/{DESCRIPTION}:{line}: resource "deliveries": path "deliveries.csv" resolves to {secret.resolve()}, '
        "outside data/. A dataset's file must be inside data/ after symlinks are followed: no absolute "
        'path, no "..", no link to another folder. Copy the file into data/ (through data/raw/ and '
        "`invoke curate`) and name it here."]


@pytest.mark.parametrize("rel", ["../../secret.csv", "/etc/hostname"])
def test_a_dataset_path_with_dotdot_or_absolute_is_refused(data, rel):
    edit_descriptor(data, lambda d: deliveries(d).update(path=rel))
    problems = problems_of(data)
    # refused before anything is read, naming the description file and the path
    assert problems and all(p.startswith(f"data/{DESCRIPTION}:") and rel in p for p in problems), problems


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "ftp://x/y",
                                 "//evil.example/x"])
def test_only_http_urls_in_the_descriptor(data, url):
    edit_descriptor(data, lambda d: deliveries(d)["licenses"][0].update(path=url))
    problems = problems_of(data)
    assert len(problems) == 1 and f'"path": expected an http(s) address, found {json.dumps(url)}.' in problems[0]
    assert problems[0].startswith(f"data/{DESCRIPTION}:")


def test_a_chart_file_linking_outside_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.py"
    outside.write_text(textwrap.dedent(GOOD), encoding="utf-8")
    settings = write_chart(tmp_path, "placeholder.yaml", "dataset: aid\n")
    (Path(settings["PATH"]) / "charts" / "placeholder.yaml").unlink()
    (Path(settings["PATH"]) / "charts" / "ok.py").symlink_to(outside)
    assert shortcode_error(settings, "ok") == (
        f'chart "ok" (content/charts/ok.py): the file links to {outside}, outside its folder. A chart is '
        "code or data the build runs: put the file itself in the charts folder, not a link out of the project")


@pytest.mark.slow
def test_an_article_linking_outside_or_too_large_fails_the_build(tmp_path):
    """Items 3 and 10: both found before Pelican reads the file, in one build."""
    content = tmp_path / "content"
    copy_content(content)
    secret = tmp_path / "secret.fr.md"
    shutil.copyfile(content / "articles" / "front-energetique.fr.md", secret)
    (content / "articles" / "zz-linked.fr.md").symlink_to(secret)
    big = content / "articles" / "zz-big.fr.md"
    big.write_text("Title: Big\n\n" + "Des mots. " * 30000, encoding="utf-8")
    output = tmp_path / "out"
    output.mkdir()
    (output / "index.html").write_text("previous", encoding="utf-8")
    with pytest.raises(tasks.BuildFailed) as failure:
        tasks.build_site(output=output, content=content, quiet=True)
    assert (f"content/articles/zz-linked.fr.md: this file links to {secret}, outside content/. Content "
            "must be inside the project") in str(failure.value)
    assert (f"content/articles/zz-big.fr.md: the file is {big.stat().st_size:,} bytes; the limit is 262,144 "
            "(CONTENT_MAX_BYTES).") in str(failure.value)
    assert "Traceback" not in str(failure.value)
    assert (output / "index.html").read_text() == "previous"


# ---- item 4: formula-safe downloads ---------------------------------------------------------

@pytest.mark.parametrize("cell,why", [
    ("=1+1", '"="'), ("+1 tank", '"+"'), ("-x", '"-"'), ("@SUM(A1)", '"@"'),
    ("\t=1", "a leading TAB"), ("\r=1", "a leading CR"), ("  =1", '"=" after leading spaces'),
    ("＝1+1", '"＝" (read as "=")'), ("＠x", '"＠" (read as "@")'), ("\u3000=1", '"=" after leading spaces'),
])
def test_formula_starts_are_found_after_trimming_and_width_normalising(cell, why):
    assert sanitise.formula_start(cell) == why


@pytest.mark.parametrize("cell", ["-3", "+1.5e3", "-0,5", "a = b", "Germany", "", "－1"])
def test_plain_text_and_numbers_are_not_formulas(cell):
    assert sanitise.formula_start(cell) is None


def test_every_text_cell_and_header_is_checked_with_file_line_column(data):
    text = (data / "deliveries.csv").read_text(encoding="utf-8")
    text = text.replace("First system handed over in October", "\t=HYPERLINK(\"x\")")
    text = text.replace("Refurbished in the Czech Republic", "＝1+1")
    text = text.replace("Germany,IRIS-T SLM", "  @Germany,IRIS-T SLM")
    (data / "deliveries.csv").write_text(text, encoding="utf-8")
    edit_descriptor(data, lambda d: [f.update(type="any") for f in deliveries(d)["schema"]["fields"]
                                     if f["name"] == "system"])
    problems = problems_of(data)
    tail = " and would run as a formula when the file is opened in a spreadsheet. Reword the cell so it starts with a letter or digit."
    assert f'{D}:2:1: donor: expected plain text, found "  @Germany", which starts with "@" after leading spaces{tail}' in problems
    assert f'{D}:2:9: note: expected plain text, found "\\t=HYPERLINK("x")", which starts with a leading TAB{tail}' in problems
    assert f'{D}:7:9: note: expected plain text, found "＝1+1", which starts with "＝" (read as "="){tail}' in problems


def test_a_formula_in_an_any_column_and_in_a_header_is_refused(data):
    edit_descriptor(data, lambda d: [f.update(type="any") for f in deliveries(d)["schema"]["fields"]
                                     if f["name"] == "system"])
    text = (data / "deliveries.csv").read_text(encoding="utf-8").replace("IRIS-T SLM", '"\r-IRIS"', 1)
    (data / "deliveries.csv").write_text(text, encoding="utf-8")
    problems = problems_of(data)
    assert any(p.startswith(f'{D}:2:2: system: expected plain text, found "\\r-IRIS", which starts with a leading CR')
               for p in problems), problems
    records = catalog.problems.Records('=donor,b\nx,y\n')
    found = catalog.checks.formulas(records, D, [{"name": "donor", "type": "string"}, {"name": "b"}])
    assert [str(p) for p in found] == [
        f'{D}:1:1: expected a plain column name, found "=donor", which starts with "=" and would run as a '
        "formula when the file is opened in a spreadsheet. Rename the column."]


def test_csv_writers_quote_a_cr_so_no_row_splits():
    rows = [["name", "note"], ["a", "line\r=1+1"], ["b", 'quote " and, comma'], ["c", "two\nlines"]]
    text = sanitise.csv_text(rows)
    assert text == 'name,note\na,"line\r=1+1"\nb,"quote "" and, comma"\nc,"two\nlines"\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == rows
    frame = pd.DataFrame({"name": ["a"], "note": ["x\ry"], "value": [1.5]})
    assert sanitise.frame_csv_text(frame) == 'name,note,value\na,"x\ry",1.5\n'


def test_a_chart_csv_with_a_formula_is_refused_naming_file_line_and_column():
    from datadesk.charts.definitions import Definition

    defn = Definition(id="c", path=Path("c.py"), display="content/charts/c.py", kind="python", uses=[],
                      text={}, labels={}, units={}, chart=lambda df, t: None)
    frame = pd.DataFrame({"name": ["ok", "two\nlines", "@evil"], "value": [1, 2, 3]})
    with pytest.raises(Exception) as failure:
        build.csv_bytes(frame, defn, "c.csv")
    assert str(failure.value).startswith(
        'content/charts/c.py: chart "c": its CSV download c.csv:5:1 would hold \'@evil\', which starts with "@"')
    assert build.csv_bytes(frame.iloc[:2], defn, "c.csv") == b'name,value\nok,1\n"two\nlines",2\n'


# ---- item 10: limits, checked early, with clear messages ------------------------------------

def test_a_dataset_over_its_size_limit_is_refused_before_it_is_read(data, monkeypatch):
    from datadesk.datasets import checks

    decode = checks.decode
    monkeypatch.setattr(checks, "decode", lambda raw, display, names: pytest.fail("the oversized file was read")
                        if display == D else decode(raw, display, names))
    edit_descriptor(data, lambda d: deliveries(d).update(max_bytes=100, max_bytes_reason="test"))
    size = (data / "deliveries.csv").stat().st_size
    problems = [p for p in problems_of(data) if p.startswith(D)]
    assert problems == [
        f'{D}: expected at most 100 bytes (its "max_bytes"), found {size:,}. Nothing in it was read. Aggregate '
        'or split it in `invoke curate`, or, if readers need every row, give resource "deliveries" '
        '"max_bytes": <n> and "max_bytes_reason": "why" in data/datapackage.json.']


def test_the_default_dataset_limit_applies_and_a_dataset_may_raise_it_with_a_reason(data, monkeypatch):
    from datadesk.datasets import validate

    monkeypatch.setattr(validate, "MAX_BYTES", 200)
    assert any(p.startswith(f"{D}: expected at most 200 bytes (the default)") for p in problems_of(data))
    edit_descriptor(data, lambda d: deliveries(d).update(max_bytes=10_000))
    assert any('expected "max_bytes" to be a positive whole number of bytes with a "max_bytes_reason", found 10000'
               in p for p in problems_of(data))
    edit_descriptor(data, lambda d: deliveries(d).update(max_bytes_reason="every delivery is listed"))
    assert not any(p.startswith(D) for p in problems_of(data))


YAML_CHART = "dataset: aid\nmark: bar\nx: donor:N\ny: committed_eur_bn:Q\n" \
             "title: {fr: Titre, en: Title}\nsource: {fr: Source, en: Source}\n"


def test_a_yaml_chart_may_raise_its_row_limit_with_a_reason(tmp_path):
    from datadesk.shortcodes import ShortcodeContext
    from datadesk.charts import charts as plugin

    settings = write_chart(tmp_path, "ok.yaml", YAML_CHART)
    settings["DATADESK_CHARTS_MAX_ROWS"] = 3
    assert shortcode_error(settings, "ok").startswith(
        'chart "ok" (content/charts/ok.yaml): it selects 6 rows; the limit is 3 (DATADESK_CHARTS_MAX_ROWS). Filter or '
        'aggregate the rows (filter, or `invoke curate`), or set `max_rows: <n>` with `max_rows_reason: "why"`.')
    settings = write_chart(tmp_path / "b", "ok.yaml", YAML_CHART + "max_rows: 10\nmax_rows_reason: all donors\n")
    settings["DATADESK_CHARTS_MAX_ROWS"] = 3
    ctx = ShortcodeContext(path="x.fr.md", line=1, lang="fr", settings=settings, block=True)
    assert 'id="chart-ok"' in plugin.chart_shortcode("ok", ctx)
    settings = write_chart(tmp_path / "c", "ok.yaml", YAML_CHART + "max_rows: 4\nmax_rows_reason: few\n")
    assert "it selects 6 rows; the limit is 4 (this chart's max_rows)" in shortcode_error(settings, "ok")
    settings = write_chart(tmp_path / "d", "ok.yaml", YAML_CHART + "max_rows: 10\n")
    assert shortcode_error(settings, "ok").startswith(
        'chart "ok" (content/charts/ok.yaml:7): max_rows is set without a positive integer and a max_rows_reason.')
