"""Drawing the sharing cards (plugins/discovery/cards.py): Pillow draws each card the cache
lacks, the cards of one chart together (its picture made once), in worker processes when
``DATADESK_CHARTS_WORKERS`` allows more than one. Real builds of a small synthetic corpus
(tools/bench/corpus.py) whose chart cache is copied and whose card cache starts empty; the
build's report (``.cache/last-build.json``, ``cards``) says what was drawn, and where."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for p in (ROOT, ROOT / "plugins"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from discovery.cards import (COLOURS, HEIGHT, WIDTH, Card, _draw, _lines, _page_texts, card_key,  # noqa: E402
                             draw, image_size, render, render_all)
from conftest import build_report, copy_drawn  # noqa: E402
from tools.bench.corpus import make_corpus  # noqa: E402
from tools.build import build_in_process, build_site  # noqa: E402


def cards_of(output: Path) -> dict[str, str]:
    """Every card of a built site (both languages), by path: the SHA-256 of its bytes."""
    return {path.relative_to(output).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(output.rglob("cards/*.jpg"))}


def drawing(corpus) -> dict:
    return build_report(corpus["project"]).get("cards", {})


def with_workers(corpus, count: int) -> Path:
    settings = corpus["project"] / f"benchconf_{count}.py"
    settings.write_text(corpus["settings"].read_text(encoding="utf-8") + f"DATADESK_CHARTS_WORKERS = {count}\n",
                        encoding="utf-8")
    return settings


def forget_cards(corpus) -> None:
    """A cold card cache: no drawn card, no memo of what a card's inputs gave."""
    for name in ("cards", "pages"):
        shutil.rmtree(corpus["project"] / ".cache" / name, ignore_errors=True)


@pytest.fixture(scope="module")
def card_builds(tmp_path_factory):
    """A 6-article corpus: its cards drawn by two workers (cold), drawn again one at a time
    (cold, into another output), then built warm."""
    into = tmp_path_factory.mktemp("cards")
    corpus = make_corpus(ROOT, into, articles=6, charts=0)
    copy_drawn("charts", corpus["project"] / ".cache" / "charts")
    parallel, serial = into / "parallel", into / "serial"
    forget_cards(corpus)
    build_site(settings=str(with_workers(corpus, 2)), output=parallel, quiet=True)
    builds = {"corpus": corpus, "into": into, "parallel": cards_of(parallel), "parallel_counts": drawing(corpus)}
    forget_cards(corpus)
    build_site(settings=str(with_workers(corpus, 1)), output=serial, quiet=True)
    builds.update(serial=cards_of(serial), serial_counts=drawing(corpus))
    build_site(settings=str(with_workers(corpus, 2)), output=parallel, quiet=True)
    builds.update(warm=cards_of(parallel), warm_counts=drawing(corpus))
    return builds


def test_a_cold_build_draws_each_card_once_in_worker_processes(card_builds):
    cards, counts = card_builds["parallel"], card_builds["parallel_counts"]
    assert len(cards) > 10 and any(path.startswith("en/cards/") for path in cards)
    # every card written is accounted for: drawn, or the same card as one drawn in this build
    assert counts["drawn"] + counts.get("cached", 0) == len(cards), counts
    assert counts.get("remembered", 0) == 0
    assert 0 < counts["drawn in workers"] <= counts["drawn"], counts
    assert len(set(cards.values())) == counts["drawn"]
    assert len(list((card_builds["corpus"]["project"] / ".cache" / "cards").glob("*.jpg"))) == counts["drawn"]
    assert all(image_size((card_builds["into"] / "parallel" / path).read_bytes()) == ("JPEG", (WIDTH, HEIGHT))
               for path in cards)


def test_cards_drawn_in_workers_are_byte_identical_to_serial_drawing(card_builds):
    counts = card_builds["serial_counts"]
    assert counts["drawn"] == card_builds["parallel_counts"]["drawn"] and "drawn in workers" not in counts
    assert card_builds["serial"] == card_builds["parallel"]


def test_the_cards_of_one_chart_are_drawn_together(card_builds):
    """Each chart's picture is made once per build and language, however many cards show it:
    the number of different lead charts (by language) among the pages' cards."""
    output = card_builds["into"] / "parallel"
    charts = set()
    for page in output.rglob("*.html"):
        texts = _page_texts(page)
        if "/cards/" in texts["image"] and texts["chart"]:
            charts.add((texts["lang"], texts["chart"]))
    for name in ("parallel_counts", "serial_counts"):
        counts = card_builds[name]
        assert counts["drawn with a chart"] > counts["chart pictures made"] == len(charts) >= 2, (name, counts)
    warm = card_builds["warm_counts"]
    assert "chart pictures made" not in warm, warm


