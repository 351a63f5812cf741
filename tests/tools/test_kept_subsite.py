"""`invoke build` links the English site from output/ when a French edit cannot change it
(plugins/datadesk/kept.py, ``Check.kept_subsites`` in plugins/datadesk/uptodate.py).

The English pages show of a French article only its header (address, title, summary…) and
what its shortcodes and intra-site links make the site use; an edit to its prose leaves the
English site byte for byte as it was, so that build reads the English site (i18n_subsites
links the translations) but writes none of it. Anything else an English page could show
(a header field, a shortcode, an English file, a chart, a dataset) or a touched file of
output/en/ makes the English site written again. Every build here is compared, byte for
byte, with a full build of the same inputs into an empty folder. Real builds of a small
synthetic corpus (tools/bench/corpus.py) with the project's drawings copied."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import build_report, drawn_corpus, file_bytes, output_files
from datadesk.uptodate import other_language_view
from tools.bench.corpus import edit_article
from tools.build import build_site


def report(corpus) -> dict:
    return build_report(corpus["project"])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A 6-article corpus built once as `invoke build` builds it."""
    into = tmp_path_factory.mktemp("kept")
    corpus = drawn_corpus(into, 6)
    site = {"corpus": corpus, "out": into / "output", "into": into, "fulls": 0}
    build(site)
    return site


def build(site) -> dict:
    build_site(settings=str(site["corpus"]["settings"]), output=site["out"], quiet=True, if_changed=True)
    return report(site["corpus"])


def same_as_a_full_build(site) -> None:
    """output/ holds exactly the bytes a full build of the same inputs writes into an empty folder."""
    site["fulls"] += 1
    full = site["into"] / f"full-{site['fulls']}"
    build_site(settings=str(site["corpus"]["settings"]), output=full, quiet=True)
    built, expected = file_bytes(site["out"]), file_bytes(full)
    assert sorted(built) == sorted(expected)
    assert [name for name in expected if built[name] != expected[name]] == []


def english(files: dict) -> dict:
    return {name: value for name, value in files.items() if name.startswith("en/")}


def english_article(site) -> Path:
    return site["corpus"]["article"].with_name(site["corpus"]["article"].name.replace(".fr.md", ".en.md"))


@pytest.mark.slow
def test_a_french_prose_edit_links_the_english_site_and_writes_what_a_full_build_writes(site):
    before = output_files(site["out"])
    edit_article(site["corpus"]["article"], "PROSEEDIT1")
    said = build(site)
    assert said["subsites"]["kept"] == 1
    # what the French pages take from the English site (its addresses, its newest stories for
    # the 404 page) came from the first build's record: the English site was not read
    assert said["subsites"]["read from the record"] == 1
    assert said["subsites"]["files linked"] == len(english(before))
    after = output_files(site["out"])
    assert english(after) == english(before), "an English file was written again (inode, time or bytes)"
    page = site["out"] / site["corpus"]["article_page"]
    assert "PROSEEDIT1" in page.read_text(encoding="utf-8")
    assert said["article pages"]["rendered"] == 1
    same_as_a_full_build(site)
    # The English pages' fingerprints were kept for the next build as if written: an English
    # edit now renders its own page only, and writes the English site again.
    edit_article(english_article(site), "ENGLISHEDIT1")
    said = build(site)
    assert "subsites" not in said
    assert said["article pages"]["rendered"] == 1
    assert "ENGLISHEDIT1" in (site["out"] / "en" / site["corpus"]["article_page"]).read_text(encoding="utf-8")
    same_as_a_full_build(site)
    # and a French prose edit after it links the English site again
    edit_article(site["corpus"]["article"], "PROSEEDIT2")
    assert build(site)["subsites"]["kept"] == 1


def _rewrite_views(site, views) -> None:
    """Replace the English site's view in the record of the last build of ``out`` (as a record
    written before views were recorded, or a damaged one), keeping the record valid."""
    from datadesk.store import Store

    store = Store(site["corpus"]["project"] / ".cache" / "builds")
    records = []
    for path in store.folder.glob("*/*.jsonl"):
        key = path.stem
        record = store.get(key)
        if isinstance(record, dict) and isinstance(record.get("subsites"), dict):
            records.append((key, record))
    assert len(records) == 1, records
    key, record = records[0]
    assert "en" in record["subsites"]["views"]
    if views is None:
        del record["subsites"]["views"]
    else:
        record["subsites"]["views"] = views
    store.put(key, record)


