"""The stories' second edition: each corrected claim pinned to what the data and sources
say, French and English telling the same story, and reading time counting prose only.

Claims are checked in the markdown (what the editor wrote) and, where a value is
computed, against the curated data (what the build will show).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT

from datadesk.shortcodes import SHORTCODE  # noqa: E402  (plugins/ is on sys.path through conftest)
from site_context.site_context import prose_words, reading_minutes  # noqa: E402

ARTICLES = ROOT / "content" / "articles"
PAGES = ROOT / "content" / "pages"
CHARTS = ROOT / "content" / "charts"
DATA = ROOT / "data"
SLUGS = ["defense-aerienne-armes-lourdes", "front-energetique", "bombe-sale-canaux-nucleaires"]
LANGS = ["fr", "en"]


def text(slug: str, lang: str) -> str:
    return (ARTICLES / f"{slug}.{lang}.md").read_text(encoding="utf-8")


def body(slug: str, lang: str) -> str:
    """The article without its front matter."""
    return text(slug, lang).split("\n\n", 1)[1]


def paragraph_with(source: str, needle: str) -> str:
    return next(p for p in source.split("\n\n") if needle in p)


def csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


# --------------------------------------------------------------------------- air defence

def system_token(system: str) -> str:
    """What the prose calls a system: its acronym in brackets (ACSV), else its model code
    (T-55, BMP-1, M113), else its first word (Iveco, Iris-T)."""
    bracket = re.search(r"\(([A-Z]{2,})\)", system)
    if bracket:
        return bracket.group(1)
    coded = [w for w in system.split() if re.match(r"[A-Z][A-Za-z]*-?\d", w)]
    return coded[0] if coded else system.split()[0]


@pytest.mark.parametrize("lang", LANGS)
def test_every_pledge_with_nothing_delivered_is_named_not_only_the_newest(lang):
    weapons = csv("kiel_r7_heavy_weapons")
    zero = weapons[weapons["units_delivered"] == 0]
    assert len(zero) >= 5, "Release 7 has several pledges with zero delivered"
    story = body("defense-aerienne-armes-lourdes", lang)
    para = paragraph_with(story, "{{ value count kiel_r7_heavy_weapons.system units_delivered=0 }} l")
    missing = [s for s in zero["system"] if system_token(s).lower().replace("iris-t", "iris-t")
               not in para.lower() and system_token(s).lower() not in story.lower()]
    assert not missing, f"systems with nothing delivered that the story does not name: {missing}"
    # The NASAMS line has no delivery at all (empty), which the story says separately.
    nasams = weapons[weapons["system"].str.contains("NASAMS")]
    assert nasams["units_delivered"].isna().all()
    assert "NASAMS" in para
    assert not re.search(r"exception (was|concernait)|newest, most modern|les plus récents et les plus modernes", story)


def test_the_story_counts_heavy_weapons_by_category_not_summed_across():
    for lang in LANGS:
        story = body("defense-aerienne-armes-lourdes", lang)
        assert "{{ value sum kiel_r7_heavy_weapons.units_committed }}" not in story
        assert "{{ value sum kiel_weapons_cumulative.units category=\"Air Defense\" }}" not in story
        assert "category=Tank" in story and 'category="Armoured fighting vehicle"' in story
    assert not (CHARTS / "heavy_weapons_by_donor.py").exists()
    chart = (CHARTS / "heavy_weapons_by_category.py").read_text(encoding="utf-8")
    assert 'groupby("category"' in chart and 'groupby("donor"' not in chart


def test_the_aspide_battery_is_not_dated_without_a_source_and_the_us_gap_is_explained():
    fr, en = body("defense-aerienne-armes-lourdes", "fr"), body("defense-aerienne-armes-lourdes", "en")
    assert "batterie Aspide de novembre 2022" not in fr
    assert "viennent combler" not in fr and "went some way" not in en
    assert "USAI" in fr and "USAI" in en
    main = pd.read_csv(DATA / "raw" / "kiel_ust_release7_2022" / "ust_r7_bilateral_main_data.csv", dtype=str)
    assert main["Explanation"].fillna("").str.contains("procures capabilities from industry").any()
    assert "procures capabilities from industry" in en


def test_the_share_delivered_chart_computes_the_share_and_turkey_is_flagged():
    aid = csv("kiel_r7_inkind_aid").set_index("donor")
    turkey = aid.loc["Turkey"]
    assert turkey["share_delivered_pct"] == 0, "the raw value is kept"
    assert round(turkey["delivered_eur_bn"] / turkey["committed_eur_bn"] * 100) == 67
    resource = json.loads((DATA / "kiel_r7_inkind_aid.resource.json").read_text(encoding="utf-8"))
    assert any("Turkey" in c and "67%" in c for c in resource["caveats_en"])
    assert any("Turquie" in c and "67\u202f%" in c for c in resource["caveats_fr"])
    chart = (CHARTS / "aid_share_delivered.py").read_text(encoding="utf-8")
    assert "share_delivered_pct" not in chart.split("COLUMNS =")[1].split("\n")[0]
    for lang in LANGS:
        assert "kiel_r7_inkind_aid.share_delivered_pct" not in body("defense-aerienne-armes-lourdes", lang)


def test_kiels_seven_is_a_value_not_a_word():
    for lang, word in (("en", "Kiel's seven"), ("fr", "Les sept de Kiel")):
        story = body("defense-aerienne-armes-lourdes", lang)
        assert word not in story
        assert 'system="Iris-T SLM" format=words }}' in story


# --------------------------------------------------------------------------- energy front

def test_zelenskys_30_to_40_percent_is_dated_6_november_and_nearly_40_is_the_outlets():
    facts = csv("energy_damage_indicators").set_index("fact_id")
    rng = facts.loc["zelensky-energy-infra-2022-11-07-range"]
    assert (rng["date"], rng["value"], rng["value_max"]) == ("2022-11-06", 30, 40)
    assert "Zelensky" in rng["who_said"]
    assert "Zelensky" not in facts.loc["zelensky-energy-infra-2022-11-07-nearly-40", "who_said"]
    for lang in LANGS:
        story = body("front-energetique", lang)
        assert "nearly-40" not in story, "the outlet's own line is not Zelensky's"
        assert "fact_id=zelensky-energy-infra-2022-11-07-range" in story
    assert "evening of {{ value energy_damage_indicators.date fact_id=zelensky-energy-infra-2022-11-07-range" \
        in body("front-energetique", "en")
    assert "soir du {{ value energy_damage_indicators.date fact_id=zelensky-energy-infra-2022-11-07-range" \
        in body("front-energetique", "fr")


def drone_days(start: str, end: str) -> tuple[int, int]:
    waves = csv("strikes_waves")
    days = waves[(waves["wave_start"] >= start) & (waves["wave_start"] <= end) & (waves["drones_launched"] > 0)]
    return days["wave_start"].nunique(), (pd.Timestamp(end) - pd.Timestamp(start)).days + 1


def test_shaheds_almost_every_night_only_in_the_first_period():
    early, late = drone_days("2022-10-10", "2022-10-26"), drone_days("2022-10-27", "2022-11-23")
    assert early[0] / early[1] > 0.8 and late[0] / late[1] < 0.3
    for lang, days in (("en", ("of the 17 days", "of the 28 days")), ("fr", ("jours sur 17", "jours sur 28"))):
        story = body("front-energetique", lang)
        assert f"{early[1]}" in days[0] and f"{late[1]}" in days[1]
        assert all(d in story for d in days)
        assert "distinct strikes_waves.wave_start drones_launched>0 wave_start>=2022-10-10 wave_start<=2022-10-26" \
            in story
        assert "Between the peaks, Shahed drones came almost every night" not in story


def test_2022_and_2025_drones_are_compared_per_week():
    for lang in LANGS:
        story = body("front-energetique", lang)
        assert "sum strikes_waves.drones_launched wave_start>=2025-01-01" not in story
        assert "mean strikes_weekly.drones_launched week_start<=2022-12-31" in story
        assert "mean strikes_weekly.drones_launched week_start>=2025-01-01 week_start<=2025-12-31" in story


def test_the_22_december_peak_was_one_group_and_february_is_mostly_missing():
    daily = csv("chernivtsi_outages_daily")
    peak = daily[daily["date"] == "2022-12-22"]
    assert (peak["hours_off"] == 24).sum() == 1
    february = daily[(daily["date"] >= "2023-02-01") & (daily["date"] <= "2023-02-16")]["date"].unique()
    assert len(february) <= 3
    assert daily[daily["hours_off"] >= 1]["date"].max() in february
    for lang in LANGS:
        story = body("front-energetique", lang)
        assert "count chernivtsi_outages_daily.group date=2022-12-22 hours_off=24 format=words" in story
        assert "distinct chernivtsi_outages_daily.date date>=2023-02-01 date<=2023-02-16" in story
        assert "some for {{" not in story and "certains pendant {{" not in story


def test_the_statements_chart_keeps_point_in_time_apart_and_leaves_costs_out():
    chart = (CHARTS / "strikes_and_damage_statements.py").read_text(encoding="utf-8")
    statements = re.search(r"STATEMENTS = \[(.*?)\]", chart, re.S).group(1)
    assert "undp" not in statements and "kse" not in statements
    assert "CUMULATIVE" in chart and "infrastructures\\nénergétiques" in chart
    assert not (CHARTS / "energy_damage_indicators.py").exists()


def test_the_weekly_chart_names_decoys_and_no_target():
    chart = (CHARTS / "strikes_weekly.py").read_text(encoding="utf-8")
    assert "leurres" in chart and "decoys" in chart
    assert "février 2026" in chart and "February 2026" in chart
    label = re.search(r'"waves": \{"fr": "([^"]*)", "en": "([^"]*)"', chart)
    assert label and not re.search(r"réseau|grid", " ".join(label.groups()))


def test_the_cumulative_chart_says_delivered_or_earmarked():
    chart = (CHARTS / "heavy_weapons_cumulative.py").read_text(encoding="utf-8")
    assert "promises et fléchées" not in chart and "committed and earmarked" not in chart
    assert "livrées ou affectées" in chart and "delivered or earmarked" in chart


def test_the_timeline_puts_the_iris_t_after_the_cutoff_and_drops_the_aspide_missiles():
    import importlib.util

    spec = importlib.util.spec_from_file_location("timeline", CHARTS / "air_defence_timeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert "event_id != kiel-r7-esm5-aspide-2022-06-05" in module.FILTER
    events = pd.read_csv(DATA / "air_defence_events.csv", parse_dates=["date"])
    iris = events[(events["system"] == "IRIS-T SLM") & (events["event_type"] == "delivered")]
    assert (iris["date_precision"] == "month").all()
    assert pd.Timestamp(module.RELEASE7_CUTOFF) == pd.Timestamp("2022-10-03")


# --------------------------------------------------------------------------- dirty bomb

def test_shoigu_raised_the_dirty_bomb_with_three_capitals_not_four():
    for lang in LANGS:
        story = text("bombe-sale-canaux-nucleaires", lang)
        assert "four Western capitals" not in story and "appelle quatre capitales" not in story
    assert "the first three" in text("bombe-sale-canaux-nucleaires", "en")
    assert "les trois premiers" in text("bombe-sale-canaux-nucleaires", "fr")


def test_the_iaea_request_named_two_locations_and_no_site_is_said_to_be_named_by_russia():
    for lang in LANGS:
        story = text("bombe-sale-canaux-nucleaires", lang)
        assert not re.search(r"three sites Russia had named|all named in Russia|tous cités par Moscou|"
                             r"trois sites visés", story)
    assert "for two locations" in text("bombe-sale-canaux-nucleaires", "en")
    assert "visant deux sites" in text("bombe-sale-canaux-nucleaires", "fr")


def test_sullivan_on_7_november_said_more_than_in_the_interests():
    en, fr = text("bombe-sale-canaux-nucleaires", "en"), text("bombe-sale-canaux-nucleaires", "fr")
    assert "said only" not in en and "se borne" not in fr
    assert "engage at senior levels with the Russians" in en and "dialoguer à haut niveau" in fr


def test_both_languages_follow_one_quoting_policy():
    en, fr = body("bombe-sale-canaux-nucleaires", "en"), body("bombe-sale-canaux-nucleaires", "fr")
    # France's November 4 statement: found only on a monitoring site, summarised in both.
    assert "zero basis in fact" not in en
    for story in (en, fr):
        assert "ieu-monitoring" in story
    # The RFI line is in both; so is the BBC and the state-media source for Sullivan.
    for host in ("rfi.fr", "fbcnews.com.fj", "sputniknews.com", "lesoir.be"):
        assert (host in en) == (host in fr), f"{host} is cited in one language only"


def test_the_methodology_no_longer_says_release_7_differs_from_what_kiel_published():
    for lang in LANGS:
        page = (PAGES / f"methodology.{lang}.md").read_text(encoding="utf-8")
        assert "neither matches the figures Kiel published in 2022" not in page
        assert "ne correspondent pas aux chiffres publiés par Kiel en 2022" not in page
    assert "Release 7 is what Kiel published" in (PAGES / "methodology.en.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the same story twice

def placed_values(slug: str, lang: str) -> Counter:
    return Counter(" ".join(m.group(0).replace("format=words:f", "format=words").split())
                   for m in SHORTCODE.finditer(text(slug, lang))
                   if m.group(1) == "value")


@pytest.mark.parametrize("slug", SLUGS)
def test_french_and_english_place_the_same_values(slug):
    fr, en = placed_values(slug, "fr"), placed_values(slug, "en")
    assert fr == en, (f"values placed in one language only: fr {sorted((fr - en).elements())}, "
                      f"en {sorted((en - fr).elements())}")


def boxes(slug: str, lang: str) -> dict[str, int]:
    found = {}
    for kind, inner in re.findall(r'<div class="story-box ([\w-]+)" markdown="1">(.*?)</div>',
                                  body(slug, lang), re.S):
        found[kind] = len(re.findall(r"^- ", inner, re.M))
    return found


@pytest.mark.parametrize("slug", SLUGS)
def test_each_story_has_its_key_points_and_what_we_dont_know_in_both_languages(slug):
    fr, en = boxes(slug, "fr"), boxes(slug, "en")
    assert fr == en, "the boxes must carry the same bullets (and caveats) in both languages"
    assert fr["key-points"] == 3
    assert fr["unknowns"] >= 2
    assert (Counter(re.findall(r"^\[\^(\w+)\]:", body(slug, "fr"), re.M))
            == Counter(re.findall(r"^\[\^(\w+)\]:", body(slug, "en"), re.M))), "same footnotes"


def typed_dates(source: str, lang: str) -> Counter:
    """Day and month of every date written out in the prose (links and shortcodes aside)."""
    source = SHORTCODE.sub(" ", re.sub(r"\(https?://[^)]*\)|<https?://[^>]*>", " ", source))
    source = source.split("\n## Sources")[0]
    months_en = "January February March April May June July August September October November December".split()
    months_fr = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
    found = Counter()
    if lang == "en":
        for month, days in re.findall(rf"\b({'|'.join(months_en)}) (\d{{1,2}}(?:(?:, | and | to |–)\d{{1,2}})*)\b",
                                      source):
            for day in re.findall(r"\d+", days):
                found[(int(day), months_en.index(month))] += 1
    else:
        for days, month in re.findall(rf"\b((?:1er|\d{{1,2}})(?:(?:, | et | et le | au |–)(?:1er|\d{{1,2}}))*) "
                                      rf"({'|'.join(months_fr)})\b", source):
            for day in re.findall(r"1er|\d+", days):
                found[(1 if day == "1er" else int(day), months_fr.index(month))] += 1
    return found


@pytest.mark.parametrize("slug", SLUGS)
def test_french_and_english_give_the_same_dates(slug):
    fr, en = set(typed_dates(body(slug, "fr"), "fr")), set(typed_dates(body(slug, "en"), "en"))
    assert fr == en, f"dates in one language only: fr {sorted(fr - en)}, en {sorted(en - fr)}"


# --------------------------------------------------------------------------- reading time

def words_of(n: int, word: str = "mot") -> str:
    return " ".join([word] * n)


def test_reading_time_counts_prose_only():
    prose = f"<p>{words_of(300)}</p><ul><li>{words_of(100)}</li></ul>"
    noise = (f"<svg><text>{words_of(500, 'axe')}</text></svg>"
             f"<table><tr><td>{words_of(800, 'cellule')}</td></tr></table>"
             f"<pre><code>{words_of(300, 'code')}</code></pre>"
             f'<figure class="chart"><figcaption><h4>{words_of(5, "titre")}</h4></figcaption>'
             f'<p class="chart-notes">{words_of(400, "note")}</p>'
             f'<details><table><tr><td>{words_of(900, "x")}</td></tr></table></details></figure>'
             f"<h2>Sources</h2><ul><li>{words_of(600, 'ref')}</li></ul>"
             f'<div class="footnote"><ol><li>{words_of(95)}</li></ol></div>')
    assert prose_words(prose + noise) == 300 + 100 + 5 + 95
    assert reading_minutes(prose + noise) == 3  # 500 words at 200 a minute
    assert reading_minutes(f"<p>{words_of(120)}</p>" + noise) == 2  # 220 words: a short draft stays short
    assert reading_minutes("") == 1


def test_word_count_splits_where_elements_meet_and_skips_comments():
    # as a reader sees it: "a" and "b" are two words; a comment is not read, the text after it is
    assert prose_words("<p>un<b>deux</b> trois<!-- pas lu -->quatre</p>") == 4
    # the references end at the next heading, which is read, as is a figure's title among them
    html = ("<h2>Sources</h2><p>ref ref</p><figure><figcaption>titre</figcaption>"
            "<svg><text>axe</text></svg></figure><h3>Suite</h3><p>lu lu</p>")
    assert prose_words(html) == 1 + 1 + 2
    assert prose_words("   ") == 0 and prose_words("mots sans balise") == 3


def test_related_stories_are_the_first_others_of_the_list_as_the_template_filtered_them():
    """The "Related stories" filter gives what the template's whole-list filter gave
    (``articles|rejectattr("slug", "equalto", article.slug)|list``, then the first three),
    looking at no more of the list than it needs."""
    from types import SimpleNamespace

    from jinja2 import Environment
    from site_context.site_context import related_stories

    env = Environment()
    env.filters["related_stories"] = related_stories
    old = env.from_string('{% for a in (articles|rejectattr("slug", "equalto", article.slug)|list)[:3] %}'
                          '{{ a.title }},{% endfor %}')
    new = env.from_string("{% for a in articles|related_stories(article, 3) %}{{ a.title }},{% endfor %}")
    stories = [SimpleNamespace(slug=f"s{n % 5}", title=f"t{n}") for n in range(7)]  # s0 and s1 twice
    for size in range(len(stories) + 1):
        for article in stories:
            context = {"articles": stories[:size], "article": article}
            assert new.render(context) == old.render(context), (size, article)

    looked = []

    def watched():
        for story in stories * 100:
            looked.append(story)
            yield story

    assert [a.title for a in related_stories(watched(), stories[0])] == ["t1", "t2", "t3"]
    assert len(looked) == 4
