"""An article page is rendered only when what it shows changed (plugins/datadesk/pages.py).

A small synthetic corpus (tools/bench/corpus.py) with its own copy of the theme is built
cold, then again unchanged, then after one edit at a time; each build's report
(.cache/last-build.json) names the article pages it rendered, and after each edit the
output is compared with a clean build (into an empty folder, where nothing can be kept)."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

from conftest import ROOT, build_report, drawn_corpus, fail_with_a_broken_article, file_digests as tree, own_theme
from tools.bench.corpus import edit_article, edit_chart
from tools.build import BuildFailed, build_in_process, build_site

REAL = ("front-energetique", "bombe-sale-canaux-nucleaires", "defense-aerienne-armes-lourdes")
CHARTS = sorted(p.stem for p in (ROOT / "content" / "charts").glob("*.*"))


def report(corpus) -> dict:
    return build_report(corpus["project"])


def rendered(counts: dict) -> set[str]:
    """The article pages a build rendered (the others were linked from output/ unrendered)."""
    return set(counts.get("rendered article pages", {}))


def rendered_lists(counts: dict) -> set[str]:
    """The list pages (home, archives, sections, tags…) a build rendered."""
    return set(counts.get("rendered list pages", {}))


# Rendered on every build: the 404 page lists the other language's newest stories through
# latest_articles, which reads them from the context (not fingerprinted).
ALWAYS = {"404.html", "en/404.html"}


def list_pages(folder: Path) -> set[str]:
    """Pelican's list pages of the site (the types of base.html's page_type)."""
    kinds = ("index", "archives", "categories", "tags", "category", "tag", "search", "404")
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")
            if any(f'name="page-type" content="{kind}"' in p.read_text(encoding="utf-8") for kind in kinds)}


def listing(folder: Path, slug: str) -> set[str]:
    """The list pages that link to article ``slug`` of the French site."""
    return {page for page in list_pages(folder)
            if not page.startswith("en/") and page not in ALWAYS
            and f'{slug}/"' in (folder / page).read_text(encoding="utf-8")}


def embed_pages(folder: Path) -> set[str]:
    """The chart embed pages (charts/<id>/index.html of each language site)."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("index.html")
            if 'name="page-type" content="chart-embed"' in p.read_text(encoding="utf-8")}


def article_pages(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("index.html")
            if 'name="page-type" content="article"' in p.read_text(encoding="utf-8")}


def showing(folder: Path, slug: str, lang: str) -> set[str]:
    """The article pages of ``lang`` whose "Related stories" block links to article ``slug``."""
    found = set()
    for page in article_pages(folder):
        if (page.startswith("en/") != (lang == "en")) or page.endswith(f"{slug}/index.html"):
            continue
        text = (folder / page).read_text(encoding="utf-8")
        if '<aside class="related"' in text and f"{slug}/\"" in text.split('<aside class="related"', 1)[1]:
            found.add(page)
    return found


@pytest.fixture(scope="module")
def fingerprint_site(tmp_path_factory):
    """A 12-article corpus on its own copy of the theme, built cold, then again unchanged."""
    into = tmp_path_factory.mktemp("fingerprints")
    corpus = drawn_corpus(into, 12, stores=("charts", "cards"))  # its first build is a cold one
    theme = own_theme(corpus, into)
    out = into / "output"
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    cold = report(corpus)
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    slug = corpus["article"].name.split(".")[0]
    return {"corpus": corpus, "out": out, "into": into, "theme": theme, "cold": cold,
            "warm": report(corpus), "slug": slug, "page": f"{slug}/index.html",
            "translation": corpus["article"].with_name(f"{slug}.en.md"),
            "translation_page": f"en/{slug}/index.html"}


