"""The build runner behind `invoke build`, `invoke livereload` and the tests.

Not a Pelican plugin: it runs Pelican. A build goes into a fresh
directory beside output/ and is swapped in only when it succeeded, and every warning
and error of the run is collected and reported plainly, all at once. See README.md.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import errno
import fcntl
import gc
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "output"
PYTHON = sys.executable
FATAL = "warnings"  # Pelican's --fatal level: any warning fails the build (see README)
IF_CHANGED = "--if-changed"  # pelican_child: stop at once when output/ is up to date (datadesk/uptodate.py)
UP_TO_DATE = 3  # pelican_child's exit status then: nothing was built, output/ stays as it is


class BuildFailed(Exception):
    """Pelican reported an error; output/ was left as it was."""


def pelican_command(settings: str, out: Path, debug: bool = False, content: Path | None = None,
                    extra=(), if_changed: bool = False) -> list[str]:
    """``pelican --fatal warnings``, run through ``pelican_child`` below for readable errors.
    Without ``content``, the settings' own PATH is the content (another site's settings
    build that site's content, not this project's). ``if_changed``: see ``build_site``."""
    command = [PYTHON, str(Path(__file__).resolve()), "--pelican"]
    if if_changed:
        command.append(IF_CHANGED)
    if content is not None:
        command.append(str(content))
    command += ["-s", str(ROOT / settings), "-o", str(out), "--fatal", FATAL]
    if debug:
        command.append("--debug")
    return command + list(extra)


class _Once(logging.Filter):
    def __init__(self):
        super().__init__()
        self.seen: set[tuple[int, str]] = set()

    def filter(self, record):
        key = (record.levelno, record.getMessage())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class _ReaderErrors(logging.Filter):
    """Pelican logs a reader's exception as "Could not process <file>" and keeps the
    exception's text for --debug; that text is what the editor needs (our plugins' errors
    name the file and line), so it becomes the message."""

    def filter(self, record):
        exc = sys.exc_info()[1]
        message = record.getMessage()
        if exc is not None and message.startswith("Could not process ") and "\n" not in message:
            source = message[len("Could not process "):]
            text = str(exc).strip()
            record.msg, record.args = (text if Path(source).name in text
                                       else f"{source}: {type(exc).__name__}: {text}"), ()
        return True


class _Problems(logging.Handler):
    """Collects every warning and error so one build reports all of them."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []
        self.seen: set[str] = set()

    def emit(self, record):
        message = record.getMessage()
        if message in self.seen:  # each language site reads the same files
            return
        self.seen.add(message)
        if message.startswith("Could not process ") and "\n" in message:
            message = message.split("\n", 1)[1]  # our plugins' message already names file:line
        self.messages.append(message)


def pelican_child(argv: list[str]) -> int:
    """Run Pelican like ``pelican --fatal warnings``, but report every problem at once,
    plainly, and with a traceback only under --debug. With ``--if-changed`` first, return
    UP_TO_DATE at once, having written nothing, when the output folder is what a build of
    the current inputs would write (datadesk/uptodate.py), and record it after a build that
    succeeded."""
    from pelican import get_instance, parse_arguments
    from pelican.log import init as init_logging

    if_changed = argv[:1] == [IF_CHANGED]
    args = parse_arguments(argv[1:] if if_changed else argv)
    debug = args.verbosity == logging.DEBUG
    problems = _Problems()
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    console.addFilter(_ReaderErrors())
    console.addFilter(_Once())
    init_logging(level=logging.DEBUG if debug else logging.WARNING, handler=console)
    problems.addFilter(_ReaderErrors())
    logging.getLogger().addHandler(problems)
    try:
        pelican, _settings = get_instance(args)
        check = _up_to_date_check(pelican.settings) if if_changed and not problems.messages else None
        if check is not None and check.up_to_date():
            _report_up_to_date(pelican.settings, check)
            return UP_TO_DATE
        if check is not None:
            kept = check.kept_subsites()
            _keep_subsites(pelican, kept, {lang: check.kept_view(lang) for lang in kept})
        pelican.run()
        if not (problems.messages and args.fatal):
            finish(pelican.settings)
            if check is not None and not problems.messages:
                check.record()
    except Exception as exc:  # a plugin's error already says where and how to fix it
        if debug:
            raise
        print(f"\nThe build failed: {exc}", file=sys.stderr)
        return 1
    if problems.messages and args.fatal:
        print(f"\nThe build failed: {len(problems.messages)} problem(s) above "
              f"(warnings are fatal in this project).", file=sys.stderr)
        return 1
    return 0


