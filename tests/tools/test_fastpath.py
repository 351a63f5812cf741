"""The preview's fast path (tools/fastpath.py): a body edit rewrites the article's page at
once, byte-identical to what a full build writes; any other edit is left to the full build."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from conftest import ROOT, copy_content, wait_until
from tools import fastpath, preview
from tools.build import build_in_process, new_cache

pytestmark = pytest.mark.slow

ARTICLE = Path("content/articles/front-energetique.fr.md")
PAGE = "front-energetique/index.html"
SENTENCE = "Nous comptons cinq grandes frappes"


def _copy(into: Path) -> Path:
    copy_content(into / "content")  # its cache seeded: what the tests edit is redone
    shutil.copytree(ROOT / "data", into / "data", ignore=shutil.ignore_patterns("raw", "curate"))
    return into


def _build(site: Path, output: Path, last=None, cache=None) -> Path:
    return build_in_process(output=output, content=site / "content", data=site / "data",
                            cache=cache, last=last)


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True, scope="module")
def _seeds(project_cache):
    """The copies (``_copy``) start from the project's cache: filled first on a fresh clone."""


@pytest.fixture(scope="module")
def preview_site(tmp_path_factory):
    """A copy of the project built as the preview builds it, its last build kept."""
    site = _copy(tmp_path_factory.mktemp("fastpath"))
    last, cache = fastpath.LastBuild(), new_cache()
    _build(site, site / "output", last, cache)
    return site, last, cache


def _edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text


def test_a_body_edit_rewrites_only_its_page_as_a_full_build_would(preview_site, tmp_path):
    site, last, _cache = preview_site
    output = site / "output"
    before = _files(output)
    original = _edit(site / ARTICLE, SENTENCE, "Nous comptons bien cinq grandes frappes")
    try:
        assert fastpath.patch(last, {site / ARTICLE}, output) == PAGE
        after = _files(output)
        assert [name for name in after if after[name] != before[name]] == [PAGE]
        assert "bien cinq grandes frappes" in (output / PAGE).read_text(encoding="utf-8")
        # the reference: a clean full build of the same files
        reference = _build(site, tmp_path / "full")
        assert (output / PAGE).read_bytes() == (reference / PAGE).read_bytes()
        # a second edit of the same file compares with the first
        _edit(site / ARTICLE, "bien cinq", "vraiment cinq")
        assert fastpath.patch(last, {site / ARTICLE}, output) == PAGE
        assert "vraiment cinq" in (output / PAGE).read_text(encoding="utf-8")
    finally:
        (site / ARTICLE).write_text(original, encoding="utf-8")
        assert fastpath.patch(last, {site / ARTICLE}, output) == PAGE


@pytest.mark.parametrize("old, new, why", [
    ("Title: Le front de l'énergie", "Title: Le vrai front de l'énergie", "the title shows in lists"),
    ("Tags: frappes,", "Tags: frappes, hiver,", "tags have their own pages"),
    ("Summary: Du 10 octobre", "Summary: Entre le 10 octobre", "the summary shows in lists and feeds"),
    (SENTENCE, SENTENCE + " {{ chart strikes_weekly }}", "a chart placed has its own files"),
    (SENTENCE, SENTENCE + " {{ value nope.x }}", "a mistake: the full build reports it"),
])
def test_anything_other_pages_show_is_left_to_the_full_build(preview_site, old, new, why):
    site, last, _cache = preview_site
    output = site / "output"
    before = _files(output)
    original = _edit(site / ARTICLE, old, new)
    try:
        assert fastpath.patch(last, {site / ARTICLE}, output) is None, why
        assert _files(output) == before, "nothing is written when the full build is needed"
    finally:
        (site / ARTICLE).write_text(original, encoding="utf-8")


def test_other_kinds_of_change_are_left_to_the_full_build(preview_site):
    site, last, _cache = preview_site
    output = site / "output"
    article = site / ARTICLE
    other = site / "content/articles/front-energetique.en.md"
    assert fastpath.patch(last, {article, other}, output) is None  # several files
    assert fastpath.patch(last, {site / "data/strikes_weekly.csv"}, output) is None  # data
    assert fastpath.patch(last, {site / "content/pages/about.fr.md"}, output) is None  # a page
    assert fastpath.patch(last, {site / "content/articles/new.fr.md"}, output) is None  # not built yet
    assert fastpath.patch(fastpath.LastBuild(), {article}, output) is None  # no build kept


