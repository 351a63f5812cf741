"""Sharing cards: a 1200×630 PNG per article and language (and one per language site for the
other pages), drawn at build time from the article's title, standfirst, the site's name and
the static PNG of the article's lead chart. No external service: the card is an SVG turned
into PNG by vl-convert (already used for the charts), with the fonts it bundles, so the
result does not depend on the fonts of the machine. Cached by the hash of the card's SVG
(which embeds the chart's PNG), so an unchanged card is copied, not drawn again.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from datadesk import write_output
from datadesk.outputs import Memo
from datadesk.store import key_of

WIDTH, HEIGHT = 1200, 630
CARD_VERSION = 1  # bump when the drawing changes for the same inputs (cache key)
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
COLOURS = {"bg": "#ffffff", "fg": "#1b1f23", "muted": "#50575e", "accent": "#0a5a8a", "rule": "#c9cfd4"}
CHART_ID = re.compile(r'<figure class="chart[^"]*"[^>]*\sdata-chart-id="([^"]+)"')

# Advance widths (em) of Liberation Sans, grouped; the metrics of Arial/Helvetica. Text is
# wrapped with these, a little wider than true, so a line never runs off the card.
_NARROW = set("ijl.,;:'!|` ")
_SEMI = set("ftrI()[]{}-/\\\"")
_WIDE = set("mwMW@%")


def _em(ch: str, bold: bool) -> float:
    if ch in _NARROW:
        w = 0.28
    elif ch in _SEMI:
        w = 0.36
    elif ch in _WIDE:
        w = 0.9
    elif ch.isupper():
        w = 0.72
    elif ch.isdigit():
        w = 0.56
    elif ord(ch) < 0x250:
        w = 0.56
    else:
        w = 0.62  # other scripts: generous
    return w * (1.07 if bold else 1.0)


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(_em(ch, bold) for ch in text) * size


def wrap(text: str, size: float, width: float, max_lines: int, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` pixels; the last line ends with an ellipsis if cut."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if text_width(trial, size, bold) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        while last and text_width(last + " …", size, bold) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        kept[-1] = last.rstrip(" ,;:") + " …"
        lines = kept
    # A single word longer than the line: cut it.
    return [line if text_width(line, size, bold) <= width else _cut(line, size, width, bold) for line in lines]


def _cut(line: str, size: float, width: float, bold: bool) -> str:
    while line and text_width(line + "…", size, bold) > width:
        line = line[:-1]
    return line + "…"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


@dataclass
class Card:
    title: str
    standfirst: str
    site_name: str
    chart_png: bytes | None = None
    lang: str = "fr"


def draw_svg(card: Card) -> str:
    """The card as SVG: text on the left, the lead chart (if any) on the right."""
    pad = 60
    has_chart = bool(card.chart_png)
    text_w = 560 if has_chart else WIDTH - 2 * pad
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{COLOURS["bg"]}"/>',
             f'<rect width="{WIDTH}" height="14" fill="{COLOURS["accent"]}"/>']
    y = 84
    parts.append(f'<text x="{pad}" y="{y}" font-family="{FONT}" font-size="26" font-weight="bold" '
                 f'fill="{COLOURS["accent"]}">{escape(card.site_name)}</text>')
    y += 30
    title_size, title_lead = (46, 56) if has_chart else (58, 68)
    title = wrap(card.title, title_size, text_w, 4 if has_chart else 3, bold=True)
    for line in title:
        y += title_lead
        parts.append(f'<text x="{pad}" y="{y}" font-family="{FONT}" font-size="{title_size}" '
                     f'font-weight="bold" fill="{COLOURS["fg"]}">{escape(line)}</text>')
    y += 24
    size, lead = 25, 34
    room = max(0, (HEIGHT - 40 - y) // lead)
    for line in wrap(card.standfirst, size, text_w, min(room, 6)) if room else []:
        y += lead
        parts.append(f'<text x="{pad}" y="{y}" font-family="{FONT}" font-size="{size}" '
                     f'fill="{COLOURS["muted"]}">{escape(line)}</text>')
    if has_chart:
        w, h = png_size(card.chart_png)
        box_x, box_y, box_w, box_h = 660, 44, WIDTH - 660 - 40, HEIGHT - 44 - 40
        scale = min(box_w / w, box_h / h)
        iw, ih = w * scale, h * scale
        ix, iy = box_x + (box_w - iw) / 2, box_y + (box_h - ih) / 2
        data = base64.b64encode(card.chart_png).decode("ascii")
        parts.append(f'<rect x="{ix - 1:.1f}" y="{iy - 1:.1f}" width="{iw + 2:.1f}" height="{ih + 2:.1f}" '
                     f'fill="none" stroke="{COLOURS["rule"]}"/>')
        parts.append(f'<image x="{ix:.1f}" y="{iy:.1f}" width="{iw:.1f}" height="{ih:.1f}" '
                     f'href="data:image/png;base64,{data}"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def render(card: Card, cache: Path, memo=None) -> bytes:
    """The card's PNG, from the cache when the same SVG was drawn before. With ``memo``
    (datadesk's ``Memo``), a card whose inputs (texts, language, the chart PNG's hash) were seen
    before is not even drawn as SVG: the memo names its PNG in the cache."""
    inputs = None
    if memo is not None:
        chart = hashlib.sha256(card.chart_png).hexdigest() if card.chart_png else ""
        inputs = key_of(CARD_VERSION, card.title, card.standfirst, card.site_name, card.lang, chart)
        known = memo.get(inputs)
        if isinstance(known, str) and (cache / f"{known}.png").is_file():
            return (cache / f"{known}.png").read_bytes()
    svg = draw_svg(card)
    key = hashlib.sha256(f"{CARD_VERSION}\n{svg}".encode("utf-8")).hexdigest()
    cached = cache / f"{key}.png"
    if inputs is not None:
        memo.set(inputs, key)
    if cached.is_file():
        return cached.read_bytes()
    import vl_convert

    data = vl_convert.svg_to_png(svg, scale=1.0)
    if png_size(data) != (WIDTH, HEIGHT):
        raise ValueError(f"the sharing card was drawn at {png_size(data)}, expected {WIDTH}×{HEIGHT}")
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(cached)
    return data


def lead_chart(content: str) -> str | None:
    """The id of the first chart placed in an article's HTML."""
    match = CHART_ID.search(str(content or ""))
    return match.group(1) if match else None


