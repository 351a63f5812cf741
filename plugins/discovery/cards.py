"""Sharing cards: a 1200×630 picture per article and language (and one per language site for
the other pages), drawn at build time from the article's title, standfirst, the site's name
and the static PNG of the article's lead chart. No external service: Pillow draws the card
with the Liberation Sans fonts kept beside this file (``fonts/``, SIL OFL), so the result does
not depend on the fonts of the machine. A card is a JPEG (its name in the page's ``og:image``
ends in ``.jpg``; ``.png`` gives a PNG, four times slower to encode). Cached by the hash of
what it is drawn from (its lines of text, the chart PNG's hash, the format and Pillow's
version), so an unchanged card is copied, not drawn again. The cards of one chart are drawn
together: its 2x PNG is decoded and scaled once for all of them.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import struct
import tempfile
import time
import weakref
import zlib
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from datadesk import write_output
from datadesk.outputs import Memo, png_size  # noqa: F401 (png_size: the tests' too)
from datadesk.store import key_of

logger = logging.getLogger(__name__)
WIDTH, HEIGHT = 1200, 630
CARD_VERSION = 2  # bump when the drawing changes for the same inputs (cache key)
FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {False: "LiberationSans-Regular.ttf", True: "LiberationSans-Bold.ttf"}
JPEG_QUALITY = 85  # Pillow's default chroma subsampling (4:2:0), as most sites' og:image
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}  # a card's name's suffix: how it is encoded
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png"}
COLOURS = {"bg": "#ffffff", "fg": "#1b1f23", "muted": "#50575e", "accent": "#0a5a8a", "rule": "#c9cfd4"}
CHART_ID = re.compile(r'<figure class="chart[^"]*"[^>]*\sdata-chart-id="([^"]+)"')

def text_width(text: str, size: float, bold: bool = False) -> float:
    """The advance of ``text`` in pixels, in the card's font (measured by Pillow, as drawn)."""
    return _font(int(size), bold).getlength(text)


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
    format: str = "JPEG"  # or "PNG" (FORMATS)


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
    lines = [(pad, y, 26, True, COLOURS["accent"], line) for line in wrap(site_name, 26, text_w, 1, bold=True)]
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


def _chart_box(chart_png: bytes) -> tuple[int, int, int, int]:
    """Where the chart goes, in whole pixels: (x, y, width, height), its PNG scaled into the
    card's right box, centred."""
    w, h = png_size(chart_png)
    box_x, box_y, box_w, box_h = 660, 44, WIDTH - 660 - 40, HEIGHT - 44 - 40
    scale = min(box_w / w, box_h / h)
    iw, ih = max(1, round(w * scale)), max(1, round(h * scale))
    return box_x + (box_w - iw) // 2, box_y + (box_h - ih) // 2, iw, ih


@lru_cache(maxsize=None)
def _font(size: int, bold: bool):
    from PIL import ImageFont

    # Pillow's own layout (no Raqm): the same glyph positions wherever the pinned wheel runs.
    return ImageFont.truetype(str(FONTS / FONT_FILES[bold]), size, layout_engine=ImageFont.Layout.BASIC)


