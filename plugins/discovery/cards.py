"""Sharing cards: a 1200×630 PNG per article and language (and one per language site for the
other pages), drawn at build time from the article's title, standfirst, the site's name and
the static PNG of the article's lead chart. No external service: the card is an SVG turned
into PNG by vl-convert (already used for the charts), with the fonts it bundles, so the
result does not depend on the fonts of the machine. Cached by the hash of the card's SVG
(which names the chart's PNG by its hash), so an unchanged card is copied, not drawn again.
A card that shows a chart is drawn on the chart's base layer (drawn once per chart, kept in
the cache): the same bytes as the card drawn in one pass, at about a third of the cost.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
import os
import re
import struct
import tempfile
import time
import weakref
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import escape

from datadesk import write_output
from datadesk.outputs import Memo, png_size  # noqa: F401 (png_size: the tests' too)
from datadesk.store import Store, code_version, key_of

logger = logging.getLogger(__name__)
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


@dataclass
class Card:
    title: str
    standfirst: str
    site_name: str
    chart_png: bytes | None = None
    lang: str = "fr"
    chart_sha256: str | None = None  # of chart_png, when the caller knows it


def _chart_sha256(card: Card) -> str:
    if not card.chart_png:
        return ""
    return card.chart_sha256 or hashlib.sha256(card.chart_png).hexdigest()


def _texts(card: Card) -> tuple[tuple[int, int, int, bool, str, str], ...]:
    """The card's lines of text: (x, baseline y, font size, bold, colour, text)."""
    return _lines(card.title, card.standfirst, card.site_name, bool(card.chart_png))


@lru_cache(maxsize=64)  # a card's lines are asked for its key, its room and its drawing
def _lines(title: str, standfirst: str, site_name: str, has_chart: bool) -> tuple:
    pad = 60
    text_w = 560 if has_chart else WIDTH - 2 * pad
    y = 84
    lines = [(pad, y, 26, True, COLOURS["accent"], site_name)]
    y += 30
    title_size, title_lead = (46, 56) if has_chart else (58, 68)
    for line in wrap(title, title_size, text_w, 4 if has_chart else 3, bold=True):
        y += title_lead
        lines.append((pad, y, title_size, True, COLOURS["fg"], line))
    y += 24
    size, lead = 25, 34
    room = max(0, (HEIGHT - 40 - y) // lead)
    for line in wrap(standfirst, size, text_w, min(room, 6)) if room else []:
        y += lead
        lines.append((pad, y, size, False, COLOURS["muted"], line))
    return tuple(lines)


def _text_svg(line: tuple) -> str:
    x, y, size, bold, colour, text = line
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x}" y="{y}" font-family="{FONT}" font-size="{size}"{weight} '
            f'fill="{colour}">{escape(text)}</text>')


def _head() -> list[str]:
    """The SVG's start and what every card has under its texts (background, accent bar)."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}">',
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{COLOURS["bg"]}"/>',
            f'<rect width="{WIDTH}" height="14" fill="{COLOURS["accent"]}"/>']


def _chart_box(chart_png: bytes) -> tuple[float, float, float, float]:
    """Where the chart goes: (x, y, width, height), its PNG scaled into the card's right box."""
    w, h = png_size(chart_png)
    box_x, box_y, box_w, box_h = 660, 44, WIDTH - 660 - 40, HEIGHT - 44 - 40
    scale = min(box_w / w, box_h / h)
    iw, ih = w * scale, h * scale
    return box_x + (box_w - iw) / 2, box_y + (box_h - ih) / 2, iw, ih


def _chart(chart_png: bytes, href: str) -> list[str]:
    """The chart's frame and picture (``href``: where the picture is, a data: URL to draw)."""
    ix, iy, iw, ih = _chart_box(chart_png)
    return [f'<rect x="{ix - 1:.1f}" y="{iy - 1:.1f}" width="{iw + 2:.1f}" height="{ih + 2:.1f}" '
            f'fill="none" stroke="{COLOURS["rule"]}"/>',
            f'<image x="{ix:.1f}" y="{iy:.1f}" width="{iw:.1f}" height="{ih:.1f}" href="{href}"/>']


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def draw_svg(card: Card, chart_href: str | None = None) -> str:
    """The card as SVG: text on the left, the lead chart (if any) on the right. ``chart_href``
    names the chart's picture instead of embedding it (the cache key: ``sha256:<hex>``)."""
    parts = _head() + [_text_svg(line) for line in _texts(card)]
    if card.chart_png:
        parts += _chart(card.chart_png, chart_href or _data_url(card.chart_png))
    parts.append("</svg>")
    return "\n".join(parts)


