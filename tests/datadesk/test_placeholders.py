"""Charts and inline values are converted as placeholders and filled when the file is read
(plugins/datadesk/placeholders.py): an article cannot forge one (the characters are refused,
an entity that decodes to one fails the build), and one left in a written page fails the build
naming the file and line.

Small synthetic corpora (tools/bench/corpus.py)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

import tasks
from conftest import ROOT, seed_cache
from tools.bench.corpus import make_corpus
from tools.build import BuildFailed, build_in_process, new_cache

from datadesk import links, placeholders


@pytest.fixture
def placeholder_corpus(tmp_path):
    made = make_corpus(ROOT, tmp_path / "corpus", articles=2, charts=0)
    seed_cache(made["project"])  # no cold render nor preparation in a test
    return made


def _append(path: Path, text: str) -> int:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return len(path.read_text(encoding="utf-8").splitlines())


def test_a_placeholder_character_in_an_article_fails_the_build(placeholder_corpus, tmp_path):
    article = placeholder_corpus["article"].with_name("essai-0000.fr.md")
    forged = f"{placeholders.PREFIX}{'0' * 20}{placeholders.CLOSE}"
    line = _append(article, f"\nUne valeur {forged} ici.\n")
    with pytest.raises(BuildFailed) as failed:
        tasks.build_site(settings=str(placeholder_corpus["settings"]), output=tmp_path / "out", quiet=True)
    assert f"essai-0000.fr.md:{line}: the character U+E000 (column 12" in str(failed.value)
    assert not (tmp_path / "out").exists(), "a failed build leaves output/ as it was"


def test_an_entity_forging_a_placeholder_injects_no_value(placeholder_corpus, tmp_path):
    """The sanitiser decodes ``&#xE000;`` into the character: a forged placeholder, even one
    naming a real value of the same file, fails the build instead of showing a value."""
    article = placeholder_corpus["article"].with_name("essai-0000.fr.md")
    text = article.read_text(encoding="utf-8")
    display = "content/articles/essais/essai-0000.fr.md"
    first = re.search(r"\{\{ (value|chart) ([^}]*?) \}\}", text)
    ident, _ = placeholders.marker(display, 0, first.group(1), first.group(2).strip())
    for forged_id in (ident, "f" * 20):
        article.write_text(text + f"\nCopie : &#xE000;datadesk:{forged_id}&#xE001;.\n", encoding="utf-8")
        with pytest.raises(BuildFailed) as failed:
            tasks.build_site(settings=str(placeholder_corpus["settings"]), output=tmp_path / "out", quiet=True)
        assert f"{display}: a placeholder ({forged_id})" in str(failed.value)


def test_a_placeholder_left_in_a_written_page_fails_the_build(placeholder_corpus, tmp_path):
    """A consumer that printed the HTML before it was filled (here: a handler putting a
    placeholder back into an article's body after reading) is caught where the page is written."""
    from pelican import signals

    forged = f"{placeholders.PREFIX}{'a' * 20}{placeholders.CLOSE}"

    def unfill(generator):
        for article in generator.articles:
            if article.slug == "essai-0000" and article.lang == generator.settings["DEFAULT_LANG"]:
                article._content = "<p>x</p>\n<p>" + forged + "</p>" + article._content

    signals.article_generator_finalized.connect(unfill)
    try:
        with pytest.raises(BuildFailed) as failed:
            build_in_process(settings=str(placeholder_corpus["settings"]), output=tmp_path / "out", cache=new_cache())
    finally:
        signals.article_generator_finalized.disconnect(unfill)
    message = str(failed.value)
    found = re.search(r"(\S*essai-0000/index\.html):(\d+): a chart or an inline value was written as its "
                      r"placeholder", message)
    assert found, message
    assert not (tmp_path / "out").exists()


def test_the_check_names_the_file_and_line(tmp_path, caplog):
    page = tmp_path / "page.html"
    page.write_text(f"<html>\n<body>\n<p>{placeholders.PREFIX}{'b' * 20}{placeholders.CLOSE}</p>\n",
                    encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        links.check_written(str(page), {})
    assert f"{page}:3: a chart or an inline value was written as its placeholder" in caplog.text
    page.write_text("<p>nothing left</p>\n", encoding="utf-8")
    caplog.clear()
    links.check_written(str(page), {})
    assert "placeholder" not in caplog.text