CHART_FREE_TITLES = [
    ("Court", ""),
    ("Un titre très long qui doit passer à la ligne plusieurs fois, voire être coupé, pour voir comment "
     "les lignes se suivent sur la carte de partage quand le titre ne tient pas", "Un chapeau " * 40),
    ("L’hiver des « coupures » : 40 % des foyers — et l’œuvre des équipes", "Ce que disent les données."),
    ("A winter of outages: what the grid operator's figures show", "Missiles, drones and repairs."),
]


def test_cards_drawn_together_are_byte_identical_to_cards_drawn_one_by_one(card_builds, tmp_path):
    charts = sorted((card_builds["into"] / "parallel" / "charts").glob("*/*.fr.png"))[:3]
    assert charts
    cards = [Card(title, standfirst, "Front de l’énergie", chart.read_bytes() if chart else None, "fr")
             for chart in [None, *charts] for title, standfirst in CHART_FREE_TITLES]
    one_by_one = [draw(card) for card in cards]
    assert render_all(cards, tmp_path) == one_by_one  # the cache's way: each chart's picture once
    assert len(set(one_by_one)) == len(cards)
    assert len(list(tmp_path.glob("*.jpg"))) == len(cards)


def test_a_card_is_a_whole_jpeg_or_png_of_the_card_size(tmp_path):
    jpeg = draw(Card("Un titre", "Un chapeau.", "Front de l’énergie"))
    png = draw(Card("Un titre", "Un chapeau.", "Front de l’énergie", format="PNG"))
    assert image_size(jpeg) == ("JPEG", (WIDTH, HEIGHT)) and image_size(png) == ("PNG", (WIDTH, HEIGHT))
    assert image_size(jpeg[:-2]) is None and image_size(png[:-12]) is None  # cut short
    assert image_size(b"GIF89a" + png[6:]) is None and image_size(b"") is None
    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as image:  # Pillow reads it whole
        image.load()
        assert image.format == "JPEG" and image.size == (WIDTH, HEIGHT) and image.mode == "RGB"


def test_a_warm_build_draws_no_card(card_builds):
    counts = card_builds["warm_counts"]
    assert card_builds["warm"] == card_builds["parallel"]
    assert "drawn" not in counts and "cached" not in counts, counts
    assert counts["remembered"] == len(card_builds["warm"])
    assert counts["kept"] == len(card_builds["warm"]) and "written" not in counts  # output files unchanged


def dying_executor(already_broken: bool):
    """Pool.executor, but every worker process exits as it starts (as if killed); with
    ``already_broken``, the pool is known to be broken before the first card is sent."""
    def executor(self, workers):
        executor.calls += 1
        self.close()
        self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=os._exit, initargs=(3,))
        self.workers = workers
        if already_broken:
            with pytest.raises(BrokenProcessPool):
                self._executor.submit(os.getpid).result()
        return self._executor

    executor.calls = 0
    return executor


@pytest.mark.parametrize("already_broken", [False, True], ids=["dies-while-drawing", "dead-before-sending"])
def test_a_broken_worker_pool_still_produces_every_card(card_builds, monkeypatch, already_broken):
    from datadesk.charts import render as chart_render

    corpus = card_builds["corpus"]
    _dying_executor = dying_executor(already_broken)
    monkeypatch.setattr(chart_render.Pool, "executor", _dying_executor)
    forget_cards(corpus)
    out = card_builds["into"] / f"broken-{already_broken}"
    build_in_process(settings=str(with_workers(corpus, 2)), output=out)
    counts = drawing(corpus)
    assert _dying_executor.calls >= 1  # the workers were started, and died
    assert "drawn in workers" not in counts and counts["drawn"] == card_builds["parallel_counts"]["drawn"]
    assert cards_of(out) == card_builds["parallel"]


