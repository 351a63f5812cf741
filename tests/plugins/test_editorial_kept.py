"""The editorial checks' findings are kept from one build to the next file by file
(plugins/editorial/editorial.py): after an edit only the files whose checks read something
that changed are checked again, and every build's findings are the ones a fresh
``check_all`` gives, message for message.

Each "build" here is what a Pelican build does for the checks: new settings with a new
data desk (a new snapshot of the files) and the plugin's ``problems_for``, on a generator
that finds the files with Pelican's own ``get_files``; the counts are the build report's."""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

from datadesk.desk import DESK_KEY, Desk  # noqa: E402
from datadesk.store import Store  # noqa: E402
from editorial import editorial  # noqa: E402
from editorial.checks import check_all  # noqa: E402
from pelican.generators import Generator  # noqa: E402
from pelican.settings import DEFAULT_CONFIG  # noqa: E402

ARTICLE = ("Title: {title}\nDate: {date}\nSlug: {slug}\nLang: {lang}\n{more}\n"
           "Le texte.\n{body}\n")
FILES = {
    "articles/hiver.fr.md": ARTICLE.format(title="Hiver", date="2022-12-02", slug="hiver", lang="fr",
                                           more="Category: Énergie\n", body="{{ chart vagues }}"),
    "articles/hiver.en.md": ARTICLE.format(title="Winter", date="2022-12-02", slug="hiver", lang="en",
                                           more="Category: Energy\nTranslation: true\n", body=""),
    # a published article without Category: its message lists the French sections in use
    "articles/rubrique.fr.md": ARTICLE.format(title="Rubrique", date="2022-12-03", slug="rubrique",
                                              lang="fr", more="", body=""),
    "articles/date.fr.md": ARTICLE.format(title="Date", date="31/10/2022", slug="date", lang="fr",
                                          more="Category: Énergie\n", body=""),
    "pages/a-propos.fr.md": "Title: À propos\nSlug: a-propos\nLang: fr\n\nLe site.\n",
    "charts/vagues.yaml": "dataset: waves\nmark: bar\ntitle:\n  fr: Les vagues\n  en: The waves\n",
}
ARTICLES = 5  # Markdown files in FILES


class Found(Generator):
    """What the checks use of a Pelican generator: its settings, its content folder and its
    public ``get_files`` (Pelican's own, so the files are the ones a build finds)."""

    def __init__(self, settings: dict):  # noqa: D107 (no readers, no templates: none are used)
        self.settings, self.path = settings, settings["PATH"]


def project(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    for number, (name, text) in enumerate(FILES.items()):
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (1_700_000_000 + number, 1_700_000_000 + number))  # the older file keeps a slug
    return content


def build(content: Path) -> tuple[dict[str, list[str]], dict, dict[str, list[str]]]:
    """The checks of one build: (the problems, by file, as messages; what the build report
    counts for them; what a fresh ``check_all`` of the same files finds)."""
    settings = copy.deepcopy(DEFAULT_CONFIG)
    settings.update({"PATH": str(content), "CACHE_PATH": str(content.parent / ".cache" / "pelican"),
                     "ARTICLE_PATHS": ["articles"], "PAGE_PATHS": ["pages"],
                     "DEFAULT_LANG": "fr", "I18N_SUBSITES": {"en": {}}})
    editorial.SETTINGS.fill(settings)
    settings[DESK_KEY] = Desk(settings)
    settings[editorial.BUILD_KEY] = editorial.Build("fr")
    generator = Found(settings)
    found = editorial.problems_for(generator)
    fresh = check_all(editorial.sources(generator), editorial.languages(settings),
                      sorted(editorial.setting(settings, "EDITORIAL_PLACEHOLDERS").values()),
                      editorial.reserved_slugs(settings), content / "charts")
    return ({k: [str(p) for p in v] for k, v in found.items()},
            settings[DESK_KEY].work.get("editorial checks", {}),
            {k: [str(p) for p in v] for k, v in fresh.items()})


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_after_one_edit_only_that_file_is_checked_again(tmp_path):
    """An article's body edited: that file alone is read and checked; the findings of the
    others (the date mistake among them, the same message each build) are the kept ones,
    and the whole is what a fresh check_all finds. A placeholder written into the body is
    found at once."""
    content = project(tmp_path)
    first, counts, fresh = build(content)
    assert counts == {"checked": 1, "files checked": ARTICLES}
    assert first == fresh and 'content/articles/date.fr.md:2: Date is "31/10/2022"' in first["content/articles/date.fr.md"][0]
    edit(content / "articles/hiver.fr.md", "Le texte.", "Le texte, corrigé.")
    found, counts, fresh = build(content)
    assert counts == {"checked": 1, "files checked": 1, "files kept": ARTICLES - 1}
    assert found == fresh == first
    edit(content / "articles/hiver.fr.md", "corrigé.", "corrigé. [À COMPLÉTER : la suite.]")
    found, counts, fresh = build(content)
    assert counts == {"checked": 1, "files checked": 1, "files kept": ARTICLES - 1}
    assert found == fresh
    assert found["content/articles/hiver.fr.md"] == [
        'content/articles/hiver.fr.md:7: the file still contains "[À COMPLÉTER …]" from invoke '
        "new-article; replace it with your text before publishing (or keep Status: draft)."]