def test_a_warm_process_keeps_one_build_not_two(tmp_path):
    """Each build in the preview's process starts once the previous build's state is let go
    (its desk, generators and articles; Pelican's memoized content methods kept them all,
    build after build). A failed build keeps nothing: the fast path waits for a good one."""
    import gc
    import weakref

    from pelican import signals

    from datadesk import DESK_KEY

    site = _copy(tmp_path)
    last, cache = fastpath.LastBuild(), new_cache()
    earlier: list[weakref.ref] = []  # the desks and articles of the builds before
    alive_at_start: list[int] = []

    def started(pelican):  # Pelican is initialised: the build has started
        alive_at_start.append(sum(ref() is not None for ref in earlier))

    def note_kept() -> None:
        for generator, _where in last.runs.values():
            earlier.append(weakref.ref(generator.settings[DESK_KEY]))
            earlier.extend(weakref.ref(article) for article in fastpath._articles(generator))

    signals.initialized.connect(started)
    try:
        _build(site, site / "output", last, cache)
        assert set(last.runs) == {"fr", "en"}
        note_kept()
        original = _edit(site / ARTICLE, SENTENCE, SENTENCE + " {{ nope }}")  # an unknown shortcode: it fails
        with pytest.raises(Exception, match="front-energetique.fr.md"):
            _build(site, site / "output", last, cache)
        assert last.runs == {}, "a failed build keeps nothing"
        (site / ARTICLE).write_text(original, encoding="utf-8")
        assert fastpath.patch(last, {site / ARTICLE}, site / "output") is None  # nothing to patch from
        _build(site, site / "output", last, cache)
        assert set(last.runs) == {"fr", "en"}
        note_kept()
        _build(site, site / "output", last, cache)
    finally:
        signals.initialized.disconnect(started)
    assert len(earlier) > 10 and alive_at_start and set(alive_at_start) == {0}, alive_at_start
    gc.collect()
    assert not any(ref() is not None for ref in earlier), "only the last build is kept"
    assert set(last.runs) == {"fr", "en"}


def test_the_previews_later_builds_draw_in_its_own_process(tmp_path):
    """The preview's first build may start worker processes (a fresh clone has every chart
    and card to draw); they are stopped when it ends, and the later builds of the process
    prepare and draw what an edit changed in the preview's own process, with no worker."""
    import multiprocessing

    from tools.bench.corpus import edit_chart
    from tools.build import preview_builder

    site = _copy(tmp_path)
    last = fastpath.LastBuild()
    build = preview_builder("pelicanconf.py", site / "output", content=site / "content", data=site / "data",
                            last=last)

    def workers_setting() -> set:
        return {generator.settings["DATADESK_CHARTS_WORKERS"] for generator, _where in last.runs.values()}

    build()
    assert multiprocessing.active_children() == [], "the build's workers are stopped when it ends"
    assert workers_setting() == {2}  # the project's setting
    edit_chart(site / "content" / "charts" / "aid_monthly_by_type.yaml", "SUBTITLEEDIT42")
    build()
    assert multiprocessing.active_children() == []
    assert workers_setting() == {1}
    from datadesk.desk import desk_of

    # What this build did, from its own desk: the report file beside the project's Pelican
    # cache (.cache/last-build.json) is also every other build's of the project's settings,
    # which another test process may be running.
    charts = desk_of(next(iter(last.runs.values()))[0].settings).work["charts"]
    assert charts["prepared"] >= 2 and not charts.get("prepared in workers"), charts
    drawn = (site / "output" / "charts" / "aid_monthly_by_type").rglob("*")
    assert any("SUBTITLEEDIT42" in path.read_text(encoding="utf-8", errors="replace") for path in drawn if path.is_file())


