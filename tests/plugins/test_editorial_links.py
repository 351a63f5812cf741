"""Intra-site links that lead nowhere (plugins/editorial/links.py), looked up as Pelican
looks them up when it writes a page: on real Pelican content objects and a context as the
generators fill it. The whole build's messages are in test_editor.py (the mistakes table)."""

from __future__ import annotations

import copy
import datetime
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

from editorial import links  # noqa: E402
from pelican.contents import Article, Static  # noqa: E402
from pelican.settings import DEFAULT_CONFIG  # noqa: E402

BODY = "Title: Hiver\n\nDu texte.\n\nVoir [la note]({link}).\n"


def site(tmp_path: Path, files: dict[str, str]):
    """A content/ folder with ``files``, the settings and a context holding them as Pelican's
    generators do (``generated_content``: Markdown; ``static_content``: the rest)."""
    content = tmp_path / "content"
    settings = copy.deepcopy(DEFAULT_CONFIG)
    settings["PATH"] = str(content)
    context = {"generated_content": {}, "static_content": {}, "localsiteurl": ""}
    for rel, text in files.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if rel.endswith(".md"):
            context["generated_content"][rel] = Article(f"<p>{text}</p>", {"title": rel, "date": datetime.datetime(2022, 12, 2)},
                                                        settings, str(path), context)
        else:
            context["static_content"][rel] = Static("", {"title": rel}, settings, str(path), context)
    return content, settings, context


def article(content: Path, settings: dict, context: dict, rel: str, html: str) -> Article:
    source = content / rel
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(BODY.format(link=html), encoding="utf-8")
    return Article(f'<p>Voir <a href="{html}">la note</a>.</p>', {"title": "Hiver", "date": datetime.datetime(2022, 12, 2)},
                   settings, str(source), context)


def test_a_link_is_found_as_pelican_finds_it(tmp_path):
    content, settings, context = site(tmp_path, {"articles/b.fr.md": "B", "articles/mon fichier.fr.md": "C",
                                                 "images/carte.png": "png"})
    a = article(content, settings, context, "articles/a.fr.md", "x")
    for what, value in (("filename", "/articles/b.fr.md"),  # from content/
                        ("filename", "b.fr.md"),  # from the file's folder
                        ("filename", "../articles/b.fr.md"),
                        ("filename", "/articles/b.fr.md#suite"),  # a fragment
                        ("filename", "/articles/mon%20fichier.fr.md"),  # quoted
                        ("static", "/images/carte.png"),
                        ("filename", "/images/carte.png")):  # Pelican finds it, and warns itself
        assert links.found(a, context, what, value), (what, value)
    for what, value in (("filename", "/articles/c.fr.md"), ("filename", "articles/b.fr.md"),
                        ("static", "/images/absente.png"), ("attach", "/images/absente.png")):
        assert not links.found(a, context, what, value), (what, value)


def test_a_static_file_pelican_added_to_the_context_before_knowing_it_is_there_is_not_found(tmp_path):
    content, settings, context = site(tmp_path, {"images/carte.png": "png"})
    (content / "images" / "carte.png").unlink()  # as StaticGenerator.add_static_links leaves it
    a = article(content, settings, context, "articles/a.fr.md", "x")
    assert not links.found(a, context, "static", "/images/carte.png")


def test_each_link_that_leads_nowhere_has_its_line_the_path_it_meant_and_the_closest_file(tmp_path):
    content, settings, context = site(tmp_path, {"articles/hiver.fr.md": "H"})
    a = article(content, settings, context, "articles/a.fr.md", "{filename}/articles/hivr.fr.md")
    [(display, line, message, value)] = links.problems(a, context, settings)
    assert (display, line, value) == ("content/articles/a.fr.md", 5, "/articles/hivr.fr.md")
    assert message == ('the link "{filename}/articles/hivr.fr.md" leads nowhere: content/articles/hivr.fr.md is '
                       "not an article or page of content/ (a Markdown file). Did you mean "
                       "{filename}/articles/hiver.fr.md? Write the path from content/, starting with / (e.g. "
                       "{filename}/articles/x.fr.md), or from this file's folder.")
    # a relative path is taken from the file's folder; a link that is found says nothing
    b = article(content, settings, context, "articles/b.fr.md", "{filename}hivr.fr.md")
    assert "content/articles/hivr.fr.md is not" in links.problems(b, context, settings)[0][2]
    ok = article(content, settings, context, "articles/c.fr.md", "{filename}hiver.fr.md")
    assert links.problems(ok, context, settings) == []


def test_pelicans_vaguer_warning_is_dropped_only_for_a_link_this_check_reported():
    import logging

    record = logging.LogRecord("pelican.contents", logging.WARNING, "contents.py", 1, links.PELICANS,
                               ("/articles/hivr.fr.md",), None)
    links.REPORTED.values.clear()
    assert links.REPORTED.filter(record)
    links.REPORTED.values.add("/articles/hivr.fr.md")
    try:
        assert not links.REPORTED.filter(record)
    finally:
        links.REPORTED.values.clear()
