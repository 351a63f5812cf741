"""`invoke bench`: the build's speed at a newsroom's size, side by side with plain Pelican.

It writes the synthetic corpus of ``tools/bench/corpus.py`` into a temporary folder (by
default 1,000 articles + 200 more charts) and times, each as a whole process, the project
(``tools.build.build_site`` in a child process, as ``invoke build`` runs it) and plain
Pelican (the ``pelican`` command on the corpus' plain twin: the same Markdown, no plugins,
its default theme), run by run in the same session, alternating which goes first:

- cold build (empty caches, empty output) and warm build with nothing changed: as
  ``invoke build`` runs it (it stops at once when no input changed and ``output/`` is as the
  last build left it, datadesk/uptodate.py), and as ``invoke build --force`` (every stage
  runs, each finding its work already done);
- a build after one article is edited (the same edit in both);
- a build after one CSV cell that an article shows is edited (for Pelican, which shows no
  data, that is a build with nothing changed);
- the live preview: from saving a file to the rebuilt page on disk, ``invoke livereload``
  against Pelican's own autoreload (``pelican -r``), for the article edit and the CSV edit,
  and (the project alone: Pelican has no charts) for a YAML chart's edit with a page placing
  it open, and a CSV edit with a page open that shows the cell and places a chart of that
  dataset (when the corpus has such a page);
- the peak memory of every build (its process tree, sampled, and its largest process's,
  ``os.wait4``) and of the preview (its process tree, sampled while it runs);
- the serial chart floor: a cold build with ``DATADESK_CHARTS_WORKERS = 1`` (the charts
  rendered one at a time) in each round of cold builds, whose render time the cold target
  and the parallel speed-up are measured against;
- warm and one-edit builds at several sizes (``--sizes``), to see how cost grows.

Beside each time it prints what the build says it did (``.cache/last-build.json``: files
converted and cached, pages written, charts drawn). It prints one Markdown table with the
issue's targets, and ``--json PATH`` writes every figure. A build that fails is reported
with its own message under the table and the measure is marked failed; the other measures
still run.

    python -m tools.bench.scale --articles 1000 --charts 200 --sizes 250,500,1000 --repeats 3
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from tools.bench.corpus import edit_article, edit_chart, edit_csv_cell, make_corpus
from tools.server import stop_process

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(sys.executable).parent
GIB = 1024 ** 3
PREVIEW_TIMEOUT = 600.0  # s: the first build of a big corpus in the preview, or one rebuild
# What the preview says (tools/preview.py) after a fast-path update of one page, and after
# the build of the whole site that follows it when the editor pauses.
FAST_UPDATE = "the whole site follows"
CAUGHT_UP = "Rebuilt the whole site in"
QUIET = 0.6  # s: after a rebuild, before the next save (the preview's watcher debounces 0.4 s)

# The targets (issue 12, "Targets"): ratio to plain Pelican, or seconds, or bytes.
TARGETS = {
    "cold": "≤ 1.3 × (Pelican cold + chart floor ÷ cores)",
    "chart_render": "≥ 1.7 × faster than serial",
    "warm": "≤ 1.3 × Pelican warm",
    "warm_forced": "—",
    "article_edit": "≤ 1.0 × Pelican warm",
    "article_edit_en": "—",
    "csv_edit": "—",
    "preview_article": "≤ 1.0 s",
    "preview_csv": "≤ 2.0 s",
    "preview_chart": "≤ 2.0 s",
    "preview_csv_chart": "≤ 2.0 s",
    "memory": "< 1 GiB",
    "preview_memory": "< 1 GiB",
}


FIXED = ("chart_floor", "cold", "chart_render", "warm", "warm_forced", "article_edit", "article_edit_en", "csv_edit",
         "preview_article",
         "preview_csv", "preview_chart", "preview_memory", "memory")


class MeasureFailed(Exception):
    """One measure could not be taken (a build failed, the preview never showed the edit)."""


@dataclass
class Run:
    seconds: float
    peak_bytes: int | None = None  # the process tree's peak (see timed_process)
    report: dict | None = None
    largest_bytes: int | None = None  # its largest process's peak

    def __post_init__(self):
        # The figure the JSON keeps: the table printed now and the one printed again from the
        # JSON (--from-json) are then made from the same numbers (23.705 is not 23.70499…).
        self.seconds = round(self.seconds, 4)

    def as_json(self) -> dict:
        return {"seconds": round(self.seconds, 4), "peak_bytes": self.peak_bytes,
                "largest_process_bytes": self.largest_bytes, "report": self.report}


@dataclass
class Measure:
    key: str
    label: str
    project: list[Run] = field(default_factory=list)
    plain: list[Run] = field(default_factory=list)
    note: str = ""
    error: str | None = None
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        out = {"label": self.label, "note": self.note, "error": self.error,
               "project": [r.as_json() for r in self.project], "plain": [r.as_json() for r in self.plain],
               "project_median": _median(self.project), "plain_median": _median(self.plain)}
        out.update(self.extra)
        return out


def _median(runs: list[Run]) -> float | None:
    return round(statistics.median(r.seconds for r in runs), 4) if runs else None


# --- processes ---------------------------------------------------------------------------

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants now (Linux /proc; 0 elsewhere)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue  # it ended meanwhile
    return total


def timed_process(command: list[str], cwd: Path, log: Path, env: dict | None = None) -> tuple[float, int, int, int]:
    """Run ``command`` to its end: (seconds, peak resident bytes of its largest process, peak
    resident bytes of its whole process tree, exit code). The first is the kernel's
    (``os.wait4``'s ``ru_maxrss``: the largest of the process and its waited-for children);
    the second is sampled every 50 ms (a build that draws charts in worker processes holds
    them all at once)."""
    with log.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
        peak, stop = [0], threading.Event()

        def sample():
            while not stop.wait(0.05):
                peak[0] = max(peak[0], tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        stop.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    largest = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return seconds, largest, max(peak[0], largest), proc.returncode


def _tail(log: Path, lines: int = 30) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class Corpus:
    """One synthetic corpus (``make_corpus``) and how to build each side of it."""

    def __init__(self, into: Path, articles: int, charts: int):
        self.folder, self.articles = into, articles
        self.files = make_corpus(ROOT, into, articles=articles, charts=charts)
        self.project: Path = self.files["project"]
        self.plain: Path = self.files["plain"]
        self.output = self.project / "output"
        self.plain_output = self.plain / "output"
        self.logs = into / "logs"
        self.logs.mkdir(exist_ok=True)
        self.serial_settings = self.project / "benchconf_serial.py"
        self.serial_settings.write_text(self.files["settings"].read_text(encoding="utf-8")
                                        + "DATADESK_CHARTS_WORKERS = 1\n", encoding="utf-8")
        self.edits = 0

    # the project, as `invoke build` runs it: a process that calls build_site
    def build(self, what: str, settings: Path | None = None, force: bool = False) -> Run:
        """``force``: as ``invoke build --force`` (every stage runs even when nothing changed)."""
        settings = settings or self.files["settings"]
        (self.project / ".cache" / "last-build.json").unlink(missing_ok=True)
        log = self.logs / f"project-{what}.log"
        seconds, largest, peak, code = timed_process(
            [PYTHON, "-m", "tools.bench.scale", "--build", str(settings), str(self.output),
             *(["--force-build"] if force else [])], ROOT, log)
        if code != 0:
            raise MeasureFailed(f"the project's build ({what}) failed:\n{_tail(log)}")
        return Run(seconds, peak, self.report(), largest)

    def report(self) -> dict | None:
        """What the last build said it did (datadesk's ``.cache/last-build.json``)."""
        try:
            return json.loads((self.project / ".cache" / "last-build.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def build_plain(self, what: str) -> Run:
        log = self.logs / f"plain-{what}.log"
        seconds, largest, peak, code = timed_process(
            [str(BIN / "pelican"), "content", "-s", "plainconf.py", "-o", "output"], self.plain, log)
        if code != 0:
            raise MeasureFailed(f"plain Pelican's build ({what}) failed:\n{_tail(log)}")
        return Run(seconds, peak, None, largest)

    def empty_caches(self) -> None:
        for path in (self.project / ".cache", self.output, self.plain_output, self.plain / "cache"):
            shutil.rmtree(path, ignore_errors=True)

    def stamp(self) -> str:
        """A text no corpus of another size has used: the scaling corpora start from a copy of
        the main corpus' caches, where the same edit would be a (true) cache hit."""
        self.edits += 1
        return f"BENCHEDIT{self.articles}X{self.edits:04d}"

    def edit_article(self) -> str:
        """The same edit in both twins (a French article); returns the text both pages will show."""
        stamp = self.stamp()
        edit_article(self.files["article"], stamp)
        edit_article(self.files["plain_article"], stamp)
        return stamp

    def edit_english_article(self) -> str:
        """The same edit of the English translation in both twins."""
        stamp = self.stamp()
        edit_article(self.files["article_en"], stamp)
        edit_article(self.files["plain_article_en"], stamp)
        return stamp

    def edit_csv(self) -> str:
        """One CSV cell an article shows; returns the HTML the page will hold."""
        self.edits += 1
        return f">{edit_csv_cell(self.files['csv'], self.edits)}<"

    def edit_chart(self) -> str:
        """The French subtitle of the YAML chart ``chart_page`` places; returns the text its
        figure will show."""
        stamp = self.stamp()
        edit_chart(self.files["chart"], stamp)
        return stamp

    def copy_caches_from(self, other: Corpus) -> None:
        """The caches another corpus made (content-keyed: charts, prepared files), so that a
        smaller corpus needs no cold build; Pelican's own cache and the report are left."""
        source = other.project / ".cache"
        if source.is_dir():
            shutil.copytree(source, self.project / ".cache", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("pelican", "last-build.json", "livereload-port"))


COLD_SIDES = ("floor", "project", "plain")  # the serial chart floor, the project, plain Pelican


def cold_round(n: int) -> tuple[str, ...]:
    """The order of round ``n`` of cold builds: each side once, each round starting with the
    next side, so that a load on the machine in one part of a round weighs on every side."""
    return COLD_SIDES[n % 3:] + COLD_SIDES[:n % 3]


def paired(corpus: Corpus, measure: Measure, repeats: int, what: str, before=None, page: str = "",
           plain_shows: bool = True, force: bool = False) -> None:
    """``repeats`` builds of each side, alternating which goes first. ``before()`` makes an
    edit and returns the text ``page`` must then show (checked after each build: a timing
    of a build that did not show the edit would be worthless; for Pelican only if
    ``plain_shows``)."""
    for n in range(repeats):
        needle = before() if before else None
        order = ("project", "plain") if n % 2 == 0 else ("plain", "project")
        for side in order:
            if side == "project":
                measure.project.append(corpus.build(f"{what}-{n + 1}", force=force))
                if needle and page:
                    _shows(corpus.output / page, needle, "the project's build")
            else:
                measure.plain.append(corpus.build_plain(f"{what}-{n + 1}"))
                if needle and page and plain_shows:
                    _shows(corpus.plain_output / page, needle, "plain Pelican's build")


def _shows(page: Path, needle: str, who: str) -> None:
    try:
        found = needle.encode("utf-8") in page.read_bytes()
    except OSError as exc:
        raise MeasureFailed(f"{who} did not write {page}: {exc}") from None
    if not found:
        raise MeasureFailed(f"{who} finished but {page} does not show the edit ({needle!r}): a stale page")


# --- the live preview --------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Events:
    """The preview's server-sent events (/__live/events): "building", "reload", "failed"."""

    def __init__(self, port: int, page: str | None = None):
        self.seen: list[dict] = []
        self.cond = threading.Condition()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=None)
        # as an open page does (tools/preview.js): the address it shows, so a saved CSV updates it first
        self.conn.request("GET", "/__live/events" + (f"?page={quote(page)}" if page else ""))
        self.response = self.conn.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode("utf-8", "replace").strip()
                if line.startswith("data: "):
                    with self.cond:
                        self.seen.append(json.loads(line[6:]))
                        self.cond.notify_all()
        except (OSError, ValueError, http.client.HTTPException):
            pass

    def count(self) -> int:
        with self.cond:
            return len(self.seen)

    def wait_done(self, after: int, timeout: float) -> dict:
        """The first "reload" or "failed" event after the ``after`` first ones."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for event in self.seen[after:]:
                    if event.get("type") in ("reload", "failed"):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise MeasureFailed(f"the preview did not finish a rebuild within {timeout:.0f} s")
                self.cond.wait(left)

    def failure_since(self, after: int) -> str | None:
        with self.cond:
            for event in self.seen[after:]:
                if event.get("type") == "failed":
                    return event.get("message", "")
        return None

    def close(self) -> None:
        self.conn.close()


def _wait_for_text(page: Path, needle: str, timeout: float, failed=lambda: None) -> float:
    """monotonic() when ``page`` on disk holds ``needle``; MeasureFailed after ``timeout``."""
    deadline = time.monotonic() + timeout
    data = needle.encode("utf-8")
    while True:
        try:
            if data in page.read_bytes():
                return time.monotonic()
        except OSError:  # swapped in at this very moment
            pass
        message = failed()
        if message is not None:
            raise MeasureFailed(f"the preview's rebuild failed:\n{message}")
        if time.monotonic() > deadline:
            raise MeasureFailed(f"{page} did not show {needle!r} within {timeout:.0f} s")
        time.sleep(0.01)


def _wait_for_log(log: Path, needle: str, count: int, proc: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while log.read_text(encoding="utf-8", errors="replace").count(needle) < count:
        if proc.poll() is not None:
            raise MeasureFailed(f"{what} stopped (exit {proc.returncode}):\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise MeasureFailed(f"{what}: no {needle!r} within {timeout:.0f} s:\n{_tail(log)}")
        time.sleep(0.05)


def _wait_for_catch_up(log: Path, count: int, proc: subprocess.Popen, failed) -> float:
    """monotonic() when the preview's log says the whole site was built ``count`` times."""
    deadline = time.monotonic() + PREVIEW_TIMEOUT
    while log.read_text(encoding="utf-8", errors="replace").count(CAUGHT_UP) < count:
        message = failed()
        if message is not None:
            raise MeasureFailed(f"the preview's build of the whole site failed:\n{message}")
        if proc.poll() is not None:
            raise MeasureFailed(f"invoke livereload stopped (exit {proc.returncode}):\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise MeasureFailed(f"the preview did not build the whole site within {PREVIEW_TIMEOUT:.0f} s "
                                f"after a fast update:\n{_tail(log)}")
        time.sleep(0.02)
    return time.monotonic()


class _TreeSampler:
    """The peak resident bytes of each given process's tree, sampled every 50 ms until stop()."""

    def __init__(self, *pids: int):
        self.pids, self.peaks, self.done = pids, [0] * len(pids), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(0.05):
            for n, pid in enumerate(self.pids):
                self.peaks[n] = max(self.peaks[n], tree_rss(pid))

    def stop(self) -> list[int]:
        self.done.set()
        self.thread.join()
        return self.peaks


def peak_of(pid: int) -> int | None:
    """The peak resident memory of a running process (Linux: VmHWM), else None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def preview(corpus: Corpus, repeats: int, article: Measure, csv: Measure, memory: Measure,
            chart: Measure | None = None, csv_chart: Measure | None = None) -> None:
    """Save -> rebuilt page on disk, `invoke livereload` against `pelican -r`: an article's
    text, a CSV cell, a chart's definition, a CSV cell drawn by the chart on the page."""
    port = free_port()
    log, plain_log = corpus.logs / "livereload.log", corpus.logs / "pelican-autoreload.log"
    live = plain = events = sampler = None
    viewers: list[Events] = []  # more open pages: the chart's, then the charted CSV's
    try:
        with log.open("w", encoding="utf-8") as out:
            live = subprocess.Popen(
                [str(BIN / "invoke"), "livereload", "--port", str(port), "--settings",
                 str(corpus.files["settings"]), "--content", str(corpus.project / "content")],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        with plain_log.open("w", encoding="utf-8") as out:
            plain = subprocess.Popen(
                [str(BIN / "pelican"), "content", "-s", "plainconf.py", "-o", "output", "-r"],
                cwd=corpus.plain, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"})
        # The preview's memory is its whole process tree's (the build's workers included), sampled
        # while it runs, as a build's is; its own process's peak is kept beside it.
        sampler = _TreeSampler(live.pid, plain.pid)
        _wait_for_log(log, "Preview at", 1, live, PREVIEW_TIMEOUT, "invoke livereload")
        _wait_for_log(plain_log, "Done:", 1, plain, PREVIEW_TIMEOUT, "pelican -r")
        csv_page = corpus.files["csv_page"]  # the page the editor looks at while editing the CSV
        events = Events(port, "/" + csv_page.removesuffix("index.html") if csv_page else None)
        done = 1
        page = corpus.output / corpus.files["article_page"]
        plain_page = corpus.plain_output / corpus.files["article_page"]

        def project_edit(edit, target: Path, into: Measure) -> None:
            time.sleep(QUIET)
            seen = events.count()
            before = log.read_text(encoding="utf-8", errors="replace")
            saved = time.monotonic()
            needle = edit()
            shown = _wait_for_text(target, needle, PREVIEW_TIMEOUT, lambda: events.failure_since(seen))
            event = events.wait_done(seen, PREVIEW_TIMEOUT)
            if event["type"] == "failed":
                raise MeasureFailed(f"the preview's rebuild failed:\n{event.get('message', '')}")
            if log.read_text(encoding="utf-8", errors="replace").count(FAST_UPDATE) > before.count(FAST_UPDATE):
                # The page came from the fast path; the whole site is built when the editor
                # pauses: wait for it (an editor's next save would), and time it too.
                caught = _wait_for_catch_up(log, before.count(CAUGHT_UP) + 1, live,
                                            lambda: events.failure_since(seen))
                into.extra.setdefault("fast_path_runs", 0)
                into.extra["fast_path_runs"] += 1
                into.extra.setdefault("whole_site_after_seconds", []).append(round(caught - saved, 4))
            into.project.append(Run(shown - saved, None, corpus.report()))

        def plain_edit(stamp: str) -> None:
            nonlocal done
            time.sleep(QUIET)
            saved = time.monotonic()
            edit_article(corpus.files["plain_article"], stamp)
            shown = _wait_for_text(plain_page, stamp, PREVIEW_TIMEOUT)
            article.plain.append(Run(shown - saved))
            done += 1
            _wait_for_log(plain_log, "Done:", done, plain, PREVIEW_TIMEOUT, "pelican -r")

        try:
            for n in range(repeats):
                stamp = corpus.stamp()
                steps = [lambda: project_edit(lambda: _edit_project_article(corpus, stamp), page, article),
                         lambda: plain_edit(stamp)]
                for step in (steps if n % 2 == 0 else steps[::-1]):
                    step()
        except MeasureFailed as exc:
            article.error = str(exc)
        if corpus.files["csv_page"] is None:
            csv.error = "no article of this corpus shows the edited CSV cell (make the corpus larger)"
        else:
            try:
                for _ in range(repeats):
                    project_edit(corpus.edit_csv, corpus.output / corpus.files["csv_page"], csv)
            except MeasureFailed as exc:
                csv.error = str(exc)
        # A chart's definition saved, its page open (the fast path writes the pages viewed).
        for measure, page, edit, missing in (
                (chart, corpus.files["chart_page"], corpus.edit_chart, "places a YAML chart"),
                (csv_chart, corpus.files["csv_chart_page"], corpus.edit_csv,
                 "shows the edited CSV cell and places a chart of its dataset")):
            if measure is None:
                continue
            if page is None:
                measure.error = f"no article of this corpus {missing} (make the corpus larger)"
                continue
            try:
                viewers.append(Events(port, "/" + page.removesuffix("index.html")))
                for _ in range(repeats):
                    project_edit(edit, corpus.output / page, measure)
            except MeasureFailed as exc:
                measure.error = str(exc)
        trees = sampler.stop()
        for runs, pid, tree in ((memory.project, live.pid, trees[0]), (memory.plain, plain.pid, trees[1])):
            own = peak_of(pid)
            runs.append(Run(0.0, max(tree, own or 0) or None, None, own))
    finally:
        if sampler is not None:
            sampler.stop()
        for client in [events, *viewers]:
            if client is not None:
                client.close()
        for proc in (live, plain):
            if proc is not None:
                stop_process(proc)


def _edit_project_article(corpus: Corpus, stamp: str) -> str:
    edit_article(corpus.files["article"], stamp)
    return stamp


# --- the run -----------------------------------------------------------------------------

def _commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + (" (with uncommitted changes)" if dirty else "")


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("pelican", "vl-convert-python", "altair"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


class Bench:
    def __init__(self, articles: int, charts: int, sizes: list[int], repeats: int, cold_repeats: int,
                 work: Path, say=print):
        self.articles, self.charts, self.sizes = articles, charts, sizes
        self.repeats, self.cold_repeats, self.work, self.say = repeats, cold_repeats, work, say
        self.cores = os.cpu_count() or 1
        self.measures: dict[str, Measure] = {}

    def measure(self, key: str, label: str) -> Measure:
        self.measures[key] = Measure(key, label)
        return self.measures[key]

    def attempt(self, measure: Measure, action) -> None:
        """Run ``action``; a failure is this measure's, told plainly, and the run goes on."""
        started = time.monotonic()
        self.say(f"bench: {measure.label} ...")
        try:
            action()
        except MeasureFailed as exc:
            measure.error = str(exc)
        except Exception as exc:  # noqa: BLE001 (the benchmark reports, it does not crash)
            measure.error = f"{type(exc).__name__}: {exc}"
        status = "FAILED" if measure.error else "done"
        self.say(f"bench: {measure.label}: {status} in {time.monotonic() - started:.0f} s"
                 f"{_progress(measure)}")

    def run(self) -> None:
        self.say(f"bench: writing the corpus ({self.articles} articles, {self.charts} charts) ...")
        main = Corpus(self.work / f"corpus-{self.articles}", self.articles, self.charts)
        floor = self.measure("chart_floor", "cold build, charts rendered serially (the chart floor)")
        cold = self.measure("cold", "cold build (empty caches)")
        render = self.measure("chart_render", "chart renders in the cold build, parallel vs serial")

        def cold_builds():
            # The serial chart floor is built in the same rounds as the cold builds, each round in
            # another order, so that a load on the machine weighs on both sides of the speed-up.
            for n in range(self.cold_repeats):
                for side in cold_round(n):
                    if side == "floor":
                        main.empty_caches()
                        floor.project.append(main.build(f"floor-{n + 1}", main.serial_settings))
                    elif side == "project":
                        main.empty_caches()
                        cold.project.append(main.build(f"cold-{n + 1}"))
                    else:
                        cold.plain.append(main.build_plain(f"cold-{n + 1}"))
            floor_seconds = [s for s in map(_render_seconds, floor.project) if s is not None]
            if floor_seconds:
                floor.extra["chart_floor_seconds"] = round(statistics.median(floor_seconds), 3)

        self.attempt(cold, cold_builds)
        if cold.error:
            floor.error = cold.error
        render.project = [Run(_render_seconds(r) or 0.0, None, r.report) for r in cold.project]
        if floor.error or cold.error:
            render.error = "needs the cold builds above"

        warm = self.measure("warm", "warm build, nothing changed")

        def warm_builds():
            # "Nothing changed" since a build of these settings: the last cold round may have
            # ended with the serial floor's build (other settings), which a warm build redoes.
            main.build("warm-start")
            paired(main, warm, self.repeats, "warm")

        self.attempt(warm, warm_builds)
        forced = self.measure("warm_forced", "warm build, nothing changed, with --force (every stage runs)")
        forced.note = "what the warm build costs when it cannot stop at once"
        self.attempt(forced, lambda: paired(main, forced, self.repeats, "warm-forced", force=True))
        edit = self.measure("article_edit", "one article edited, then build")
        edit.note = "a French article's prose: the English site is linked from output/, not written"
        self.attempt(edit, lambda: paired(main, edit, self.repeats, "edit", before=main.edit_article,
                                          page=main.files["article_page"]))
        edit_en = self.measure("article_edit_en", "one English article edited, then build")
        edit_en.note = "its translation: both language sites are written"
        self.attempt(edit_en, lambda: paired(main, edit_en, self.repeats, "edit-en", before=main.edit_english_article,
                                             page=main.files["article_page_en"]))
        csv = self.measure("csv_edit", "one CSV cell edited, then build")
        csv.note = "a CSV edit changes nothing Pelican reads: its column is a warm build"
        self.attempt(csv, lambda: paired(main, csv, self.repeats, "csv", before=main.edit_csv,
                                         page=main.files["csv_page"] or "", plain_shows=False))

        live_article = self.measure("preview_article", "live preview: article saved -> page rebuilt")
        live_article.note = "Pelican: pelican -r"
        live_csv = self.measure("preview_csv", "live preview: CSV cell saved -> page rebuilt")
        live_csv.note = "Pelican shows no data"
        live_chart = self.measure("preview_chart", "live preview: chart saved -> page rebuilt")
        live_chart.note = "Pelican has no charts"
        live_csv_chart = None  # only when an article shows the cell and places a chart of its dataset
        if main.files["csv_chart_page"]:
            live_csv_chart = self.measure("preview_csv_chart",
                                          "live preview: CSV cell saved, its chart on the page -> page rebuilt")
            live_csv_chart.note = "Pelican shows no data"
        live_memory = self.measure("preview_memory", "peak memory, live preview (all its processes)")
        lives = [m for m in (live_article, live_csv, live_chart, live_csv_chart) if m is not None]

        def live():
            preview(main, self.repeats, live_article, live_csv, live_memory, live_chart, live_csv_chart)
            for m in lives:
                if m.error:
                    raise MeasureFailed(f"{m.label}: {m.error.splitlines()[0]}")

        self.attempt(live_memory, live)
        if live_memory.error and not live_article.error:
            live_article.error = live_memory.error
        for m in lives[1:]:
            if live_memory.error and not m.error and not m.project:
                m.error = live_memory.error

        for size in self.sizes:
            w = self.measure(f"scale_warm_{size}", f"{size} articles: warm build")
            e = self.measure(f"scale_edit_{size}", f"{size} articles: one article edited, then build")
            if size == self.articles:
                w.project, w.plain, w.error = warm.project, warm.plain, warm.error
                e.project, e.plain, e.error = edit.project, edit.plain, edit.error
                continue

            def scaled(size=size, w=w, e=e):
                corpus = Corpus(self.work / f"corpus-{size}", size, self.charts)
                corpus.copy_caches_from(main)
                corpus.build("prime")  # a warm start: the caches now match this corpus
                corpus.build_plain("prime")
                paired(corpus, w, self.repeats, "warm")
                try:
                    paired(corpus, e, self.repeats, "edit", before=corpus.edit_article,
                           page=corpus.files["article_page"])
                except MeasureFailed as exc:
                    e.error = str(exc)
                shutil.rmtree(corpus.folder, ignore_errors=True)

            self.attempt(w, scaled)
            if w.error and not e.error:
                e.error = w.error

        memory = self.measure("memory", "peak memory of a build (all its processes)")
        builds = [m for key, m in self.measures.items()
                  if key in ("chart_floor", "cold", "warm", "warm_forced", "article_edit", "article_edit_en", "csv_edit")
                  or key.startswith("scale_")]
        memory.project = [r for m in builds for r in m.project if r.peak_bytes]
        memory.plain = [r for m in builds for r in m.plain if r.peak_bytes]

    # --- figures -------------------------------------------------------------------------
    def verdicts(self) -> None:
        """Ratio, target and met for every measure (into ``extra``)."""
        m = self.measures
        for key, measure in m.items():
            p, q = _median(measure.project), _median(measure.plain)
            measure.extra["target"] = TARGETS.get(key, "—")
            measure.extra["ratio"] = round(p / q, 3) if p is not None and q else None
            measure.extra["met"] = None
        floor = m["chart_floor"].extra.get("chart_floor_seconds")
        cold = m["cold"]
        if cold.project and cold.plain and floor is not None:
            limit = 1.3 * (_median(cold.plain) + floor / self.cores)
            cold.extra.update(limit_seconds=round(limit, 3), met=_median(cold.project) <= limit,
                              target=f"≤ 1.3 × (Pelican cold + {floor:.1f} s chart floor ÷ {self.cores} "
                                     f"cores) = {limit:.1f} s")
        # The sharing cards' share of the cold build (their step's seconds, in the build's report);
        # the chart floor's build draws them one at a time too.
        cards = [c for c in map(_cards_seconds, cold.project) if c is not None]
        if cards:
            cold.extra["cards_seconds"] = round(statistics.median(cards), 3)
            serial_cards = [c for c in map(_cards_seconds, m["chart_floor"].project) if c is not None]
            if serial_cards:
                cold.extra["cards_serial_seconds"] = round(statistics.median(serial_cards), 3)
        render = m["chart_render"]
        parallel = _median(render.project)
        if floor and parallel:
            speedup = floor / parallel
            render.extra.update(serial_seconds=round(floor, 3), speedup=round(speedup, 3), met=speedup >= 1.7)
        elif floor is not None and not render.error:
            render.extra["note"] = "no chart was rendered"
        for key, limit in (("warm", 1.3), ("article_edit", 1.0)):
            ratio = m[key].extra["ratio"]
            if ratio is not None:
                m[key].extra["met"] = ratio <= limit
        for key, seconds in (("preview_article", 1.0), ("preview_csv", 2.0), ("preview_chart", 2.0),
                             ("preview_csv_chart", 2.0)):
            if key not in m:
                continue
            p = _median(m[key].project)
            if p is not None and not m[key].error:
                m[key].extra["met"] = p <= seconds
        for key in ("memory", "preview_memory"):
            peaks = [r.peak_bytes for r in m[key].project if r.peak_bytes]
            plain = [r.peak_bytes for r in m[key].plain if r.peak_bytes]
            largest = [r.largest_bytes for r in m[key].project if r.largest_bytes]
            if largest:
                m[key].extra["project_largest_process_bytes"] = max(largest)
            if peaks:
                m[key].extra.update(project_peak_bytes=max(peaks), met=max(peaks) < GIB)
            if plain:
                m[key].extra["plain_peak_bytes"] = max(plain)
            if peaks and plain:
                m[key].extra["ratio"] = round(max(peaks) / max(plain), 3)
        sizes = [s for s in self.sizes if f"scale_warm_{s}" in m and _median(m[f"scale_warm_{s}"].project)]
        if len(sizes) >= 2:
            small, big = min(sizes), max(sizes)
            for kind in ("warm", "edit"):
                if f"scale_{kind}_{small}" not in m or f"scale_{kind}_{big}" not in m:
                    continue
                a, b = _median(m[f"scale_{kind}_{small}"].project), _median(m[f"scale_{kind}_{big}"].project)
                if a and b:
                    growth = b / a
                    m[f"scale_{kind}_{big}"].extra.update(
                        growth=round(growth, 3), met=growth <= big / small,
                        target=f"grows ≤ linearly: ×{growth:.2f} from {small} (≤ ×{big / small:.2f})")

    def table(self) -> str:
        rows = ["| measure | project median (min–max) | plain Pelican median (min–max) | ratio | target | met? "
                "| what the build did (last run) |",
                "| --- | ---: | ---: | ---: | --- | :---: | --- |"]
        for key, m in self.measures.items():
            if key == "chart_floor":
                continue
            x = m.extra
            if key in ("memory", "preview_memory"):
                project = _mib_range(m.project)
                plain = _mib_range(m.plain)
            elif key == "chart_render":
                project = _range(m.project)
                plain = f"serial: {x['serial_seconds']:.1f} s" if "serial_seconds" in x else "—"
            else:
                project, plain = _range(m.project), _range(m.plain) if m.plain else "—"
            if key == "chart_render" and "speedup" in x:
                ratio = f"{x['speedup']:.2f}× faster"
            else:
                ratio = f"{x['ratio']:.2f}×" if x.get("ratio") is not None else "—"
            met = "FAILED" if m.error else {True: "yes", False: "**no**", None: "—"}[x.get("met")]
            note = m.note
            if x.get("cards_seconds") is not None:
                serial = (f", {x['cards_serial_seconds']:.1f} s one at a time" if "cards_serial_seconds" in x else "")
                note = "; ".join(filter(None, [note, f"sharing cards {x['cards_seconds']:.1f} s of it{serial}"]))
            if x.get("whole_site_after_seconds"):
                after = statistics.median(x["whole_site_after_seconds"])
                note = "; ".join(filter(None, [note, f"page by the fast path {x['fast_path_runs']} of "
                                               f"{len(m.project)} times, whole site rebuilt after {after:.1f} s"]))
            label = m.label + (f" ({note})" if note else "")
            did = (_did(m.project[-1].report) if m.project and m.project[-1].report
                   and key not in ("memory", "preview_memory") else "")
            rows.append(f"| {label} | {project} | {plain} | {ratio} | {x['target']} | {met} | {did} |")
        floor = self.measures["chart_floor"]
        judged = [m.extra["met"] for m in self.measures.values() if m.extra.get("met") is not None and not m.error]
        lines = rows + ["", f"Targets met: {sum(judged)} of {len(judged)}"
                        + (f"; {sum(1 for m in self.measures.values() if m.error)} measure(s) failed"
                           if any(m.error for m in self.measures.values()) else "") + "."]
        if floor.project:
            lines.append(f"Chart floor: a cold build with the charts rendered one at a time (DATADESK_CHARTS_WORKERS = 1), "
                         f"built in the same rounds as the cold builds, took {_range(floor.project)}, "
                         f"{floor.extra.get('chart_floor_seconds') or 0:.1f} s (median) of it rendering charts.")
        failed = [m for m in self.measures.values() if m.error]
        for m in failed:
            lines.append(f"\nFAILED: {m.label}:\n{_indent(m.error)}")
        return "\n".join(lines)

    def figures(self, started: str) -> dict:
        return {"started": started, "commit": _commit(), "cores": self.cores, "articles": self.articles,
                "charts": self.charts, "sizes": self.sizes, "repeats": self.repeats,
                "cold_repeats": self.cold_repeats, "versions": _versions(), "machine": platform.machine(),
                "measures": {key: m.as_json() for key, m in self.measures.items()}}


def _render_seconds(run: Run) -> float | None:
    drawn = (run.report or {}).get("charts_drawn") or {}
    return drawn.get("seconds")


def _cards_seconds(run: Run) -> float | None:
    return ((run.report or {}).get("cards_step") or {}).get("seconds")


def _range(runs: list[Run]) -> str:
    if not runs:
        return "—"
    values = [r.seconds for r in runs]
    med = statistics.median(values)
    return f"{med:.2f} s" if len(values) == 1 else f"{med:.2f} s ({min(values):.2f}–{max(values):.2f})"


def _mib_range(runs: list[Run]) -> str:
    values = [r.peak_bytes / 2 ** 20 for r in runs if r.peak_bytes]
    if not values:
        return "—"
    return (f"{max(values):.0f} MiB" if len(values) == 1
            else f"max {max(values):.0f} MiB ({min(values):.0f}–{max(values):.0f})")


# The counts of the build's report shown in the table (every count is in the JSON).
KEY_COUNTS = [("articles", "converted", "converted"), ("pages", "written", "pages written"),
              ("output", "written", "files written"), ("charts", "prepared", "charts prepared"),
              ("datasets", "validated", "datasets validated")]


def _did(report: dict) -> str:
    """The build's report in a few words: ``0 converted, 0 pages written, ... 0 charts drawn``."""
    if isinstance(report.get("up to date"), dict):
        return "up to date: nothing built ({} input files hashed, {} output files checked)".format(
            report["up to date"].get("input files hashed", 0), report["up to date"].get("output files checked", 0))
    parts = [f"{(report.get(part) or {}).get(what, 0)} {label}" for part, what, label in KEY_COUNTS
             if isinstance(report.get(part), dict)]
    drawn = report.get("charts_drawn") or {}
    if drawn:
        parts.append(f"{drawn.get('renders', 0)} charts drawn")
    kept = (report.get("subsites") or {}).get("kept")
    if kept:
        parts.append(f"{kept} language site linked from output/ ({report['subsites'].get('files linked', 0)} files)")
    return ", ".join(parts)


def _progress(m: Measure) -> str:
    bits = []
    if m.project:
        bits.append(f"project {_range(m.project)}")
    if m.plain:
        bits.append(f"Pelican {_range(m.plain)}")
    return (": " + ", ".join(bits)) if bits and m.key not in ("memory", "preview_memory") else ""


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines())


def _sizes(text: str | None, articles: int) -> list[int]:
    if not text:
        return sorted({max(2, articles // 4 // 2 * 2), max(2, articles // 2 // 2 * 2), articles})
    sizes = []
    for item in text.split(","):
        item = item.strip()
        if not item.isdigit() or int(item) < 2:
            raise SystemExit(f"--sizes: {item!r} is not a number of articles (2 or more), e.g. --sizes 250,500,1000")
        sizes.append(int(item))
    return sorted(set(sizes))


def _compile_project(say) -> None:
    """Write the project's bytecode before anything is timed, as a first run on a reader's or
    an editor's machine does. Where PYTHONDONTWRITEBYTECODE is set, no build writes it, and
    every timed process would compile every plugin again."""
    import compileall

    done = all([compileall.compile_dir(ROOT / folder, quiet=1) for folder in ("plugins", "tools")]
               + [compileall.compile_file(ROOT / name, quiet=1) for name in ("tasks.py", "pelicanconf.py")])
    if not done:
        say("bench: some of the project's code does not compile; its builds will say where")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="invoke bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles of the main corpus (French + English)")
    parser.add_argument("--charts", type=int, default=200, help="more YAML charts in the corpus")
    parser.add_argument("--sizes", default=None, help="article counts of the scaling rows, e.g. 250,500,1000 "
                                                      "(default: a quarter, half and all of --articles)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measure (the cold build: --cold-repeats)")
    parser.add_argument("--cold-repeats", type=int, default=1, help="cold builds of each side (each renders every chart)")
    parser.add_argument("--json", default="", help="also write every figure to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and the build logs (the path is printed)")
    parser.add_argument("--work", default="", help="write the corpus and the logs here (kept), not in a temporary folder")
    parser.add_argument("--from-json", default="", help="print the table of an earlier run's --json file, run nothing")
    parser.add_argument("--build", nargs=2, metavar=("SETTINGS", "OUTPUT"), help=argparse.SUPPRESS)
    parser.add_argument("--force-build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        return _child_build(*args.build, force=args.force_build)
    if args.from_json:
        return _table_from(Path(args.from_json))
    if args.articles < 2 or args.charts < 0 or args.repeats < 1 or args.cold_repeats < 1:
        parser.error("--articles must be 2 or more, --charts 0 or more, --repeats and --cold-repeats 1 or more")
    sizes = _sizes(args.sizes, args.articles)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if args.work:
        work = Path(args.work).resolve()
        work.mkdir(parents=True, exist_ok=True)
        args.keep = True
    else:
        work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    _compile_project(say)
    bench = Bench(args.articles, args.charts, sizes, args.repeats, args.cold_repeats, work, say)
    try:
        bench.run()
    except KeyboardInterrupt:
        say("bench: interrupted; the figures so far follow")
    except Exception as exc:  # noqa: BLE001 (the corpus could not be written, the disk is full...)
        say(f"bench: stopped: {type(exc).__name__}: {exc}")
        bench.measures.setdefault("corpus", Measure("corpus", "writing the corpus", error=str(exc)))
    finally:
        if args.keep:
            say(f"bench: the corpus and the build logs are in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for key in FIXED:  # the table's rows, even when the run stopped early
        bench.measures.setdefault(key, Measure(key, key.replace("_", " "), error="not measured"))
    bench.verdicts()
    print(f"Build speed, {args.articles} articles + {args.charts} charts, {args.repeats} runs each "
          f"(cold: {args.cold_repeats}), {bench.cores} cores, commit {_commit()}, {started}\n")
    print(bench.table())
    if args.json:
        Path(args.json).write_text(json.dumps(bench.figures(started), indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
        print(f"\nEvery figure: {args.json}")
    return 1 if any(m.error for m in bench.measures.values()) else 0


def _table_from(path: Path) -> int:
    """The table of an earlier run, from its --json file (to compare commits, or to read it again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        bench = Bench(data["articles"], data["charts"], data["sizes"], data["repeats"], data["cold_repeats"],
                      path.parent)
        bench.cores = data["cores"]
        for key, m in data["measures"].items():
            measure = bench.measure(key, m["label"])
            measure.note, measure.error = m["note"], m["error"]
            for side in ("project", "plain"):
                getattr(measure, side).extend(Run(r["seconds"], r["peak_bytes"], r["report"],
                                                  r.get("largest_process_bytes")) for r in m[side])
            for extra in ("chart_floor_seconds", "fast_path_runs", "whole_site_after_seconds"):
                if extra in m:
                    measure.extra[extra] = m[extra]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"{path}: not the JSON of `invoke bench --json` ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
    bench.verdicts()
    print(f"Build speed, {bench.articles} articles + {bench.charts} charts, {bench.repeats} runs each "
          f"(cold: {bench.cold_repeats}), {bench.cores} cores, commit {data['commit']}, {data['started']}\n")
    print(bench.table())
    return 1 if any(m.error for m in bench.measures.values()) else 0


def _child_build(settings: str, output: str, force: bool = False) -> int:
    """One build as `invoke build` (``force``: `invoke build --force`) runs it (the benchmark
    times this whole process)."""
    from tools.build import BuildFailed, build_site

    try:
        build_site(settings=settings, output=Path(output), quiet=True, if_changed=not force)
    except BuildFailed as exc:
        print(exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