PREVIOUS_OUTPUT = "DATADESK_PREVIOUS_OUTPUT"  # where the build finds the files it may keep


def previous_output(output: Path) -> dict:
    """The settings override that tells the build where the current output is (or will be,
    for a first build: then every file is written): a file whose
    new bytes equal that output's file of the same path is hard-linked from it, not written
    (plugins/datadesk/outputs.py), so an unchanged file keeps its inode and mtime. The article
    pages' fingerprints are recorded under it (plugins/datadesk/pages.py)."""
    return {PREVIOUS_OUTPUT: str(output)}


def _up_to_date_check(settings: dict):
    """The up-to-date check of this build (None for a site without the data desk)."""
    if "datadesk" not in settings.get("PLUGINS", []):
        return None
    from datadesk.uptodate import Check

    return Check(settings)


def _report_up_to_date(settings: dict, check) -> None:
    from datadesk import report_path

    path = report_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(check.report(), sort_keys=True, indent=1), encoding="utf-8")
    print(f"Nothing to build: no input changed since {check.output.name}/ was built and {check.output.name}/ "
          f"is as that build left it ({check.files} input files hashed, {check.output_files} output files "
          f"checked). `invoke build --force` runs every stage anyway.")


def finish(settings: dict) -> None:
    """Once Pelican has finished a build that succeeded: the data desk links what else is
    unchanged (the theme's files) and writes its report again with every file counted."""
    desk = settings.get("datadesk_desk")
    if desk is not None and hasattr(desk, "finish"):
        desk.finish()


def build_site(settings: str = "pelicanconf.py", output: Path = OUTPUT, debug: bool = False,
               env: dict | None = None, quiet: bool = False, content: Path | None = None,
               if_changed: bool = False) -> Path:
    """Build into a fresh directory beside ``output`` and swap it in only on success.

    A failed build raises BuildFailed and leaves ``output`` byte-identical. One build of
    an output folder at a time (a lock); the leftovers of a killed build are removed first.
    ``if_changed`` (``invoke build``, unless ``--force``): when no input changed since the
    build that made ``output`` and nothing touched ``output`` since, stop before Pelican
    runs and leave ``output`` as it is (datadesk/uptodate.py).
    """
    output = Path(output).resolve()
    with build_lock(output):
        staging = _staging(output)
        run_env = {**os.environ, **(env or {})}
        run_env.setdefault("PYTHONHASHSEED", "0")
        try:
            extra = [arg for key, value in previous_output(output).items()
                     for arg in ("-e", f"{key}={json.dumps(value)}")]
            process = subprocess.Popen(
                pelican_command(settings, staging, debug, content, extra, if_changed), cwd=ROOT, env=run_env,
                stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT if quiet else None,
                text=True,
            )
            try:
                empty_trash(output)  # while Pelican starts: the second core is idle then
                stdout, _ = process.communicate()
            except BaseException:
                process.kill()
                process.wait()
                raise
            if if_changed and process.returncode == UP_TO_DATE:
                return output
            if process.returncode != 0:
                raise BuildFailed(
                    f"The build failed (pelican exited {process.returncode}); "
                    f"{output.name}/ was left as it was.\n{stdout or ''}"
                )
            swap_in(staging, output, set_aside=lambda old: to_trash(old, output))
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return output


def trash_of(output: Path) -> Path:
    """Where ``build_site`` puts the site it replaced (``.cache/old-<output>/`` beside it),
    for the next build to remove: ``invoke clean`` removes it too."""
    return output.parent / ".cache" / f"old-{output.name}"