# The base layer of a chart's cards: what every card showing this chart has on its right,
# drawn once per chart (and kept in the cache's bases/ folder). The card is then drawn as its
# background, its texts and that layer, copied pixel for pixel (placed at whole pixels,
# unscaled): the chart's 2x picture is not decoded and resampled again for every card.
BASE_VERSION = 1  # bump when the base layer's drawing changes (cache key)
BASE_MARGIN = 2  # pixels kept around the frame's antialiased edge


def _layer_box(chart_png: bytes) -> tuple[int, int, int, int]:
    """The whole pixels (x0, y0, x1, y1) the chart's frame and picture may touch."""
    ix, iy, iw, ih = _chart_box(chart_png)
    left, top = ix - 1.5 - BASE_MARGIN, iy - 1.5 - BASE_MARGIN  # the frame's stroke is 1 px wide
    right, bottom = ix + iw + 1.5 + BASE_MARGIN, iy + ih + 1.5 + BASE_MARGIN
    return (max(0, math.floor(left)), max(0, math.floor(top)),
            min(WIDTH, math.ceil(right)), min(HEIGHT, math.ceil(bottom)))


def _placed(png: bytes, x: int, y: int) -> str:
    w, h = png_size(png)
    return f'<image x="{x}" y="{y}" width="{w}" height="{h}" href="{_data_url(png)}"/>'


def draw_base(chart_png: bytes) -> dict | None:
    """A chart's base layer: {"box": [x0, y0, x1, y1], "png": the card's pixels in that box}
    as the card drawn in one pass has them without its texts. Drawn as the whole card without
    texts, the box cut out of it (copied at whole pixels), and checked: the background with
    the box laid on it must give the very same PNG as the whole card without texts (every
    pixel outside the box is the background's, the copy is exact). None when it does not
    (the cards of this chart are then drawn in one pass)."""
    import vl_convert

    whole = vl_convert.svg_to_png("\n".join(_head() + _chart(chart_png, _data_url(chart_png)) + ["</svg>"]),
                                  scale=1.0)
    x0, y0, x1, y1 = _layer_box(chart_png)
    cut = vl_convert.svg_to_png(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{x1 - x0}" height="{y1 - y0}" '
        f'viewBox="0 0 {x1 - x0} {y1 - y0}">\n{_placed(whole, -x0, -y0)}\n</svg>', scale=1.0)
    again = vl_convert.svg_to_png("\n".join(_head() + [_placed(cut, x0, y0), "</svg>"]), scale=1.0)
    if again != whole or png_size(cut) != (x1 - x0, y1 - y0):
        return None
    return {"box": [x0, y0, x1, y1], "png": cut}


# Upper bounds of the advance widths (em) of Liberation Sans (regular and bold), beyond the
# wrapping estimates above, to know for sure that a card's texts stay left of its base layer.
_WIDEST = {**{ch: 0.28 for ch in " ijl.,'|"}, **{ch: 0.34 for ch in ";:!`"}, '"': 0.48, **{ch: 1.02 for ch in _WIDE},
           "æ": 0.89, "œ": 0.95, "Æ": 1.0, "Œ": 1.0, "¼": 0.84, "½": 0.84, "¾": 0.84, "©": 0.74, "®": 0.74,
           "&": 0.73, "…": 1.0, "—": 1.0, "–": 0.56, "\u2019": 0.28, "\u2018": 0.28, "\u201c": 0.5, "\u201d": 0.5,
           "€": 0.56, **{ch: 0.59 for ch in "+<=>~¬×"}, "µ": 0.58, "¿": 0.62}


def _widest(ch: str, bold: bool) -> float:
    if ch in _WIDEST:
        return _WIDEST[ch]
    if ch in _SEMI:
        return 0.39 if bold else 0.36  # r { } in bold
    if ord(ch) < 0x100:
        if ch.isupper():
            return 0.78  # O, G, Q, Ø
        return 0.62 if bold or ch in "ßø" else 0.57  # b d g h n o p q u ð þ ø in bold
    if 0x400 <= ord(ch) < 0x500:
        return 1.1  # Cyrillic: Ж Ш Щ Ю in bold are the widest
    return 1.5  # other scripts and signs, perhaps from a fallback font: generous


