"""Rendering with vl-convert, behind a content-addressed cache.

Each chart and language is one job: light and dark SVG at the wide and the narrow size,
a PNG at 2x (titled, for downloads and social cards), the compiled Vega JSON (light and
dark) and the CSV extract. The job's files live in ``<cache>/<key[:2]>/<key>/`` where the
key hashes the specs (data included), the locale and the library versions: a rebuild
where nothing changed renders nothing. The files of the jobs that miss are drawn by worker
processes (``DATADESK_CHARTS_WORKERS``): vl-convert draws every picture of a process on
its one JavaScript thread, so threads wait for each other, and only processes draw in
parallel. A single chart is drawn in the build's own process (starting a worker costs
more than it saves).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import site
import subprocess
import sys
import tempfile
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

from .. import lazy
from ..outputs import remove_stale_folders
from . import theme
from .build import Built
from .svgmin import minify
from .text import DATE_FORMAT, NUMBER_LOCALE, TIME_LOCALE

vlc = lazy.module("vl_convert")

logger = logging.getLogger(__name__)
SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def file_names(chart_id: str, lang: str, datasets_csv: list[str]) -> dict:
    base = f"{chart_id}.{lang}"
    names = {
        "svg": f"{base}.light.svg", "svg_dark": f"{base}.dark.svg",
        "svg_narrow": f"{base}.narrow.light.svg", "svg_narrow_dark": f"{base}.narrow.dark.svg",
        "png": f"{base}.png", "vega": f"{base}.vg.json", "vega_dark": f"{base}.dark.vg.json",
        "vega_narrow": f"{base}.narrow.vg.json", "vega_narrow_dark": f"{base}.narrow.dark.vg.json",
    }
    names.update({f"csv:{name}": name for name in datasets_csv})
    return names


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _size(svg: str) -> list[int]:
    match = SVG_SIZE.search(svg)
    return [round(float(match.group(1))), round(float(match.group(2)))] if match else [0, 0]


def _steps(built: Built, settings: dict) -> list[tuple[str, object]]:
    """The calls that make one chart's files, as (file key, thunk): independent of each
    other, so they can run in parallel. Each thunk is a vl-convert function and its
    arguments only (picklable, and a worker process needs nothing but vl-convert to run
    it); what is done to the result afterwards is in ``_assemble``."""
    lang, vl = built.lang, settings["DATADESK_CHARTS_VL_VERSION"]
    locale = {"format_locale": NUMBER_LOCALE[lang], "time_format_locale": TIME_LOCALE[lang]}
    steps = []
    for key, spec in (("svg", "wide"), ("svg_dark", "wide_dark"), ("svg_narrow", "narrow"),
                      ("svg_narrow_dark", "narrow_dark")):
        steps.append((key, partial(vlc.vegalite_to_svg, theme.measured(built.specs[spec]), vl_version=vl, **locale)))
    steps.append(("png", partial(vlc.vegalite_to_png, built.specs["png"], vl_version=vl,
                                 scale=settings["DATADESK_CHARTS_PNG_SCALE"], **locale)))
    for key, spec in (("vega", "vega_wide"), ("vega_dark", "vega_wide_dark"),
                      ("vega_narrow", "vega_narrow"), ("vega_narrow_dark", "vega_narrow_dark")):
        # Data stays inline as JSON values: Vega parses inline CSV with eval (blocked by the CSP).
        steps.append((key, partial(vlc.vegalite_to_vega, built.specs[spec], vl_version=vl)))
    return steps


VL_DEFAULT_DATE = "%b %d, %Y"  # Vega-Lite's own format where a chart names none (ARIA labels)
FIRST_OF_MONTH = re.compile(r'timeFormat\(((?:[^()"]|"[^"]*")+?), "%-d ([^"]*)"\)')


def localise_dates(node, lang: str):
    """Dates the browser formats, written as the static pictures are: the language's order
    (Vega-Lite's default is American) and, in French, « 1er » for the first of the month,
    which d3's formats cannot say (a guard on the day picks the format)."""
    if isinstance(node, dict):
        return {k: localise_dates(v, lang) for k, v in node.items()}
    if isinstance(node, list):
        return [localise_dates(v, lang) for v in node]
    if not isinstance(node, str):
        return node
    if node == VL_DEFAULT_DATE:
        return DATE_FORMAT[lang]
    if "timeFormat(" not in node:
        return node
    node = node.replace(f'"{VL_DEFAULT_DATE}"', f'"{DATE_FORMAT[lang]}"')
    if lang == "fr":
        node = FIRST_OF_MONTH.sub(
            lambda m: (f'(date({m[1]}) === 1 ? timeFormat({m[1]}, "1er {m[2]}") '
                       f': timeFormat({m[1]}, "%-d {m[2]}"))'), node)
    return node


SVG_ID = re.compile(r"\b(gradient|clip|pattern|marker)_(\d+)\b")


def stable_svg_ids(svg: str) -> str:
    """Vega numbers gradients (and clips) by a counter that lives as long as the renderer,
    so the same chart gets ``gradient_5`` or ``gradient_15`` depending on what was drawn
    before it. Renumber them by order of appearance so a chart's SVG depends on the chart
    alone (reproducible builds, whatever the render order)."""
    numbers: dict[tuple[str, str], int] = {}

    def renumber(match: re.Match) -> str:
        key = (match.group(1), match.group(2))
        numbers.setdefault(key, sum(1 for k in numbers if k[0] == key[0]))
        return f"{key[0]}_{numbers[key]}"

    return SVG_ID.sub(renumber, svg)


def _assemble(built: Built, results: dict) -> tuple[dict, dict]:
    names = file_names(built.id, built.lang, list(built.csv))
    files, meta = {}, {}
    for key in ("svg", "svg_dark", "svg_narrow", "svg_narrow_dark"):
        # Invisible marks dropped, coordinates rounded (svgmin.py): the same picture, lighter.
        results[key] = minify(stable_svg_ids(results[key]), fonts={theme.MEASURE_FONT: theme.FONT})
        files[names[key]] = results[key].encode("utf-8")
        meta[key] = _size(results[key])
    files[names["png"]] = results["png"]
    for key in ("vega", "vega_dark", "vega_narrow", "vega_narrow_dark"):
        files[names[key]] = _json(localise_dates(results[key], built.lang))
    for name, data in built.csv.items():
        files[name] = data
    meta["files"] = names
    meta["bytes"] = {name: len(data) for name, data in files.items()}
    return files, meta


def render(built: Built, settings: dict) -> tuple[dict, dict]:
    """(file name -> bytes, meta) for one chart and language."""
    return _assemble(built, {key: step() for key, step in _steps(built, settings)})


# The hashing of the cache entries a build will check, done by a helper process while the
# build starts (its second core is idle until then): the same SHA-256 of the same bytes, read
# in another process. A file is taken as hashed only if it is still the file that was read
# (its inode, size and modification time); any other is read and hashed in the build, as
# before. Written to a temporary file (a full pipe would stop the helper until the build reads).
_HASHER = r"""
import hashlib, json, os, stat, sys
for folder in sys.argv[1:]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        continue
    for entry in entries:
        if entry.name == "meta.json":
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            with open(entry.path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            after = os.stat(entry.path, follow_symlinks=False)
        except OSError:
            continue
        if (after.st_ino, after.st_size, after.st_mtime_ns) == (info.st_ino, info.st_size, info.st_mtime_ns):
            print(json.dumps([entry.path, info.st_ino, info.st_size, info.st_mtime_ns, digest]))
"""
_PREHASHED: dict[str, "Prehash"] = {}  # cache folder -> the helper hashing its entries, this build


class Prehash:
    """The SHA-256 of the files of some cache entries (``folders``), computed by a helper
    process started now; :meth:`known` waits for it once and returns {path: (inode, size,
    mtime_ns, sha256)}, empty when the helper could not run (then the build hashes, as
    before). Nothing is trusted that the build does not check again (:meth:`Cache._check`)."""

    def __init__(self, folders: list[str]):
        self._known: dict | None = None
        self._output = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen([sys.executable, "-I", "-S", "-c", _HASHER, *folders],
                                             stdout=self._output, stderr=subprocess.DEVNULL,
                                             stdin=subprocess.DEVNULL)
        except OSError:
            self._process = None

    def known(self) -> dict:
        if self._known is None:
            self._known = {}
            try:
                if self._process is not None and self._process.wait(timeout=120) == 0:
                    self._output.seek(0)
                    for line in self._output.read().decode("utf-8", "replace").splitlines():
                        try:
                            path, ino, size, mtime, digest = json.loads(line)
                        except (ValueError, TypeError):
                            continue
                        self._known[path] = (ino, size, mtime, digest)
            except (OSError, subprocess.TimeoutExpired):
                self.stop()
            finally:
                self._output.close()
        return self._known

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def start_prehash(cache_dir: Path, keys) -> None:
    """Start hashing the entries of ``keys`` in ``cache_dir`` (those there) for this build: the
    keys a language site's charts had in the last build (SiteCharts records them)."""
    cache = Cache(cache_dir)
    folders = [str(cache._dir(key)) for key in keys if isinstance(key, str) and cache.has(key)]
    previous = _PREHASHED.pop(os.path.abspath(cache_dir), None)
    if previous is not None:
        previous.stop()
    if folders:
        _PREHASHED[os.path.abspath(cache_dir)] = Prehash(folders)


def stop_prehash() -> None:
    """The build is over (or another starts): no helper is left running."""
    while _PREHASHED:
        _PREHASHED.popitem()[1].stop()


def _prehashed(folder: Path) -> dict:
    found = _PREHASHED.get(os.path.abspath(folder.parent.parent)) if _PREHASHED else None
    return found.known() if found is not None else {}


def _sha256_of(path: Path, known: dict) -> str | None:
    """The SHA-256 of ``path``'s bytes: the helper's when it is still the file it read, else
    read now. None when it cannot be read."""
    found = known.get(str(path))
    if found is not None:
        try:
            info = os.stat(path, follow_symlinks=False)
        except OSError:
            return None
        if (info.st_ino, info.st_size, info.st_mtime_ns) == tuple(found[:3]):
            return found[3]
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class Cache:
    """One folder per key: the files and ``meta.json``, which records each file's SHA-256.

    Nothing is trusted: :meth:`get` checks that the entry is complete and that every file
    has the bytes it had when it was drawn (a killed build, a full disk or a hand edit can
    leave a truncated SVG or a garbled index); a bad entry is removed with a one-line
    notice, so the chart is drawn again and :meth:`put` writes the entry anew."""

    REQUIRED = ("files", "bytes", "sha256", "svg", "svg_narrow")

    def __init__(self, path: Path):
        self.path = Path(path)

    def _dir(self, key: str) -> Path:
        return self.path / key[:2] / key

    def has(self, key: str) -> bool:
        """Whether an entry was written for ``key`` (unchecked: :meth:`get` checks it)."""
        return self._dir(key).is_dir()

    def get(self, key: str, label: str = "") -> dict | None:
        folder = self._dir(key)
        if not folder.exists():
            return None
        problem = self._check(folder)
        if problem is None:
            return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        # a notice, not a warning (builds fail on warnings): printed, so every build shows it
        message = (f"charts: the cached files of {label or key[:12]} were damaged ({problem}): "
                   "drawing them again and repairing the cache")
        logger.info("%s", message)
        print(message, file=sys.stderr)
        self._discard(folder)
        return None

    @classmethod
    def _check(cls, folder: Path) -> str | None:
        """What is wrong with a cache entry, or None when every file is as drawn."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return "meta.json is missing"
        except (OSError, ValueError) as exc:
            return f"meta.json cannot be read: {exc.__class__.__name__}"
        if not isinstance(meta, dict) or any(k not in meta for k in cls.REQUIRED):
            return "meta.json is incomplete"
        hashes = meta["sha256"]
        if not isinstance(meta["files"], dict) or not isinstance(hashes, dict):
            return "meta.json is incomplete"
        known = _prehashed(folder)
        for name in meta["files"].values():
            digest = _sha256_of(folder / name, known)
            if digest is None:
                return f"{name} is missing"
            if digest != hashes.get(name):
                return f"{name} does not match its checksum"
        return None

    @staticmethod
    def _discard(folder: Path) -> None:
        trash = folder.with_name(f".trash-{folder.name}-{os.getpid()}-{threading.get_ident()}")
        try:
            os.rename(folder, trash)
        except OSError:
            return
        shutil.rmtree(trash, ignore_errors=True)

    def file(self, key: str, name: str) -> Path:
        return self._dir(key) / name

    def put(self, key: str, files: dict, meta: dict) -> None:
        final = self._dir(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-", dir=final.parent))
        meta = {**meta, "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}
        for name, data in files.items():
            (staging / name).write_bytes(data)
        (staging / "meta.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
        try:
            os.rename(staging, final)  # atomic: readers see all files or none
        except OSError:  # the key is there already: another build put it first, or it is bad
            if self._check(final) is not None:
                self._discard(final)
                try:
                    os.rename(staging, final)
                    return
                except OSError:
                    pass
            shutil.rmtree(staging, ignore_errors=True)


PROCESSES_FROM = 2  # charts to draw before worker processes are worth starting


def workers_of(settings: dict) -> int:
    return settings["DATADESK_CHARTS_WORKERS"] or os.cpu_count() or 1


class Pool:
    """The worker processes of one build, started when two charts or more are to be prepared
    or drawn (or datasets validated) and shut down when the build ends (``close``), so the
    French and the English charts share them. Started with "spawn", not "fork": the build
    process runs vl-convert's threads, which a forked child would not have. A worker imports
    the data desk's chart and dataset code once, when it starts (``_warm_up``), and inherits
    the build's environment (``TZ=UTC``, see charts/__init__.py). A pool made without a
    Vega-Lite version (the sharing cards', discovery/cards.py) does not warm up: its workers
    import vl-convert alone, with their first job."""

    def __init__(self, vl_version: str | None = None):
        self._executor = None
        self.workers = 0
        self.vl_version = vl_version  # the Vega-Lite version a worker warms up with (None: no warm-up)
        self.broken = False  # a worker died or could not start: the build goes on in its own process
        # Pelican imports the plugins from PLUGIN_PATHS without leaving the folder on sys.path:
        # a worker puts it there first, so it can import the desk's code its jobs name.
        self.initializer = (site.addsitedir, (_plugins_folder(),))

    def executor(self, workers: int) -> ProcessPoolExecutor:
        if self._executor is None or self.workers != workers:
            self.close()
            initializer, args = self.initializer
            self._executor = ProcessPoolExecutor(max_workers=workers,
                                                 mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=initializer, initargs=args)
            self.workers = workers
            if self.vl_version:  # the charts' pool (not the cards', whose jobs need vl-convert only):
                for _ in range(workers):  # every process starts now, and warms up before its first job
                    self._executor.submit(_warm_up, self.vl_version)
        return self._executor

    def start(self, workers: int) -> None:
        """Start the ``workers`` processes now (each warms up while the build reads on)."""
        self.executor(workers)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def fail(self) -> None:
        """A worker died (killed, out of memory) or could not start: no more workers for
        this build; what is left is done in the build's own process."""
        self.broken = True
        self.close()


WARM_UP = {"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x", "type": "quantitative"}}}


