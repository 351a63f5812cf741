"""Write only what changed (plugins/datadesk/outputs.py, tools/build.py): a build links the
previous output's file wherever its new bytes are the same, so an unchanged file keeps its
inode and mtime; an edit rewrites only the files whose bytes change, and the site is the one
a clean build makes; a failed build leaves output/ exactly as it was. Real builds of a small
synthetic corpus (tools/bench/corpus.py), with the project's chart and card caches copied."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
import pytest

from conftest import build_report, drawn_corpus, fail_with_a_broken_article, output_files as snapshot
from tools.bench.corpus import EDIT_MARK, edit_article
from tools.build import BuildFailed, build_in_process, build_site, trash_of



def report(corpus) -> dict:
    return build_report(corpus["project"])


@pytest.fixture(scope="module")
def incremental_site(tmp_path_factory):
    """A 16-article corpus (the edited article among them) built cold, then again unchanged."""
    into = tmp_path_factory.mktemp("incremental")
    corpus = drawn_corpus(into, 16)
    out = into / "output"
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    cold, cold_report = snapshot(out), report(corpus)
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    return {"corpus": corpus, "out": out, "into": into, "cold": cold, "cold_report": cold_report,
            "warm": snapshot(out), "warm_report": report(corpus)}


def assert_linked_to_nothing_but_the_chart_cache(out: Path, corpus: dict) -> None:
    """Every file of ``out`` has one link, but the charts' files, which are the render cache's
    (datadesk/outputs.py, ``Outputs.copy(verified=True)``): their other links are the cache's
    (and those of other builds of the same project, which link the same cache files), and
    the files the build kept, whose other link is the site it replaced, set aside in the
    trash that the next build empties (tools/build.py)."""
    cache = {(st.st_dev, st.st_ino) for st in (p.stat() for p in (corpus["project"] / ".cache" / "charts").rglob("*")
                                                if p.is_file())}
    trash = trash_of(out)
    replaced = [p for p in trash.iterdir()] if trash.exists() else []
    assert len(replaced) <= 1, f"the trash holds more than the site the last build replaced: {replaced}"
    aside = {(st.st_dev, st.st_ino) for st in (p.stat() for site in replaced for p in site.rglob("*") if p.is_file())}
    shared = {}
    for path in out.rglob("*"):
        if path.is_file() and path.stat().st_nlink != 1:
            shared[path.relative_to(out).as_posix()] = path.stat()
    cached = {rel for rel, st in shared.items() if (st.st_dev, st.st_ino) in cache}
    assert cached, "the charts' files are linked from the render cache"
    assert all(rel.split("/")[0] == "charts" or rel.startswith("en/charts/") for rel in cached), sorted(cached)[:5]
    linked = sorted(rel for rel, st in shared.items()
                    if rel not in cached and ((st.st_dev, st.st_ino) not in aside or st.st_nlink != 2))
    assert linked == [], f"linked to something else than the replaced site: {linked[:5]}"


def test_a_cold_build_writes_every_file(incremental_site):
    counts = incremental_site["cold_report"]
    assert counts["output"].get("kept", 0) == 0
    assert counts["output"]["written"] == len(incremental_site["cold"])
    assert counts["search"] == {"indexed": 2, "written": counts["search"]["written"]}  # one per language


def test_a_warm_build_with_nothing_changed_rewrites_no_file(incremental_site):
    cold, warm, counts = incremental_site["cold"], incremental_site["warm"], incremental_site["warm_report"]
    assert warm.keys() == cold.keys()
    moved = [rel for rel in warm if warm[rel][:2] != cold[rel][:2]]
    assert moved == [], f"files given a new inode or mtime although unchanged: {moved[:10]}"
    assert counts["output"] == {"kept": len(warm)}, counts["output"]
    for part in ("pages", "feeds", "charts", "cards", "datasets", "discovery"):
        assert counts[part].get("written", 0) == 0 and counts[part]["kept"] > 0, (part, counts[part])
    assert counts["search"].get("reused") == 2 and "indexed" not in counts["search"]
    # no feed made again: each feed's XML remembered by its inputs (discovery/feeds.py)
    assert counts["feeds"]["remembered"] == counts["feeds"]["kept"] and "made" not in counts["feeds"]
    # telling the build where output/ is changes no cached conversion (the first build had no output/)
    assert counts["articles"].get("converted", 0) == 0 and counts["articles"]["cached"] > 0
    # no page parsed again for the sitemap or the cards, no card drawn
    assert set(counts["sitemap"]) == {"remembered"} and set(counts["card-pages"]) == {"remembered"}
    assert "drawn" not in counts["cards"] and counts["cards"]["remembered"] > 0
    # after the swap, nothing links the files to the previous output any more (but the
    # replaced site, set aside for the next build to remove)
    assert_linked_to_nothing_but_the_chart_cache(incremental_site["out"], incremental_site["corpus"])


def test_an_edit_rewrites_only_the_files_whose_bytes_change(incremental_site):
    corpus, out = incremental_site["corpus"], incremental_site["out"]
    before = snapshot(out)
    edit_article(corpus["article"], "one")
    build_in_process(settings=str(corpus["settings"]), output=out)  # as the preview does
    after, counts = snapshot(out), report(corpus)
    # Pagefind names its files by their content: a changed index file is a new name
    new = after.keys() - before.keys()
    assert {rel.split("/", 1)[0] for rel in new | (before.keys() - after.keys())} <= {"pagefind"}
    rewritten = {rel for rel in after if rel in new or after[rel][0] != before[rel][0]}
    changed = {rel for rel in after if rel in new or after[rel][2] != before[rel][2]}
    assert rewritten == changed, (f"rewritten with the same bytes: {sorted(rewritten - changed)[:10]}; "
                                  f"changed but not rewritten: {sorted(changed - rewritten)[:10]}")
    page = corpus["article_page"]
    assert page in changed and EDIT_MARK.rsplit(" ", 1)[0].encode() in after[page][2]
    assert "feeds/all.atom.xml" in changed  # the feeds carry the text
    # made again: the French site's feed and the article's section feed; the others remembered
    assert counts["feeds"]["made"] == 2 and counts["feeds"]["remembered"] == counts["feeds"]["kept"]
    assert any(rel.startswith("pagefind/") for rel in changed)  # the search index was made again
    assert not any(rel.startswith("en/essai-") for rel in changed)  # the English site does not show it
    assert counts["output"]["written"] == len(changed) and counts["output"]["kept"] == len(after) - len(changed)
    # the French index is made again, the English one (no English page changed) is reused;
    # the French one was started before any file was read, on the previous output's indexed
    # pages with the edited page guessed (its previous bytes, the new body in place); the page
    # written was the page guessed, and the run was kept: those were the pages published
    assert counts["search"].get("indexed") == 1 and counts["search"].get("reused") == 1
    assert counts["search"].get("started on a guess") == 1 and counts["search"].get("guess held") == 1
    assert counts["search"].get("indexed ahead") == 1 and "started ahead" not in counts["search"]
    assert counts["sitemap"]["read"] == len({rel for rel in changed if rel.endswith(".html")})
    # the same site as a clean build from scratch, into an empty output folder, without the
    # caches of what was read from pages, of the search index and of the articles
    clean = incremental_site["into"] / "clean"
    clean.mkdir()
    cache, aside = corpus["project"] / ".cache", incremental_site["into"] / "aside"
    aside.mkdir()
    moved = [name for name in ("pages", "search", "articles") if (cache / name).exists()]
    for name in moved:
        (cache / name).rename(aside / name)
    try:
        build_site(settings=str(corpus["settings"]), output=clean, quiet=True)
    finally:
        for name in moved:
            shutil.rmtree(cache / name, ignore_errors=True)
            (aside / name).rename(cache / name)
    assert report(corpus)["output"] == {"written": len(after)}
    reference = snapshot(clean)
    assert reference.keys() == after.keys()
    differ = [rel for rel in after if after[rel][2] != reference[rel][2]]
    assert differ == [], f"the incremental build differs from a clean one: {differ[:10]}"


def test_a_failed_build_leaves_output_as_it_was(incremental_site):
    corpus, out = incremental_site["corpus"], incremental_site["out"]
    before = snapshot(out)
    fail_with_a_broken_article(corpus, out)
    assert snapshot(out) == before
    assert not list(out.parent.glob(f".build-{out.name}-*"))


def _build_in_process_failing(corpus, out, signal, fail, message: str) -> None:
    """A build in this process (as the preview's) with ``fail`` connected to ``signal``: it
    must fail with ``message``."""
    signal.connect(fail)
    try:
        with pytest.raises(BuildFailed, match=message):
            build_in_process(settings=str(corpus["settings"]), output=out)
    finally:
        signal.disconnect(fail)


def test_a_build_failing_after_it_linked_files_leaves_output_as_it_was(incremental_site):
    """The failure comes last (after every page was linked or written): staging goes,
    output/ keeps its bytes, inodes and mtimes, and its files are linked nowhere else."""
    from pelican import signals

    corpus, out = incremental_site["corpus"], incremental_site["out"]
    edit_article(corpus["article"], "two")
    before = snapshot(out)
    seen = {}

    def fail_at_the_end(pelican):
        if pelican.settings.get("DEFAULT_LANG") == "fr":
            staged = Path(pelican.output_path)
            seen["linked"] = sum(1 for p in staged.rglob("*.html") if p.stat().st_nlink > 1)
            seen["changed"] = (staged / corpus["article_page"]).read_bytes()
            raise RuntimeError("the test stops this build")

    _build_in_process_failing(corpus, out, signals.finalized, fail_at_the_end, "the test stops this build")
    assert seen["linked"] > 10 and b"two" in seen["changed"]
    after = snapshot(out)
    assert after == before
    assert b"two" not in after[corpus["article_page"]][2]
    assert_linked_to_nothing_but_the_chart_cache(out, corpus)
    assert not list(out.parent.glob(f".build-{out.name}-*"))


def test_a_build_failing_after_its_index_was_started_ahead_leaves_nothing_behind(incremental_site):
    """An edit build starts Pagefind once the edited page is written (plugins/search:
    start_ahead); the build then fails while it writes the lists (in the preview's process,
    which goes on): output/ is as it was, and neither the run nor its folder is left."""
    from pelican import signals
    from search import search

    corpus, out = incremental_site["corpus"], incremental_site["out"]
    edit_article(corpus["article"], "ahead")
    before = snapshot(out)
    seen = []

    def fail_after_the_articles(generator, **_kwargs):
        if generator.settings.get("DEFAULT_LANG") == "fr":
            seen.extend(run for ahead in search._AHEAD.values() for _part, run in ahead.runs.values())
            raise RuntimeError("the test stops this build after its articles")

    _build_in_process_failing(corpus, out, signals.article_writer_finalized, fail_after_the_articles,
                              "the test stops this build after its articles")
    assert len(seen) == 1  # the French index (one part), started ahead
    assert seen[0].process.poll() is not None and not seen[0].mirror.exists()
    assert search._AHEAD == {}
    assert snapshot(out) == before
    assert not list(out.parent.glob(f".build-{out.name}-*"))


def test_a_failing_pagefind_fails_the_build_and_leaves_output_as_it_was(incremental_site, tmp_path):
    """Pagefind runs while the build makes its cards and sitemap (search before discovery):
    when it fails, the build fails with its message, output/ is as it was, and nothing of
    the run is left (it writes its bundle outside the staging folder)."""
    corpus, out = incremental_site["corpus"], incremental_site["out"]
    edit_article(corpus["article"], "three")
    before = snapshot(out)
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'the test breaks this index' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    with pytest.raises(BuildFailed, match="Pagefind could not index .*the test breaks this index"):
        build_site(settings=str(corpus["settings"]), output=out, quiet=True,
                   env={"PAGEFIND_BINARY_PATH": str(fake)})
    assert snapshot(out) == before
    assert not list(out.parent.glob(f".build-{out.name}-*"))
    # the same edit then builds, with Pagefind's index made again
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    assert report(corpus)["search"].get("indexed") == 1
    assert b"three" in (out / corpus["article_page"]).read_bytes()


def test_feeds_hold_the_newest_articles_and_an_edit_to_an_older_one_changes_no_feed(incremental_site):
    """With DISCOVERY_FEED_MAX_ITEMS = 2, each feed holds its two newest articles (the real
    stories are the newest, the synthetic corpus dates essai-0000 first and puts article n in
    section n % 3): an edit to the oldest French article, in no feed then, rewrites its page
    and no feed, and every feed is remembered, not made again."""
    corpus, into = incremental_site["corpus"], incremental_site["into"]
    settings = corpus["project"] / "benchconf_capped.py"
    settings.write_text(corpus["settings"].read_text(encoding="utf-8") + "DISCOVERY_FEED_MAX_ITEMS = 2\n",
                        encoding="utf-8")
    out = into / "capped"
    build_site(settings=str(settings), output=out, quiet=True)
    french = feedparser.parse((out / "feeds" / "all.atom.xml").read_bytes())
    # the newest two: two of the real stories (25 November 2026), not the synthetic ones (2023)
    assert len(french.entries) == 2 and all(e.published.startswith("2026-11-25") for e in french.entries)
    sections = sorted((out / "feeds").glob("*.atom.xml"))
    for path in sections:
        entries = feedparser.parse(path.read_bytes()).entries
        assert 0 < len(entries) <= 2, path.name
    # a section feed holds its own newest, not only those of the site's feed
    seen = {e.link for path in sections for e in feedparser.parse(path.read_bytes()).entries}
    assert len(seen) > 2
    assert not any("/essai-0000/" in link for link in seen)  # the article edited below is in no feed
    before = snapshot(out)
    oldest = corpus["article"].with_name("essai-0000.fr.md")
    text = oldest.read_text(encoding="utf-8")
    try:
        edit_article(oldest, "old")
        build_site(settings=str(settings), output=out, quiet=True)
        after, counts = snapshot(out), report(corpus)
        assert b"old" in after["essai-0000/index.html"][2] and after["essai-0000/index.html"] != before["essai-0000/index.html"]
        feeds = [rel for rel in after if rel.endswith(".atom.xml")]
        assert feeds and all(after[rel][:2] == before[rel][:2] for rel in feeds)  # same inode and mtime
        assert "made" not in counts["feeds"] and counts["feeds"]["remembered"] == len(feeds)
    finally:
        oldest.write_text(text, encoding="utf-8")


def test_an_index_started_ahead_on_pages_that_then_differ_is_made_again(incremental_site):
    """A new title changes the edited story's page and also a page written after it: the page
    of each dataset the story uses lists its title. The French index started ahead (on the
    story's new page and the previous output's other indexed pages) was given a dataset
    page's old bytes: it is stopped, Pagefind indexes the site as written, and the index
    published is the one Pagefind makes of the pages published."""
    from conftest import file_bytes

    corpus, out = incremental_site["corpus"], incremental_site["out"]
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)  # whatever the tests before left
    story = corpus["project"] / "content" / "articles" / "defense-aerienne-armes-lourdes.fr.md"
    text = story.read_text(encoding="utf-8")
    title = "Défense aérienne et armes lourdes : ce qui a été promis, ce qui est arrivé"
    assert f"Title: {title}\n" in text
    try:
        story.write_text(text.replace(f"Title: {title}\n", "Title: Défense aérienne : promesses et livraisons\n", 1),
                         encoding="utf-8")
        build_site(settings=str(corpus["settings"]), output=out, quiet=True)
        counts = report(corpus)["search"]
        # the guess (the previous page, the new body in place) is the previous page itself (the
        # body is the same, the title the old one): its part's index is the previous build's, so
        # nothing is started on it; Pagefind starts once the story's page is written
        assert "started on a guess" not in counts and "guess dropped" not in counts, counts
        assert counts.get("started ahead") == 1 and counts.get("indexed ahead, then again") == 1
        assert "indexed ahead" not in counts  # (the English index is made again too: its pages link the title)
        dataset_page = (out / "data" / "air_defence_events" / "index.html").read_text(encoding="utf-8")
        assert "promesses et livraisons" in dataset_page
        assert file_bytes(out / "pagefind") == _index_of_the_published_pages(
            out, incremental_site["into"] / "index-again")
    finally:
        story.write_text(text, encoding="utf-8")


def _index_of_the_published_pages(out: Path, beside: Path) -> dict:
    """The bytes of the index Pagefind makes of ``out``'s French pages as published."""
    from search.search import to_index

    from conftest import pagefind_index

    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                   if p.relative_to(out).parts[0] not in ("en", "pagefind"))
    return pagefind_index(out, to_index(out, pages), beside)


