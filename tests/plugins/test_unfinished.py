"""Nothing unfinished is published: a shortcode left open, braces left in a page, a header
value that would be printed with its quotes or markup. Each fails the build with the file,
the line and the fix (real builds of the editor fixture project)."""

from __future__ import annotations

import pytest

from conftest import ROOT
from test_editor import failed_build, project_copy, write

HEAD = "Title: {title}\nDate: 2022-12-02\nSlug: {slug}\nLang: fr\nCategory: Énergie\n"
CASES = {
    # an unclosed chart at the end of a line used to be printed as text
    "ouvert.fr.md": (
        HEAD.format(title="Ouvert", slug="ouvert") + "\nTexte {{ chart vagues\n",
        ['content/articles/ouvert.fr.md:7: the shortcode "{{ chart vagues" is not closed; '
         'expected "}}" at its end, on the same line. Add }} after its last word.']),
    # a missing }} used to swallow the next shortcode's words ("les" is not a filter)
    "avale.fr.md": (
        HEAD.format(title="Avale", slug="avale")
        + "\nLa {{ value max waves.missiles_launched les {{ value max waves.missiles_launched }}.\n",
        ['content/articles/avale.fr.md:7: the shortcode "{{ value max waves.missiles_launched '
         'les" is not closed; expected "}}" at its end, on the same line.']),
    "ferme.fr.md": (
        HEAD.format(title="Fermé", slug="ferme") + "\nTexte.\n\nFin }} ici.\n",
        ['content/articles/ferme.fr.md:9: a closing "}}" without its opening "{{" (column 5)']),
    "sans-nom.fr.md": (
        HEAD.format(title="Sans nom", slug="sans-nom") + "\nTexte {{ }}.\n",
        ['content/articles/sans-nom.fr.md:7: "{{ }}" has no shortcode name']),
    "guillemets.fr.md": (
        'Title: "Novembre noir"\nDate: 2022-12-02\nSlug: guillemets\nLang: fr\n'
        "Category: Énergie\nAuthors: 'Rédaction\n\nTexte.\n",
        ['content/articles/guillemets.fr.md:1: Title is wrapped in quotes ("Novembre noir"); this '
         "header is not YAML, so the quotes would be printed in the headline. Remove them: "
         "`Title: Novembre noir`.",
         "content/articles/guillemets.fr.md:6: Authors is wrapped in quotes ('Rédaction); this "
         "header is not YAML, so the quotes would be printed in the page. Remove them: "
         "`Authors: Rédaction`."]),
    "ouvrant.fr.md": (
        'Title: "Novembre noir\nDate: "2022-12-02"\nSlug: ouvrant\nLang: fr\nCategory: Énergie\n'
        "\nTexte.\n",
        ['content/articles/ouvrant.fr.md:1: Title is wrapped in quotes ("Novembre noir); this '
         "header is not YAML",
         'content/articles/ouvrant.fr.md:2: Date is wrapped in quotes ("2022-12-02"); this header '
         "is not YAML, so the quotes would be printed in the page. Remove them: "
         "`Date: 2022-12-02`."]),
    "yaml.fr.md": (
        "Title: En YAML\nDate: 2022-12-02\nSlug: yaml\nLang: fr\nCategory: Énergie\n"
        "Tags: [froid, 'nuit']\nSummary: >\n\nTexte.\n",
        ["content/articles/yaml.fr.md:6: Tags is written as a YAML list ([froid, 'nuit']); this "
         "header is not YAML, so the brackets would be printed. Separate the items with commas "
         "only: `Tags: froid, nuit`.",
         'content/articles/yaml.fr.md:7: Summary is ">", the start of a YAML block; this header '
         "is not YAML, so the sign would be printed. Write the text on the same line"]),
    "liste.fr.md": (
        HEAD.format(title="Liste", slug="liste") + "Tags:\n- froid\n- nuit\n\nTexte.\n",
        ['content/articles/liste.fr.md:7: "- froid" is a YAML list item; this header is not '
         "YAML, so the header ends here and the rest is printed as text. Put the items on the "
         "field's own line, separated by commas (`Tags: a, b`)."]),
    "espace.fr.md": (
        HEAD.format(title="Espace", slug="espace") + "Tags : froid\n\nTexte.\n",
        ['content/articles/espace.fr.md:6: "Tags : froid" has a space before the colon, so the '
         "header ends here and the rest is printed as text; write `Tags: froid`, with the colon "
         "right after the field name."]),
    "balises.fr.md": (
        "Title: Un *vrai* titre\nDate: 2022-12-02\nSlug: balises\nLang: fr\n"
        "Category: Énergie <b>\nTags: froid &amp; nuit\n\nTexte.\n",
        ['content/articles/balises.fr.md:1: Title contains italic Markdown (*…*): "*vrai*", which '
         "would be printed as it is (only the text and Summary are formatted); expected plain "
         "words. Remove the asterisks.",
         'content/articles/balises.fr.md:5: Category contains HTML ("<b>"), which would be shown '
         "as text; expected plain words (only the text and Summary are formatted). Remove the "
         "tag.",
         'content/articles/balises.fr.md:6: Tags contains "&amp;", which would be shown as it '
         "is; expected plain words. Type the character itself."]),
    "chapo.fr.md": (
        HEAD.format(title="Chapô", slug="chapo")
        + "Summary: Jusqu'à {{ value max waves.missiles_launched missiles.\n\nTexte.\n",
        ['content/articles/chapo.fr.md:6: Summary: the shortcode "{{ value max '
         'waves.missiles_launched missiles." is not closed']),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> str:
    project = project_copy(tmp_path_factory.mktemp("unfinished"))
    for name, (text, _messages) in CASES.items():
        write(project / "content" / "articles" / name, text)
    return failed_build(project)


@pytest.mark.parametrize("name", list(CASES))
def test_each_unfinished_text_fails_with_file_line_and_fix(report, name):
    for message in CASES[name][1]:
        assert message in report, report


@pytest.mark.slow
def test_a_quotation_inside_a_title_and_code_examples_are_fine(tmp_path):
    from test_editor import build

    project = project_copy(tmp_path)
    write(project / "content" / "articles" / "cite.fr.md",
          'Title: The "dirty bomb" claim\nDate: 2022-12-02\nSlug: cite\nLang: fr\n'
          "Category: Énergie\n\nOn écrit `{{ chart ID }}` ou `}}`, et :\n\n"
          "```\n{{ value sum x.y\n```\n")
    site = build(project)
    page = (site / "cite" / "index.html").read_text(encoding="utf-8")
    assert "The &#34;dirty bomb&#34; claim" in page or 'The "dirty bomb" claim' in page
    assert "<code>{{ chart ID }}</code>" in page


@pytest.mark.slow
def test_braces_that_reach_a_page_fail_the_build(tmp_path):
    """The last line of defence: whatever the source (here the corrections log, which
    is not Markdown), braces in a written page stop the build, naming the page and line."""
    project = project_copy(tmp_path)
    for lang in ("fr", "en"):
        page = ROOT / "content" / "pages" / f"corrections.{lang}.md"
        write(project / "content" / "pages" / page.name, page.read_text(encoding="utf-8"))
    write(project / "content" / "corrections.yaml",
          "- id: 2022-12-03-hiver\n  date: 2022-12-03\n  article: hiver-des-coupures\n"
          "  kind: correction\n  fr: \"Le chiffre {{ value max waves.missiles_launched était faux.\"\n"
          "  en: \"The figure was wrong.\"\n")
    report = failed_build(project)
    assert "would be published as it is, braces and all" in report
    assert "content/pages/corrections.fr.md (page corrections/index.html:" in report