def _plugins_folder() -> str:
    """The folder the data desk's package is in (the project's plugins/)."""
    return str(Path(sys.modules[__name__.split(".")[0]].__file__).resolve().parent.parent)


# A worker's own copy of the measuring font. vl-convert (1.9) measures every piece of text
# by laying it out with usvg, and usvg opens and maps the font's file again for each one
# (fontdb keeps system fonts as paths): about 1,700 times per picture here, a quarter of a
# worker's time spent in the kernel. Two workers mapping the same file contend for it
# (its page-cache pages and mapping are shared). Given its own copy, each maps a file of
# its own: in two processes drawing pictures side by side, 5.5 s became 4.6 s. The copy
# is listed before the system's fonts in a fontconfig file of the worker's (fontdb reads
# FONTCONFIG_FILE), so the same family resolves to the same bytes, only at another path:
# the pictures do not change. In shared memory where there is some, named after its
# process: removed when the worker ends, or by the next worker once that process is gone.
SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONTS_PREFIX = "datadesk-fonts-"
SHARED_MEMORY = Path("/dev/shm")
_OWN_FONTS: list[Path] = []  # this process's copy, once made


def _measured_family_files() -> list[Path]:
    """The system's files of the measuring font's family (DejaVu Sans: its regular, bold,
    oblique and light faces; not DejaVu Sans Mono or Condensed, other families' files)."""
    family = theme.MEASURE_FONT.split(",", 1)[0].strip().strip('"').replace(" ", "")
    pattern = re.compile(rf"{re.escape(family)}(-[A-Za-z]+)?\.(ttf|otf)", re.I)
    found = []
    for folder in SYSTEM_FONT_DIRS:
        try:
            found += [path for path in sorted(folder.rglob("*")) if pattern.fullmatch(path.name) and path.is_file()]
        except OSError:
            continue
    return found


