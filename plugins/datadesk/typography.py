"""French typography for generated text: what the prose sets by hand, done for the strings
charts and dataset pages generate (titles, axes, legends, tooltips, alt text, tables).

``french(text)`` fixes the apostrophe (’), the narrow no-break space (U+202F) before
: ; ! ? » and after «, « 1er » for the first of the month and « Md€ » for « Mrd € »;
``names`` gives a site's own French spellings of names its data write in English
(``{"Chernivtsioblenergo": "Tchernivtsioblenergo"}``, from the site's settings: this
module knows no site's names). ``french(text, prose=True)`` also writes whole
numbers under ten in words when a word follows them (« huit points »), as running prose
does; units and months keep their digits (« 3 heures », « 3 oct. »).
``singular(noun, n)``: French counts 0 and 1 in the singular (« 0 heure », « 1 unité »).
"""

from __future__ import annotations

import re

from . import i18n

NNBSP = "\u202f"
# The French month names, short and long, as the data desk's locale table writes them.
MONTHS = tuple(dict.fromkeys(i18n.TIME_LOCALE["fr"]["shortMonths"] + i18n.TIME_LOCALE["fr"]["months"]))
_MONTH = "(?:" + "|".join(re.escape(m) for m in MONTHS) + r")(?![\w])"
UNIT_WORDS = {"h", "heure", "heures", "km", "gw", "mw", "md€", "m€", "md$", "millions", "million", "milliards",
              "milliard", "%", "€", "$"}
WORDS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]

_APOSTROPHE = re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ])")
_BEFORE = re.compile(r"[ \u00a0]+([:;!?»])")
_GLUED = re.compile(r"(?<=[A-Za-zÀ-ÿ0-9)»])([;!?»])")
_AFTER = re.compile(r"«[ \u00a0]*")
_FIRST = re.compile(rf"(?<![\d,.\u202f])1([ \u00a0\u202f]){_MONTH}")
_SMALL = re.compile(r"(?<![\w,.\u202f\u00a0/–-])([2-9]) (?=([a-zà-ÿ][^\s]*))")
# After these a digit is a label or one end of a range ("groupes 4 et 6", "3 par jour").
LINK_WORDS = {"et", "ou", "à", "au", "aux", "du", "de", "des", "sur", "en", "par"}


def _in_url(text: str, at: int) -> bool:
    words = text[:at].split()
    return bool(words) and "://" in words[-1]


def french(text: str, prose: bool = False, names: dict[str, str] | None = None) -> str:
    if not isinstance(text, str) or not text:
        return text
    for name, spelling in (names or {}).items():
        text = re.sub(rf"(?<![\w/.-]){re.escape(name)}(?!\w)", lambda _m, s=spelling: s, text)
    text = _APOSTROPHE.sub("’", text)
    text = _BEFORE.sub(lambda m: NNBSP + m.group(1), text)
    text = _GLUED.sub(lambda m: m.group(1) if _in_url(m.string, m.start()) else NNBSP + m.group(1), text)
    text = _AFTER.sub("«" + NNBSP, text)
    text = _FIRST.sub(lambda m: "1er" + m.group(1) + m.group(0)[len("1") + len(m.group(1)):], text)
    text = re.sub(r"Mrd\s?€", "Md€", text)
    if prose:
        def spell(match: re.Match) -> str:
            following = match.group(2).rstrip(".,;:)").lower()
            if following in UNIT_WORDS | LINK_WORDS or re.match(_MONTH, match.group(2)):
                return match.group(0)
            return WORDS[int(match.group(1))] + " "
        text = _SMALL.sub(spell, text)
    return text


def singular(noun: str, n: float) -> str:
    """« unités » after 0 or 1 is « unité »: French counts 0 ≤ n < 2 in the singular."""
    if 0 <= abs(n) < 2 and noun.endswith("s") and not noun.endswith(("ss", "mois", "fois")):
        return noun[:-1]
    return noun


def set_catalog(catalog) -> None:
    """Set every French msgstr of a Babel catalogue as French is set: the .po keeps what
    translators type ('Source :'), the compiled .mo what readers see (« Source\u202f: »)."""
    if str(catalog.locale or "").split("_")[0] != "fr":
        return
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, (list, tuple)):
            message.string = type(message.string)(french(s) for s in message.string)
        elif message.string:
            message.string = french(message.string)