def write(card: Card, cache: Path, target: Path, settings: dict, memo=None) -> None:
    """The card's PNG, kept from the previous output when unchanged (datadesk/outputs.py)."""
    write_output(settings, target, render(card, cache, memo), "cards")


SITE_CARD = "_site.png"  # the card of the pages that have none of their own, drawn from the home page


def _page_texts(path: Path) -> dict:
    import lxml.html

    doc = lxml.html.fromstring(path.read_bytes())

    def meta(prop: str) -> str:
        found = doc.xpath(f'//head/meta[@property="{prop}"]/@content')
        return found[0].strip() if found else ""

    return {"title": meta("og:title"), "standfirst": meta("og:description"), "site_name": meta("og:site_name"),
            "image": meta("og:image"), "lang": (doc.get("lang") or "").split("-")[0],
            "chart": lead_chart(lxml.html.tostring(doc.body, encoding="unicode")) if doc.body is not None else None}


def write_site_cards(output: Path, base: str, cards_dir: str, charts_dir: str, cache: Path,
                     skip: set[str], settings: dict) -> list[Path]:
    """Draw every card the pages of one language site declare (``og:image`` under
    ``<base>/<cards_dir>/``), from the texts of the page that declares it: its ``og:title``,
    ``og:description``, ``og:site_name`` and the static PNG of its first chart. ``skip``: the
    top folders that are other language sites."""
    prefix = f"{base}/{cards_dir.strip('/')}/"
    # What each page declares, by its bytes' hash, and which PNG each card's inputs gave:
    # pages and cards that did not change are neither parsed nor drawn again.
    texts_memo = Memo(settings, f"cards:pages:{settings.get('DEFAULT_LANG')}")
    drawn_memo = Memo(settings, f"cards:drawn:{settings.get('DEFAULT_LANG')}")
    wanted: dict[str, dict] = {}
    for path in sorted(output.rglob("*.html")):
        rel = path.relative_to(output)
        if rel.parts[0] in skip:
            continue
        texts = texts_memo.page(path, _page_texts)
        if not texts["image"].startswith(prefix):
            continue
        name = texts["image"][len(prefix):]
        if name == SITE_CARD and rel.as_posix() != "index.html":
            continue  # drawn from the home page
        wanted.setdefault(name, texts)
    written = []
    for name, texts in sorted(wanted.items()):
        chart_png = None
        if texts["chart"]:
            png = output / charts_dir.strip("/") / texts["chart"] / f"{texts['chart']}.{texts['lang']}.png"
            chart_png = png.read_bytes() if png.is_file() else None
        card = Card(texts["title"], texts["standfirst"], texts["site_name"], chart_png, texts["lang"])
        target = output / cards_dir.strip("/") / name
        write(card, cache, target, settings, drawn_memo)
        written.append(target)
    texts_memo.save()
    drawn_memo.save()
    return written
