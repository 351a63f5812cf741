"""The cache can never publish a broken file, a build never leaves debris or a missing
output/, and the time zone never changes a chart (issue: security and resilience, items
6, 7 and 8)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from datadesk.charts import render
from conftest import ROOT, wait_until

# ---- item 8: time-zone-independent charts --------------------------------------------------

RENDER_ONE = """
import hashlib, json, sys
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/plugins"]
import pelicanconf
from datadesk import datasets as catalog
from datadesk.charts import build, definitions, render, settings as chart_settings
settings = {k: getattr(pelicanconf, k) for k in dir(pelicanconf) if k.isupper()}
conf = chart_settings.values(settings)
path = Path(sys.argv[1]) / "content" / "charts" / (sys.argv[2] + ".py")
defn = definitions.load(sys.argv[2], path, "content/charts/" + path.name)
built = build.build_chart(defn, catalog.get_catalog(settings), "fr", conf)
files, meta = render.render(built, conf)
# A spec that mixes a bare date (read as UTC) with local dates: only the pinned zone keeps it still.
import altair as alt, pandas as pd, vl_convert as vlc
df = pd.DataFrame({"d": pd.to_datetime(["2022-06-01", "2022-10-12"]), "y": ["a", "b"]})
sensitive = alt.Chart(df).mark_point().encode(
    x=alt.X("d:T", scale=alt.Scale(domain=["2022-05-15", "2022-12-15"])), y="y:N").to_dict()
svg = vlc.vegalite_to_svg(sensitive, vl_version=conf["DATADESK_CHARTS_VL_VERSION"])
print(json.dumps({"key": built.key, "env": build.environment(), "sensitive": hashlib.sha256(svg.encode()).hexdigest(),
                  "files": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}}))