def _texts_clear(card: Card, x0: int) -> bool:
    """True when no text of the card can reach pixel column ``x0`` (where its base layer
    starts): every line's widest possible advance, plus a fifth of an em of ink beyond."""
    return all(_line_clear(x, size, bold, text, x0) for x, _, size, bold, _, text in _texts(card))


def _line_clear(x: float, size: float, bold: bool, text: str, x0: int) -> bool:
    """True when a line of text starting at ``x`` surely ends left of pixel column ``x0``."""
    return x + (sum(_widest(ch, bold) for ch in text) + 0.2) * size < x0


def _base_of(found) -> dict | None:
    """A base layer read back from the cache, checked: a box of whole pixels on the card and
    a PNG of that box's size; None if it is not one."""
    try:
        box = found["box"]
        png = base64.b64decode(found["png"], validate=True)
        x0, y0, x1, y1 = box
        if not (all(isinstance(v, int) for v in box) and 0 <= x0 < x1 <= WIDTH and 0 <= y0 < y1 <= HEIGHT
                and png_size(png) == (x1 - x0, y1 - y0)):
            return None
        return {"box": box, "png": png}
    except (TypeError, KeyError, ValueError, struct.error):
        return None


def draw_layered_svg(card: Card, base: dict) -> str:
    """The card as SVG with its chart's base layer (:func:`draw_base`) in place of the chart:
    the same pixels as :func:`draw_svg`'s when :func:`_texts_clear`."""
    x0, y0 = base["box"][:2]
    parts = _head() + [_text_svg(line) for line in _texts(card)] + [_placed(base["png"], x0, y0), "</svg>"]
    return "\n".join(parts)


def _inputs(card: Card, chart_sha256: str | None = None) -> str:
    """The memo's key of a card: its texts, language and the chart PNG's SHA-256 (given,
    or hashed from the card's PNG)."""
    if chart_sha256 is None:
        chart_sha256 = hashlib.sha256(card.chart_png).hexdigest() if card.chart_png else ""
    return key_of(CARD_VERSION, card.title, card.standfirst, card.site_name, card.lang, chart_sha256)


def _cached(path: Path) -> bytes | None:
    """A card from the cache, if it is there and is a card (a PNG of the card's size)."""
    try:
        data = path.read_bytes()
        return data if png_size(data) == (WIDTH, HEIGHT) else None
    except (OSError, ValueError, struct.error):
        return None


def _keep(cache: Path, key: str, data: bytes) -> None:
    """Check a card just drawn and put it in the cache (atomically: a reader sees all of it
    or nothing, even with two builds drawing the same card)."""
    if png_size(data) != (WIDTH, HEIGHT):
        raise ValueError(f"the sharing card was drawn at {png_size(data)}, expected {WIDTH}×{HEIGHT}")
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{key[:12]}-", suffix=".tmp", dir=cache)
    try:
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
        os.chmod(tmp, 0o644)  # as any other file of the cache (mkstemp makes it private)
        os.replace(tmp, cache / f"{key}.png")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# The worker processes that draw cards, one set per build (its desk), shared by the language
# sites and shut down after the main site's cards (``write_site_cards``).
_POOLS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
IN_FLIGHT = 4  # cards sent to each worker ahead of the one it draws (bounds the SVGs held)


def close_pool(settings: dict) -> None:
    """Stop the card workers of the build these settings belong to (if it started any)."""
    from datadesk.desk import desk_of

    pool = _POOLS.pop(desk_of(settings), None)
    if pool is not None:
        pool.close()


