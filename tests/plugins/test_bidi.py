"""Text in any script: titles and names carry dir="auto" (or <bdi>) wherever they are shown,
and invisible bidirectional controls in the front matter are refused with file, line and
column (plugins/editorial/bidi.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

from editorial import Source, check_all  # noqa: E402

HEADER = """Title: {title}
Slug: essai
Lang: fr
Date: 2026-11-25
Category: Énergie
Tags: {tags}
Summary: Un chapeau.

Le texte.
"""


def problems_for(tmp_path: Path, title: str, tags: str = "frappes") -> list[str]:
    path = tmp_path / "essai.fr.md"
    path.write_text(HEADER.format(title=title, tags=tags), encoding="utf-8")
    found = check_all([Source(path, "content/articles/essai.fr.md", "article")], ["fr", "en"])
    return [str(p) for group in found.values() for p in group]


def test_bidirectional_overrides_and_isolates_in_the_front_matter_are_refused(tmp_path):
    found = problems_for(tmp_path, "Les frappes \u202edu 10 octobre", tags="frappes, \u2066réseau\u2069")
    assert any(p.startswith("content/articles/essai.fr.md:1: Title contains the invisible character U+202E "
                            "(RIGHT-TO-LEFT OVERRIDE) at column 20") for p in found), found
    assert any(p.startswith("content/articles/essai.fr.md:6: Tags contains the invisible character U+2066 "
                            "(LEFT-TO-RIGHT ISOLATE)") for p in found), found
    assert any("U+2069 (POP DIRECTIONAL ISOLATE)" in p for p in found), found
    for code in [0x202A, 0x202B, 0x202C, 0x202D, 0x2067, 0x2068]:
        assert any(f"U+{code:04X}" in p for p in problems_for(tmp_path, f"Titre {chr(code)} x")), hex(code)


def test_arabic_and_hebrew_titles_need_no_control_and_pass(tmp_path):
    found = problems_for(tmp_path, "الجبهة الطاقية: Energy Front עברית")
    assert not [p for p in found if "invisible character" in p]


def test_titles_and_names_carry_their_own_direction_everywhere_they_are_shown(built_site):
    checked = 0
    for path in built_site.rglob("*.html"):
        if path.relative_to(built_site).parts[0] in ("theme", "pagefind"):
            continue
        doc = lxml.html.fromstring(path.read_bytes())
        kind = (doc.xpath('//meta[@name="page-type"]/@content') or [""])[0]
        # Headings that show a contributor's title or name (the interface's own are ours).
        h1 = "//main//h1 | " if kind in ("article", "page", "dataset", "category", "tag") else ""
        for el in doc.xpath(h1 + "//*[contains(@class, 'card-title')] | //*[contains(@class, 'chart-title')]"):
            isolated = el.get("dir") == "auto" or el.xpath(".//bdi")
            assert isolated, f"{path}: <{el.tag}> {el.text_content()[:40]!r} has no dir=\"auto\" or <bdi>"
            checked += 1
        for link in doc.xpath("//ul[contains(@class, 'archive-list')]//a | //p[contains(@class, 'kicker')]/a"):
            assert link.get("dir") == "auto", f"{path}: {link.text_content()[:40]!r}"
        for byline in doc.xpath("//span[@class='byline']"):
            assert byline.xpath(".//bdi"), f"{path}: author names without <bdi>"
    assert checked > 50
