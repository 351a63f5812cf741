"""`invoke build` stops at once when nothing changed (plugins/datadesk/uptodate.py, tools/build.py).

When no input changed since the build that made output/ and nothing touched output/ since,
the build writes nothing and says so; any change to what a build reads, or to output/
itself, makes it a full build again. Real builds of a small synthetic corpus
(tools/bench/corpus.py) on its own copy of the theme, with the project's chart and card
caches copied; the key and the output state are also checked one input at a time, without
a build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pelican.settings import read_settings

from conftest import build_report, drawn_corpus, output_files as snapshot, own_theme
from datadesk.store import code_version, key_of
from datadesk.uptodate import Check, output_state, output_states
from tools.bench.corpus import edit_article
from tools.build import BuildFailed, STAGING, build_site



def report(corpus) -> dict:
    return build_report(corpus["project"])


def build(site, if_changed: bool = True) -> dict:
    build_site(settings=str(site["corpus"]["settings"]), output=site["out"], quiet=True, if_changed=if_changed)
    return report(site["corpus"])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A 6-article corpus built cold, then again with nothing changed (both as `invoke build`)."""
    into = tmp_path_factory.mktemp("uptodate")
    corpus = drawn_corpus(into, 6)
    site = {"corpus": corpus, "out": into / "output", "into": into, "theme": own_theme(corpus, into)}
    site["cold_report"] = build(site)
    site["cold"] = snapshot(site["out"])
    site["second_report"] = build(site)
    site["second"] = snapshot(site["out"])
    return site


def settings_of(site, staging: Path, output: Path | None = None) -> dict:
    """The corpus' settings as one build reads them (its staging folder, its output folder)."""
    staging.mkdir(parents=True, exist_ok=True)
    return read_settings(str(site["corpus"]["settings"]), override={
        "OUTPUT_PATH": str(staging), "DATADESK_PREVIOUS_OUTPUT": str(output or site["out"])})


def test_a_build_with_nothing_changed_writes_nothing_and_says_so(site):
    assert "up to date" not in site["cold_report"]
    assert site["cold_report"]["articles"]["converted"] > 0
    said = site["second_report"]
    assert said["up to date"]["output files checked"] == len(site["cold"])
    assert said["up to date"]["input files hashed"] > 0
    for part, what in (("articles", "converted"), ("pages", "written"), ("output", "written"),
                       ("charts", "prepared"), ("datasets", "validated")):
        assert said[part][what] == 0
    assert site["second"] == site["cold"], "an up-to-date build changed a file, an inode or a time"
    assert not list(site["out"].parent.glob(f"{STAGING}{site['out'].name}-*")), "a staging folder was left"


def test_the_inputs_key_changes_with_every_input_a_build_reads(site, tmp_path, monkeypatch):
    corpus, staging = site["corpus"], tmp_path / "staging"
    base = Check(settings_of(site, staging)).key
    assert base is not None
    assert Check(settings_of(site, tmp_path / "another-staging")).key == base, "the staging folder is not an input"
    inputs = {
        "an article": corpus["article"],
        "a chart": sorted((corpus["project"] / "content" / "charts").glob("*.*"))[0],
        "a dataset": next((corpus["project"] / "data").rglob("*.csv")),
        "a template": site["theme"] / "templates" / "base.html",
    }
    for what, path in inputs.items():
        before = path.read_bytes()
        try:
            path.write_bytes(before + b"\n")
            assert Check(settings_of(site, staging)).key != base, f"editing {what} did not change the key"
        finally:
            path.write_bytes(before)
        assert Check(settings_of(site, staging)).key == base, f"{what} put back: the key should be the same again"
    added = corpus["article"].with_name("nouveau.fr.md")
    added.write_text("Title: Nouveau\nDate: 2022-12-02\n\nTexte.\n", encoding="utf-8")
    try:
        assert Check(settings_of(site, staging)).key != base, "a new article did not change the key"
    finally:
        added.unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "lie.fr.md").write_text("Title: Lié\n\nTexte.\n", encoding="utf-8")
    link = corpus["article"].parent / "lie"
    link.symlink_to(elsewhere, target_is_directory=True)
    try:
        linked = Check(settings_of(site, staging)).key
        assert linked != base, "a folder linked into the content is read by Pelican: it is an input"
        (elsewhere / "lie.fr.md").write_text("Title: Lié\n\nAutre texte.\n", encoding="utf-8")
        assert Check(settings_of(site, staging)).key != linked, "a file of a linked folder is an input"
    finally:
        link.unlink()
    assert Check(settings_of(site, staging)).key == base
    for name, value in (("TZ", "Pacific/Auckland"), ("PAGEFIND_FORCE_LANGUAGE", "de"), ("LC_ALL", "C")):
        monkeypatch.setenv(name, value)
        assert Check(settings_of(site, staging)).key != base, f"the environment variable {name} is not an input"
        monkeypatch.undo()
    monkeypatch.chdir(tmp_path)  # the folder the build runs in: Pagefind reads its configuration there
    (tmp_path / "pagefind.yml").write_text("exclude_selectors: [nav]\n", encoding="utf-8")
    assert Check(settings_of(site, staging)).key != base, "a Pagefind configuration is an input"
    monkeypatch.undo()
    bytecode = site["theme"] / "__pycache__"
    bytecode.mkdir()
    (bytecode / "x.cpython-311.pyc").write_bytes(b"compiled")
    try:
        assert Check(settings_of(site, staging)).key == base, "compiled bytecode is not an input"
    finally:
        shutil.rmtree(bytecode)
    other = read_settings(str(corpus["settings"]), override={
        "OUTPUT_PATH": str(staging), "DATADESK_PREVIOUS_OUTPUT": str(site["out"]), "SITENAME": "Autre"})
    assert Check(other).key != base, "a setting given with -e is not an input"