class _Drawing:
    """The cards to draw, each different SVG once: drawn here, or by worker processes once a
    second one is asked for (starting workers for one card costs more than it saves), with at
    most ``IN_FLIGHT`` per worker waiting, so the SVGs are not all held at once. A card that
    shows a chart is drawn on the chart's base layer (:func:`draw_base`), made once per chart:
    found in the cache (``bases/``, checked), or drawn, by a worker when they are up (the
    cards of that chart wait for it). A worker that dies (killed, out of memory) stops the
    pool; the cards and base layers it had not drawn are drawn here."""

    def __init__(self, cache: Path, settings: dict | None, desk, count):
        self.cache, self.settings, self.desk, self.count = cache, settings, desk, count
        self.workers = desk.workers() if desk is not None else 1  # 1 outside a Pelican run
        # key -> [card, its chart's SHA-256, future or None, indexes], in order
        self.waiting: dict[str, list] = {}
        self.pool = None
        self.broken = False
        self.bases: dict[str, object] = {}  # chart PNG's SHA-256 -> its base layer, None, or a worker's future
        self.base_store = Store(cache / "bases")

    def _base_key(self, chart_sha256: str) -> str:
        return key_of("card-base", BASE_VERSION, CARD_VERSION, chart_sha256, code_version())

    def _ask_base(self, card: Card, chart_sha256: str) -> None:
        """See that the base layer of the card's chart is known or on its way."""
        if not card.chart_png or chart_sha256 in self.bases:
            return
        found = self.base_store.get(self._base_key(chart_sha256), f"the card base of chart {chart_sha256[:12]}")
        if isinstance(found, dict) and (found.get("box") is None or _base_of(found) is not None):
            self.bases[chart_sha256] = _base_of(found)  # None: this chart's cards are drawn in one pass
            self.count("bases cached")
            return
        future = self._send(draw_base, card.chart_png) if self.pool is not None else None
        if future is not None:
            self.bases[chart_sha256] = future
        else:
            self._got_base(chart_sha256, draw_base(card.chart_png))

    def _got_base(self, chart_sha256: str, base: dict | None) -> None:
        self.bases[chart_sha256] = base
        self.count("bases drawn")
        self.base_store.put(self._base_key(chart_sha256),
                            {"box": base["box"], "png": base64.b64encode(base["png"]).decode("ascii")}
                            if base is not None else {"box": None})

    def _base(self, card: Card, chart_sha256: str) -> dict | None:
        """The base layer of the card's chart (waiting for the worker drawing it)."""
        self._ask_base(card, chart_sha256)
        found = self.bases[chart_sha256]
        if isinstance(found, Future):
            base, drawn = None, False
            if not self.broken:
                try:
                    base, drawn = found.result(), True
                except BrokenProcessPool:
                    self._break()
            self._got_base(chart_sha256, base if drawn else draw_base(card.chart_png))
            return self.bases[chart_sha256]
        return found

    def _ready(self, card: Card, chart_sha256: str) -> bool:
        found = self.bases.get(chart_sha256)
        return not card.chart_png or not isinstance(found, Future) or found.done()

    def _svg(self, card: Card, chart_sha256: str) -> tuple[str, bool]:
        """The card's SVG to draw, and whether it is on its chart's base layer (when its texts
        stay clear of it)."""
        base = self._base(card, chart_sha256) if card.chart_png else None
        if base is not None and _texts_clear(card, base["box"][0]):
            return draw_layered_svg(card, base), True
        return draw_svg(card), False

    def __contains__(self, key: str) -> bool:
        return key in self.waiting

    def also(self, key: str, index: int) -> None:
        self.waiting[key][3].append(index)

    def add(self, key: str, card: Card, chart_sha256: str, index: int) -> Iterator[tuple[int, bytes]]:
        """Ask for a card; yields the cards that are done meanwhile (index, PNG)."""
        import vl_convert

        self.waiting[key] = [card, chart_sha256, None, [index], None]
        if self.workers < 2 or self.broken:
            yield from self._finish(next(iter(self.waiting)))
            return
        if len(self.waiting) < 2 and self.pool is None:
            return  # perhaps the only one: drawn here at the end
        for entry in self.waiting.values():
            if entry[2] is None and not self.broken:
                self._ask_base(entry[0], entry[1])
                if self._ready(entry[0], entry[1]):  # else sent when its base layer is there
                    svg, entry[4] = self._svg(entry[0], entry[1])
                    entry[2] = self._send(vl_convert.svg_to_png, svg, scale=1.0)
        while len(self.waiting) > self.workers * IN_FLIGHT:
            yield from self._finish(next(iter(self.waiting)))

    def _send(self, function, *args, **kwargs):
        """``function(*args, **kwargs)`` sent to a worker (the workers started if they are
        not); None if they cannot take it."""
        from datadesk.charts.render import Pool

        if self.broken:
            return None
        if self.pool is None:
            self.pool = _POOLS.get(self.desk)
            if self.pool is None:
                self.pool = _POOLS[self.desk] = Pool()
        try:
            return self.pool.executor(self.workers).submit(function, *args, **kwargs)
        except BrokenProcessPool:  # a worker died before this was sent
            self._break()
            return None

    def _break(self) -> None:
        self.broken = True
        self.pool.close()
        logger.info("cards: a worker process stopped; drawing the remaining cards in the build's process")

    def _finish(self, key: str) -> Iterator[tuple[int, bytes]]:
        import vl_convert

        card, chart_sha256, future, indexes, layered = self.waiting.pop(key)
        if future is None and self.pool is not None:  # it waited for its base layer: sent now
            svg, layered = self._svg(card, chart_sha256)
            future = self._send(vl_convert.svg_to_png, svg, scale=1.0)
        data = None
        if future is not None and not self.broken:
            try:
                data = future.result()
            except BrokenProcessPool:
                self._break()
        by_worker = data is not None
        if data is None:
            svg, layered = self._svg(card, chart_sha256)
            data = vl_convert.svg_to_png(svg, scale=1.0)
        _keep(self.cache, key, data)
        self.count("drawn")
        self.count("drawn in workers", int(by_worker))
        self.count("drawn on a base layer" if layered else "drawn in one pass", int(bool(card.chart_png)))
        for index in indexes:
            yield index, data

    def rest(self) -> Iterator[tuple[int, bytes]]:
        while self.waiting:
            yield from self._finish(next(iter(self.waiting)))


