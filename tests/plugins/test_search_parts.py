"""A large site's search index in parts (plugins/search, SEARCH_INDEX_PART_PAGES): each part
is Pagefind's index of its own pages, an edit makes only its page's part again (the others
reused, the index the same as a clean build's), and the reader's browser merges the parts
into one search."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import build_report, drawn_corpus, file_bytes, pagefind_index
from search.search import BODY, _files, part_files, part_name, parts_of
from tools.bench.corpus import edit_article
from tools.build import build_site

PER_PART = 4


def test_pages_are_parted_by_their_path_and_no_part_is_empty():
    pages = [f"essai-{n:04d}/index.html" for n in range(40)]
    assert parts_of(pages, 0) == [sorted(pages)] and parts_of(pages, 40) == [sorted(pages)]
    parts = parts_of(pages, 10)
    assert len(parts) == 4 and all(parts) and sorted(sum(parts, [])) == sorted(pages)
    # a page's part is its path's, whatever else the site holds: a new page leaves the
    # others where they were (as long as the number of parts is the same)
    more = parts_of(pages + ["nouveau/index.html"], 11)
    assert len(more) == 4
    assert [[rel for rel in part if rel != "nouveau/index.html"] for part in more] == parts
    for number, part in enumerate(parts):
        for rel in part:
            assert int.from_bytes(hashlib.sha256(rel.encode()).digest()[:8], "big") % 4 == number
    # a part that would be empty: fewer parts (Pagefind cannot index nothing)
    assert all(parts_of(["a.html", "b.html", "c.html"], 1)) and len(parts_of(["a.html", "b.html"], 1)) <= 2


def test_a_part_other_than_the_first_keeps_only_its_index():
    files = {name: "x" for name in ("pagefind-entry.json", "pagefind.fr_1.pf_meta", "index/fr_2.pf_index",
                                    "fragment/fr_3.pf_fragment", "pagefind.js", "pagefind-ui.js",
                                    "pagefind-worker.js", "pagefind-ui.css", "wasm.fr.pagefind",
                                    "wasm.unknown.pagefind")}
    assert part_files(files, "") == files
    assert sorted(part_files(files, "part-2")) == ["fragment/fr_3.pf_fragment", "index/fr_2.pf_index",
                                                   "pagefind-entry.json", "pagefind.fr_1.pf_meta"]


@pytest.fixture(scope="module")
def parted_site(tmp_path_factory):
    """A 16-article corpus whose search index is in parts of about four pages, built cold."""
    into = tmp_path_factory.mktemp("parts")
    corpus = drawn_corpus(into, 16)
    with open(corpus["settings"], "a", encoding="utf-8") as settings:
        settings.write(f"SEARCH_INDEX_PART_PAGES = {PER_PART}\n")
    out = into / "output"
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    return {"corpus": corpus, "out": out, "into": into, "cold": build_report(corpus["project"])["search"]}


def indexed_pages(site: Path, skip=()) -> list[str]:
    return [rel for rel in _files(site, skip={"pagefind", *skip}, pattern="*.html", digest=lambda _p: "")
            if BODY in (site / rel).read_bytes()]


def test_each_part_is_the_index_of_its_own_pages_and_the_first_lists_the_others(parted_site):
    out = parted_site["out"]
    total = 0
    for where, skip in ((out, ("en",)), (out / "en", ())):
        pages = indexed_pages(where, skip)
        parts = parts_of(pages, PER_PART)
        assert len(parts) > 2, "the corpus makes several parts"
        total += len(parts)
        bundle = where / "pagefind"
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert [part["bundle"] for part in entry["parts"]] == [f"{part_name(n)}/" for n in range(1, len(parts))]
        for number, part in enumerate(parts):
            folder = bundle / part_name(number)
            own = pagefind_index(where, part, parted_site["into"] / f"check-{where.name}-{number}")
            published = {rel: data for rel, data in file_bytes(folder).items()
                         if number or not rel.startswith("part-")}
            if number == 0:  # the first part's entry lists the others: otherwise Pagefind's
                listed = json.loads(published["pagefind-entry.json"])
                assert listed.pop("parts") and json.loads(own["pagefind-entry.json"]) == listed
                published.pop("pagefind-entry.json"), own.pop("pagefind-entry.json")
                assert published == own
            else:
                assert published == {rel: own[rel] for rel in part_files(dict.fromkeys(own, ""), "x")}
                assert not any(rel.endswith((".js", ".css")) or rel.startswith("wasm.") for rel in published)
                mine = json.loads(published["pagefind-entry.json"])
                listed = entry["parts"][number - 1]
                assert listed["hashes"] == [mine["languages"]["fr" if where == out else "en"]["hash"]]
                assert listed["tag"] == "-".join([mine["version"], *listed["hashes"]])
    assert parted_site["cold"]["indexed"] == total  # one Pagefind run per part


def test_an_edit_makes_only_its_part_again_and_the_index_of_a_clean_build(parted_site):
    corpus, out, into = parted_site["corpus"], parted_site["out"], parted_site["into"]
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)  # whatever the tests before left
    french = parts_of(indexed_pages(out, ("en",)), PER_PART)
    english = parts_of(indexed_pages(out / "en"), PER_PART)
    page = corpus["article_page"]
    mine = next(number for number, part in enumerate(french) if page in part)
    before = {number: file_bytes(out / "pagefind" / part_name(number)) for number in range(1, len(french))}
    edit_article(corpus["article"], "zygomorphe")
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    counts = build_report(corpus["project"])["search"]
    # started before any file was read, on the edited page's part only (its page guessed)
    assert counts.get("started on a guess") == 1 and counts.get("guess held") == 1, counts
    assert counts.get("indexed") == 1 and counts.get("indexed ahead") == 1, counts
    assert counts.get("reused") == len(french) + len(english) - 1, counts
    for number, files in before.items():
        if number != mine:
            assert file_bytes(out / "pagefind" / part_name(number)) == files, number
    # the same index as a build from scratch, without the search cache
    clean, aside = into / "clean", into / "aside"
    cache = corpus["project"] / ".cache"
    (cache / "search").rename(aside)
    try:
        build_site(settings=str(corpus["settings"]), output=clean, quiet=True)
    finally:
        shutil.rmtree(cache / "search", ignore_errors=True)
        aside.rename(cache / "search")
    for bundle in ("pagefind", "en/pagefind"):
        assert file_bytes(out / bundle) == file_bytes(clean / bundle), bundle


def test_the_search_page_merges_every_part(parted_site, page):
    """A word found only in the edited story, whichever part it is in; every part searched
    for a word; one WebAssembly file for all the parts, nothing refused or reported."""
    from conftest import SiteServer

    corpus, out = parted_site["corpus"], parted_site["out"]
    edit_article(corpus["article"], "ornithorynque")
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    server = SiteServer(out, "/energy-front/")
    try:
        problems, requests = [], []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requests.append(urlparse(r.url).path))
        page.goto(server.url + "search/")
        page.locator("#search input").fill("ornithorynque")
        first = page.locator(".pagefind-ui__result-link").first
        first.wait_for(timeout=15000)
        assert first.get_attribute("href") == "/energy-front/" + corpus["article_page"].removesuffix("index.html")
        page.locator("#search input").fill("essai")
        page.wait_for_function("document.querySelector('.pagefind-ui__message') && "
                               "/[0-9]/.test(document.querySelector('.pagefind-ui__message').textContent)",
                               timeout=15000)
        # every part was searched: its index chunk for the word was asked for
        parts = {path.split("/pagefind/", 1)[1].split("/", 1)[0] for path in requests
                 if "/pagefind/part-" in path and path.endswith(".pf_index")}
        assert len(parts) == len(parts_of(indexed_pages(out, ("en",)), PER_PART)) - 1, parts
        assert [path for path in requests if "wasm." in path] == ["/energy-front/pagefind/wasm.fr.pagefind"]
        assert problems == []
    finally:
        server.stop()