def _preview_with(tmp_path, monkeypatch, answer, saved: str) -> tuple[list[str], list[dict]]:
    """tools/preview.run with a stand-in build and a stand-in fast path (``answer()``: what it
    returns, or raises), from its first build until a save of content/``saved`` has taken the
    fast path and the full build has followed the pause: (the calls made, the events sent)."""
    monkeypatch.setattr(preview, "SETTLE_SECONDS", 0.3)
    watched = tmp_path / "content"
    watched.mkdir()
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "index.html").write_text("<html><body></body></html>", encoding="utf-8")
    calls: list[str] = []
    sent: list[dict] = []
    quick_done, full_done = threading.Event(), threading.Event()
    original_send = preview.Broadcast.send

    def send(self, event):
        sent.append(event)
        original_send(self, event)

    monkeypatch.setattr(preview.Broadcast, "send", send)

    def build():
        calls.append("build")
        if calls.count("build") == 2:
            full_done.set()

    def quick(paths, viewed):
        calls.append("quick")
        quick_done.set()
        return answer()

    stop = tmp_path / "content" / "stop"
    thread = threading.Thread(target=preview.run, kwargs=dict(
        build=build, root=tmp_path / "output", watched=[watched], port=0, quick=quick,
        restart_on=lambda paths: stop in paths, say=lambda text: None), daemon=True)
    thread.start()
    wait_until(lambda: calls == ["build"], 10, "the first build")
    saves = iter(range(100))

    def save_until_seen() -> bool:  # the watcher starts after the first build: save until it sees one
        (watched / saved).write_text(f"edited {next(saves)}", encoding="utf-8")
        return quick_done.wait(0.5)

    wait_until(save_until_seen, 20, "the save to take the fast path")
    assert full_done.wait(10), "the whole site was built once the editor paused"
    stop.write_text("x", encoding="utf-8")
    thread.join(10)
    return calls, sent


def test_the_preview_reloads_after_the_fast_path_and_builds_the_site_when_the_editor_pauses(tmp_path, monkeypatch):
    """tools/preview.run with a stand-in build and fast path: a save takes the fast path and
    reloads at once; the full build comes after the pause, without a second reload."""
    calls, events = _preview_with(tmp_path, monkeypatch, lambda: "page/index.html", "a.md")
    sent = [event["type"] for event in events]
    assert calls[:2] == ["build", "quick"] and calls.count("build") == 2
    assert set(calls[2:]) <= {"quick", "build"} and calls[-1] == "build"
    # start: building, reload; fast path: reload; quiet catch-up: nothing
    assert sent[:2] == ["building", "reload"] and set(sent[2:]) == {"reload"}, sent
    assert len(sent) == 2 + calls.count("quick")  # one reload per fast update, none after catching up


@pytest.fixture(scope="module")
def csv_preview(tmp_path_factory):
    """A synthetic corpus built as the preview builds it, its last build kept."""
    from conftest import drawn_corpus

    made = drawn_corpus(tmp_path_factory.mktemp("csvpath"), 12)
    _write_unsummarised(made)
    last, cache = fastpath.LastBuild(), new_cache()
    out = made["project"] / "output"
    build_in_process(settings=str(made["settings"]), output=out, cache=cache, last=last)
    return made, last, cache, out


UNSUMMARISED = "strikes_weekly"  # placed by an article without a Summary (written below)


def _write_unsummarised(made: dict) -> None:
    """A pair of articles with no Summary placing the chart UNSUMMARISED (and no other)."""
    import re

    folder = made["project"] / "content/articles/essais"
    for lang in ("fr", "en"):
        text = (folder / f"essai-0000.{lang}.md").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^Summary: .*\n", "", text).replace("Slug: essai-0000", "Slug: sans-resume")
        text = re.sub(r"(?m)^Title: .*$", f"Title: Sans résumé {lang}", text)
        text = re.sub(r"(?m)^Datasets: .*$", "Datasets: strikes_weekly", text)
        text = re.sub(r"\{\{ value [^}]*\}\}", "", text)
        text = re.sub(r"\{\{ chart \w+ \}\}", "{{ chart " + UNSUMMARISED + " }}", text)
        (folder / f"sans-resume.{lang}.md").write_text(text, encoding="utf-8")