def render_each(jobs, cache: Path, memo=None, settings: dict | None = None) -> Iterator[tuple[int, bytes]]:
    """(index, PNG) of each card, as they are done (not in order). ``jobs``: (memo key or None,
    a function that makes the :class:`Card`), so a card the memo knows is not even made: its
    inputs (texts, language, the chart PNG's hash) name its PNG in the cache. Else its SVG is
    made, and the PNG is the cache's when the same SVG was drawn before, or drawn (each
    different card once; in worker processes when ``settings`` name more than one,
    ``DATADESK_CHARTS_WORKERS``). With ``settings``, the build's report counts the cards
    ``remembered`` (by the memo), ``cached`` (the same SVG drawn before, or by another card
    of this build), ``drawn`` and, of those, ``drawn in workers``."""
    desk = None
    if settings is not None:
        from datadesk.desk import desk_of

        desk = desk_of(settings)

    def count(what: str, n: int = 1) -> None:
        if desk is not None and n:
            desk.count("cards", what, n)

    drawing = _Drawing(cache, settings, desk, count)
    for index, (inputs, make) in enumerate(jobs):
        if memo is not None and inputs is not None:
            known = memo.get(inputs)
            if isinstance(known, str) and (data := _cached(cache / f"{known}.png")) is not None:
                count("remembered")
                yield index, data
                continue
        card = make()
        chart_sha256 = _chart_sha256(card)
        # The key: the SVG drawn in one pass, naming the chart's picture by its hash
        svg = draw_svg(card, f"sha256:{chart_sha256}" if card.chart_png else None)
        key = hashlib.sha256(f"{CARD_VERSION}\n{svg}".encode("utf-8")).hexdigest()
        if memo is not None and inputs is not None:
            memo.set(inputs, key)
        if key in drawing:  # the same card as another of this build: drawn once
            count("cached")
            drawing.also(key, index)
            continue
        data = _cached(cache / f"{key}.png")
        if data is not None:
            count("cached")
            yield index, data
            continue
        yield from drawing.add(key, card, chart_sha256, index)
    yield from drawing.rest()


def render_all(cards: list[Card], cache: Path, memo=None, settings: dict | None = None) -> list[bytes]:
    """Each card's PNG, in order (see :func:`render_each`)."""
    found: list[bytes | None] = [None] * len(cards)
    jobs = [(_inputs(card) if memo is not None else None, lambda card=card: card) for card in cards]
    for index, data in render_each(jobs, cache, memo, settings):
        found[index] = data
    return found


def render(card: Card, cache: Path, memo=None, settings: dict | None = None) -> bytes:
    """One card's PNG (see :func:`render_each`)."""
    return render_all([card], cache, memo, settings)[0]