def test_the_output_state_sees_every_change_of_a_file(tmp_path):
    folder = tmp_path / "out"
    (folder / "a").mkdir(parents=True)
    page = folder / "a" / "index.html"
    page.write_bytes(b"<p>un</p>")
    (folder / "feed.xml").write_bytes(b"<feed/>")
    first = output_state(folder)
    assert first == output_state(folder) and first[1] == 2
    stat = page.stat()
    page.write_bytes(b"<p>XX</p>")  # same size, in place
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert output_state(folder) != first, "a file rewritten in place"
    page.write_bytes(b"<p>un</p>")
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert output_state(folder) == first, "the same bytes, inode and time again"
    replaced = folder / "a" / ".new"
    replaced.write_bytes(b"<p>un</p>")
    os.utime(replaced, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replaced, page)
    assert output_state(folder) != first, "a file replaced by a copy (another inode) with the same time and size"
    snapshot_two = output_state(folder)
    (folder / "a" / "extra.html").write_bytes(b"")
    assert output_state(folder) != snapshot_two, "a file added"
    (folder / "a" / "extra.html").unlink()
    assert output_state(folder) == snapshot_two
    (folder / "feed.xml").unlink()
    assert output_state(folder) != snapshot_two, "a file removed"
    (folder / "empty").mkdir()
    assert output_state(folder) != snapshot_two, "a folder added"
    assert output_state(tmp_path / "nowhere") is None


def test_one_walk_gives_the_state_of_the_folder_and_of_each_subfolder(tmp_path):
    folder = tmp_path / "out"
    for rel in ("index.html", "en/index.html", "en/a/index.html", "en-x/b.html", "en/pagefind/f.pf", "z.xml"):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(rel, encoding="utf-8")
    (folder / "en" / "empty").mkdir()
    (folder / "linked").symlink_to(folder / "en", target_is_directory=True)
    whole, parts = output_states(folder, ["en", "en/a", "en-x", "linked", "nowhere"])
    assert whole == output_state(folder)
    for rel in ("en", "en/a", "en-x", "linked"):  # a link is not walked into: looked at on its own
        assert parts[rel] == output_state(folder / rel), rel
    assert parts["en"][1] == 3 and parts["nowhere"] is None
    assert output_states(tmp_path / "nowhere", ["en"]) == (None, {})