@pytest.mark.slow
@pytest.mark.parametrize("views", [None, {"en": {"urls": {"../../etc/passwd": "x/"}, "newest": []}},
                                   {"en": {"urls": {}, "newest": [{"url": "a/", "title": "A", "date": "hier"}]}},
                                   {"en": "not a view"}],
                         ids=["no view recorded", "a path out of the content", "a date that is not one", "not a view"])
def test_a_kept_english_site_without_a_usable_recorded_view_is_read_again(site, views):
    edit_article(site["corpus"]["article"], "VIEWEDIT1")
    assert build(site)["subsites"]["read from the record"] == 1
    edit_article(site["corpus"]["article"], "VIEWEDIT2")
    _rewrite_views(site, views)
    said = build(site)
    assert said["subsites"]["kept"] == 1
    assert "read from the record" not in said["subsites"]
    same_as_a_full_build(site)
    # that build read the English site and recorded its view again
    edit_article(site["corpus"]["article"], "VIEWEDIT3")
    assert build(site)["subsites"]["read from the record"] == 1
    same_as_a_full_build(site)


@pytest.mark.slow
@pytest.mark.parametrize("change", ["title", "summary", "shortcode", "output"])
def test_what_the_english_site_can_show_of_a_french_edit_writes_it_again(site, change):
    article = site["corpus"]["article"]
    text = article.read_text(encoding="utf-8")
    if change == "title":
        article.write_text(text.replace("Title: ", "Title: Nouveau titre, ", 1), encoding="utf-8")
    elif change == "summary":
        article.write_text(text.replace("Summary: ", "Summary: Autrement dit, ", 1), encoding="utf-8")
    elif change == "shortcode":  # a figure the French prose now shows: the datasets' usage may change
        code = next(line[line.index("{{"):line.index("}}") + 2] for line in text.splitlines() if "{{ value" in line)
        article.write_text(text.rstrip("\n") + f"\n\nEncore : {code}.\n", encoding="utf-8")
    else:  # a file of output/en/ touched after the build: the English site cannot be linked
        edit_article(article, f"PROSE{change.upper()}")
        page = site["out"] / "en" / "index.html"
        os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 1_000_000))
    said = build(site)
    assert "subsites" not in said, f"the English site was linked after a French {change} edit"
    same_as_a_full_build(site)


def test_the_view_from_the_other_languages_is_the_header_and_the_body_shortcodes_and_links(tmp_path):
    source = tmp_path / "a.fr.md"
    header = "Title: Un titre\nLang: fr\nSummary: Le chapeau {{ value x.y }}.\n\n"
    view = other_language_view(source, (header + "Du texte.\n").encode(), "fr")
    assert view is not None
    assert other_language_view(source, (header + "Un autre texte, bien plus long.\n").encode(), "fr") == view
    for body in ("Du texte {{ chart c }}.\n", "Voir [ceci]({filename}/b.fr.md).\n", "![x]({static}/img/a.png)\n",
                 "Voir |attach|x.pdf\n"):
        assert other_language_view(source, (header + body).encode(), "fr") != view, body
    assert other_language_view(source, header.replace("Un titre", "Autre").encode() + b"Du texte.\n", "fr") != view
    # counted whole: another language, no Summary (then cut from the body), not Markdown, not UTF-8
    assert other_language_view(tmp_path / "a.en.md", (header.replace("fr", "en") + "Text.\n").encode(), "fr") is None
    assert other_language_view(tmp_path / "b.md", b"Title: x\nLang: en\nSummary: s\n\nText.\n", "fr") is None
    assert other_language_view(source, b"Title: Un titre\nLang: fr\n\nDu texte.\n", "fr") is None
    assert other_language_view(tmp_path / "a.fr.csv", (header + "x").encode(), "fr") is None
    assert other_language_view(source, header.encode() + b"\xff\xfe", "fr") is None
    # the language by the suffix when the header does not say it
    assert other_language_view(tmp_path / "c.fr.md", b"Title: x\nSummary: s\n\nTexte.\n", "fr") is not None