def to_trash(old: Path, output: Path) -> None:
    """Move ``old``, the site a build has just replaced, into the trash of ``output`` (one
    rename), instead of removing its thousands of files while the command waits; the next
    build removes it while its Pelican starts (:func:`empty_trash`). Removed now where it
    cannot be moved there (another file system, say)."""
    trash = trash_of(output)
    try:
        trash.mkdir(parents=True, exist_ok=True)
        old.rename(trash / old.name)
    except OSError:
        shutil.rmtree(old, ignore_errors=True)


def empty_trash(output: Path) -> None:
    """Remove the sites earlier builds of ``output`` replaced (only while holding its lock).
    Most of their files are links to the current site's (its unchanged files), so they
    hold little space meanwhile."""
    trash = trash_of(output)
    if trash.is_dir() and not trash.is_symlink():
        for old in trash.iterdir():
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    old.unlink()


STAGING = ".build-"  # every folder a build makes beside output/ starts with this


def _explain(exc: OSError, output: Path, doing: str) -> BuildFailed:
    where = exc.filename or output
    return BuildFailed(
        f"The build cannot {doing}: {exc.strerror or exc} ({where}). {output.name}/ was left as it "
        f"was. Check who owns {output.parent} and {output.name}/ and that both are writable "
        f"(ls -ld {output.parent} {output}); a folder made by another user or by a container "
        f"can be given back with chown, or build into another folder.")


@contextlib.contextmanager
def build_lock(output: Path):
    """Hold ``.lock-build-<output>`` beside ``output`` for the whole build; a second build of
    the same folder stops at once, naming the first. The lock is the kernel's (flock): a
    killed build releases it. Under the lock, leftovers of killed builds are removed."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        handle = open(output.parent / f".lock-build-{output.name}", "a+", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise _explain(exc, output, "start") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildFailed(
                f"Another build of {output.name}/ is running ({holder}); {output.name}/ was left as it "
                f"was. Wait for it to finish (livereload keeps building while it runs), or stop it, "
                f"then build again.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        remove_stale(output)
        yield
    finally:
        handle.close()  # releases the lock


def remove_stale(output: Path) -> list[Path]:
    """Remove what killed builds of ``output`` left beside it (only while holding its lock)."""
    removed = []
    for path in output.parent.glob(f"{STAGING}{output.name}-*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    if removed:
        print(f"build: removed {len(removed)} folder(s) left by an interrupted build: "
              f"{', '.join(p.name for p in removed)}", file=sys.stderr)
    return removed


def _staging(output: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f"{STAGING}{output.name}-", dir=output.parent))
    except OSError as exc:
        raise _explain(exc, output, "write beside its output folder") from None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where the
    platform or the file system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None) if sys.platform.startswith("linux") else None
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _libc():
    global _LIBC  # noqa: PLW0603
    if _LIBC is None:
        try:
            _LIBC = ctypes.CDLL(None, use_errno=True)
        except OSError:
            _LIBC = False
    return _LIBC or None


_LIBC = None


def _remove(old: Path) -> None:
    shutil.rmtree(old, ignore_errors=True)


def swap_in(new: Path, target: Path, set_aside=_remove) -> None:
    """Put ``new`` in place of ``target`` so that ``target`` always exists: one atomic
    exchange where the platform has it (Linux), else two renames (an instant without it).
    ``set_aside(path)`` disposes of the previous site (by default: removes it)."""
    try:
        if target.exists() and _exchange(new, target):
            set_aside(new)  # ``new`` now holds the previous site
            return
        old = None
        if target.exists():
            old = target.with_name(f"{STAGING}{target.name}-old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            target.rename(old)
        new.rename(target)
        if old is not None:
            set_aside(old)
    except OSError as exc:
        raise _explain(exc, target, "put the new site in place") from None


def _MemoryBytecodeCache():
    import jinja2

    class MemoryBytecodeCache(jinja2.BytecodeCache):
        def __init__(self):
            self.store: dict[str, bytes] = {}

        def load_bytecode(self, bucket):
            if bucket.key in self.store:
                bucket.bytecode_from_string(self.store[bucket.key])

        def dump_bytecode(self, bucket):
            self.store[bucket.key] = bucket.bytecode_to_string()

    return MemoryBytecodeCache()


def new_cache():
    """What the builds of one preview process keep between them (datadesk's DeskCache: the
    validated data, typed tables, prepared charts, inline values and compiled templates,
    each keyed by content hashes). The preview makes one and passes it to every build."""
    from datadesk import DeskCache

    return DeskCache(templates=_MemoryBytecodeCache())


def build_in_process(settings: str = "pelicanconf.py", output: Path = OUTPUT,
                     content: Path | None = None, debug: bool = False,
                     data: Path | None = None, cache=None, last=None, extra: dict | None = None) -> Path:
    """build_site without a new process, for livereload: plugins stay loaded, and what
    ``cache`` (from ``new_cache()``) holds is reused where the files it was made from have
    the same content. Same problems reported, same atomic swap. With ``last`` (a
    ``tools.fastpath.LastBuild``), the build's article generators are kept for the
    preview's fast path once the build is in place. ``extra``: settings given on top of the
    file's (as ``-e`` does)."""
    output = Path(output).resolve()
    with build_lock(output):
        return _build_in_process(settings, output, content, debug, data, cache, last, extra)