def own_fonts() -> Path | None:
    """In a worker, before vl-convert's first picture: a copy of the measuring font's files
    of its own, and FONTCONFIG_FILE naming it before the system's fonts (see above). The
    copy's folder, or None where nothing is done: a FONTCONFIG_FILE already set, no
    system fontconfig file (not Linux), no such font installed, or nowhere to copy it."""
    if _OWN_FONTS:
        return _OWN_FONTS[0]
    if os.environ.get("FONTCONFIG_FILE") or not SYSTEM_FONTCONFIG.is_file():
        return None
    files = _measured_family_files()
    if not files:
        return None
    root = SHARED_MEMORY if SHARED_MEMORY.is_dir() and os.access(SHARED_MEMORY, os.W_OK | os.X_OK) else Path(tempfile.gettempdir())
    remove_stale_folders(root, FONTS_PREFIX)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"{FONTS_PREFIX}{os.getpid()}-", dir=root))
    except OSError:
        return None
    try:
        for path in files:
            shutil.copyfile(path, folder / path.name)
        from xml.sax.saxutils import escape

        conf = folder / "fonts.conf"
        conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                        f"<fontconfig>\n  <dir>{escape(str(folder))}</dir>\n"
                        f'  <include ignore_missing="yes">{escape(str(SYSTEM_FONTCONFIG))}</include>\n'
                        "</fontconfig>\n", encoding="utf-8")
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    import atexit

    atexit.register(shutil.rmtree, folder, True)  # a spawned worker ends through the interpreter's exit
    os.environ["FONTCONFIG_FILE"] = str(conf)
    _OWN_FONTS.append(folder)
    return folder