def _picture(chart_png: bytes):
    """The chart's PNG scaled into its box, opaque: shrunk by a whole factor first (a box
    filter, cheap), then resampled to the box's size (Lanczos), then laid on a white ground
    if any pixel is not opaque (a chart's PNG has a white background: none is, as a rule)."""
    from PIL import Image

    _, _, iw, ih = _chart_box(chart_png)
    image = Image.open(io.BytesIO(chart_png))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    factor = max(1, min(image.width // iw, image.height // ih))
    if factor > 1:
        image = image.reduce(factor)
    image = image.resize((iw, ih), Image.Resampling.LANCZOS)
    if image.mode == "RGBA":
        alpha = image.getchannel("A")
        if alpha.getextrema() == (255, 255):
            return image.convert("RGB")
        ground = Image.new("RGB", image.size, COLOURS["bg"])
        ground.paste(image, mask=alpha)
        image = ground
    return image


def _draw(lines: tuple, picture, place: tuple[int, int, int, int] | None, fmt: str) -> bytes:
    """One card's bytes: its background and accent bar, its lines of text, the chart's
    picture (if any) framed at ``place`` (x, y, width, height), encoded as ``fmt``."""
    from PIL import Image, ImageDraw

    card = Image.new("RGB", (WIDTH, HEIGHT), COLOURS["bg"])
    pen = ImageDraw.Draw(card)
    pen.rectangle((0, 0, WIDTH - 1, 13), fill=COLOURS["accent"])
    for x, y, size, bold, colour, text in lines:
        pen.text((x, y), text, font=_font(size, bold), fill=colour, anchor="ls")  # y: the baseline
    if picture is not None:
        x, y, w, h = place
        pen.rectangle((x - 1, y - 1, x + w, y + h), outline=COLOURS["rule"])
        card.paste(picture, (x, y))
    out = io.BytesIO()
    if fmt == "PNG":
        card.save(out, "PNG", compress_level=6)
    else:
        card.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def draw_group(chart_png: bytes | None, drawings: list[tuple[tuple, str]]) -> list[bytes]:
    """The cards that show one chart (or none), each given as (its lines, its format): the
    chart's picture is made once for all of them. What a worker process is sent."""
    picture = _picture(chart_png) if chart_png else None
    place = _chart_box(chart_png) if chart_png else None
    return [_draw(lines, picture, place, fmt) for lines, fmt in drawings]


def make_picture(path: str, sha256: str) -> tuple | None:
    """In a card worker, ahead of the cards (:func:`start_workers`): the picture of the chart
    PNG at ``path`` (:func:`_picture`), as (mode, size, its pixels compressed), or None when
    the file's SHA-256 is not ``sha256`` (it changed since: its cards make their own)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    picture = _picture(data)
    return picture.mode, picture.size, zlib.compress(picture.tobytes(), 1)


def draw_pictured(packed: tuple, place: tuple[int, int, int, int], drawings: list[tuple[tuple, str]]) -> list[bytes]:
    """:func:`draw_group` with the chart's picture made ahead (:func:`make_picture`), framed
    at ``place``: the same bytes."""
    from PIL import Image

    mode, size, pixels = packed
    picture = Image.frombytes(mode, tuple(size), zlib.decompress(pixels))
    return [_draw(lines, picture, place, fmt) for lines, fmt in drawings]


def draw(card: Card) -> bytes:
    """One card's bytes, drawn now (no cache)."""
    return draw_group(card.chart_png, [(_texts(card), card.format)])[0]


def card_key(card: Card, chart_sha256: str | None = None) -> str:
    """The cache's name of a card: the hash of what its pixels are drawn from (its lines,
    whether and which chart, its format, the drawing's and Pillow's versions)."""
    from PIL import __version__ as pillow_version

    if chart_sha256 is None:
        chart_sha256 = _chart_sha256(card)
    return key_of(CARD_VERSION, pillow_version, JPEG_QUALITY, card.format, _texts(card), chart_sha256)


def _inputs(card: Card, chart_sha256: str | None = None) -> str:
    """The memo's key of a card: its texts, language, format and the chart PNG's SHA-256
    (given, or hashed from the card's PNG)."""
    if chart_sha256 is None:
        chart_sha256 = hashlib.sha256(card.chart_png).hexdigest() if card.chart_png else ""
    return key_of(CARD_VERSION, card.title, card.standfirst, card.site_name, card.lang, card.format, chart_sha256)


_ENDS = {"PNG": b"IEND\xaeB`\x82", "JPEG": b"\xff\xd9"}  # the last bytes of a whole file


def image_size(data: bytes) -> tuple[str, tuple[int, int]] | None:
    """(format, (width, height)) of a whole PNG or JPEG, from its header (read by Pillow, not
    decoded), and None when it is neither or is cut short (a PNG without its IEND chunk, a
    JPEG without its end marker)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=tuple(_ENDS)) as image:
            found = image.format, image.size
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError, struct.error):
        return None
    return found if data.endswith(_ENDS[found[0]]) else None


def _is_card(data: bytes, fmt: str) -> bool:
    return image_size(data) == (fmt, (WIDTH, HEIGHT))


def _cached(path: Path, fmt: str, sha256: str | None = None) -> bytes | None:
    """A card from the cache, if it is there and is a card: a whole picture of ``fmt`` at the
    card's size, with the SHA-256 the memo noted when it was drawn (if given)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        return None
    return data if _is_card(data, fmt) else None


def _keep(cache: Path, key: str, data: bytes, fmt: str) -> None:
    """Check a card just drawn and put it in the cache (atomically: a reader sees all of it
    or nothing, even with two builds drawing the same card)."""
    if not _is_card(data, fmt):
        raise ValueError(f"the sharing card was drawn as {image_size(data)}, expected a {fmt} of {WIDTH}×{HEIGHT}")
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{key[:12]}-", suffix=".tmp", dir=cache)
    try:
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
        os.chmod(tmp, 0o644)  # as any other file of the cache (mkstemp makes it private)
        os.replace(tmp, cache / f"{key}{SUFFIXES[fmt]}")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# The worker processes that draw cards, one set per build (its desk), shared by the language
# sites and shut down after the main site's cards (``write_site_cards``).
_POOLS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
IN_FLIGHT = 4  # jobs sent to each worker ahead of the one it draws (bounds the chart PNGs held)


def close_pool(settings: dict) -> None:
    """Stop the card workers of the build these settings belong to (if it started any)."""
    from datadesk.desk import desk_of

    close_pool_of(desk_of(settings))


def close_pool_of(desk) -> None:
    pending = _PENDING.pop(desk, None)
    if pending is not None:  # a language site's cards still being drawn: done first
        pending.thread.join()
    for future in (_AHEAD.pop(desk, None) or {}).values():  # pictures no card asked for
        future.cancel()
    pool = _POOLS.pop(desk, None)
    if pool is not None:
        pool.close()


def _warm_up() -> None:
    """What a card worker loads before its first job: Pillow and the card's fonts."""
    from PIL import Image, ImageDraw  # noqa: F401

    for bold in (False, True):
        _font(25, bold)


def start_workers(settings: dict) -> bool:
    """Start the card workers of this build now, when this build drew charts (their cards
    are new: there will be cards to draw) and may use more than one worker. Called once every
    language site has been read (the charts are drawn by then): the chart workers are stopped
    first, and the card workers start and load Pillow while the build writes the pages, so
    they are ready when the first language site's cards are asked for. True when started."""
    from datadesk.charts.render import Pool
    from datadesk.desk import desk_of

    desk = desk_of(settings)
    workers = desk.workers()
    if workers < 2 or not desk.render_stats.get("renders") or desk in _POOLS:
        return False
    desk.close()  # the chart workers: DATADESK_CHARTS_WORKERS processes at most
    pool = _POOLS[desk] = Pool()
    executor = pool.executor(workers)
    for _ in range(workers):
        executor.submit(_warm_up)
    desk.count("cards", "workers started early")
    # While this process finishes reading the sites and writes their pages (it alone works
    # then), the workers make the pictures of the charts just drawn that lead an article: a
    # card's job then only frames the picture (_Drawing._send_job), instead of decoding and
    # scaling the chart's PNG when the cards are asked for.
    ahead = _AHEAD[desk] = {}
    for path, sha256 in lead_pictures(settings, desk):
        ahead[sha256] = executor.submit(make_picture, path, sha256)
    desk.count("cards", "chart pictures asked ahead", len(ahead))
    return True


# Chart pictures asked of the card workers ahead of the cards (start_workers): the build's
# desk -> {the chart PNG's SHA-256: the future of its make_picture}, each taken once.
_AHEAD: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def lead_pictures(settings: dict, desk) -> list[tuple[str, str]]:
    """(path in the render cache, SHA-256) of the PNG of every chart drawn in this build that
    leads a published article (its first chart), each once: the other language sites' first
    (their cards are drawn first), then by chart, as their cards will be asked for. Only
    charts drawn in this build: their PNGs are new, so their cards are to be drawn (a chart
    taken from the render cache, whose cards were drawn before, is left out). A chart that
    leads a page other than an article has its picture made with its cards."""
    from .discovery import BUILD_KEY

    latest = (settings.get(BUILD_KEY) or {}).get("latest") or {}
    main = settings.get("MAIN_LANG", settings.get("DEFAULT_LANG"))
    found: dict[str, tuple] = {}
    for lang, articles in latest.items():
        site = desk.charts.get(lang)
        if site is None:
            continue
        for article in articles:
            chart_id = lead_chart(getattr(article, "_content", None))
            item, meta = site.builds.get(chart_id), site.metas.get(chart_id)
            if item is None or meta is None or item.key not in site.fresh:
                continue
            name = meta["files"]["png"]
            sha256 = (meta.get("sha256") or {}).get(name)
            if sha256:
                found.setdefault(sha256, (lang == main, chart_id, str(site.cache.file(item.key, name))))
    return [(path, sha256) for sha256, (_, _, path) in sorted(found.items(), key=lambda kv: kv[1])]


class _Drawing:
    """The cards to draw, each different card once, by groups: the cards that show the same
    chart (they come one after the other: :func:`write_site_cards` sorts them by chart) are
    one job, whose chart picture is made once. Drawn here, or by worker processes once a
    second job is asked for (starting workers for one job costs more than it saves), with at
    most ``IN_FLIGHT`` jobs per worker waiting, so the charts' PNGs are not all held at once.
    A worker that dies (killed, out of memory) stops the pool; the jobs it had not done are
    drawn here."""

    GROUP = 16  # cards without a chart at most in one job (they are many; a chart's cards are one job)

    def __init__(self, cache: Path, desk, count):
        self.cache, self.desk, self.count = cache, desk, count
        self.workers = desk.workers() if desk is not None else 1  # 1 outside a Pelican run
        self.pending: dict[str, list] = {}  # key -> its entry, asked for and not drawn yet
        self.group: list = [None, None, []]  # chart's SHA-256, its PNG, [[key, lines, format, indexes]]
        self.jobs: list = []  # [chart PNG, entries, future or None, its SHA-256, picture made ahead], in order
        self.pool = None
        self.broken = False
        self.memo: dict[str, list] = {}  # key -> [(the memo, the inputs)] to note once drawn

    def __contains__(self, key: str) -> bool:
        return key in self.pending

    def also(self, key: str, index: int) -> None:
        self.pending[key][3].append(index)

    def add(self, key: str, card: Card, chart_sha256: str, index: int) -> Iterator[tuple[int, bytes]]:
        """Ask for a card; yields the cards that are done meanwhile (index, bytes)."""
        if self.group[2] and (self.group[0] != chart_sha256 or (not chart_sha256 and len(self.group[2]) >= self.GROUP)):
            yield from self._close_group()
        if not self.group[2]:
            self.group = [chart_sha256, card.chart_png, []]
        self.pending[key] = [key, _texts(card), card.format, [index]]
        self.group[2].append(self.pending[key])

    def _close_group(self) -> Iterator[tuple[int, bytes]]:
        chart_sha256, chart_png, entries = self.group
        self.group = [None, None, []]
        self.jobs.append([chart_png, entries, None, chart_sha256, False])
        if self.workers < 2 or self.broken:
            yield from self._finish()
            return
        if len(self.jobs) < 2 and self.pool is None:
            return  # perhaps the only one: drawn here at the end
        for job in self.jobs:
            if job[2] is None and not self.broken:
                job[2] = self._send_job(job)
        while len(self.jobs) > self.workers * IN_FLIGHT:
            yield from self._finish()

    def _send_job(self, job: list):
        """A job sent to a worker: its cards, with the chart's picture if it was made ahead."""
        chart_png, entries, _, chart_sha256, _ = job
        drawings = [(lines, fmt) for _, lines, fmt, _ in entries]
        packed = self._ahead(chart_sha256) if chart_png else None
        if packed is None:
            return self._send(draw_group, chart_png, drawings)
        job[4] = True
        return self._send(draw_pictured, packed, _chart_box(chart_png), drawings)

    def _ahead(self, chart_sha256: str) -> tuple | None:
        """The chart's picture a worker made ahead (start_workers), if it was asked for: waited
        for if it is not made yet (the workers take their jobs in order, so a job sent now
        would be drawn after it anyway)."""
        ahead = _AHEAD.get(self.desk) if self.desk is not None else None
        future = ahead.pop(chart_sha256, None) if ahead else None
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # noqa: BLE001 (a worker that died, a picture that failed: made with its cards)
            return None

    def _send(self, function, *args):
        """``function(*args)`` sent to a worker (the workers started if they are not); None if
        they cannot take it."""
        from datadesk.charts.render import Pool

        if self.broken:
            return None
        if self.pool is None:
            self.pool = _POOLS.get(self.desk)
            if self.pool is None:
                self.pool = _POOLS[self.desk] = Pool()
        try:
            return self.pool.executor(self.workers).submit(function, *args)
        except BrokenProcessPool:  # a worker died before this was sent
            self._break()
            return None

    def _break(self) -> None:
        self.broken = True
        self.pool.close()
        logger.info("cards: a worker process stopped; drawing the remaining cards in the build's process")

    def _finish(self) -> Iterator[tuple[int, bytes]]:
        """The oldest job's cards, from its worker or drawn here."""
        chart_png, entries, future, _, pictured = self.jobs.pop(0)
        drawn = None
        if future is not None and not self.broken:
            try:
                drawn = future.result()
            except BrokenProcessPool:
                self._break()
        by_worker = drawn is not None
        if drawn is None:
            drawn = draw_group(chart_png, [(lines, fmt) for _, lines, fmt, _ in entries])
        for (key, _, fmt, indexes), data in zip(entries, drawn):
            _keep(self.cache, key, data, fmt)
            del self.pending[key]  # the cache has it now
            for memo, inputs in self.memo.pop(key, ()):  # what these inputs gave, for the next build
                memo.set(inputs, [key, fmt, hashlib.sha256(data).hexdigest()])
            self.count("drawn")
            self.count("drawn in workers", int(by_worker))
            self.count("drawn with a chart", int(chart_png is not None))
            for index in indexes:
                yield index, data
        self.count("chart pictures made", int(chart_png is not None))
        self.count("chart pictures made ahead", int(by_worker and pictured))

    def rest(self) -> Iterator[tuple[int, bytes]]:
        if self.group[2]:
            yield from self._close_group()
        while self.jobs:
            yield from self._finish()


def render_each(jobs, cache: Path, memo=None, settings: dict | None = None) -> Iterator[tuple[int, bytes]]:
    """(index, bytes) of each card, as they are done (not in order). ``jobs``: (memo key or
    None, a function that makes the :class:`Card`), so a card the memo knows is not even made:
    its inputs (texts, language, format, the chart PNG's hash) name its file in the cache.
    Else the card is the cache's when the same card was drawn before, or drawn (each different
    card once; in worker processes when ``settings`` name more than one,
    ``DATADESK_CHARTS_WORKERS``). Jobs that show the same chart should come one after the
    other: they are drawn together. With ``settings``, the build's report counts the cards
    ``remembered`` (by the memo), ``cached`` (drawn before, or by another card of this build),
    ``drawn`` and, of those, ``drawn in workers`` and ``drawn with a chart``."""
    desk = None
    if settings is not None:
        from datadesk.desk import desk_of

        desk = desk_of(settings)

    def count(what: str, n: int = 1) -> None:
        if desk is not None and n:
            desk.count("cards", what, n)

    drawing = _Drawing(cache, desk, count)
    for index, (inputs, make) in enumerate(jobs):
        if memo is not None and inputs is not None:
            known = memo.get(inputs)  # [the card's key, its format, the SHA-256 of its bytes]
            if (isinstance(known, list) and len(known) == 3 and known[1] in SUFFIXES
                    and (data := _cached(cache / f"{known[0]}{SUFFIXES[known[1]]}", known[1], known[2])) is not None):
                count("remembered")
                yield index, data
                continue
        card = make()
        chart_sha256 = _chart_sha256(card)
        key = card_key(card, chart_sha256)
        data = _cached(cache / f"{key}{SUFFIXES[card.format]}", card.format)
        if data is not None:  # drawn before (by this build too)
            if memo is not None and inputs is not None:
                memo.set(inputs, [key, card.format, hashlib.sha256(data).hexdigest()])
            count("cached")
            yield index, data
            continue
        if memo is not None and inputs is not None:
            drawing.memo.setdefault(key, []).append((memo, inputs))
        if key in drawing:  # the same card as another of this build, not drawn yet: drawn once
            count("cached")
            drawing.also(key, index)
            continue
        yield from drawing.add(key, card, chart_sha256, index)
    yield from drawing.rest()


def render_all(cards: list[Card], cache: Path, memo=None, settings: dict | None = None) -> list[bytes]:
    """Each card's bytes, in order (see :func:`render_each`)."""
    found: list[bytes | None] = [None] * len(cards)
    jobs = [(_inputs(card) if memo is not None else None, lambda card=card: card) for card in cards]
    for index, data in render_each(jobs, cache, memo, settings):
        found[index] = data
    return found


def render(card: Card, cache: Path, memo=None, settings: dict | None = None) -> bytes:
    """One card's bytes (see :func:`render_each`)."""
    return render_all([card], cache, memo, settings)[0]


def lead_chart(content: str) -> str | None:
    """The id of the first chart placed in an article's HTML."""
    match = CHART_ID.search(str(content or ""))
    return match.group(1) if match else None


def write(card: Card, cache: Path, target: Path, settings: dict, memo=None) -> None:
    """The card's picture, kept from the previous output when unchanged (datadesk/outputs.py)."""
    write_output(settings, target, render(card, cache, memo, settings), "cards")


SITE_CARD = "_site"  # the name (less its suffix) of the card of the pages that have none of their
# own, drawn from the home page


def _page_texts(path: Path) -> dict:
    from .sitemap import split_head

    doc, body = split_head(path.read_bytes())
    metas: dict[str, str] = {}
    for element in doc.xpath("//head/meta[@property][@content]"):  # one pass; the first of each wins
        metas.setdefault(element.get("property"), element.get("content"))

    def meta(prop: str) -> str:
        return metas.get(prop, "").strip()

    return {"title": meta("og:title"), "standfirst": meta("og:description"), "site_name": meta("og:site_name"),
            "image": meta("og:image"), "lang": (doc.get("lang") or "").split("-")[0],
            "chart": lead_chart(body.decode("utf-8", "replace"))}


def write_site_cards(output: Path, base: str, cards_dir: str, charts_dir: str, cache: Path,
                     skip: set[str], settings: dict) -> list[Path]:
    """Draw every card the pages of one language site declare (``og:image`` under
    ``<base>/<cards_dir>/``), from the texts of the page that declares it: its ``og:title``,
    ``og:description``, ``og:site_name`` and the static PNG of its first chart. ``skip``: the
    top folders that are other language sites. The step's seconds (pages read, cards made
    and written) are added to the build's report (``cards_step``: `invoke bench` shows them)."""
    from datadesk.desk import desk_of

    desk = desk_of(settings)
    finish_pending(desk)  # the other language site's cards, drawn meanwhile: written now
    started = time.perf_counter()
    # The chart workers are done with this language site: stopped now if still up (datadesk
    # stops them when the site is finalized, but the order of the finalized receivers is not
    # fixed), so the cards' workers never run beside them: DATADESK_CHARTS_WORKERS at most.
    desk.close()
    main_site = settings.get("DEFAULT_LANG") == settings.get("MAIN_LANG", settings.get("DEFAULT_LANG"))
    if not main_site and desk.workers() > 1:
        # Another language site (i18n_subsites builds it inside the main site's run): its
        # cards are drawn by the workers while this process writes the main site's pages, and
        # written when the main site's cards are (finish_pending).
        pending = _Pending(lambda: _site_cards(output, base, cards_dir, charts_dir, cache, skip, settings), settings)
        _PENDING[desk] = pending
        return pending.paths
    try:
        found = _site_cards(output, base, cards_dir, charts_dir, cache, skip, settings)
        written = [path for path, _ in found]
        for path, data in found:
            write_output(settings, path, data, "cards")
    finally:
        if main_site:
            close_pool(settings)
    desk.count("cards_step", "seconds", round(time.perf_counter() - started, 4))
    return written


class _Pending:
    """A language site's cards drawn in a thread (its pages read, the cards the cache lacks
    drawn by the workers, the memos saved), to be written by :func:`finish_pending`. The
    thread keeps what it found, or the error it met, for that call."""

    def __init__(self, run, settings: dict):
        import threading

        self.found: list[tuple[Path, bytes]] = []
        self.paths: list[Path] = []
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.settings = settings
        self.thread = threading.Thread(target=self._run, args=(run,), name="sharing-cards", daemon=True)
        self.thread.start()

    def _run(self, run) -> None:
        started = time.perf_counter()
        try:
            self.found = run()
            self.paths[:] = [path for path, _ in self.found]
        except BaseException as error:  # re-raised in the build's thread, by finish_pending
            self.error = error
        self.seconds = time.perf_counter() - started


_PENDING: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def finish_pending(desk) -> None:
    """Wait for the language site's cards drawn in a thread (if any), and write them. Its
    error, if it met one, is raised here."""
    pending = _PENDING.pop(desk, None)
    if pending is None:
        return
    pending.thread.join()
    if pending.error is not None:
        close_pool_of(desk)
        raise pending.error
    started = time.perf_counter()
    settings = pending.settings
    for path, data in pending.found:
        write_output(settings, path, data, "cards")
    desk.count("cards_step", "seconds", round(pending.seconds + time.perf_counter() - started, 4))


def _digest(path: Path, settings: dict | None) -> str:
    """The SHA-256 of a file of this build's output: as the build recorded it when it put the
    file (datadesk/outputs.py, ``Outputs.digest``), else read."""
    from datadesk.desk import DESK_KEY

    desk = settings.get(DESK_KEY) if isinstance(settings, dict) else None
    if desk is not None:
        return desk.outputs.digest(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _site_cards(output: Path, base: str, cards_dir: str, charts_dir: str, cache: Path,
                skip: set[str], settings: dict) -> list[tuple[Path, bytes]]:
    """(path, bytes) of every card one language site declares (see :func:`write_site_cards`)."""
    prefix = f"{base}/{cards_dir.strip('/')}/"
    # What each page declares, by its bytes' hash, and which card each card's inputs gave:
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
        if Path(name).stem == SITE_CARD and rel.as_posix() != "index.html":
            continue  # drawn from the home page
        if Path(name).suffix.lower() not in FORMATS:
            from .addresses import DiscoveryError

            raise DiscoveryError(f"{rel}: its og:image {texts['image']} names a sharing card that cannot be drawn: "
                                 f"a card's name ends in {', '.join(FORMATS)} (the theme's templates, block card)")
        wanted.setdefault(name, texts)
    # Each card is made when its turn comes (its chart PNG read then), the ones the cache lacks
    # drawn together (in parallel) and each written as soon as it is there. The cards are taken
    # chart by chart, so the cards of one chart are drawn together (its picture made once). A
    # chart PNG is read and hashed once, however many cards show it. The workers stay up for
    # the next language site; the main site's cards come last.
    charts: dict[Path, tuple[bytes, str]] = {}

    def chart_of(texts: dict) -> Path | None:
        if not texts["chart"]:
            return None
        png = output / charts_dir.strip("/") / texts["chart"] / f"{texts['chart']}.{texts['lang']}.png"
        return png if png.is_file() else None

    def job(name: str) -> tuple[str, object]:
        texts = wanted[name]
        png = chart_of(texts)
        if png is not None and png not in charts:
            charts.clear()  # the cards come chart by chart: the previous chart's are done
            # its hash as the build recorded it (a chart's files: the render cache's, checked
            # this build), else read; its bytes only when a card of it is made
            charts[png] = [None, _digest(png, settings)]
        entry = charts[png] if png is not None else [None, ""]
        fmt = FORMATS[Path(name).suffix.lower()]

        def make() -> Card:
            if png is not None and entry[0] is None:
                entry[0] = png.read_bytes()
                entry[1] = hashlib.sha256(entry[0]).hexdigest()
            return Card(texts["title"], texts["standfirst"], texts["site_name"], entry[0], texts["lang"],
                        entry[1] or None, fmt)

        return _inputs(Card(texts["title"], texts["standfirst"], texts["site_name"], None, texts["lang"],
                            None, fmt), entry[1]), make

    names = sorted(wanted, key=lambda name: (str(chart_of(wanted[name]) or ""), name))
    paths = [output / cards_dir.strip("/") / name for name in names]
    found: list[bytes | None] = [None] * len(names)
    for index, data in render_each((job(name) for name in names), cache, drawn_memo, settings):
        found[index] = data
    texts_memo.save()
    drawn_memo.save()
    return list(zip(paths, found))