# The preview's builds after its first one: the charts, datasets and sharing cards an edit
# makes to redo are prepared and drawn in the preview's own process (DATADESK_CHARTS_WORKERS
# changes no output and no cache key), which has their libraries loaded and vl-convert's
# engine started (tasks.py): two worker processes, each with its own copy of them (about
# 200 MiB each), for the few charts an edit touches, would double the preview's memory and
# take longer to start than the charts take to draw.
PREVIEW_LATER_BUILDS = {"DATADESK_CHARTS_WORKERS": 1}


def preview_builder(settings: str, output: Path, content: Path | None = None, debug: bool = False,
                    data: Path | None = None, last=None):
    """The preview's build, one function called for each build of its process: a warm
    ``build_in_process`` keeping one ``new_cache()`` between builds; its first build (a
    fresh clone's has every chart and card to draw) uses the worker processes, the later
    ones do not (PREVIEW_LATER_BUILDS)."""
    cache = new_cache()  # what this preview's builds keep between them (datadesk's DeskCache)
    done = []

    def build() -> Path:
        built = build_in_process(settings=settings, output=output, content=content, debug=debug, data=data,
                                 cache=cache, last=last, extra=PREVIEW_LATER_BUILDS if done else None)
        done.append(True)
        return built

    return build


def _limit_filter():
    """Pelican's duplicate and group limiter (``pelican.log.LimitFilter``: a warning is
    logged once, a group of alike warnings five times), with memory for one build only.

    Pelican keeps that memory on the class, for the life of the process, and offers no way
    to forget it: in a warm process the second build would not log, so not fail on, a
    warning the first one logged. This subclass keeps it per instance, the change we would
    propose upstream (state per filter, one filter per run); ``LOG_FILTER`` and
    ``LOGS_DEDUP_MIN_LEVEL`` work as in Pelican.
    """
    from collections import defaultdict

    from pelican.log import LimitFilter

    class BuildLimitFilter(LimitFilter):
        def __init__(self):
            super().__init__()
            self._raised_messages = set()
            self._group_count = defaultdict(int)

    return BuildLimitFilter()


@contextlib.contextmanager
def _fresh_log_limits():
    """Give every Pelican logger a fresh limiter for one build, through Pelican's public
    logger API (``disable_filter``/``enable_filter`` of its ``LimitLogger``) and the
    logging module's ``addFilter``/``removeFilter``; Pelican's own comes back afterwards.
    A logger made during the build (the first build imports the plugins) keeps Pelican's
    for that build, which has seen nothing yet in a fresh process."""
    from pelican.log import LimitLogger

    fresh = _limit_filter()
    loggers = [logger for logger in list(logging.Logger.manager.loggerDict.values())
               if isinstance(logger, LimitLogger)]
    for logger in loggers:
        logger.disable_filter()
        logger.addFilter(fresh)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(fresh)
            logger.enable_filter()