def _warm_up(vl_version: str | None) -> None:
    """A worker's start: the libraries of its jobs imported, its own copy of the measuring
    font made (``own_fonts``) and vl-convert's JavaScript engine and fonts loaded, before
    its first job (and while the build process reads on)."""
    from . import jobs  # noqa: F401  (altair, pandas, frictionless, the desk's chart code)

    own_fonts()
    vlc.vegalite_to_svg(WARM_UP, **({"vl_version": vl_version} if vl_version else {}))


def _draw_here(built: Built, settings: dict) -> dict:
    return {key: step() for key, step in _steps(built, settings)}


def _draw(builds: list[Built], settings: dict, pool: Pool | None):
    """(built, results or exception, seconds) for each build, in order: in worker processes
    when there are several charts and several workers, else in this process."""
    workers = workers_of(settings)
    if len(builds) < PROCESSES_FROM or workers < 2 or (pool is not None and pool.broken):
        for built in builds:
            t0 = time.perf_counter()
            try:
                yield built, _draw_here(built, settings), time.perf_counter() - t0
            except Exception as exc:  # vl-convert raises ValueError with Vega's message
                yield built, exc, time.perf_counter() - t0
        return
    own = pool is None
    pool = pool or Pool()
    try:
        executor = pool.executor(workers)
        # One task per file, not per chart: the pictures of one chart are spread over
        # every worker, and a slow chart does not hold the others back.
        pending = [(b, time.perf_counter(), [(k, executor.submit(step)) for k, step in _steps(b, settings)])
                   for b in builds]
        for built, t0, futures in pending:
            try:
                yield built, {key: future.result() for key, future in futures}, time.perf_counter() - t0
            except BrokenProcessPool:  # a worker died (killed, out of memory): draw it here
                pool.fail()
                try:
                    yield built, _draw_here(built, settings), time.perf_counter() - t0
                except Exception as exc:
                    yield built, exc, time.perf_counter() - t0
            except Exception as exc:  # vl-convert raises ValueError with Vega's message
                yield built, exc, time.perf_counter() - t0
    finally:
        if own:
            pool.close()