def lead_chart(content: str) -> str | None:
    """The id of the first chart placed in an article's HTML."""
    match = CHART_ID.search(str(content or ""))
    return match.group(1) if match else None


def write(card: Card, cache: Path, target: Path, settings: dict, memo=None) -> None:
    """The card's PNG, kept from the previous output when unchanged (datadesk/outputs.py)."""
    write_output(settings, target, render(card, cache, memo, settings), "cards")


SITE_CARD = "_site.png"  # the card of the pages that have none of their own, drawn from the home page


def _page_texts(path: Path) -> dict:
    import lxml.html

    doc = lxml.html.fromstring(path.read_bytes())
    metas: dict[str, str] = {}
    for element in doc.xpath("//head/meta[@property][@content]"):  # one pass; the first of each wins
        metas.setdefault(element.get("property"), element.get("content"))

    def meta(prop: str) -> str:
        return metas.get(prop, "").strip()

    return {"title": meta("og:title"), "standfirst": meta("og:description"), "site_name": meta("og:site_name"),
            "image": meta("og:image"), "lang": (doc.get("lang") or "").split("-")[0],
            "chart": lead_chart(lxml.html.tostring(doc.body, encoding="unicode")) if doc.body is not None else None}


def write_site_cards(output: Path, base: str, cards_dir: str, charts_dir: str, cache: Path,
                     skip: set[str], settings: dict) -> list[Path]:
    """Draw every card the pages of one language site declare (``og:image`` under
    ``<base>/<cards_dir>/``), from the texts of the page that declares it: its ``og:title``,
    ``og:description``, ``og:site_name`` and the static PNG of its first chart. ``skip``: the
    top folders that are other language sites. The step's seconds (pages read, cards made
    and written) are added to the build's report (``cards_step``: `invoke bench` shows them)."""
    from datadesk.desk import desk_of

    started = time.perf_counter()
    # The chart workers are done with this language site: stopped now if still up (datadesk
    # stops them when the site is finalized, but the order of the finalized receivers is not
    # fixed), so the cards' workers never run beside them: DATADESK_CHARTS_WORKERS at most.
    desk_of(settings).close()
    prefix = f"{base}/{cards_dir.strip('/')}/"
    # What each page declares, by its bytes' hash, and which PNG each card's inputs gave:
    # pages and cards that did not change are neither parsed nor drawn again.
    texts_memo = Memo(settings, f"card-pages:{settings.get('DEFAULT_LANG')}")
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
    # Each card is made when its turn comes (its chart PNG read then), the ones the cache lacks
    # drawn together (in parallel) and each written as soon as it is there. A chart PNG is
    # hashed once for the memo, however many cards show it. The workers stay up for the next
    # language site; the main site's cards come last.
    chart_hashes: dict[Path, str] = {}

    def chart_of(texts: dict) -> Path | None:
        if not texts["chart"]:
            return None
        png = output / charts_dir.strip("/") / texts["chart"] / f"{texts['chart']}.{texts['lang']}.png"
        return png if png.is_file() else None

    def job(texts: dict) -> tuple[str, object]:
        png = chart_of(texts)
        if png is not None and png not in chart_hashes:
            chart_hashes[png] = hashlib.sha256(png.read_bytes()).hexdigest()

        def make() -> Card:
            return Card(texts["title"], texts["standfirst"], texts["site_name"],
                        png.read_bytes() if png is not None else None, texts["lang"],
                        chart_hashes[png] if png is not None else None)

        inputs = key_of(CARD_VERSION, texts["title"], texts["standfirst"], texts["site_name"], texts["lang"],
                        chart_hashes[png] if png is not None else "")
        return inputs, make

    names = sorted(wanted)
    written = [output / cards_dir.strip("/") / name for name in names]
    try:
        for index, data in render_each((job(wanted[name]) for name in names), cache, drawn_memo, settings):
            write_output(settings, written[index], data, "cards")
    except BaseException:
        close_pool(settings)
        raise
    if settings.get("DEFAULT_LANG") == settings.get("MAIN_LANG", settings.get("DEFAULT_LANG")):
        close_pool(settings)
    texts_memo.save()
    drawn_memo.save()
    desk_of(settings).count("cards_step", "seconds", round(time.perf_counter() - started, 4))
    return written