def _start_subsites(pelican) -> None:
    """i18n_subsites sets itself up at the first ``get_generators`` of a process and again
    only after a run that finished; after a failed build it would run the next one with
    the failed build's settings (its output folder, a half-used queue of subsites). Its
    public ``initialize_dbs`` is there for repeated runs in one process ("clears the DBs for
    e.g. autoreload mode"): called before each run with this run's settings, it does what
    the plugin's own first call does, so the plugin skips it. (Upstream, the plugin could
    initialise on every main run, e.g. from the ``initialized`` signal, and nothing would be
    needed here.)"""
    if "pelican.plugins.i18n_subsites" not in pelican.settings.get("PLUGINS", []):
        return
    from pelican.plugins import i18n_subsites

    # The plugin writes each subsite's OUTPUT_PATH (this build's staging folder) into the
    # I18N_SUBSITES dict it is given. A settings file that imports another one as a module
    # (``from pelicanconf import *``: publishconf.py, the benchmark's corpus) shares that dict
    # with every build of the process, so the next build's English site would go into this
    # build's staging folder: each build gets its own copy.
    pelican.settings["I18N_SUBSITES"] = copy.deepcopy(pelican.settings.get("I18N_SUBSITES", {}))

    i18n_subsites.initialize_dbs(pelican.settings)
    i18n_subsites.subscribe_filter_to_signals(pelican.settings)


def _keep_subsites(pelican, kept: dict, views: dict | None = None) -> None:
    """The language subsites ``kept`` (``{lang: folder}``, datadesk/uptodate.py) are run by
    i18n_subsites as ``datadesk.KeptSite``: linked from output/ instead of written, and not
    even read when the recorded build's ``views`` has what the other sites take from it
    (datadesk/kept.py). The class and the view go into each one's entry of the plugin's
    queue of subsites (set up here as its first ``get_generators`` would,
    ``_start_subsites``), not into the main site's settings: its pages and keys do not change."""
    if not kept or "pelican.plugins.i18n_subsites" not in pelican.settings.get("PLUGINS", []):
        return
    from datadesk.kept import PELICAN_CLASS, VIEW
    from pelican.plugins.i18n_subsites import i18n_subsites as i18n

    _start_subsites(pelican)
    for lang in kept:
        if lang in i18n._SUBSITE_QUEUE:
            entry = {**i18n._SUBSITE_QUEUE[lang], "PELICAN_CLASS": PELICAN_CLASS}
            if (views or {}).get(lang) is not None:
                entry[VIEW] = views[lang]
            i18n._SUBSITE_QUEUE[lang] = entry


def _forget_previous_build(last) -> None:
    """Before a build in a warm process: what the previous build left is let go, so the two
    builds' states never coexist (the preview's peak memory is one build's, not two). The
    fast path's kept build (``last``) is forgotten: after a failed build output/ is the
    previous one's, but the preview waits for a build that succeeds before it patches again
    (tools/preview.py); so are the last run's generators, contents and settings that
    i18n_subsites keeps in its module until the next run sets it up. And Pelican's ``memoized`` methods of its content objects
    (``Content.get_content`` and ``get_summary``) keep every article and page they were asked
    about, with its HTML, for the life of the process, each object holding its build's
    settings, and with them its desk, generators and articles: without this, every build of
    the preview stayed in memory. Their cache is keyed by the object itself, so an object of
    the new build never finds an entry of an old one: emptying it changes no page."""
    from pelican.contents import Content

    if last is not None:
        last.forget()
    i18n = sys.modules.get("pelican.plugins.i18n_subsites.i18n_subsites")
    if i18n is not None:  # what its initialize_dbs empties for the next run (_start_subsites), now
        for table in ("_GENERATOR_DB", "_NATIVE_CONTENT_URL_DB", "_SITES_RELPATH_DB"):
            getattr(i18n, table).clear()
        i18n._MAIN_SETTINGS = i18n._MAIN_STATIC_FILES = None  # set again by the next run's main site
    for name in ("get_content", "get_summary"):
        memo = Content.__dict__.get(name)
        if memo is not None and isinstance(getattr(memo, "cache", None), dict):
            memo.cache.clear()
    gc.collect()  # the old build's objects refer to one another: freed now, before the new ones


