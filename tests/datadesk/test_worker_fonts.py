"""A chart worker's own copy of the measuring font (charts/render.py, ``own_fonts``):
vl-convert maps the font's file again for every piece of text it measures, and two workers
mapping the same file contend for it, so each worker lists a copy of its own first in a
fontconfig file of its own. The pictures are the same bytes; the copy goes when the worker
does, and a killed worker's copy is removed by the next one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

from datadesk.charts import render
from datadesk.outputs import remove_stale_folders

PLUGINS = ROOT / "plugins"

needs_fonts = pytest.mark.skipif(not render.SYSTEM_FONTCONFIG.is_file() or not render._measured_family_files(),
                                 reason="no fontconfig file or no DejaVu Sans on this system")

PICTURE = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "title": {"text": "Frappes — dégâts « déclarés » ; Київ, Чернівці", "subtitle": "1 234,5 MW"},
    "data": {"values": [{"x": "Київ", "y": 3.5}, {"x": "Чернівці", "y": 12.25}, {"x": "Énergie", "y": 7}]},
    "mark": "bar",
    "encoding": {"x": {"field": "x", "type": "nominal", "title": "Ville"},
                 "y": {"field": "y", "type": "quantitative", "title": "Heures sans courant"}},
    "config": {"font": '"DejaVu Sans", sans-serif', "title": {"fontWeight": 600}},
}

SCRIPT = """
import hashlib, json, os, sys
sys.path.insert(0, {plugins!r})
from datadesk.charts import render
folder = render.own_fonts() if {own!r} else None
import vl_convert as vlc
spec = json.loads({spec!r})
svg = vlc.vegalite_to_svg(spec, vl_version="6.4")
png = vlc.vegalite_to_png(spec, vl_version="6.4", scale=2)
print(json.dumps({{"folder": str(folder) if folder else None, "env": os.environ.get("FONTCONFIG_FILE"),
                  "files": sorted(os.listdir(folder)) if folder else [],
                  "svg": hashlib.sha256(svg.encode()).hexdigest(), "png": hashlib.sha256(png).hexdigest()}}))
"""


def run(own: bool, env: dict | None = None) -> dict:
    code = SCRIPT.format(plugins=str(PLUGINS), own=own, spec=json.dumps(PICTURE))
    environ = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    environ.update(env or {})
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_fonts
def test_a_worker_draws_with_its_own_copy_the_same_pictures_and_leaves_nothing():
    plain, own = run(False), run(True)
    assert own["folder"] and own["env"] == str(Path(own["folder"]) / "fonts.conf")
    assert (own["svg"], own["png"]) == (plain["svg"], plain["png"])
    # The family's faces, copied byte for byte, and not another family's (DejaVu Sans Mono).
    originals = {path.name: path.read_bytes() for path in render._measured_family_files()}
    assert "DejaVuSans.ttf" in originals and not any("Mono" in name for name in originals)
    assert own["files"] == sorted([*originals, "fonts.conf"])
    assert not Path(own["folder"]).exists()  # removed when the process ended


@needs_fonts
def test_the_copy_comes_before_the_system_fonts(tmp_path, monkeypatch):
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    monkeypatch.setattr(render, "SHARED_MEMORY", tmp_path)
    monkeypatch.setattr(render, "_OWN_FONTS", [])
    monkeypatch.setattr("atexit.register", lambda *a, **k: None)
    folder = render.own_fonts()
    try:
        assert folder.parent == tmp_path and folder.name.startswith(f"{render.FONTS_PREFIX}{os.getpid()}-")
        assert os.environ["FONTCONFIG_FILE"] == str(folder / "fonts.conf")
        conf = (folder / "fonts.conf").read_text(encoding="utf-8")
        assert conf.index(f"<dir>{folder}</dir>") < conf.index(f">{render.SYSTEM_FONTCONFIG}</include>")
        for path in render._measured_family_files():
            assert (folder / path.name).read_bytes() == path.read_bytes()
        assert render.own_fonts() == folder  # once per process
    finally:
        os.environ.pop("FONTCONFIG_FILE", None)


def test_a_fontconfig_file_already_set_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "mine.conf"))
    monkeypatch.setattr(render, "SHARED_MEMORY", tmp_path)
    monkeypatch.setattr(render, "_OWN_FONTS", [])
    assert render.own_fonts() is None
    assert os.environ["FONTCONFIG_FILE"] == str(tmp_path / "mine.conf")
    assert list(tmp_path.iterdir()) == []


def test_without_the_font_or_fontconfig_nothing_is_done(tmp_path, monkeypatch):
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    monkeypatch.setattr(render, "SHARED_MEMORY", tmp_path)
    monkeypatch.setattr(render, "_OWN_FONTS", [])
    monkeypatch.setattr(render, "SYSTEM_FONT_DIRS", (tmp_path / "none",))
    assert render.own_fonts() is None
    monkeypatch.setattr(render, "SYSTEM_FONTCONFIG", tmp_path / "missing.conf")
    assert render.own_fonts() is None
    assert "FONTCONFIG_FILE" not in os.environ and list(tmp_path.iterdir()) == []


def test_a_killed_workers_copy_is_removed_and_a_live_ones_kept(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / f"{render.FONTS_PREFIX}{gone.pid}-abc"
    live = tmp_path / f"{render.FONTS_PREFIX}{os.getppid()}-def"
    other = tmp_path / "something-else"
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "DejaVuSans.ttf").write_bytes(b"font")
    remove_stale_folders(tmp_path, render.FONTS_PREFIX)
    assert not dead.exists() and live.exists() and other.exists()


@needs_fonts
def test_a_chart_worker_warms_up_with_its_own_copy():
    pool = render.Pool("6.4")
    try:
        # One worker: its warm-up (sent first) runs before this.
        found = pool.executor(1).submit(os.getenv, "FONTCONFIG_FILE").result(timeout=120)
    finally:
        pool.close()
    assert found and Path(found).name == "fonts.conf" and Path(found).parent.name.startswith(render.FONTS_PREFIX)
    assert not Path(found).parent.exists()  # the worker ended: its copy went with it
