"""The corrections log: rendered in both languages, noticed on the article it concerns,
and every mistake in it reported with file and line."""

from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup

import tasks
from conftest import ROOT


def test_the_log_is_rendered_in_both_languages(built_site):
    for lang_dir, heading in [("", "Journal"), ("en/", "Log")]:
        page = BeautifulSoup((built_site / lang_dir / "corrections" / "index.html").read_text(), "lxml")
        log = page.select_one(".corrections-log")
        assert log is not None and log.h2.get_text() == heading
        assert log.select("li[id]"), "the log shows no entry"


CORRECTION = """
- id: 2026-12-01-test-correction
  date: 2026-12-01
  article: bombe-sale-canaux-nucleaires
  kind: correction
  fr: "Nous écrivions <b>x</b> ; le bon chiffre est y."
  en: "We wrote <b>x</b>; the right figure is y."
"""


@pytest.fixture
def content_copy(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    return content


@pytest.mark.slow
def test_a_correction_shows_a_notice_and_the_updated_date(content_copy, tmp_path):
    log = content_copy / "corrections.yaml"
    log.write_text(log.read_text(encoding="utf-8") + CORRECTION, encoding="utf-8")
    out = tasks.build_site(output=tmp_path / "out", content=content_copy, quiet=True)
    for lang_dir, updated in [("", "1er décembre 2026"), ("en/", "December 1, 2026")]:
        page = BeautifulSoup(
            (out / lang_dir / "bombe-sale-canaux-nucleaires" / "index.html").read_text(), "lxml")
        notice = page.select_one(".correction-notice")
        assert notice is not None, f"no notice on the {lang_dir or 'fr'} article"
        assert notice.a["href"].endswith("corrections/#2026-12-01-test-correction")
        assert updated in page.select_one(".story-head .meta").get_text()
        # Modified is derived from the correction in both languages (feeds, sitemap, JSON-LD)
        assert page.select_one('meta[property="article:modified_time"]')["content"] == \
            "2026-12-01T00:00:00+01:00"
        log = (out / lang_dir / "corrections" / "index.html").read_text()
        assert 'id="2026-12-01-test-correction"' in log
        assert "&lt;b&gt;x&lt;/b&gt;" in log, "entry text must be escaped"
    other = (out / "front-energetique" / "index.html").read_text()
    assert "correction-notice" not in other


@pytest.mark.slow
@pytest.mark.parametrize("entry,message", [
    ("- id: 2026-12-01-x\n  date: 2026-12-01\n  article: no-such-slug\n  kind: correction\n  fr: a\n  en: b\n",
     "content/corrections.yaml:{line}: article 'no-such-slug' matches no article's Slug"),
    ("- id: 2026-12-01-x\n  date: 01/12/2026\n  article: ''\n  kind: note\n  fr: a\n  en: b\n",
     "content/corrections.yaml:{line}: date is '01/12/2026'; expected YYYY-MM-DD"),
    ("- id: 2026-12-01-x\n  date: 2026-12-01\n  article: ''\n  kind: erratum\n  fr: a\n  en: b\n",
     "content/corrections.yaml:{line}: kind is 'erratum'; expected one of correction, clarification, update, note."),
    ("- id: 2026-12-01-x\n  date: 2026-12-01\n  article: ''\n  kind: note\n  fr: a\n",
     "content/corrections.yaml:{line}: the entry lacks en"),
    ("- id: 2026-11-25-ouverture\n  date: 2026-12-01\n  article: ''\n  kind: note\n  fr: a\n  en: b\n",
     "content/corrections.yaml:{line}: id 2026-11-25-ouverture is already used at line"),
])
def test_each_mistake_in_the_log_names_file_and_line(content_copy, tmp_path, entry, message):
    log = content_copy / "corrections.yaml"
    before = log.read_text(encoding="utf-8")
    line = before.count("\n") + 2
    log.write_text(before + "\n" + entry, encoding="utf-8")
    output = tmp_path / "out"
    output.mkdir()
    (output / "index.html").write_text("previous", encoding="utf-8")
    with pytest.raises(tasks.BuildFailed) as failure:
        tasks.build_site(output=output, content=content_copy, quiet=True)
    assert message.format(line=line) in str(failure.value)
    assert "Traceback" not in str(failure.value)
    assert (output / "index.html").read_text() == "previous"


@pytest.mark.parametrize("module,key", [("corrections", "CORRECTIONS_FILES"), ("search", "SEARCH_INDEX_DIRS")])
def test_an_unknown_setting_is_named(module, key):
    import importlib

    plugin = importlib.import_module(module)
    configure = plugin.corrections._config if module == "corrections" else plugin.search.settings_for
    with pytest.raises(Exception) as failure:
        configure({key: "x"})
    assert str(failure.value).startswith(f"pelicanconf.py: unknown setting {key}; did you mean {key[:-1]}?; "
                                         f"the {module} plugin knows ")
    assert f"plugins/{module}/README.md" in str(failure.value)