def rebuild(site, label: str, in_process: bool = False) -> tuple[set[str], dict, dict]:
    """Build after an edit; return the article pages it rendered, the output before and
    after. The output must be the one a clean build (into an empty folder) writes."""
    corpus, out = site["corpus"], site["out"]
    before = tree(out)
    if in_process:
        build_in_process(settings=str(corpus["settings"]), output=out)  # as the preview does
    else:
        build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    counts, after = report(corpus), tree(out)
    site["counts"] = counts
    clean = site["into"] / f"clean-{label}"
    build_site(settings=str(corpus["settings"]), output=clean, quiet=True)
    assert report(corpus)["article pages"].get("skipped", 0) == 0  # nothing to keep there
    assert report(corpus)["list pages"].get("skipped", 0) == 0
    reference = tree(clean)
    assert after.keys() == reference.keys()
    differ = sorted(rel for rel in after if after[rel] != reference[rel])
    assert differ == [], f"{label}: the build differs from a clean one: {differ[:10]}"
    return rendered(counts), before, after


def changed(before: dict, after: dict) -> set[str]:
    return {rel for rel in after if before.get(rel) != after[rel]}


def test_a_warm_build_renders_no_article_page(fingerprint_site):
    cold, warm, out = fingerprint_site["cold"], fingerprint_site["warm"], fingerprint_site["out"]
    pages = article_pages(out)
    assert len(pages) == 12 + 2 * len(REAL)
    assert rendered(cold) == pages and cold["article pages"] == {"rendered": len(pages)}
    assert warm["article pages"] == {"skipped": len(pages)} and not rendered(warm)
    # the list pages are not rendered either (but the 404 pages), nor the site's own pages,
    # the dataset pages and the chart embed pages, and nothing is rewritten
    lists = list_pages(out)
    assert rendered_lists(cold) == lists and cold["list pages"]["rendered"] == len(lists)
    assert rendered_lists(warm) == ALWAYS
    assert warm["list pages"] == {"skipped": len(lists - ALWAYS), "rendered": len(ALWAYS),
                                  "unfingerprinted": len(ALWAYS)}
    others = {p.relative_to(out).as_posix() for p in out.rglob("*.html")
              if re.search(r'name="page-type" content="(page|dataset|datasets|chart-embed)"',
                           p.read_text(encoding="utf-8"))}
    assert embed_pages(out) <= others and len(embed_pages(out)) == 2 * len(CHARTS)
    assert set(cold["rendered other pages"]) == others
    assert warm["other pages"] == {"skipped": len(others)} and "rendered other pages" not in warm
    assert warm["pages"]["rendered"] == (cold["pages"]["rendered"] - len(pages) - len(lists - ALWAYS)
                                         - len(others))
    assert warm["pages"].get("written", 0) == 0


def test_an_edited_chart_renders_its_embed_page_only(fingerprint_site):
    """A chart embed page is kept while its chart is unchanged (above); an edit to the French
    subtitle of a chart renders that chart's French embed page, no other one (its English
    chart is the same), and the page shows the edit, as a clean build writes it."""
    corpus, out = fingerprint_site["corpus"], fingerprint_site["out"]
    chart = corpus["project"] / "content" / "charts" / "aid_monthly_by_type.yaml"
    embed = "charts/aid_monthly_by_type/index.html"
    edit_chart(chart, "EMBEDEDIT")
    _pages, before, after = rebuild(fingerprint_site, "chart")
    counts = fingerprint_site["counts"]
    assert {page for page in counts["rendered other pages"] if page in embed_pages(out)} == {embed}
    assert counts["other pages"]["skipped"] > 0
    assert embed in changed(before, after) and f"en/{embed}" not in changed(before, after)
    assert "EMBEDEDIT" in (out / embed).read_text(encoding="utf-8")


def test_an_edited_body_renders_its_page_only(fingerprint_site):
    edit_article(fingerprint_site["corpus"]["article"], "body")
    pages, before, after = rebuild(fingerprint_site, "body")
    assert pages == {fingerprint_site["page"]}
    assert fingerprint_site["page"] in changed(before, after)
    # the list pages that list it are rendered again (their fingerprint holds each listed
    # article's body), no English one and no other section's
    out, slug = fingerprint_site["out"], fingerprint_site["slug"]
    lists = rendered_lists(fingerprint_site["counts"])
    assert listing(out, slug) <= lists
    assert lists <= listing(out, slug) | ALWAYS | {"tag/index.html", "category/index.html"}