def test_an_index_started_on_a_guess_is_the_index_of_the_pages_published(incremental_site):
    """Two edits in a row to the same story's text: each build guesses the story's page (its
    previous bytes, the new body in place) before reading the files, starts Pagefind on it and
    the previous output's other indexed pages, finds the page it writes to be the page guessed,
    and keeps the run: the index published is the one Pagefind makes of the pages published.
    The second guess works from what the first build noted (its own page's body, the other
    pages' notes carried over with them)."""
    from conftest import file_bytes

    corpus, out = incremental_site["corpus"], incremental_site["out"]
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)  # whatever the tests before left
    for stamp in ("guess one", "guess two"):
        edit_article(corpus["article"], stamp)
        build_site(settings=str(corpus["settings"]), output=out, quiet=True)
        counts = report(corpus)["search"]
        assert counts.get("started on a guess") == 1 and counts.get("guess held") == 1, counts
        assert counts.get("indexed ahead") == 1 and "started ahead" not in counts, counts
        assert stamp.encode() in (out / corpus["article_page"]).read_bytes()
        assert file_bytes(out / "pagefind") == _index_of_the_published_pages(
            out, incremental_site["into"] / f"index-{stamp.replace(' ', '-')}")


def test_no_guess_when_two_stories_changed_nor_from_a_page_that_is_not_the_one_noted(incremental_site):
    """Two stories edited: no guess (the index starts once their pages are written, as
    before). One story edited, but its page in output/ is not the one the last build noted
    (here damaged in place): no guess either, and the build puts the right page back."""
    from conftest import file_bytes

    corpus, out = incremental_site["corpus"], incremental_site["out"]
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    other = sorted((corpus["project"] / "content" / "articles").rglob("*.fr.md"))
    other = next(p for p in other if p != corpus["article"])
    edit_article(corpus["article"], "two at once")
    edit_article(other, "two at once")
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    counts = report(corpus)["search"]
    assert "started on a guess" not in counts and counts.get("started ahead") == 1, counts
    assert counts.get("indexed ahead") == 1, counts

    page = out / corpus["article_page"]
    good = page.read_bytes()
    edit_article(corpus["article"], "after a damage")
    damaged = good.replace(b"</main>", b"<p>altered</p></main>", 1)
    assert damaged != good
    page.unlink()  # a new file: the damage must not reach the render cache or another build's copy
    page.write_bytes(damaged)
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    counts = report(corpus)["search"]
    assert "started on a guess" not in counts and counts.get("indexed") == 1, counts
    assert b"altered" not in page.read_bytes() and b"after a damage" in page.read_bytes()
    assert file_bytes(out / "pagefind") == _index_of_the_published_pages(out, incremental_site["into"] / "index-damage")