def _showing_cell(made: dict, chart: bool) -> list[str]:
    """The French pages whose values show the cell the bench edits, placing (or not) the
    chart that draws the same dataset."""
    from tools.bench.corpus import shows_csv_cell

    found = []
    for number in range(6):
        text = (made["project"] / "content/articles/essais" / f"essai-{number:04d}.fr.md").read_text(encoding="utf-8")
        if shows_csv_cell(number, 0) and ("{{ chart strike_waves_autumn_2022 }}" in text) == chart:
            found.append(f"essai-{number:04d}/index.html")
    return found


def test_a_csv_save_rewrites_the_page_viewed_as_a_full_build_would(csv_preview, tmp_path):
    from tools.bench.corpus import edit_csv_cell

    made, last, _cache, out = csv_preview
    pages = _showing_cell(made, chart=False)
    assert pages, "the corpus has a page showing the edited cell"
    page = pages[0]
    viewed = frozenset({"/" + page.removesuffix("index.html"), "/a-page-showing-nothing-of-it/"})
    before = _files(out)
    original = made["csv"].read_text(encoding="utf-8")
    try:
        value = edit_csv_cell(made["csv"], 11)
        assert fastpath.update(last, {made["csv"]}, out, viewed) == page
        after = _files(out)
        assert [name for name in after if after[name] != before[name]] == [page], "only the page viewed"
        assert f">{value}<" in (out / page).read_text(encoding="utf-8")
        # the reference: a full build of the same files, from scratch
        reference = build_in_process(settings=str(made["settings"]), output=tmp_path / "full", cache=new_cache())
        assert (out / page).read_bytes() == (reference / page).read_bytes()

        # a second save: from the state the first one left
        value = edit_csv_cell(made["csv"], 12)
        assert fastpath.update(last, {made["csv"]}, out, viewed) == page
        assert f">{value}<" in (out / page).read_text(encoding="utf-8")
    finally:
        made["csv"].write_text(original, encoding="utf-8")


def test_a_csv_save_redraws_the_chart_placed_on_the_page_viewed_as_a_full_build_would(csv_preview, tmp_path):
    """Only the chart the page written places is prepared and drawn again, in its language;
    the dataset's other chart, placed by a story read again only for its Summary, and the
    other language's charts are taken as last prepared. The page, the chart's files, and
    then the whole site the full build writes next (the other language's pages too) are
    byte-identical to a fresh full build's."""
    from datadesk import DESK_KEY

    from tools.bench.corpus import edit_csv_cell

    made, last, cache, out = csv_preview
    charted = _showing_cell(made, chart=True)
    assert charted, "the corpus has a page showing the cell and a chart of the same dataset"
    page, folder = charted[0], "charts/strike_waves_autumn_2022/"
    story = made["project"] / "content/articles/front-energetique.fr.md"
    assert "{{ chart strikes_and_damage_statements }}" in story.read_text(encoding="utf-8")
    before = _files(out)
    original = made["csv"].read_text(encoding="utf-8")
    try:
        value = edit_csv_cell(made["csv"], 13)
        assert fastpath.update(last, {made["csv"]}, out, frozenset({_address(page)})) == page
        after = _files(out)
        changed = {name for name in after if after[name] != before.get(name)}
        assert page in changed and f"{folder}strike_waves_autumn_2022.fr.light.svg" in changed, changed
        assert all(name == page or name.startswith(folder) for name in changed), changed  # French only
        assert f">{value}<" in (out / page).read_text(encoding="utf-8")
        desk = last.runs["fr"][0].settings[DESK_KEY]
        assert desk.work["charts"]["prepared"] == 1 and desk.render_stats["renders"] == 1, (desk.work, desk.render_stats)
        assert desk.work["charts"]["kept with earlier data"] >= 1  # strikes_and_damage_statements (fr)
        assert set(desk.charts) <= {"en"}, "no set holding charts of the old data is kept"
        reference = _fresh_reference(made, tmp_path)
        for name in changed:
            assert (out / name).read_bytes() == (reference / name).read_bytes(), name
        # the full build that follows, from what the preview keeps, writes the site a fresh one does
        build_in_process(settings=str(made["settings"]), output=out, cache=cache, last=last)
        built, fresh = _files(out), _files(reference)
        assert sorted(built) == sorted(fresh)
        differ = [name for name in built if built[name][1] != fresh[name][1]]
        assert not differ, differ
        assert f">{value}<" in (out / "en" / page).read_text(encoding="utf-8")
    finally:
        made["csv"].write_text(original, encoding="utf-8")
        assert fastpath.update(last, {made["csv"]}, out, frozenset({_address(page)})) == page