def test_an_edited_title_renders_the_pages_that_show_it(fingerprint_site):
    source, slug, out = fingerprint_site["corpus"]["article"], fingerprint_site["slug"], fingerprint_site["out"]
    shown_before = showing(out, slug, "fr")
    text = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r"^Title: .*$", "Title: Un titre refait", text, count=1, flags=re.M),
                      encoding="utf-8")
    pages, before, after = rebuild(fingerprint_site, "title")
    shown = shown_before | showing(out, slug, "fr")
    assert {f"{name}/index.html" for name in REAL} <= shown  # the newest story is in their block
    assert pages == {fingerprint_site["page"], fingerprint_site["translation_page"]} | shown
    assert {fingerprint_site["page"]} | shown <= changed(before, after)
    assert "Un titre refait" in (out / f"{REAL[0]}/index.html").read_text(encoding="utf-8")
    # every list page showing the new title was rendered (and is the clean build's, above)
    lists = rendered_lists(fingerprint_site["counts"])
    assert {"index.html", "archives/index.html"} <= listing(out, slug) <= lists
    assert all("Un titre refait" in (out / page).read_text(encoding="utf-8") for page in listing(out, slug))


def test_an_edited_summary_renders_the_pages_that_show_it(fingerprint_site):
    source, slug, out = fingerprint_site["corpus"]["article"], fingerprint_site["slug"], fingerprint_site["out"]
    text = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r"^Summary: .*$", "Summary: Un chapeau refait.", text, count=1, flags=re.M),
                      encoding="utf-8")
    pages, before, after = rebuild(fingerprint_site, "summary", in_process=True)
    shown = showing(out, slug, "fr")
    assert shown and pages == {fingerprint_site["page"], fingerprint_site["translation_page"]} | shown
    assert {fingerprint_site["page"]} | shown <= changed(before, after)


def test_an_edited_translation_title_renders_its_pages_and_the_original(fingerprint_site):
    source, slug, out = fingerprint_site["translation"], fingerprint_site["slug"], fingerprint_site["out"]
    shown_before = showing(out, slug, "en")
    text = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r"^Title: .*$", "Title: A new headline", text, count=1, flags=re.M),
                      encoding="utf-8")
    pages, before, after = rebuild(fingerprint_site, "translation")
    shown = shown_before | showing(out, slug, "en")
    assert shown and pages == {fingerprint_site["page"], fingerprint_site["translation_page"]} | shown
    assert {fingerprint_site["translation_page"]} | shown <= changed(before, after)


def test_a_template_edit_renders_every_article_page(fingerprint_site):
    template = fingerprint_site["theme"] / "templates" / "article.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace('<article class="story"', '<article class="story" data-edition="2"', 1),
                        encoding="utf-8")
    pages, before, after = rebuild(fingerprint_site, "template")
    assert pages == article_pages(fingerprint_site["out"])
    assert pages <= changed(before, after)


def test_a_settings_edit_renders_the_article_pages_of_its_site(fingerprint_site):
    with open(fingerprint_site["corpus"]["settings"], "a", encoding="utf-8") as settings:
        settings.write("SITENAME = \"Front de l'énergie (banc d'essai)\"\n")
    pages, before, after = rebuild(fingerprint_site, "settings")
    # the French site's name: the English subsite has its own (I18N_SUBSITES)
    assert pages == {page for page in article_pages(fingerprint_site["out"]) if not page.startswith("en/")}
    assert pages <= changed(before, after)


def test_a_correction_renders_the_corrected_article(fingerprint_site):
    log = fingerprint_site["corpus"]["project"] / "content" / "corrections.yaml"
    slug = "essai-0003"
    log.write_text(log.read_text(encoding="utf-8") + f"""
- id: 2026-12-01-{slug}
  date: 2026-12-01
  article: {slug}
  kind: correction
  fr: "Nous écrivions un chiffre faux ; le bon chiffre est corrigé dans le deuxième paragraphe."
  en: "We gave a wrong figure; the right one is now in the second paragraph."
""", encoding="utf-8")
    pages, before, after = rebuild(fingerprint_site, "correction")
    assert {f"{slug}/index.html", f"en/{slug}/index.html"} <= pages & changed(before, after)
    assert "correction-notice" in (fingerprint_site["out"] / slug / "index.html").read_text(encoding="utf-8")


