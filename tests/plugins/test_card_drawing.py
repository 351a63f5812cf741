"""Drawing the sharing cards (plugins/discovery/cards.py): every card's SVG is made first and
the cards the cache lacks are drawn together, in worker processes when
``DATADESK_CHARTS_WORKERS`` allows more than one. Real builds of a small synthetic corpus
(tools/bench/corpus.py) whose chart cache is copied and whose card cache starts empty; the
build's report (``.cache/last-build.json``, ``cards``) says what was drawn, and where."""

from __future__ import annotations

import hashlib
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

from discovery.cards import (CARD_VERSION, FONT, HEIGHT, WIDTH, Card, _line_clear, _texts_clear,  # noqa: E402
                             draw_base, draw_layered_svg, draw_svg, png_size, render, render_all)
from conftest import build_report, copy_drawn  # noqa: E402
from tools.bench.corpus import make_corpus  # noqa: E402
from tools.build import build_in_process, build_site  # noqa: E402


def cards_of(output: Path) -> dict[str, str]:
    """Every card of a built site (both languages), by path: the SHA-256 of its bytes."""
    return {path.relative_to(output).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(output.rglob("cards/*.png"))}


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
    builds = {"corpus": corpus, "into": into, "parallel": cards_of(parallel), "parallel_counts": drawing(corpus),
              "bases": base_entries(corpus)}
    forget_cards(corpus)
    build_site(settings=str(with_workers(corpus, 1)), output=serial, quiet=True)
    builds.update(serial=cards_of(serial), serial_counts=drawing(corpus))
    build_site(settings=str(with_workers(corpus, 2)), output=parallel, quiet=True)
    builds.update(warm=cards_of(parallel), warm_counts=drawing(corpus))
    return builds


def base_entries(corpus) -> list[Path]:
    return sorted((corpus["project"] / ".cache" / "cards" / "bases").rglob("*.jsonl"))


def test_a_cold_build_draws_each_card_once_in_worker_processes(card_builds):
    cards, counts = card_builds["parallel"], card_builds["parallel_counts"]
    assert len(cards) > 10 and any(path.startswith("en/cards/") for path in cards)
    # every card written is accounted for: drawn, or the same SVG as one drawn in this build
    assert counts["drawn"] + counts.get("cached", 0) == len(cards), counts
    assert counts.get("remembered", 0) == 0
    # the first card is drawn in the build's process while the workers start
    assert counts["drawn"] - 1 <= counts["drawn in workers"] <= counts["drawn"], counts
    assert len(set(cards.values())) == counts["drawn"]
    assert len(list((card_builds["corpus"]["project"] / ".cache" / "cards").glob("*.png"))) == counts["drawn"]


def test_cards_drawn_in_workers_are_byte_identical_to_serial_drawing(card_builds):
    counts = card_builds["serial_counts"]
    assert counts["drawn"] == card_builds["parallel_counts"]["drawn"] and "drawn in workers" not in counts
    assert card_builds["serial"] == card_builds["parallel"]


def test_a_chart_base_layer_is_drawn_once_per_chart_and_build(card_builds):
    for name in ("parallel_counts", "serial_counts"):
        counts = card_builds[name]
        # each chart's base layer drawn once (every entry of the cache is one chart's) and
        # every card showing a chart drawn on it (the corpus' texts stay clear of the chart)
        assert counts["bases drawn"] == len(card_builds["bases"]) >= 2, (name, counts)
        assert "bases cached" not in counts and "drawn in one pass" not in counts, (name, counts)
        assert counts["drawn on a base layer"] > counts["bases drawn"], (name, counts)
    warm = card_builds["warm_counts"]
    assert not {"bases drawn", "bases cached"} & set(warm), warm


def test_a_damaged_base_layer_in_the_cache_is_drawn_again(card_builds):
    corpus = card_builds["corpus"]
    forget_cards(corpus)
    out = card_builds["into"] / "damaged-base"
    build_site(settings=str(with_workers(corpus, 1)), output=out, quiet=True)
    entries = base_entries(corpus)
    assert len(entries) == len(card_builds["bases"])
    damaged = entries[0]
    damaged.write_bytes(damaged.read_bytes().replace(b'"png":"iVBOR', b'"png":"iVBOx', 1))
    for entry in (corpus["project"] / ".cache" / "cards").glob("*.png"):  # the cards, not their bases
        entry.unlink()
    shutil.rmtree(corpus["project"] / ".cache" / "pages")
    build_site(settings=str(with_workers(corpus, 1)), output=out, quiet=True)
    counts = drawing(corpus)
    assert counts["bases drawn"] == 1 and counts["bases cached"] == len(entries) - 1, counts
    assert cards_of(out) == card_builds["parallel"]
    assert len(base_entries(corpus)) == len(entries)


