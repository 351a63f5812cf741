"""JSON-LD and link previews (plugins/discovery/structured.py, cards.py) and the gate that
proves them (`invoke check --only structured-data`): the published build passes; the gate
fails on a copy broken in one way; a title that tries to close the <script> cannot."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import lxml.html
import pytest

ROOT = Path(__file__).resolve().parents[2]
for p in (ROOT, ROOT / "plugins"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import tasks  # noqa: E402
from conftest import copy_content  # noqa: E402
from discovery.cards import Card, image_size, render, wrap, text_width  # noqa: E402
from tools.check import gate_structured  # noqa: E402
from tools.check.site import Site  # noqa: E402

SITEURL = "https://example.org/energy-front"


@pytest.fixture
def broken(published_site, tmp_path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(published_site, copy, ignore=shutil.ignore_patterns("pagefind"))
    return copy


def findings(root: Path) -> str:
    return "\n".join(map(str, gate_structured.check(Site(root)).findings))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def jsonld(path: Path) -> dict:
    doc = lxml.html.fromstring(path.read_bytes())
    return {o["@type"]: o for o in (json.loads(s.text) for s in doc.xpath('//script[@type="application/ld+json"]'))}


def test_the_published_build_passes_the_structured_data_gate(published_site):
    assert findings(published_site) == ""


def test_articles_say_what_they_are_based_on_in_their_language(published_site):
    data = jsonld(published_site / "en" / "front-energetique" / "index.html")
    article = data["NewsArticle"]
    assert article["inLanguage"] == "en" and article["url"] == f"{SITEURL}/en/front-energetique/"
    assert article["image"] == [f"{SITEURL}/en/cards/front-energetique.jpg"]
    assert f"{SITEURL}/en/data/strikes_waves/" in [d["url"] for d in article["isBasedOn"]]
    crumbs = [i["item"] for i in data["BreadcrumbList"]["itemListElement"]]
    assert crumbs == [f"{SITEURL}/en/", f"{SITEURL}/en/category/energy/", f"{SITEURL}/en/front-energetique/"]
    dataset = jsonld(published_site / "data" / "strikes_waves" / "index.html")["Dataset"]
    assert dataset["distribution"][0]["contentUrl"] == f"{SITEURL}/data/strikes_waves.csv"
    assert jsonld(published_site / "index.html")["WebSite"]["url"] == f"{SITEURL}/"


def test_every_article_has_its_card_at_1200_by_630_and_each_chart_embed_its_png(published_site):
    for lang_root in (published_site, published_site / "en"):
        for slug in ("front-energetique", "defense-aerienne-armes-lourdes", "bombe-sale-canaux-nucleaires"):
            card = lang_root / "cards" / f"{slug}.jpg"
            assert image_size(card.read_bytes()) == ("JPEG", (1200, 630)), card
            page = (lang_root / slug / "index.html").read_text(encoding="utf-8")
            assert '<meta property="og:image:type" content="image/jpeg">' in page
    embed = (published_site / "charts" / "strikes_weekly" / "index.html").read_text(encoding="utf-8")
    assert f'property="og:image" content="{SITEURL}/charts/strikes_weekly/strikes_weekly.fr.png"' in embed


# --- the gate fails on a broken copy ----------------------------------------------------

def test_gate_fails_on_an_article_without_headline(broken):
    page = broken / "front-energetique" / "index.html"
    edit(page, '"headline": ', '"title": ')
    assert "front-energetique/index.html" in findings(broken)
    assert "NewsArticle lacks the required property 'headline'" in findings(broken)


def test_gate_fails_on_json_that_does_not_parse_and_a_dead_dataset_address(broken):
    edit(broken / "en" / "about" / "index.html", '"@type": "BreadcrumbList"', '"@type": "BreadcrumbList",,')
    edit(broken / "en" / "front-energetique" / "index.html", f"{SITEURL}/en/data/strikes_waves/",
         f"{SITEURL}/en/data/no_such_dataset/")
    found = findings(broken)
    assert "en/about/index.html" in found and "JSON-LD does not parse" in found
    assert f"NewsArticle: {SITEURL}/en/data/no_such_dataset/ is not a built file" in found


def test_gate_fails_on_a_card_of_the_wrong_size_type_or_missing_or_cut_short(broken):
    from PIL import Image

    with Image.open(broken / "theme" / "img" / "icon-512.png") as icon:
        icon.convert("RGB").save(broken / "cards" / "front-energetique.jpg", "JPEG")
    shutil.copyfile(broken / "theme" / "img" / "icon-512.png", broken / "cards" / "about.jpg")  # a PNG named .jpg
    card = broken / "en" / "cards" / "front-energetique.jpg"
    card.write_bytes(card.read_bytes()[: card.stat().st_size // 3])
    (broken / "en" / "cards" / "about.jpg").unlink()
    found = findings(broken)
    assert f"og:image {SITEURL}/cards/front-energetique.jpg is 512×512, the page declares 1200×630" in found
    assert f"og:image {SITEURL}/cards/about.jpg is image/png, the page declares og:image:type image/jpeg" in found
    assert f"og:image {SITEURL}/en/cards/front-energetique.jpg is not a picture" in found
    assert f"og:image {SITEURL}/en/cards/about.jpg is not a built file" in found


def test_gate_fails_on_a_dataset_without_licence_and_a_page_without_open_graph(broken):
    edit(broken / "data" / "strikes_waves" / "index.html", '"license": ', '"licence": ')
    edit(broken / "en" / "data" / "strikes_waves" / "index.html", '"temporalCoverage": "', '"temporalCoverage": "autumn ')
    page = broken / "methodology" / "index.html"
    page.write_text(re.sub(r'\s*<meta property="og:image"[^>]*>', "", page.read_text(encoding="utf-8")),
                    encoding="utf-8")
    found = findings(broken)
    assert "Dataset lacks the required property 'license'" in found
    assert "temporalCoverage 'autumn 2022-09-28/2026-03-01' is not an ISO 8601" in found
    assert 'methodology/index.html: no <meta property="og:image">' in found


# --- escaping, and the card drawing ------------------------------------------------------

@pytest.mark.slow
def test_a_title_cannot_close_the_json_ld_script(tmp_path):
    project = tmp_path / "project"
    copy_content(project / "content")
    nasty = "Des </script ou <!-- & « guillemets » 'simples'"
    article = project / "content" / "articles" / "bombe-sale-canaux-nucleaires.fr.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(re.sub(r"^Title: .*$", f"Title: {nasty}", text, count=1, flags=re.M), encoding="utf-8")
    out = tasks.build_site(output=tmp_path / "output", content=project / "content", quiet=True)
    page = (out / "bombe-sale-canaux-nucleaires" / "index.html").read_text(encoding="utf-8")
    # (The page's own <h1> is the templates' business: Jinja autoescape.) Each JSON-LD block
    # runs to its own </script> and holds the title whole, escaped.
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.S)
    assert len(blocks) == 2 and all("<" not in b and ">" not in b for b in blocks)
    assert json.loads(blocks[0])["headline"] == nasty
    assert "\\u003c/script ou \\u003c!--" in blocks[0]


def test_card_text_wraps_inside_its_column_and_is_cut_with_an_ellipsis(tmp_path):
    lines = wrap("mot " * 200, 46, 560, 4, bold=True)
    assert len(lines) == 4 and lines[-1].endswith("…")
    assert all(text_width(line, 46, bold=True) <= 560 for line in lines)
    card = Card("Un titre", "Un chapeau.", "Front de l'énergie")
    first = render(card, tmp_path)
    assert image_size(first) == ("JPEG", (1200, 630)) and len(list(tmp_path.glob("*.jpg"))) == 1
    assert render(card, tmp_path) == first  # from the cache, keyed by the drawing's hash
    render(Card("Un autre titre", "Un chapeau.", "Front de l'énergie"), tmp_path)
    assert len(list(tmp_path.glob("*.jpg"))) == 2


def test_the_gate_reads_a_picture_again_once_it_changed(tmp_path):
    """The gate decodes a picture many pages share once, but a file rewritten since (another
    build of the same output, in one process) is read again, and a cut one is not a picture."""
    from PIL import Image

    card = tmp_path / "card.jpg"
    Image.new("RGB", (1200, 630), "#ffffff").save(card, "JPEG")
    assert gate_structured.picture(card) == ("image/jpeg", (1200, 630))
    Image.new("RGB", (512, 512), "#ffffff").save(card, "PNG")
    assert gate_structured.picture(card) == ("image/png", (512, 512))
    card.write_bytes(card.read_bytes()[:40])
    assert gate_structured.picture(card) is None
    assert gate_structured.picture(tmp_path / "missing.jpg") is None