def ensure_rendered(items: list, cache: Cache, settings: dict, stats: dict | None = None,
                    full=None, pool: Pool | None = None, drawn: frozenset = frozenset(),
                    rendered: set | None = None) -> tuple[dict, dict]:
    """Render every chart missing from the cache (in parallel).

    ``items`` have ``key``, ``id`` and ``lang`` (a Built, or a prepared chart whose Built
    ``full(item)`` gives when its files must be drawn). Returns ({key: meta}, {key:
    exception}) so one chart vl-convert cannot draw fails alone, with its own message. Adds
    the renders, cache hits and seconds to ``stats`` (the desk's ``render_stats``: tests
    and `invoke bench` read them). ``drawn``: the keys a worker drew into the cache in this
    build (jobs.py): checked like any entry, and counted as renders, not hits.
    ``rendered``: given a set, the keys counted as renders are added to it.
    """
    metas, missing, fresh = {}, [], set()
    for item in items:
        meta = cache.get(item.key, f"{item.id} ({item.lang})")
        if meta is None:
            missing.append(item)
        else:
            metas[item.key] = meta
            if item.key in drawn:
                fresh.add(item.key)
    unique = list({item.key: item for item in missing}.values())
    start = time.perf_counter()
    results, builds = [], []
    for item in unique:
        try:
            builds.append(full(item) if full is not None else item)
        except Exception as exc:  # noqa: BLE001 (it no longer prepares: reported as its failure)
            results.append((item.key, None, exc))
    for built, done, seconds in _draw(builds, settings, pool):
        if isinstance(done, Exception):
            results.append((built.key, None, done))
            continue
        try:
            files, meta = _assemble(built, done)
        except Exception as exc:  # noqa: BLE001 (reported as this chart's failure)
            results.append((built.key, None, exc))
            continue
        cache.put(built.key, files, meta)
        logger.info("charts: rendered %s (%s) in %.2fs", built.id, built.lang, seconds)
        results.append((built.key, meta, None))
    failures = {key: exc for key, _, exc in results if exc is not None}
    metas.update({key: meta for key, meta, exc in results if exc is None})
    if rendered is not None:
        rendered |= fresh | {key for key, _, exc in results if exc is None}
    elapsed = time.perf_counter() - start
    if stats is not None:
        stats["renders"] = stats.get("renders", 0) + len(unique) - len(failures) + len(fresh)
        stats["hits"] = stats.get("hits", 0) + len(items) - len(missing) - sum(item.key in fresh for item in items)
        stats["seconds"] = stats.get("seconds", 0.0) + elapsed
    if unique:
        logger.info("charts: %d rendered, %d from the cache, in %.1fs", len(unique),
                    len(items) - len(missing), elapsed)
    return metas, failures