def test_a_csv_save_leaves_to_the_full_build_what_it_cannot_do_exactly(csv_preview):
    made, last, _cache, out = csv_preview
    original = made["csv"].read_text(encoding="utf-8")
    before = _files(out)
    try:
        # a CSV that fails validation: the full build reports it
        made["csv"].write_text(original.replace("\n", "\nnot,a,row\n", 1), encoding="utf-8")
        assert fastpath.update(last, {made["csv"]}, out, frozenset()) is None
        # a file that is no dataset's CSV
        stray = made["project"] / "data" / "notes.csv"
        stray.write_text("a,b\n1,2\n", encoding="utf-8")
        assert fastpath.update(last, {stray}, out, frozenset()) is None
        stray.unlink()
        assert _files(out) == before, "nothing is written when the full build is needed"
    finally:
        made["csv"].write_text(original, encoding="utf-8")


def test_an_edit_that_makes_the_file_too_large_is_left_to_the_full_build(preview_site):
    """sanitise's refusal (CONTENT_MAX_BYTES) applies to the fast path's read too: the
    verdicts a build keeps for its own runs are not reused after it."""
    site, last, _cache = preview_site
    output = site / "output"
    before = _files(output)
    original = _edit(site / ARTICLE, SENTENCE, SENTENCE + " Des mots." * 30000)
    try:
        assert fastpath.patch(last, {site / ARTICLE}, output) is None
        assert _files(output) == before
    finally:
        (site / ARTICLE).write_text(original, encoding="utf-8")


# --- a saved chart ------------------------------------------------------------------------

CHART = "aid_monthly_by_type"  # a YAML chart the synthetic articles place
SUBTITLE = "tous donateurs (milliards d'euros)"  # in its French subtitle, drawn in its PNG


def _placing(made: dict, chart_id: str) -> list[str]:
    """The French synthetic pages placing ``chart_id``."""
    folder = made["project"] / "content/articles/essais"
    return sorted(f"{path.name.split('.')[0]}/index.html" for path in folder.glob("*.fr.md")
                  if "{{ chart " + chart_id + " }}" in path.read_text(encoding="utf-8"))


def _address(page: str) -> str:
    return "/" + page.removesuffix("index.html")


def _fresh_reference(made: dict, into: Path) -> Path:
    """A full build of the corpus as it is now, from scratch: chart, prepared, dataset, value
    and article stores of its own (nothing the fast path kept is read)."""
    settings = made["project"] / f"fresh_{into.name}.py"
    settings.write_text(made["settings"].read_text(encoding="utf-8")
                        + f"DATADESK_CHARTS_CACHE_PATH = {str(into / 'stores' / 'charts')!r}\n", encoding="utf-8")
    return build_in_process(settings=str(settings), output=into / "full", cache=new_cache())


def test_a_chart_save_rewrites_the_viewed_page_and_the_charts_files_as_a_full_build_would(csv_preview, tmp_path):
    made, last, _cache, out = csv_preview
    pages = _placing(made, CHART)
    assert pages, "the corpus has a page placing the chart"
    page, folder = pages[0], f"charts/{CHART}/"
    definition = made["project"] / "content/charts" / f"{CHART}.yaml"
    viewed = frozenset({_address(page), "/" + folder})  # the article, and the chart's embed page
    before = _files(out)
    original = _edit(definition, SUBTITLE, SUBTITLE + " CHARTEDITONE")
    try:
        assert fastpath.update(last, {definition}, out, viewed) == page
        after = _files(out)
        changed = {name for name in after if after[name] != before.get(name)}
        assert page in changed and f"{folder}{CHART}.fr.png" in changed and f"{folder}index.html" in changed
        assert all(name == page or name.startswith(folder) for name in changed), changed  # French only
        assert "CHARTEDITONE" in (out / page).read_text(encoding="utf-8")
        # the reference: a full build of the same files, from scratch
        reference = _fresh_reference(made, tmp_path)
        for name in [page] + [n for n in after if n.startswith(folder)]:
            assert (out / name).read_bytes() == (reference / name).read_bytes(), name

        # a second save: from the state the first one left
        _edit(definition, "CHARTEDITONE", "CHARTEDITTWO")
        assert fastpath.update(last, {definition}, out, viewed) == page
        assert "CHARTEDITTWO" in (out / page).read_text(encoding="utf-8")
    finally:
        definition.write_text(original, encoding="utf-8")
        assert fastpath.update(last, {definition}, out, viewed) == page