def test_a_damaged_card_in_the_cache_is_drawn_again(tmp_path):
    card = Card("Un titre", "Un chapeau.", "Front de l’énergie", None, "fr")
    whole = draw(card)
    cached = tmp_path / f"{card_key(card)}.jpg"
    for damaged in (whole[: len(whole) // 2], b"\xff\xd8 not a picture \xff\xd9", draw(Card("Autre", "", "x"))[:-1]):
        cached.write_bytes(damaged)
        data = render(card, tmp_path)
        assert data == whole
        assert cached.read_bytes() == whole
        assert [p.name for p in tmp_path.iterdir()] == [cached.name]  # no temporary file left


WIDE_LINES = ["W" * 40, "M" * 40, "Ш" * 40, "Щ" * 40, "…" * 40, "—" * 40, "%@" * 20,
              "WWW MMM ШШШ ЖЖЖ mmm www @@@ %%% ÆÆÆ ŒŒŒ WWW MMM ШШШ ЖЖЖ mmm www @@@ %%% ÆÆÆ ŒŒŒ",
              "Україна: Енергетичний фронт і відключення світла взимку 2022 року"]


def test_a_cards_text_never_runs_into_the_chart_column():
    """The lines are wrapped with estimated widths (cards.wrap): drawn with the real fonts, the
    widest letters of Latin and Cyrillic, in titles and standfirsts, leave the columns from
    the chart's frame (x = 658) to the card's right edge blank."""
    from PIL import Image

    ground = Image.new("RGB", (WIDTH - 658, HEIGHT - 14), COLOURS["bg"])
    reached = []
    for text in WIDE_LINES:
        for title, standfirst in ((text, "x"), ("x", text), (text, text)):
            data = _draw(_lines(title, standfirst, text, True), None, None, "PNG")
            with Image.open(io.BytesIO(data)) as card:
                if card.crop((658, 14, WIDTH, HEIGHT)).tobytes() != ground.tobytes():
                    reached.append((title, standfirst))
    assert not reached
    wide = Image.open(io.BytesIO(_draw(_lines("W" * 40, "x", "x", False), None, None, "PNG")))
    assert wide.crop((658, 14, WIDTH, HEIGHT)).tobytes() != ground.tobytes()  # the test sees text there


def test_an_error_met_drawing_a_language_sites_cards_in_its_thread_stops_the_build_at_the_next_card_step():
    from discovery import cards
    from discovery.addresses import DiscoveryError

    class Desk:  # what finish_pending needs of the build's desk
        def __init__(self):
            self.counted = []

        def count(self, part, what, n=1):
            self.counted.append((part, what))

    def fails():
        raise DiscoveryError("en/about/index.html: its og:image names a card that cannot be drawn")

    desk = Desk()
    cards._PENDING[desk] = cards._Pending(fails, {})
    with pytest.raises(DiscoveryError, match="en/about/index.html"):
        cards.finish_pending(desk)
    assert desk not in cards._PENDING and desk.counted == []
    cards.finish_pending(desk)  # nothing pending: nothing done


def test_a_chart_picture_made_ahead_draws_the_same_cards(card_builds, tmp_path):
    """The card workers make the pictures of the charts a cold build drew while the build
    writes its pages (cards.start_workers): a card framed from that picture (draw_pictured)
    is byte for byte the card drawn from the chart's PNG; a PNG that changed since it was
    asked for (another SHA-256) or is gone gives no picture (its cards make their own)."""
    from discovery.cards import _chart_box, draw_group, draw_pictured, make_picture

    charts = sorted((card_builds["into"] / "parallel" / "charts").glob("*/*.png"))[:3]
    assert charts
    drawings = [(_lines(title, standfirst, "Front de l’énergie", True), fmt)
                for title, standfirst in CHART_FREE_TITLES for fmt in ("JPEG", "PNG")]
    for chart in charts:
        png = chart.read_bytes()
        packed = make_picture(str(chart), hashlib.sha256(png).hexdigest())
        assert packed is not None
        assert draw_pictured(packed, _chart_box(png), drawings) == draw_group(png, drawings)
        assert make_picture(str(chart), hashlib.sha256(b"another").hexdigest()) is None
    assert make_picture(str(tmp_path / "gone.png"), hashlib.sha256(b"").hexdigest()) is None


@pytest.fixture(scope="module")
def drawn_charts_builds(tmp_path_factory):
    """A cold build that draws its charts (two workers) and the same site's cards drawn again
    one at a time from the charts it drew."""
    into = tmp_path_factory.mktemp("ahead")
    corpus = make_corpus(ROOT, into, articles=4, charts=2)
    build_site(settings=str(with_workers(corpus, 2)), output=into / "parallel", quiet=True)
    report = build_report(corpus["project"])
    forget_cards(corpus)
    build_site(settings=str(with_workers(corpus, 1)), output=into / "serial", quiet=True)
    return {"report": report, "serial_counts": drawing(corpus),
            "parallel": cards_of(into / "parallel"), "serial": cards_of(into / "serial"), "output": into / "parallel"}


def test_a_cold_build_makes_its_lead_charts_pictures_ahead_of_the_cards(drawn_charts_builds):
    report, counts = drawn_charts_builds["report"], drawn_charts_builds["report"]["cards"]
    assert report["charts_drawn"]["renders"] > 0 and counts["workers started early"] == 1
    # one picture per chart that leads an article, by language; each one used by its cards' job
    leads = set()
    for page in drawn_charts_builds["output"].rglob("*.html"):
        texts = _page_texts(page)
        if "/cards/" in texts["image"] and texts["chart"] and 'property="og:type" content="article"' in page.read_text(
                encoding="utf-8"):
            leads.add((texts["lang"], texts["chart"]))
    assert len(leads) >= 2
    assert counts["chart pictures asked ahead"] == counts["chart pictures made ahead"] == len(leads), counts
    assert counts["chart pictures made"] == len(leads) and counts["drawn in workers"] == counts["drawn"], counts
    # the same cards as drawn one at a time, from the charts' PNGs
    assert "chart pictures made ahead" not in drawn_charts_builds["serial_counts"]
    assert drawn_charts_builds["parallel"] == drawn_charts_builds["serial"]