"""


def render_in(tz: str, chart_id: str = "air_defence_timeline") -> dict:
    env = {**os.environ, "TZ": tz, "PYTHONHASHSEED": "0"}
    proc = subprocess.run([sys.executable, "-c", RENDER_ONE, str(ROOT), chart_id], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_timeline_is_drawn_the_same_in_any_time_zone():
    utc, far = render_in("UTC"), render_in("Pacific/Kiritimati")
    assert far["env"]["TZ"] == "UTC", "charts are drawn in UTC whatever the machine's zone"
    assert utc["files"] == far["files"], "SVG, PNG and Vega JSON do not depend on the time zone"
    assert utc["key"] == far["key"]
    assert utc["sensitive"] == far["sensitive"], "any chart, even one that mixes UTC and local dates"


def test_the_render_environment_is_in_the_cache_key(monkeypatch):
    from datadesk.charts import build

    env = build.environment()
    assert env["TZ"] == "UTC" and "locale" in env
    assert {"pandas", "numpy", "python", "altair", "vega"} <= set(build.versions("6.4"))
    monkeypatch.setitem(os.environ, "LC_ALL", "C.UTF-8")
    assert build.environment() != env


def test_the_reproducibility_gate_builds_its_second_copy_on_another_machine():
    from tools.check import build as quality_build

    other = quality_build.OTHER_MACHINE
    assert other["TZ"] != os.environ.get("TZ", "UTC") and other["PYTHONHASHSEED"] != "0"
    assert other["LC_ALL"] != os.environ.get("LC_ALL", "")
    runner = (ROOT / "tools" / "check" / "runner.py").read_text(encoding="utf-8")
    assert "publish_builder(url, copy, env=OTHER_MACHINE)" in runner


# ---- item 6: a cache that checks itself ----------------------------------------------------

FILES = {"a.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.csv": b"x\n1\n"}
META = {"files": {"svg": "a.svg", "csv:a.csv": "a.csv"}, "bytes": {"a.svg": 42, "a.csv": 4},
        "svg": [1, 1], "svg_narrow": [1, 1]}
KEY = "ab" + "0" * 62


@pytest.fixture
def cache(tmp_path):
    cache = render.Cache(tmp_path / "cache")
    cache.put(KEY, FILES, META)
    return cache


def damage_truncate(folder):
    (folder / "a.svg").write_bytes(FILES["a.svg"][:10])


def damage_missing(folder):
    (folder / "a.csv").unlink()


def damage_garbled(folder):
    (folder / "meta.json").write_text('{"files": {"svg": "a.sv', encoding="utf-8")


def damage_empty(folder):
    (folder / "meta.json").write_text("{}", encoding="utf-8")


def damage_no_meta(folder):
    (folder / "meta.json").unlink()


@pytest.mark.parametrize("damage,reason", [
    (damage_truncate, "a.svg does not match its checksum"), (damage_missing, "a.csv is missing"),
    (damage_garbled, "meta.json cannot be read: JSONDecodeError"), (damage_empty, "meta.json is incomplete"),
    (damage_no_meta, "meta.json is missing"),
])
def test_a_damaged_entry_is_never_used_and_is_repaired(cache, caplog, damage, reason):
    assert cache.get(KEY)["sha256"] == {n: hashlib.sha256(d).hexdigest() for n, d in FILES.items()}
    damage(cache._dir(KEY))
    with caplog.at_level("INFO"):
        assert cache.get(KEY, "timeline (fr)") is None
    notices = [r.getMessage() for r in caplog.records]
    assert notices == [f"charts: the cached files of timeline (fr) were damaged ({reason}): drawing them "
                       "again and repairing the cache"]
    cache.put(KEY, FILES, META)  # what a build does after a miss
    assert cache.get(KEY) is not None and cache.file(KEY, "a.svg").read_bytes() == FILES["a.svg"]


def test_put_replaces_a_damaged_entry_it_finds_in_its_place(cache):
    damage_truncate(cache._dir(KEY))
    cache.put(KEY, FILES, META)  # e.g. another process checked before the damage
    assert cache.get(KEY) is not None


@pytest.fixture
def hashed_early(cache):
    """The entry hashed by the helper process a build starts (``render.start_prehash``)."""
    render.start_prehash(cache.path, [KEY, "cd" + "0" * 62])  # a key with no entry is left out
    yield render._PREHASHED[os.path.abspath(cache.path)]
    render.stop_prehash()


def test_the_early_hashes_are_the_files_hashes(cache, hashed_early):
    known = hashed_early.known()
    assert {os.path.basename(path): found[3] for path, found in known.items()} == {
        name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}
    assert cache.get(KEY) is not None


def test_an_early_hash_is_used_only_for_the_file_it_was_made_of(cache, hashed_early):
    """The helper's hash stands for a file only while it is the same file (inode, size,
    modification time); a file written since is read again, and its damage found."""
    path = cache._dir(KEY) / "a.svg"
    known = hashed_early.known()
    # used, not read again: a forged entry for the same file is believed...
    forged = {str(path): (*known[str(path)][:3], "f" * 64)}
    assert render._sha256_of(path, forged) == "f" * 64
    # ...but not once the file changed: the same length, new bytes, a new modification time
    data = path.read_bytes()
    path.write_bytes(bytes([data[0] ^ 1]) + data[1:])
    os.utime(path, ns=(known[str(path)][2] + 1_000_000, known[str(path)][2] + 1_000_000))
    assert render._sha256_of(path, forged) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert render.Cache._check(cache._dir(KEY)) == "a.svg does not match its checksum"


def test_without_the_helper_the_build_hashes_as_before(cache, monkeypatch):
    def cannot_start(*_args, **_kwargs):
        raise OSError("no such file")

    monkeypatch.setattr(render.subprocess, "Popen", cannot_start)
    render.start_prehash(cache.path, [KEY])
    try:
        assert render._PREHASHED[os.path.abspath(cache.path)].known() == {}
        assert cache.get(KEY) is not None
        damage_truncate(cache._dir(KEY))
        assert cache.get(KEY) is None
    finally:
        render.stop_prehash()


@pytest.mark.slow
def test_a_corrupted_cache_entry_in_a_real_build_is_redrawn(tmp_path):
    """A truncated SVG in the cache: the build succeeds, publishes the whole file, repairs
    the entry, and says so in one line (no traceback)."""
    import shutil

    import tasks

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache_root = tmp_path / ".cache" / "charts"  # beside the content folder (DATADESK_CHARTS_CACHE_PATH)
    out = tasks.build_site(output=tmp_path / "out1", content=content, quiet=True)
    svg = out / "charts" / "strikes_weekly" / "strikes_weekly.fr.light.svg"
    good = svg.read_bytes()
    # every entry holding these bytes (older render versions may hold the same file)
    entries = [p.parent for p in cache_root.rglob("strikes_weekly.fr.light.svg")
               if p.read_bytes() == good]
    assert entries, "the build's cache holds the published file"
    for entry in entries:
        (entry / "strikes_weekly.fr.light.svg").write_bytes(good[: len(good) // 2])
    proc = subprocess.run([sys.executable, "-c", (
        "import sys; sys.path.insert(0, sys.argv[1]); import tasks; from pathlib import Path;"
        "tasks.build_site(output=Path(sys.argv[2]), content=Path(sys.argv[3]))"),
        str(ROOT), str(tmp_path / "out2"), str(content)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    log = proc.stdout + proc.stderr
    assert "the cached files of strikes_weekly (fr) were damaged (strikes_weekly.fr.light.svg does not " \
           "match its checksum): drawing them again and repairing the cache" in log
    assert "Traceback" not in log
    assert (tmp_path / "out2" / "charts" / "strikes_weekly" / "strikes_weekly.fr.light.svg").read_bytes() == good
    assert any((e / "strikes_weekly.fr.light.svg").is_file()
               and (e / "strikes_weekly.fr.light.svg").read_bytes() == good for e in entries), "repaired"


@pytest.mark.slow
def test_a_published_chart_file_is_the_checked_cache_file_and_a_damage_to_it_is_redrawn(tmp_path):
    """The chart files in output/ are links to the render cache's files, which every build
    checks against their recorded SHA-256 before using them (so the next build keeps the
    output's file without reading it). A file damaged in place is damaged in both: the next
    build into the same output/ finds it, draws it again and publishes the whole file."""
    import shutil

    import tasks

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache_root = tmp_path / ".cache" / "charts"
    out = tasks.build_site(output=tmp_path / "out", content=content, quiet=True)
    svg = out / "charts" / "strikes_weekly" / "strikes_weekly.fr.light.svg"
    good = svg.read_bytes()
    linked = [p for p in cache_root.rglob("strikes_weekly.fr.light.svg") if os.path.samefile(p, svg)]
    assert len(linked) == 1, "the published file is the cache's file"
    inode = svg.stat().st_ino
    tasks.build_site(output=out, content=content, quiet=True)
    assert svg.stat().st_ino == inode and svg.read_bytes() == good, "kept as it was"
    with open(linked[0], "r+b") as handle:  # in place: the same inode, so the published file too
        handle.truncate(len(good) // 2)
    assert svg.read_bytes() != good
    proc = subprocess.run([sys.executable, "-c", (
        "import sys; sys.path.insert(0, sys.argv[1]); import tasks; from pathlib import Path;"
        "tasks.build_site(output=Path(sys.argv[2]), content=Path(sys.argv[3]))"),
        str(ROOT), str(out), str(content)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "the cached files of strikes_weekly (fr) were damaged (strikes_weekly.fr.light.svg does not " \
           "match its checksum): drawing them again and repairing the cache" in proc.stdout + proc.stderr
    assert svg.read_bytes() == good


# ---- item 7: builds that clean up and lock -------------------------------------------------

import shutil  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import tasks  # noqa: E402
from tools import build as sitebuild  # noqa: E402

BROKEN = "Title: Broken\nLang: fr\n\nno date, no slug\n"


def broken_content(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "articles" / "broken.fr.md").write_text(BROKEN, encoding="utf-8")
    return content


@pytest.mark.slow
def test_a_killed_build_leaves_debris_that_the_next_build_removes(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("previous", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", (
        "import sys; sys.path.insert(0, sys.argv[1]); import tasks; from pathlib import Path;"
        "tasks.build_site(output=Path(sys.argv[2]), quiet=True)"), str(ROOT), str(output)],
        cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def pelican_is_writing():  # the first page is in the staging folder, the build goes on
        assert proc.poll() is None, "the build ended before it could be killed"
        return any(f.is_file() for f in tmp_path.glob(".build-output-*/**/*"))

    try:
        wait_until(pelican_is_writing, 600, "the build to write its first file into the staging "
                   "folder (.build-output-*)", every=0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its Pelican child, as a crash would
        proc.wait()
    debris = [p for p in tmp_path.glob(".build-output-*") if p.is_dir()]
    assert debris, "the killed build left its staging folder (what this test is about)"
    assert (output / "index.html").read_text() == "previous"
    with pytest.raises(tasks.BuildFailed):  # any next build, even a failing one, cleans up first
        tasks.build_site(output=output, content=broken_content(tmp_path), quiet=True)
    assert [p for p in tmp_path.glob(".build-*") if p.is_dir()] == []
    assert (output / "index.html").read_text() == "previous"


@pytest.mark.slow
def test_a_second_build_of_the_same_folder_stops_at_once_naming_the_first(tmp_path):
    output = tmp_path / "output"
    # The holder takes the lock, says so, and keeps it until this test terminates it (its
    # sleep only bounds how long an orphaned holder could live; nothing waits on it).
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path[:0] = [sys.argv[1]];"
        "from pathlib import Path; from tools import build as sitebuild\n"
        "with sitebuild.build_lock(Path(sys.argv[2])):\n"
        "    print('locked', flush=True); time.sleep(120)"), str(ROOT), str(output)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(tasks.BuildFailed) as failure:
            tasks.build_site(output=output, quiet=True)
        assert time.monotonic() - started < 5, "it does not wait for the first build"
    finally:
        holder.terminate()
        holder.wait()
    assert str(failure.value).startswith(f"Another build of output/ is running (process {holder.pid}, started ")
    assert "Wait for it to finish" in str(failure.value)
    assert not output.exists()


def test_the_swap_never_leaves_an_instant_without_output(tmp_path):
    target = tmp_path / "output"
    target.mkdir()
    missing, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            if not os.path.isdir(target):
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for n in range(200):
            new = tmp_path / f".build-output-{n}"
            new.mkdir()
            (new / "index.html").write_text(str(n), encoding="utf-8")
            sitebuild.swap_in(new, target)
    finally:
        stop.set()
        watcher.join()
    assert missing == []
    assert (target / "index.html").read_text() == "199"
    assert [p for p in tmp_path.iterdir() if p.name != "output"] == []


def test_the_site_a_build_replaced_goes_to_the_trash_which_the_next_build_empties(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("old", encoding="utf-8")
    new = tmp_path / ".build-output-1"
    new.mkdir()
    (new / "index.html").write_text("new", encoding="utf-8")
    sitebuild.swap_in(new, output, set_aside=lambda old: sitebuild.to_trash(old, output))
    trash = sitebuild.trash_of(output)
    assert trash == tmp_path / ".cache" / "old-output"
    assert (output / "index.html").read_text() == "new"
    assert [p.name for p in trash.iterdir()] == [".build-output-1"]
    assert (trash / ".build-output-1" / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "output"], "nothing else beside output/"
    sitebuild.empty_trash(output)
    assert list(trash.iterdir()) == [] and (output / "index.html").read_text() == "new"


def test_a_replaced_site_that_cannot_go_to_the_trash_is_removed_at_once(tmp_path):
    output, old = tmp_path / "output", tmp_path / ".build-output-1"
    output.mkdir()
    old.mkdir()
    (old / "index.html").write_text("old", encoding="utf-8")
    (tmp_path / ".cache").write_text("a file where the trash's folder would go", encoding="utf-8")
    sitebuild.to_trash(old, output)
    assert not old.exists()
    sitebuild.empty_trash(output)  # no trash: nothing to do, and no error


@pytest.mark.parametrize("where", ["staging", "swap"])
def test_permission_errors_are_explained(tmp_path, monkeypatch, where):
    output = tmp_path / "output"
    output.mkdir()
    denied = PermissionError(13, "Permission denied", str(output if where == "swap" else tmp_path))
    if where == "staging":
        monkeypatch.setattr(sitebuild.tempfile, "mkdtemp", lambda **kw: (_ for _ in ()).throw(denied))
        with pytest.raises(tasks.BuildFailed) as failure:  # stops before Pelican runs
            sitebuild.build_site(output=output, quiet=True)
    else:
        monkeypatch.setattr(sitebuild, "_exchange", lambda a, b: (_ for _ in ()).throw(denied))
        new = tmp_path / ".build-output-x"
        new.mkdir()
        with pytest.raises(tasks.BuildFailed) as failure:
            sitebuild.swap_in(new, output)
    message = str(failure.value)
    assert message.startswith("The build cannot ") and "Permission denied" in message
    assert f"Check who owns {tmp_path} and output/ and that both are writable" in message
    assert "Traceback" not in message
