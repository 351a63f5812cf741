"""The corrections log: rendered in both languages, noticed on the article it concerns,
and every mistake in it reported with file and line."""

from __future__ import annotations


import pytest
from bs4 import BeautifulSoup

import tasks
from conftest import copy_content


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
    copy_content(content)
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


# Each mistake, the message it earns, and the check that finds it: the log's own checks
# run before any article is read and report every entry at once, so those mistakes share
# one build; whether an entry names a real article is known only once the articles are
# read, after the log passed its own checks, so that mistake needs a build of its own.
MISTAKES = {
    "unknown-article": ("articles", "- id: 2026-12-01-x\n  date: 2026-12-01\n  article: no-such-slug\n"
                        "  kind: correction\n  fr: a\n  en: b\n",
                        "content/corrections.yaml:{line}: article 'no-such-slug' matches no article's Slug"),
    "date": ("log", "- id: 2026-12-01-date\n  date: 01/12/2026\n  article: ''\n  kind: note\n  fr: a\n"
             "  en: b\n",
             "content/corrections.yaml:{line}: date is '01/12/2026'; expected YYYY-MM-DD"),
    "kind": ("log", "- id: 2026-12-01-kind\n  date: 2026-12-01\n  article: ''\n  kind: erratum\n  fr: a\n"
             "  en: b\n",
             "content/corrections.yaml:{line}: kind is 'erratum'; expected one of correction, "
             "clarification, update, note."),
    "no-english": ("log", "- id: 2026-12-01-no-english\n  date: 2026-12-01\n  article: ''\n  kind: note\n"
                   "  fr: a\n",
                   "content/corrections.yaml:{line}: the entry lacks en"),
    "id-used": ("log", "- id: 2026-11-25-ouverture\n  date: 2026-12-01\n  article: ''\n  kind: note\n"
                "  fr: a\n  en: b\n",
                "content/corrections.yaml:{line}: id 2026-11-25-ouverture is already used at line"),
}


@pytest.fixture(scope="module")
def mistake_builds(tmp_path_factory) -> dict[str, tuple[str, str, bool]]:
    """For each check, one build of a copy of the site with all its mistakes appended to the
    log: {case: (the message with its line, the build's report, output/ kept)}."""
    results = {}
    for stage in ("log", "articles"):
        root = tmp_path_factory.mktemp(f"corrections-{stage}")
        content = root / "content"
        copy_content(content)
        log = content / "corrections.yaml"
        text = log.read_text(encoding="utf-8")
        messages = {}
        for case, (case_stage, entry, message) in MISTAKES.items():
            if case_stage == stage:
                text += "\n"
                messages[case] = message.format(line=text.count("\n") + 1)
                text += entry
        log.write_text(text, encoding="utf-8")
        output = root / "out"
        output.mkdir()
        (output / "index.html").write_text("previous", encoding="utf-8")
        try:
            tasks.build_site(output=output, content=content, quiet=True)
            report = "(the build passed)"
        except tasks.BuildFailed as failure:
            report = str(failure)
        kept = (output / "index.html").read_text() == "previous"
        results.update({case: (message, report, kept) for case, message in messages.items()})
    return results


@pytest.mark.parametrize("case", list(MISTAKES))
def test_each_mistake_in_the_log_names_file_and_line(mistake_builds, case):
    message, report, kept = mistake_builds[case]
    assert message in report, f"{case}: expected\n{message}\nin the build's report:\n{report}"
    assert "Traceback" not in report, report
    assert kept, f"{case}: the failed build changed output/"


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