def test_a_warm_build_checks_nothing(tmp_path):
    """Nothing changed: the findings of the whole build are kept (no file is looked at
    again). Only a file's date changed (the older of two files keeps a slug, so the whole
    build's findings are made again): every file's own findings are kept, none is read."""
    content = project(tmp_path)
    first, _counts, _fresh = build(content)
    found, counts, _fresh = build(content)
    assert counts == {"kept": 1} and found == first
    os.utime(content / "articles/rubrique.fr.md", (1_800_000_000, 1_800_000_000))
    found, counts, fresh = build(content)
    assert counts == {"checked": 1, "files kept": ARTICLES}
    assert found == fresh == first


def test_a_file_told_about_the_sections_in_use_is_checked_again_when_they_change(tmp_path):
    """The article without Category is told the French sections in use; when another file
    changes its Category, that article is checked again and its message lists the new
    section. The English file, told nothing of French sections, is kept."""
    content = project(tmp_path)
    first, _counts, _fresh = build(content)
    assert first["content/articles/rubrique.fr.md"][0].endswith("(sections in use: Énergie).")
    edit(content / "articles/hiver.fr.md", "Category: Énergie", "Category: Guerre")
    found, counts, fresh = build(content)
    assert found == fresh
    assert found["content/articles/rubrique.fr.md"][0].endswith("(sections in use: Guerre, Énergie).")
    assert counts == {"checked": 1, "files checked": 2, "files kept": ARTICLES - 2}


def test_an_article_is_checked_again_when_its_chart_gets_a_placeholder(tmp_path):
    """A clean article whose findings are kept places a chart; the chart's YAML gets a
    placeholder: that article (the only one placing it) is checked again and fails."""
    content = project(tmp_path)
    first, _counts, _fresh = build(content)
    assert "content/articles/hiver.fr.md" not in first
    edit(content / "charts/vagues.yaml", "fr: Les vagues", 'fr: "[À COMPLÉTER : le titre.]"')
    found, counts, fresh = build(content)
    assert found == fresh
    assert found["content/articles/hiver.fr.md"] == [
        'content/articles/hiver.fr.md:8: the chart "vagues" still contains "[À COMPLÉTER …]" '
        "(content/charts/vagues.yaml:4); write its text before publishing (or keep Status: draft)."]
    assert counts == {"checked": 1, "files checked": 1, "files kept": ARTICLES - 1}


def test_new_removed_and_renamed_files_give_what_a_fresh_check_gives(tmp_path):
    """A new file taking a slug already used, a file renamed (its message names the new
    name), a file removed (its problem goes with it): each build is a fresh check_all's."""
    content = project(tmp_path)
    build(content)
    (content / "articles/copie.fr.md").write_text(  # the Slug as the editor meant it is compared
        FILES["articles/rubrique.fr.md"].replace("Slug: rubrique\nLang: fr", 'Slug: "rubrique"\nLang: fr\n'
                                                 "Category: Énergie"), encoding="utf-8")
    found, counts, fresh = build(content)
    assert found == fresh and 'Slug "rubrique" is already used by content/articles/rubrique.fr.md' \
        in found["content/articles/copie.fr.md"][1]
    assert counts == {"checked": 1, "files checked": 1, "files kept": ARTICLES}
    (content / "articles/date.fr.md").rename(content / "articles/la-date.fr.md")
    found, counts, fresh = build(content)
    assert found == fresh and "content/articles/date.fr.md" not in found
    assert found["content/articles/la-date.fr.md"][0].startswith("content/articles/la-date.fr.md:2: Date is")
    assert counts == {"checked": 1, "files checked": 1, "files kept": ARTICLES}
    (content / "articles/la-date.fr.md").unlink()
    found, counts, fresh = build(content)
    assert found == fresh and "content/articles/la-date.fr.md" not in found
    assert counts == {"checked": 1, "files kept": ARTICLES}


def test_a_record_that_cannot_be_verified_is_checked_again(tmp_path):
    """The records of the files are read defensively: one of the wrong shape (here a
    problem without its line) or made from other bytes is not used; that file is checked
    again, and the findings are a fresh check_all's."""
    content = project(tmp_path)
    build(content)
    store = Store(content.parent / ".cache" / "editorial")
    entries = [path for path in store.folder.rglob("*.jsonl") if b'"files"' in path.read_bytes()]
    assert len(entries) == 1
    key = entries[0].stem
    payload = store.get(key)
    date = str((content / "articles/date.fr.md").resolve())
    payload["files"][date]["problems"][0][1] = "2"
    hiver = str((content / "articles/hiver.fr.md").resolve())
    payload["files"][hiver]["digest"] = "0" * 40
    store.put(key, payload)
    os.utime(content / "articles/rubrique.fr.md", (1_800_000_000, 1_800_000_000))  # not the whole build's
    found, counts, fresh = build(content)
    assert found == fresh
    assert counts == {"checked": 1, "files checked": 2, "files kept": ARTICLES - 2}