def test_a_broken_chart_save_shows_the_builds_own_message_and_writes_nothing(csv_preview, tmp_path):
    from tools.build import BuildFailed

    made, last, _cache, out = csv_preview
    page = _placing(made, CHART)[0]
    definition = made["project"] / "content/charts" / f"{CHART}.yaml"
    before = _files(out)
    original = _edit(definition, "mark: bar", "mark: barre")
    try:
        with pytest.raises(fastpath.Failed) as failed:
            fastpath.update(last, {definition}, out, frozenset({_address(page)}))
        assert _files(out) == before, "nothing is written"
        with pytest.raises(BuildFailed) as built:
            build_in_process(settings=str(made["settings"]), output=tmp_path / "full", cache=new_cache())
        lines = str(failed.value).splitlines()
        assert lines and all(line in str(built.value).splitlines() for line in lines), (lines, str(built.value))
        assert any(page.split("/")[0] + ".fr.md:" in line and 'mark "barre"' in line for line in lines)
    finally:
        definition.write_text(original, encoding="utf-8")
    # the last build is still the one patched: the chart fixed, the fast path works again
    assert fastpath.update(last, {definition}, out, frozenset({_address(page)})) == page


def test_a_chart_the_fast_path_cannot_patch_is_left_to_the_full_build(csv_preview):
    made, last, _cache, out = csv_preview
    charts = made["project"] / "content/charts"
    definition = charts / f"{CHART}.yaml"
    before = _files(out)
    # the page viewed does not place the chart
    elsewhere = next(p for p in _showing_cell(made, chart=False) if p not in _placing(made, CHART))
    assert fastpath.update(last, {definition}, out, frozenset({_address(elsewhere)})) is None
    # a new chart (or a chart renamed: its new name)
    new = charts / "graphique_neuf.yaml"
    new.write_text(definition.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        assert fastpath.update(last, {new}, out, frozenset()) is None
        # a chart saved while another one appeared: the lists of charts change
        assert fastpath.update(last, {definition}, out, frozenset({_address(_placing(made, CHART)[0])})) is None
    finally:
        new.unlink()
    # a chart placed by an article with no Summary (lists show its body's beginning)
    assert fastpath.update(last, {charts / f"{UNSUMMARISED}.py"}, out, frozenset()) is None
    # a helper of the charts folder
    helper = charts / "_commun.py"
    helper.write_text("X = 1\n", encoding="utf-8")
    try:
        assert fastpath.update(last, {helper}, out, frozenset()) is None
    finally:
        helper.unlink()
    assert _files(out) == before, "nothing is written when the full build is needed"


def test_the_preview_shows_a_fast_paths_failure_at_once_and_builds_the_site_when_the_editor_pauses(tmp_path, monkeypatch):
    """tools/preview.run with a stand-in fast path that finds the saved file broken: the page
    gets the message at once ("failed"), and the full build still comes after the pause."""

    def broken():
        raise fastpath.Failed('content/a.fr.md:3: chart "x" (content/charts/x.yaml:7): mark "barre" is not supported.')

    calls, sent = _preview_with(tmp_path, monkeypatch, broken, "x.yaml")
    failed = [event for event in sent if event["type"] == "failed"]
    assert failed and failed[0]["message"].startswith('content/a.fr.md:3: chart "x"')
    assert calls[:2] == ["build", "quick"] and calls[-1] == "build"  # the message first, the full build after
    assert sent[-1]["type"] == "reload"  # that build succeeded: the page reloads, the message goes


CEILING_CHART = '''"""Test chart: the missiles launched per day of the autumn 2022 waves, on a scale that
stops at 900 (a day above it cannot be drawn: chart() says so)."""

import altair as alt

DATASET = "strikes_waves"
COLUMNS = ["wave_id", "wave_start", "missiles_launched"]
FILTER = ["wave_start >= 2022-10-10", "wave_start <= 2022-11-23"]

TEXT = {
    "title": {"fr": "Missiles lancés par jour", "en": "Missiles launched per day"},
    "source": {"fr": "Armée de l'air ukrainienne", "en": "Ukrainian Air Force"},
}
LABELS = {
    "day": {"fr": "Jour", "en": "Day"},
    "missiles": {"fr": "Missiles lancés", "en": "Missiles launched"},
}
UNITS = {"missiles_launched": {"fr": "nombre", "en": "number"}}


def chart(df, t):
    days = df.fillna({"missiles_launched": 0}).groupby("wave_start", as_index=False)["missiles_launched"].sum()
    if days["missiles_launched"].max() > 900:
        raise ValueError("more than 900 missiles in a day: the scale stops at 900")
    days["day"] = days["wave_start"].map(lambda d: t.date(d))
    return alt.Chart(days).mark_bar(color=t.color("blue")).encode(
        y=alt.Y("day:N", sort=days["day"].tolist(), title=None),
        x=alt.X("missiles_launched:Q", title=t.axis_title("missiles", "missiles_launched"),
                scale=alt.Scale(domain=[0, 900])),
        tooltip=[alt.Tooltip("day:N", title=t("day")),
                 alt.Tooltip("missiles_launched:Q", title=t("missiles"))])
'''


def test_a_csv_save_that_breaks_the_chart_on_the_page_viewed_is_left_to_the_full_build(tmp_path):
    """The chart on the page viewed no longer builds from the saved CSV (valid as data): the
    fast path writes nothing and the full build reports the chart's error; a value it can
    draw takes the fast path, the chart alone prepared and drawn again."""
    from conftest import drawn_corpus
    from datadesk import DESK_KEY

    from tools.bench.corpus import edit_csv_cell
    from tools.build import BuildFailed

    made = drawn_corpus(tmp_path / "corpus", 4)
    (made["project"] / "content/charts/vagues_plafond.py").write_text(CEILING_CHART, encoding="utf-8")
    page = "essai-0000/index.html"
    for lang in ("fr", "en"):  # the article showing the cell places that chart instead of its own
        source = made["project"] / "content/articles/essais" / f"essai-0000.{lang}.md"
        text = source.read_text(encoding="utf-8")
        assert "strikes_waves.missiles_launched wave_start=2022-11-15" in text
        text = text.replace("{{ chart aid_share_delivered }}", "{{ chart vagues_plafond }}")
        source.write_text(text.replace("kiel_r7_inkind_aid, ", ""), encoding="utf-8")
    last, cache = fastpath.LastBuild(), new_cache()
    out = made["project"] / "output"
    build_in_process(settings=str(made["settings"]), output=out, cache=cache, last=last)
    assert 'data-chart-id="vagues_plafond"' in (out / page).read_text(encoding="utf-8")
    before = _files(out)

    edit_csv_cell(made["csv"], 0)  # 500 missiles that day: drawn
    assert fastpath.update(last, {made["csv"]}, out, frozenset({_address(page)})) == page
    desk = last.runs["fr"][0].settings[DESK_KEY]
    assert desk.work["charts"]["prepared"] == 1 and desk.render_stats["renders"] == 1
    assert ">500<" in (out / page).read_text(encoding="utf-8")
    assert (out / "charts/vagues_plafond/vagues_plafond.fr.light.svg").read_bytes() != \
        before["charts/vagues_plafond/vagues_plafond.fr.light.svg"][1]
    before = _files(out)

    lines = made["csv"].read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if ",2022-11-15," in line and ",500," in line)
    lines[at] = lines[at].replace(",500,", ",950,")  # above the chart's scale, valid as data
    made["csv"].write_text("".join(lines), encoding="utf-8")
    assert fastpath.update(last, {made["csv"]}, out, frozenset({_address(page)})) is None
    assert _files(out) == before, "nothing is written"
    with pytest.raises(BuildFailed, match="more than 900 missiles in a day"):
        build_in_process(settings=str(made["settings"]), output=out, cache=cache, last=last)
    assert _files(out) == before