CHART_FREE_TITLES = [
    ("Court", ""),
    ("Un titre très long qui doit passer à la ligne plusieurs fois, voire être coupé, pour voir comment "
     "les lignes se suivent sur la carte de partage quand le titre ne tient pas", "Un chapeau " * 40),
    ("L’hiver des « coupures » : 40 % des foyers — et l’œuvre des équipes", "Ce que disent les données."),
    ("A winter of outages: what the grid operator's figures show", "Missiles, drones and repairs."),
]


def test_cards_on_a_base_layer_are_byte_identical_to_cards_drawn_in_one_pass(card_builds, tmp_path):
    import vl_convert

    charts = sorted((card_builds["into"] / "parallel" / "charts").glob("*/*.fr.png"))[:3]
    assert charts
    cards = [Card(title, standfirst, "Front de l’énergie", chart.read_bytes() if chart else None, "fr")
             for chart in [None, *charts] for title, standfirst in CHART_FREE_TITLES]
    one_pass = [vl_convert.svg_to_png(draw_svg(card), scale=1.0) for card in cards]
    for card, expected in zip(cards, one_pass):
        if card.chart_png:
            base = draw_base(card.chart_png)
            assert base is not None and _texts_clear(card, base["box"][0])
            assert vl_convert.svg_to_png(draw_layered_svg(card, base), scale=1.0) == expected, card.title
    assert render_all(cards, tmp_path) == one_pass  # the cache's way: each chart's base layer once
    assert len(list((tmp_path / "bases").rglob("*.jsonl"))) == len(charts)


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
    key = hashlib.sha256(f"{CARD_VERSION}\n{draw_svg(card)}".encode("utf-8")).hexdigest()
    tmp_path.joinpath(f"{key}.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    data = render(card, tmp_path)
    assert png_size(data) == (WIDTH, HEIGHT)
    assert tmp_path.joinpath(f"{key}.png").read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [f"{key}.png"]  # no temporary file left


def test_a_line_the_width_bounds_call_clear_draws_nothing_past_its_bound():
    """The widest advances that decide whether a card may use its base layer, checked against
    vl-convert's own drawing: each character repeated as often as the bounds allow before
    column 658 (where the leftmost base layer starts), in each font size and weight of the
    card; the strip right of that column must come out blank (the same PNG as no text)."""
    import vl_convert
    from xml.sax.saxutils import escape

    x0, strip = 658, 40

    def drawn(text: str, size: int, bold: bool) -> bytes:
        weight = ' font-weight="bold"' if bold else ""
        body = (f'<text x="60" y="90" font-family="{FONT}" font-size="{size}"{weight} fill="#000">'
                f'{escape(text)}</text>') if text else ""
        return vl_convert.svg_to_png(f'<svg xmlns="http://www.w3.org/2000/svg" width="{strip}" height="120" '
                                     f'viewBox="{x0} 0 {strip} 120"><rect x="{x0}" width="{strip}" height="120" '
                                     f'fill="#fff"/>{body}</svg>', scale=1.0)

    blank = drawn("", 25, False)
    chars = ([chr(c) for c in range(0x21, 0x250) if chr(c).isprintable()] + list("—–…‘’“”€«»")
             + [chr(c) for c in range(0x410, 0x450)] + ["\u00a0", " "])
    reached = []
    for size, bold in ((46, True), (25, False), (26, True)):
        for ch in chars:
            n = 1
            while _line_clear(60, size, bold, "|" + ch * (n + 1), x0):
                n += 1
            text = "|" + ch * n  # a bar first, so a line of spaces still ends with them
            assert _line_clear(60, size, bold, text, x0)
            if drawn(text, size, bold) != blank:
                reached.append((ch, size, bold))
    assert not reached