def test_a_hand_edited_page_of_output_is_rendered_again(fingerprint_site):
    corpus, out = fingerprint_site["corpus"], fingerprint_site["out"]
    page, archives = out / "essai-0002" / "index.html", out / "archives" / "index.html"
    good, good_archives = page.read_bytes(), archives.read_bytes()
    page.write_bytes(good.replace(b"</main>", b"<p>edited by hand</p></main>"))
    archives.write_bytes(good_archives.replace(b"</main>", b"<p>edited by hand</p></main>"))
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    assert rendered(report(corpus)) == {"essai-0002/index.html"}
    assert rendered_lists(report(corpus)) == {"archives/index.html"} | ALWAYS
    assert page.read_bytes() == good and archives.read_bytes() == good_archives


def test_a_failed_build_leaves_the_record_as_it_was(fingerprint_site):
    corpus, out = fingerprint_site["corpus"], fingerprint_site["out"]
    record = corpus["project"] / ".cache" / "fingerprints"
    kept = tree(record)
    assert kept
    edit_article(corpus["article"], "failed")
    fail_with_a_broken_article(corpus, out)
    assert tree(record) == kept
    pages, _before, _after = rebuild(fingerprint_site, "after-failure")
    assert pages == {fingerprint_site["page"]}


def test_a_template_reading_articles_otherwise_is_not_fingerprinted():
    from datadesk.pages import template_reads

    env = jinja2.Environment(loader=jinja2.DictLoader({
        "base.html": "{{ SITENAME }}{% block content %}{% endblock %}",
        "related.html": '{% extends "base.html" %}{% block content %}'
                        "{% for a in articles|related_stories(article, 4) %}{{ a.title }}{% endfor %}"
                        "{% endblock %}",
        "other.html": '{% extends "base.html" %}{% block content %}{{ articles|length }}'
                      "{% for a in articles|related_stories(article, 3) %}{% endfor %}{% endblock %}",
        "computed.html": "{% include article.template %}",
        "latest.html": "{% for a in DEFAULT_LANG|latest_articles(5) %}{{ a.title }}{% endfor %}",
    }))
    env.filters["related_stories"] = lambda articles, article, n: articles[:n]
    env.filters["latest_articles"] = lambda lang, n: []
    names, count = template_reads(env, "related.html")
    assert count == 4 and {"SITENAME", "articles", "article"} <= names
    assert template_reads(env, "other.html") is None
    assert template_reads(env, "computed.html") is None
    assert template_reads(env, "latest.html") is None  # discovery's newest articles, not described


def test_a_warm_build_imports_no_chart_or_dataset_library(fingerprint_site):
    """pandas, Altair, Frictionless and NumPy are imported where a chart is prepared, a dataset
    validated or a value computed (datadesk/lazy.py), not when the plugins load: a warm build
    (a new process, as `invoke build`) does none of those and imports none of them."""
    cold, warm = fingerprint_site["cold"], fingerprint_site["warm"]
    # The cold build computed the inline values in its own process (charts may be prepared in workers).
    assert cold["imported"]["pandas"] and cold["values"].get("computed", 0) > 0
    assert warm["charts"].get("prepared", 0) == 0 and warm["datasets"].get("validated", 0) == 0
    assert warm["imported"] == {"altair": False, "frictionless": False, "numpy": False, "pandas": False}


def test_a_kept_article_turned_into_a_link_out_of_content_is_refused_on_every_build(fingerprint_site):
    """The reader's refusals (sanitise) come before the article cache: a warm corpus's article
    replaced by a link to the same bytes outside content/ (its cache entry's key is the same)
    fails each build with the refusal, and output/ is left as it was."""
    corpus, out, into = fingerprint_site["corpus"], fingerprint_site["out"], fingerprint_site["into"]
    article = corpus["article"]
    original = article.read_bytes()
    outside = into / "outside.fr.md"
    outside.write_bytes(original)
    before = tree(out)
    article.unlink()
    article.symlink_to(outside)
    try:
        for _ in range(2):
            with pytest.raises(BuildFailed) as failure:
                build_site(settings=str(corpus["settings"]), output=out, quiet=True)
            assert f"links to {outside}, outside content/" in str(failure.value)
            assert tree(out) == before
    finally:
        article.unlink()
        article.write_bytes(original)


