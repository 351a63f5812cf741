"""Each source file is converted once per build and not at all while nothing it shows changed
(plugins/datadesk/articles.py): a warm build converts nothing, an edited article is converted
once (not its translation), a chart's edit and a CSV edit convert no file (their figures and
values fill the placeholders the kept conversions hold: plugins/datadesk/placeholders.py) and
a CSV edit computes exactly the values of that dataset again, and after each the site is
byte-identical to a build from scratch. A damaged entry is made again
with a notice; an article whose shortcode fails fails every build.

Small synthetic corpora (tools/bench/corpus.py), each build a new process (`invoke build`)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import tasks
from conftest import ROOT, build_report, copy_drawn, file_digests as tree
from tools.bench.corpus import edit_article, make_corpus
from tools.build import BuildFailed


def corpus(into: Path, articles: int) -> dict:
    made = make_corpus(ROOT, into, articles=articles, charts=0)
    copy_drawn("charts", made["project"] / ".cache" / "charts")  # no cold render in a test
    return made


def build(made: dict, out: Path, quiet: bool = True) -> dict:
    tasks.build_site(settings=str(made["settings"]), output=out, quiet=quiet)
    return build_report(made["project"])["articles"]


def from_scratch(made: dict, out: Path) -> dict:
    """A build with no kept conversion (the store moved aside, then put back)."""
    store = made["project"] / ".cache" / "articles"
    aside = store.with_name("articles-aside")
    store.rename(aside)
    try:
        return build(made, out)
    finally:
        shutil.rmtree(store, ignore_errors=True)
        aside.rename(store)


def sources(made: dict) -> list[Path]:
    content = made["project"] / "content"
    return sorted(p for sub in ("articles", "pages") for p in (content / sub).rglob("*.md"))


def showing(made: dict, dataset: str) -> set[str]:
    """The source files whose values, charts or Datasets: read ``dataset``, found from the text."""
    charts = made["project"] / "content" / "charts"
    found = set()
    for path in sources(made):
        text = path.read_text(encoding="utf-8")
        placed = re.findall(r"\{\{\s*chart\s+(\w+)\s*\}\}", text)
        if dataset in text or any(dataset in chart.read_text(encoding="utf-8")
                                  for name in placed for chart in charts.glob(f"{name}.*")):
            found.add(path.name)
    return found


def edit_cell(csv: Path, day: str) -> None:
    """One row of the outage table: an hour moves from "on" to "off" (the row still adds up to 24)."""
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    off, on = header.index("hours_off"), header.index("hours_on")
    for number, line in enumerate(lines):
        cells = line.rstrip("\n").split(",")
        if cells[0] == day and int(cells[on]) > 0:
            cells[off], cells[on] = str(int(cells[off]) + 1), str(int(cells[on]) - 1)
            lines[number] = ",".join(cells) + "\n"
            break
    else:
        raise AssertionError(f"no row of {day} to edit in {csv}")
    csv.write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def article_corpus(tmp_path_factory):
    return corpus(tmp_path_factory.mktemp("articles"), articles=6)


@pytest.fixture
def small_corpus(tmp_path):
    return corpus(tmp_path / "corpus", articles=2)


def test_conversions_follow_what_changed(article_corpus, tmp_path):
    made = article_corpus
    out = tmp_path / "output"
    files = len(sources(made))

    first = build(made, out)
    assert first == {"converted": files, "cached": files, "converted ahead": files}, \
        ("the first build converts each file once (while the workers prepare the charts, which no "
         "store holds: shortcodes.convert_ahead); the other language run takes it from the desk")
    built = tree(out)

    assert build(made, out) == {"cached": 2 * files}, "a warm build (a new process) converts nothing"
    assert tree(out) == built

    article = made["project"] / "content" / "articles" / "essais" / "essai-0001.fr.md"
    edit_article(article, "one")
    assert build(made, out) == {"converted": 1, "cached": 2 * files - 1}, \
        "an edited article is converted once, and its translation not at all"
    assert "one." in (out / "essai-0001" / "index.html").read_text(encoding="utf-8")
    edited = tree(out)
    assert edited != built
    assert from_scratch(made, tmp_path / "scratch1") == {"converted": files, "cached": files}
    assert tree(tmp_path / "scratch1") == edited

    chart = made["project"] / "content" / "charts" / "aid_monthly_by_type.yaml"
    placing = {p.name for p in sources(made)
               if "{{ chart aid_monthly_by_type }}" in p.read_text(encoding="utf-8")}
    assert 0 < len(placing) < files
    chart.write_text(chart.read_text(encoding="utf-8").replace("height: 320", "height: 330"),
                     encoding="utf-8")
    assert build(made, out) == {"cached": 2 * files}, \
        "a chart's edit converts no file: its figure fills the placeholder of the files placing it"
    redrawn = tree(out)
    assert redrawn != edited
    from_scratch(made, tmp_path / "scratch3")
    assert tree(tmp_path / "scratch3") == redrawn
    edited = redrawn

    expected = showing(made, "chernivtsi_outages_daily")
    assert 0 < len(expected) < files
    edit_cell(made["project"] / "data" / "chernivtsi_outages_daily.csv", "2022-12-22")
    assert build(made, out) == {"cached": 2 * files}, "a CSV edit converts no file"
    values = report(made)["values"]
    shown = {(lang, code) for path in sources(made) for lang in [path.suffixes[0][1:]]
             for code in re.findall(r"\{\{ value [^}]*chernivtsi_outages_daily[^}]*\}\}",
                                    path.read_text(encoding="utf-8"))}
    assert values.get("computed") == len(shown), \
        f"exactly the values of the edited dataset are computed again ({sorted(shown)}): {values}"
    changed = tree(out)
    assert changed != edited
    from_scratch(made, tmp_path / "scratch2")
    assert tree(tmp_path / "scratch2") == changed


def report(made: dict) -> dict:
    return build_report(made["project"])


def test_a_damaged_entry_is_made_again_with_a_notice(small_corpus, tmp_path, capfd):
    made = small_corpus
    out = tmp_path / "output"
    build(made, out)
    built = tree(out)
    store = made["project"] / ".cache" / "articles"
    entries = sorted(store.rglob("*.jsonl"))
    assert entries
    entries[0].write_text(entries[0].read_text(encoding="utf-8")[:-40], encoding="utf-8")
    capfd.readouterr()
    assert build(made, out, quiet=False) == {"converted": 1, "cached": 2 * len(sources(made)) - 1}
    err = capfd.readouterr().err
    assert "in articles/ was damaged (" in err and "making it again" in err
    assert tree(out) == built
    assert build(made, out) == {"cached": 2 * len(sources(made))}, "made again and kept"


def test_a_failing_shortcode_fails_every_build(small_corpus, tmp_path):
    made = small_corpus
    article = made["project"] / "content" / "articles" / "essais" / "essai-0000.fr.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nLa valeur {{ value nosuch.column }}.\n",
                       encoding="utf-8")
    line = len(article.read_text(encoding="utf-8").splitlines())
    for attempt in ("first", "second"):
        with pytest.raises(BuildFailed) as failed:
            build(made, tmp_path / "output")
        assert f"essai-0000.fr.md:{line}:" in str(failed.value), f"{attempt} build"
        assert 'there is no dataset "nosuch"' in str(failed.value), f"{attempt} build"


def _summarised(path: Path) -> bool:
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return any(line.startswith("Summary:") for line in head.splitlines())


def test_the_main_site_does_not_fill_the_bodies_the_english_site_shows(article_corpus, tmp_path):
    """The French run reads the English files too (i18n_subsites links the translations) but
    shows none of their bodies: it fills the charts and values of an English file only when
    its summary is cut from its body (no ``Summary:``). The site equals a build that fills
    everything (from scratch, where each file's conversion fills its placeholders)."""
    made = article_corpus
    out = tmp_path / "output"
    english = [p for p in sources(made) if p.name.endswith(".en.md") and _summarised(p)]
    assert len(english) >= 6
    build(made, out)
    assert build_report(made["project"])["bodies of other language sites"] == {"not filled": len(english)}
    plain = next(p for p in english if "{{ chart" in p.read_text(encoding="utf-8"))
    text = plain.read_text(encoding="utf-8")
    try:
        plain.write_text("\n".join(line for line in text.splitlines() if not line.startswith("Summary:")) + "\n",
                         encoding="utf-8")
        build(made, out)
        assert build_report(made["project"])["bodies of other language sites"] == {"not filled": len(english) - 1}
        built = tree(out)
        from_scratch(made, tmp_path / "scratch")
        assert tree(tmp_path / "scratch") == built
    finally:
        plain.write_text(text, encoding="utf-8")


def test_an_english_file_placing_a_chart_that_is_gone_fails_with_its_line(small_corpus, tmp_path):
    """The French run does not prepare the English charts to check an English file's kept
    conversion; the English run does, and fails the build with the file and line."""
    made = small_corpus
    out = tmp_path / "output"
    build(made, out)
    article = made["project"] / "content" / "articles" / "essais" / "essai-0000.en.md"
    text = article.read_text(encoding="utf-8")
    placed = re.search(r"\{\{\s*chart\s+(\w+)\s*\}\}", text)
    assert placed
    definitions = list((made["project"] / "content" / "charts").glob(f"{placed.group(1)}.*"))
    assert definitions
    line = text[:placed.start()].count("\n") + 1
    before = tree(out)
    for path in definitions:
        path.rename(tmp_path / path.name)
    with pytest.raises(BuildFailed) as failed:
        build(made, out)
    assert f"essai-0000.en.md:{line}:" in str(failed.value)
    assert "there is no chart with this id" in str(failed.value)
    assert tree(out) == before
