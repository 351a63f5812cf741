"""Translations that do not pair up.

A translation shares its original's Slug. Two articles in different languages whose
Slugs differ by a few letters, or that share their date and their charts, are almost
always an original and its translation whose Slugs drifted apart: each is then published
alone, without a language switch. The build stops and names both files. An article that
really exists in one language only says so with ``Translation: none``.
"""

from __future__ import annotations

import re

ALONE = "none"  # Translation: none -- this article has no translation, on purpose
MAX_DISTANCE = 3  # "a few characters"
MIN_LENGTH = 6  # shorter slugs are too alike by chance
CHART = re.compile(r"\{\{\s*chart\s+([A-Za-z_][\w-]*)\s*\}\}")


def distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """Levenshtein distance, stopping early once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def charts_placed(text: str) -> frozenset[str]:
    """The charts an article's text places (what ``unpaired`` compares, as ``matter.charts``)."""
    return frozenset(CHART.findall(text))


def _day(matter) -> str:
    return (matter.value("date") or "")[:10]


def unpaired(matters: list, problem, site_langs: list[str] = ()) -> list:
    """One problem per pair of articles that look like translations but are not linked.
    ``matters`` are the files' summaries (``checks.Summary``: their Slug, Lang, Date and
    Translation, the charts they place); ``problem(matter, line, message)`` builds it; the
    message goes on the file in the later language of the pair (the translation, usually),
    and names the other."""
    articles = [m for m in matters if m.source.kind == "article" and m.value("slug")
                and m.value("lang")]
    slugs_by_lang: dict[str, set[str]] = {}
    for m in articles:
        slugs_by_lang.setdefault(m.value("lang"), set()).add(m.value("slug"))
    # The site's languages, main first: the message goes on the file in the later one.
    langs = [lang for lang in site_langs if lang in slugs_by_lang] + sorted(
        lang for lang in slugs_by_lang if lang not in site_langs)

    def alone(m) -> bool:
        return (m.value("translation") or "").lower() == ALONE

    def paired(m) -> bool:
        return any(m.value("slug") in slugs_by_lang[other] for other in langs if other != m.value("lang"))

    loose = [m for m in articles if not alone(m) and not paired(m)]
    out = []
    for i, a in enumerate(loose):
        for b in loose[i + 1:]:
            if a.value("lang") == b.value("lang"):
                continue
            first, second = sorted((a, b), key=lambda m: (langs.index(m.value("lang")), m.source.display))
            s1, s2 = first.value("slug"), second.value("slug")
            near = min(len(s1), len(s2)) >= MIN_LENGTH and distance(s1, s2) <= MAX_DISTANCE
            charts = first.charts
            same = bool(charts) and _day(first) and _day(first) == _day(second) and charts == second.charts
            if not (near or same):
                continue
            why = (f'its Slug "{s2}" differs by a few letters from "{s1}"' if near else
                   f"it has the same date ({_day(first)}) and the same charts "
                   f"({', '.join(sorted(charts))})")
            out.append(problem(second, second.line("slug"),
                               f"{why} of {first.source.display} ({first.value('lang')}), but the two "
                               f"are not linked as translations, so each would be published alone. If "
                               f"one translates the other, give them the same Slug: `Slug: {s1}` "
                               f"(with `Translation: true` in the translation); if each stands alone, "
                               f"write `Translation: {ALONE}` in both."))
    return out