def test_a_value_the_fingerprint_cannot_write_is_unknown():
    """describe() writes dicts and lists with the json module's encoder; what that cannot
    write is walked in Python, which names it (the page is then rendered)."""
    import datetime as dt

    from datadesk.pages import Unknown, describe

    class Opaque:
        pass

    with pytest.raises(Unknown, match="Opaque"):
        describe({"a": [1, {"b": Opaque()}]})
    looped: dict = {}
    looped["self"] = looped
    with pytest.raises(Unknown):
        describe(looped)
    when = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.timezone.utc)
    assert describe({"b": {2, 1}, "a": (1, "x"), "when": when}) == {
        "a": [1, "x"], "b": [1, 2], "when": {"datetime": when.isoformat(), "tz": "UTC"}}


def test_the_dataset_pages_read_no_csv_on_a_warm_build_and_read_an_edited_one_again(fingerprint_site):
    """What a dataset page shows of its CSV (header, first rows, row count, the sources its
    rows cite) is read once per build for both languages and kept by the hash of the file's
    bytes (datasets/pages.py): a warm build reads no CSV for them; an edited CSV is read again,
    that one only, and its pages are the ones a clean build writes."""
    from tools.bench.corpus import CSV_CELL, edit_csv_cell

    cold, warm, out = fingerprint_site["cold"], fingerprint_site["warm"], fingerprint_site["out"]
    datasets = {p.parent.name for p in (out / "data").glob("*/index.html")}
    assert datasets and cold["dataset pages"]["preview read"] == len(datasets)
    assert "preview kept" not in cold["dataset pages"]
    assert warm["dataset pages"]["preview kept"] == len(datasets)
    assert not [what for what in warm["dataset pages"] if what.endswith(" read")]
    name = CSV_CELL[0]
    edit_csv_cell(fingerprint_site["corpus"]["project"] / "data" / f"{name}.csv", 7)
    rebuild(fingerprint_site, "csv")  # byte-identical to a clean build
    counts = fingerprint_site["counts"]
    assert counts["dataset pages"]["preview read"] == 1
    assert counts["dataset pages"]["preview kept"] == len(datasets) - 1
    assert {f"data/{name}/index.html", f"en/data/{name}/index.html"} <= set(counts["rendered other pages"])


def test_the_front_matter_checks_are_kept_until_a_file_changes(fingerprint_site):
    """The editorial checks' findings are kept by the hash and date of every file they read
    (editorial.py): a cold build checks every file, a warm build checks no front matter; a
    new file with a mistake is checked, and fails each build with the same message (the
    second one from the store) leaving output/ as it was; once it is gone, the findings of
    the files as they were are found again. (Each file's own findings, kept file by file:
    tests/plugins/test_editorial_kept.py.)"""
    corpus, out = fingerprint_site["corpus"], fingerprint_site["out"]
    markdown = len(list((corpus["project"] / "content").rglob("*.md")))
    assert fingerprint_site["cold"]["editorial checks"] == {"checked": 1, "files checked": markdown}
    assert fingerprint_site["warm"]["editorial checks"] == {"kept": 1}
    broken = corpus["article"].with_name("date-fr.fr.md")
    broken.write_text("Title: Date\nDate: 31/10/2022\nSlug: date-fr\nLang: fr\nCategory: Énergie\n\n"
                      "Texte.\n", encoding="utf-8")
    before = tree(out)
    messages = []
    try:
        for _ in range(2):
            with pytest.raises(BuildFailed) as failure:
                build_site(settings=str(corpus["settings"]), output=out, quiet=True)
            found = [line for line in str(failure.value).splitlines() if "date-fr.fr.md:2:" in line]
            assert found and 'Date is "31/10/2022"' in found[0]
            messages.append(found)
            assert tree(out) == before
    finally:
        broken.unlink()
    assert messages[0] == messages[1]
    build_site(settings=str(corpus["settings"]), output=out, quiet=True)
    assert report(corpus)["editorial checks"] == {"kept": 1}
    assert tree(out) == before
