"""Every command a person runs on this project. `invoke --list` shows them."""

from __future__ import annotations

import http.server
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent
OUTPUT = ROOT / "output"
PYTHON = sys.executable
WATCHED = ["content", "data", "theme", "plugins", "pelicanconf.py"]
FATAL = "warnings"  # Pelican's --fatal level: any warning fails the build (see README)


class BuildFailed(Exception):
    """Pelican reported an error; output/ was left as it was."""


def pelican_command(settings: str, out: Path, debug: bool = False, content: Path | None = None,
                    extra=()) -> list[str]:
    """``pelican --fatal warnings``, run through ``_pelican_child`` below for readable errors."""
    command = [
        PYTHON, str(ROOT / "tasks.py"), "--pelican", str(content or ROOT / "content"),
        "-s", str(ROOT / settings), "-o", str(out), "--fatal", FATAL,
    ]
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


def _pelican_child(argv: list[str]) -> int:
    """Run Pelican like ``pelican --fatal warnings``, but report every problem at once,
    plainly, and with a traceback only under --debug."""
    from pelican import get_instance, parse_arguments
    from pelican.log import init as init_logging

    args = parse_arguments(argv)
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
        pelican.run()
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


def build_site(settings: str = "pelicanconf.py", output: Path = OUTPUT, debug: bool = False,
               env: dict | None = None, quiet: bool = False, content: Path | None = None) -> Path:
    """Build into a fresh directory beside ``output`` and swap it in only on success.

    A failed build raises BuildFailed and leaves ``output`` byte-identical.
    """
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=output.parent))
    run_env = {**os.environ, **(env or {})}
    run_env.setdefault("PYTHONHASHSEED", "0")
    try:
        result = subprocess.run(
            pelican_command(settings, staging, debug, content), cwd=ROOT, env=run_env,
            stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT if quiet else None,
            text=True,
        )
        if result.returncode != 0:
            raise BuildFailed(
                f"The build failed (pelican exited {result.returncode}); "
                f"{output.name}/ was left as it was.\n{result.stdout or ''}"
            )
        swap_in(staging, output)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return output


def swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` with ``new`` by two renames, so no reader sees a half-built site."""
    old = None
    if target.exists():
        old = target.with_name(f".build-old-{os.getpid()}-{target.name}")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


_TEMPLATES = None  # jinja2 bytecode cache shared by the builds of one livereload process


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


def build_in_process(settings: str = "pelicanconf.py", output: Path = OUTPUT,
                     content: Path | None = None, debug: bool = False,
                     data: Path | None = None) -> Path:
    """build_site without a new process, for livereload: plugins, datasets and the chart
    cache stay loaded between builds. Same problems reported, same atomic swap."""
    from pelican import Pelican
    from pelican.log import LimitFilter
    from pelican.settings import read_settings

    global _TEMPLATES  # noqa: PLW0603
    _TEMPLATES = _TEMPLATES or _MemoryBytecodeCache()

    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=output.parent))
    problems = _Problems()
    problems.addFilter(_ReaderErrors())
    logging.getLogger().addHandler(problems)
    # Pelican mutes a warning it has already logged in this process, and i18n_subsites
    # keeps a half-finished run's state after a failure: both must start afresh.
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    subsites = sys.modules.get("pelican.plugins.i18n_subsites.i18n_subsites")
    if subsites is not None:
        subsites._MAIN_SETTINGS = None
    try:
        override = {"PATH": str(content or ROOT / "content"), "OUTPUT_PATH": str(staging)}
        if data:
            override["CATALOG_DATA_DIR"] = str(data)
        conf = read_settings(str(ROOT / settings), override=override)
        # Compiled templates are kept between builds (keyed by their source, so an edited
        # template is compiled again): compiling them is a third of a warm build.
        conf["JINJA_ENVIRONMENT"] = {**conf["JINJA_ENVIRONMENT"], "bytecode_cache": _TEMPLATES}
        Pelican(conf).run()
    except Exception as exc:  # a plugin's error already says where and how to fix it
        if debug:
            raise
        problems.messages.append(str(exc))
    finally:
        logging.getLogger().removeHandler(problems)
    try:
        if problems.messages:
            raise BuildFailed(f"The build failed; {output.name}/ was left as it was.\n"
                              + "\n".join(problems.messages))
        swap_in(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return output


def _fail(exc: Exception) -> None:
    print(exc, file=sys.stderr)
    raise SystemExit(1)


@task
def clean(c):
    """Remove the built site and the build caches."""
    for path in [OUTPUT, ROOT / ".cache"]:
        shutil.rmtree(path, ignore_errors=True)
    for stale in ROOT.glob(".build-*"):
        shutil.rmtree(stale, ignore_errors=True)
    print("Removed output/ and .cache/")


@task(help={"debug": "Show Python tracebacks (for developers)."})
def build(c, debug=False):
    """Build the site into output/ (atomic: a failed build leaves output/ untouched)."""
    try:
        build_site(debug=debug)
    except BuildFailed as exc:
        _fail(exc)
    print(f"Built the site into {OUTPUT.relative_to(ROOT)}/")


@task(pre=[clean], post=[build])
def rebuild(c):
    """Clean, then build from scratch."""


class _PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site, optionally under a sub-path like GitHub project pages."""

    prefix = "/"

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__not_found__")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
        if os.environ.get("SERVE_QUIET") != "1":
            super().log_message(format, *args)


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000, prefix: str = "/"):
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    handler = type("Handler", (_PrefixHandler,), {"prefix": prefix})
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    return http.server.ThreadingHTTPServer((host, port), partial(handler, directory=str(directory)))


@task(help={"port": "Port (default 8000).", "prefix": "Serve under a sub-path, e.g. /energy-front/."})
def serve(c, port=8000, prefix="/"):
    """Serve output/ at http://127.0.0.1:8000/ (Ctrl+C stops)."""
    if not (OUTPUT / "index.html").exists():
        _fail(BuildFailed("There is no built site in output/ yet: run `invoke build` first."))
    server = make_server(OUTPUT, port=int(port), prefix=prefix)
    host, real_port = server.server_address[:2]
    print(f"Serving output/ at http://{host}:{real_port}{prefix if prefix.startswith('/') else '/' + prefix}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@task(help={"port": "Port (default 8000).", "debug": "Show Python tracebacks (for developers).",
            "content": "Content folder to preview (default content/; data/ is its sibling)."})
def livereload(c, port=8000, debug=False, content=""):
    """Preview the site: rebuild within about a second of each save, and reload the browser."""
    import logging as _logging

    from pelican.log import init as init_logging

    sys.path.insert(0, str(ROOT / "plugins"))
    from editorial import live

    content_dir = Path(content).resolve() if content else ROOT / "content"
    data_dir = content_dir.parent / "data" if content else None  # a copy of the project
    code = [ROOT / "plugins", ROOT / "pelicanconf.py", ROOT / "tasks.py"]
    watched = [content_dir, data_dir or ROOT / "data", ROOT / "theme"] + code
    # Problems are collected per build (and shown in the terminal and on the page), so
    # Pelican's own console output stays quiet; the level must still let warnings through.
    init_logging(level=_logging.DEBUG if debug else _logging.WARNING,
                 handler=None if debug else _logging.NullHandler())

    def changed_code(paths: set) -> bool:
        return any(p == c or c in p.parents for p in paths for c in code)

    output = OUTPUT if not content else content_dir.parent / "output"
    try:
        live.run(lambda: build_in_process(output=output, content=content_dir, debug=debug,
                                          data=data_dir),
                 output, watched, port=int(port), restart_on=changed_code)
    except KeyboardInterrupt:
        print("\nStopped the preview.")
        return
    # Plugin code or settings changed: start again in a fresh process with the new code.
    os.execv(sys.executable, [sys.executable, *sys.argv])


@task
def publish(c):
    """Build the production site (publishconf.py; SITEURL from the environment) into output/."""
    if not os.environ.get("SITEURL"):
        _fail(BuildFailed(
            "publish needs SITEURL, the site's public address, e.g. "
            "SITEURL=https://owner.github.io/repo invoke publish"))
    try:
        build_site(settings="publishconf.py")
    except BuildFailed as exc:
        _fail(exc)
    print(f"Built the production site for {os.environ['SITEURL']} into output/")


@task(help={"out": "Write the curated files here instead of data/ (e.g. to compare)."})
def curate(c, out=""):
    """Turn data/raw/ into the curated CSVs and data/datapackage.json (run after changing raw data)."""
    sys.path.insert(0, str(ROOT / "data"))
    from curate import run  # data/curate/: curation lives with the data, not in the build

    try:
        run(out_dir=Path(out) if out else None)
    except ValueError as exc:  # curation refuses surprising raw data with a message naming the file
        _fail(exc)


@task(help={"k": "Only tests matching this expression.", "x": "Stop at the first failure."})
def test(c, k="", x=False):
    """Run the whole test suite (pytest)."""
    args = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if k:
        args += ["-k", k]
    if x:
        args.append("-x")
    raise SystemExit(subprocess.call(args, cwd=ROOT))


@task(help={"only": "Comma-separated gates to run (html, links, a11y, self-contained, reproducible, "
                   "weight, lighthouse, actionlint).",
            "skip": "Comma-separated gates to leave out.",
            "site": "Check this existing build instead of building the published site fresh.",
            "commit": "Build this commit (e.g. HEAD) instead of the working tree."})
def check(c, only="", skip="", site="", commit=""):
    """Run the quality gates on a fresh build (HTML, links, accessibility, self-containment, ...)."""
    from tests.quality.runner import UsageError, run_check  # test tooling: imported only here

    try:
        status = run_check(only, skip, Path(site) if site else None, commit=commit)
    except UsageError as exc:
        _fail(exc)
    raise SystemExit(status)


@task
def lock(c):
    """Re-resolve requirements.in into the hashed lock file requirements.txt (needs uv)."""
    c.run(f"{PYTHON} -m uv pip compile --python-version 3.11 --generate-hashes "
          "requirements.in -o requirements.txt")


@task(help={"check": "Only verify that the committed runtime matches a fresh build (for CI)."})
def bundle_js(c, check=False):
    """Rebuild the vendored Vega runtime from theme/js (npm ci + esbuild) and print its sizes."""
    js = ROOT / "theme" / "js"
    # --ignore-scripts: esbuild's postinstall only re-checks its binary, which
    # npm already installed from the lock file.
    steps = [["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
             ["node", "build.mjs"] + (["--check"] if check else [])]
    for step in steps:
        if subprocess.call(step, cwd=js) != 0:
            _fail(BuildFailed(f"bundle-js: `{' '.join(step)}` failed in theme/js (see above)."))

def _editorial():
    """The editor tools live in plugins/editorial (new-article, new-chart, the preview)."""
    if str(ROOT / "plugins") not in sys.path:
        sys.path.insert(0, str(ROOT / "plugins"))
    import editorial.scaffold

    return editorial.scaffold


def _site_settings() -> dict:
    from pelican.settings import read_settings

    return read_settings(str(ROOT / "pelicanconf.py"))


@task(help={"title": "The headline, in quotes.", "lang": "fr or en (default fr).",
            "translation_of": "Slug of the article this one translates.",
            "section": "Section (Category) of the article; default: the translation's or the "
                       "most used one.",
            "slug": "The address, if not derived from the title.",
            "author": "Byline (default: the newsroom).",
            "content": "Content folder (default content/)."})
def new_article(c, title, lang="fr", translation_of="", section="", slug="", author="",
                content=""):
    """Create a draft article with its complete front matter, and say how to preview it."""
    scaffold = _editorial()
    folder = Path(content).resolve() if content else ROOT / "content"
    try:
        created = scaffold.new_article(folder, _site_settings(), title, lang, translation_of,
                                       section, slug, author)
    except scaffold.ScaffoldError as exc:
        _fail(f"new-article: {exc}")
    print(scaffold.describe(created, folder.parent))


@task(help={"dataset": "Name of the dataset to chart (see data/datapackage.json).",
            "id": "Chart id (file name), default: <dataset>_chart.",
            "content": "Content folder (default content/; its data/ beside it)."})
def new_chart(c, dataset, id="", content=""):  # noqa: A002 (the option is --id)
    """Create a YAML chart from a dataset's real columns, and print the line to paste."""
    scaffold = _editorial()
    folder = Path(content).resolve() if content else ROOT / "content"
    settings = _site_settings()
    if content:  # a copy of the project: its data/ sits beside its content/
        settings["CATALOG_DATA_DIR"] = str(folder.parent / "data")
    try:
        created = scaffold.new_chart(folder, settings, dataset, id)
    except scaffold.ScaffoldError as exc:
        _fail(f"new-chart: {exc}")
    print(scaffold.describe_chart(created, folder.parent))


@task(help={"port": "Port for the preview (default 8799).", "repeats": "Edits per kind (3)."})
def bench_livereload(c, port=8799, repeats=3):
    """Measure save-to-browser time of `invoke livereload` (article, CSV, YAML chart)."""
    _editorial()
    from editorial import bench

    print(bench.run(ROOT, int(port), int(repeats)))


@task
def bench_charts(c):
    """Time the chart renders: a cold build (empty chart cache) and a warm one (0 renders)."""
    if str(ROOT / "plugins") not in sys.path:
        sys.path.insert(0, str(ROOT / "plugins"))
    from charts import bench

    print(bench.run(ROOT))


if __name__ == "__main__" and sys.argv[1:2] == ["--pelican"]:
    sys.exit(_pelican_child(sys.argv[2:]))