def test_the_subsites_key_remembers_each_sources_view_and_sees_a_new_one(site, tmp_path):
    """The view of each main-language source is remembered by the hash of its bytes: the key
    is the same with and without that memory, and a file whose bytes changed is read again."""
    corpus = site["corpus"]
    check = Check(settings_of(site, tmp_path / "one"))
    memo = check.store._path(key_of("subsite views", "fr", code_version()))
    memo.unlink(missing_ok=True)
    fresh = check.subsites_key()
    assert memo.is_file()
    assert Check(settings_of(site, tmp_path / "two")).subsites_key() == fresh  # from the memory
    article, before = corpus["article"], corpus["article"].read_bytes()
    stat = article.stat()
    try:
        text = before.decode("utf-8")
        article.write_text(text + "\nUne phrase de plus.\n", encoding="utf-8")  # the body only
        assert Check(settings_of(site, tmp_path / "three")).subsites_key() == fresh
        article.write_text(text.replace("Summary:", "Summary: Autre résumé.", 1), encoding="utf-8")
        changed = Check(settings_of(site, tmp_path / "four")).subsites_key()
        assert changed != fresh, "a header the other languages show changed"
        memo.unlink()
        assert Check(settings_of(site, tmp_path / "five")).subsites_key() == changed
    finally:
        article.write_bytes(before)
        os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_file_changed_in_output_makes_the_next_build_a_full_one(site):
    page = site["out"] / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<html", b"<HTML", 1))  # a hand edit, same size
    said = build(site)
    assert "up to date" not in said, "output/ was edited, yet the build stopped as up to date"
    assert page.read_bytes() == original, "the full build did not write the page back"
    assert "up to date" in build(site)


def test_an_edited_article_is_built_and_the_build_after_it_stops_at_once(site):
    corpus = site["corpus"]
    before = corpus["article"].read_bytes()
    edit_article(corpus["article"], "UPTODATEEDIT0001")
    try:
        said = build(site)
        assert "up to date" not in said and said["articles"]["converted"] >= 1
        assert b"UPTODATEEDIT0001" in (site["out"] / corpus["article_page"]).read_bytes()
        assert "up to date" in build(site)
    finally:
        corpus["article"].write_bytes(before)
    said = build(site)
    assert "up to date" not in said, "the article was put back: that is a change to build"
    assert b"UPTODATEEDIT0001" not in (site["out"] / corpus["article_page"]).read_bytes()


def test_a_failed_build_keeps_output_and_its_record(site):
    """A failed build changes neither output/ nor the record: with the broken input removed,
    the inputs are the ones output/ was built from, and the build stops at once."""
    corpus = site["corpus"]
    build(site)  # output/ and its record as of the current inputs
    kept = snapshot(site["out"])
    broken = corpus["article"].with_name("casse.fr.md")
    broken.write_text("Title: Cassé\nDate: 2022-12-02\nSlug: casse\nLang: fr\nCategory: Énergie\n\n"
                      "Texte {{ chart nulle_part }}.\n", encoding="utf-8")
    try:
        with pytest.raises(BuildFailed, match="nulle_part"):
            build(site)
    finally:
        broken.unlink()
    assert snapshot(site["out"]) == kept
    assert "up to date" in build(site)
    assert snapshot(site["out"]) == kept


def test_force_runs_every_stage(site):
    build(site)
    kept = snapshot(site["out"])
    said = build(site, if_changed=False)
    assert "up to date" not in said and said["articles"]["cached"] > 0
    assert snapshot(site["out"]) == kept, "a forced build with nothing changed rewrote a file"


def test_an_input_changed_while_the_build_ran_is_not_recorded(site, tmp_path):
    """The record is kept only when every input has the size and time it had when hashed."""
    output, staging = tmp_path / "output", tmp_path / "staging"
    output.mkdir()
    (staging / "index.html").parent.mkdir(parents=True)
    (staging / "index.html").write_text("<p>site</p>", encoding="utf-8")
    check = Check(settings_of(site, staging, output))
    assert check.record()
    staging.rename(output.with_name("swapped"))
    shutil.rmtree(output)
    output.with_name("swapped").rename(output)
    assert Check(settings_of(site, tmp_path / "next", output)).up_to_date()

    article = site["corpus"]["article"]
    before = article.read_bytes()
    staging.mkdir()
    check = Check(settings_of(site, staging, output))
    try:
        article.write_bytes(before + b"\nUne ligne de plus.\n")  # saved while the build runs
        assert not check.record()
    finally:
        article.write_bytes(before)
    later = Check(settings_of(site, tmp_path / "after", output))
    assert later.key == check.key and not later.up_to_date(), "a build that read a moving input was recorded"