def _stop_search_runs() -> None:
    """A build that failed in this process (the preview goes on): the Pagefind runs it started
    are stopped and their folders removed now, not when the next build starts."""
    search = sys.modules.get("search.search")
    if search is not None:
        search.stop_runs()


def _build_in_process(settings, output: Path, content, debug, data, cache, last=None, extra=None) -> Path:
    from pelican import Pelican
    from pelican.settings import read_settings

    _forget_previous_build(last)
    staging = _staging(output)
    observe = last.observe(staging) if last is not None else contextlib.nullcontext()
    problems = _Problems()
    problems.addFilter(_ReaderErrors())
    logging.getLogger().addHandler(problems)
    try:
        with _fresh_log_limits():
            override = {"OUTPUT_PATH": str(staging), **previous_output(output)}
            if content is not None:
                override["PATH"] = str(content)
            if data:
                override["DATADESK_DATA_DIR"] = str(data)
            override.update(extra or {})
            conf = read_settings(str(ROOT / settings), override=override)
            if cache is not None:
                from datadesk import CACHE_KEY

                conf[CACHE_KEY] = cache
                # Compiled templates are kept between builds (keyed by their source, so an edited
                # template is compiled again): compiling them is a third of a warm build.
                conf["JINJA_ENVIRONMENT"] = {**conf["JINJA_ENVIRONMENT"], "bytecode_cache": cache.templates}
            pelican = Pelican(conf)
            _start_subsites(pelican)
            with observe:
                pelican.run()
            if not problems.messages:
                finish(pelican.settings)
    except Exception as exc:  # a plugin's error already says where and how to fix it
        if debug:
            raise
        problems.messages.append(str(exc))
    finally:
        logging.getLogger().removeHandler(problems)
    try:
        if problems.messages:
            _stop_search_runs()
            if last is not None:
                last.failed()
            raise BuildFailed(f"The build failed; {output.name}/ was left as it was.\n"
                              + "\n".join(problems.messages))
        swap_in(staging, output)
        if last is not None:
            last.succeeded()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return output


def _exit_at_once(code: int) -> None:
    """End the build process of a build that succeeded (or found nothing to do) without
    tearing its objects down one by one: it has written, closed and recorded everything, and
    a 1,000-article build holds millions of objects, which freeing one by one only delays
    the end of a process whose work is done. What is registered to run at exit runs first
    (atexit: logging's flush, temporary folders, the search plugin's leftovers), then the
    output is flushed. Not while another thread still works, nor for a failed build: those
    exit the usual way."""
    import atexit
    import threading

    running = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if running:  # a thread still working: the usual exit waits for it
        sys.exit(code)
    atexit._run_exitfuncs()  # CPython's: what the interpreter itself calls at exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _fewer_collections() -> None:
    """Run Python's cycle collector less often in the build process. A build makes a few
    million small objects that live until it ends (the articles, their metadata, the pages'
    descriptions); with the default thresholds (a young collection every 700 allocations)
    the collector walks them again and again: about 0.3 s of a 1,000-article edit build,
    0.06 s with these. Memory stays the same: the cycles a build makes are few, and are
    still collected."""
    import gc

    gc.set_threshold(20_000, 20, 20)


if __name__ == "__main__" and sys.argv[1:2] == ["--pelican"]:
    # Settings files import pelicanconf from the project root, as when Pelican runs there.
    sys.path[0] = str(ROOT)
    _fewer_collections()
    status = pelican_child(sys.argv[2:])
    if status in (0, UP_TO_DATE):
        _exit_at_once(status)
    sys.exit(status)
