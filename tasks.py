"""Every command a person runs on this project. `invoke --list` shows them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from invoke import task

from tools.build import OUTPUT, PYTHON, BuildFailed, build_site, preview_builder
from tools.server import make_server, normal_prefix

ROOT = Path(__file__).resolve().parent


PREVIEW_PORT_FILE = "livereload-port"

# The golden output: the published site built with these settings, one sha256 per file.
# tests/site/test_golden.py compares a fresh build with it; `invoke update-golden` refreshes it
# on purpose (review the listed files, then commit the manifest with the change).
GOLDEN = ROOT / "tests" / "golden" / "published.sha256"
GOLDEN_ENV = {"SITEURL": "https://example.org/energy-front", "REPOSITORY_URL": ""}


def site_manifest(site: Path) -> dict[str, str]:
    """Every file of a built site (relative POSIX path) with the sha256 of its bytes."""
    import hashlib

    return {path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(site.rglob("*")) if path.is_file()}


def read_manifest(path: Path = GOLDEN) -> dict[str, str]:
    manifest = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise ValueError(f"{path}:{number}: expected '<sha256>  <path>', got {line!r}; "
                             "regenerate the file with `invoke update-golden`")
        manifest[name] = digest
    return manifest


def manifest_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """One line per file that differs: '+ added', '- removed', '~ changed'."""
    return ([f"+ {name}" for name in sorted(new.keys() - old.keys())]
            + [f"- {name}" for name in sorted(old.keys() - new.keys())]
            + [f"~ {name}" for name in sorted(old.keys() & new.keys()) if old[name] != new[name]])


def _warm_up_data() -> None:
    """Import what a dataset's validation, the inline values and a chart's preparation use
    (datadesk/lazy.py), and start vl-convert's engine, in the preview's process, once its first
    build is done: the first saved CSV's or chart's fast path does not pay for them."""
    try:
        from datadesk import lazy  # importable once the build has loaded the plugins
        for name in ("pandas", "frictionless", "altair"):
            lazy.load(name)
        from datadesk import settings as desk_settings
        from datadesk.charts import render

        render._warm_up(desk_settings.values({})["DATADESK_CHARTS_VL_VERSION"])
    except ImportError:  # nothing to gain: the fast path imports them when it needs them
        pass


def _preview_port(project: Path, port: int) -> int:
    """The port given, else the one the running preview recorded, else 8000."""
    if port:
        return int(port)
    try:
        return int((project / ".cache" / PREVIEW_PORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 8000


def _fail(exc: Exception) -> None:
    print(exc, file=sys.stderr)
    raise SystemExit(1)


@task
def clean(c):
    """Remove the built site and the build caches."""
    for path in [OUTPUT, ROOT / ".cache"]:
        shutil.rmtree(path, ignore_errors=True)
    for stale in ROOT.glob(".build-*"):  # what killed builds left (a build also removes them)
        shutil.rmtree(stale, ignore_errors=True)
    print("Removed output/ and .cache/")


@task(help={"debug": "Show Python tracebacks (for developers).",
            "force": "Run every stage even when nothing changed since output/ was built."})
def build(c, debug=False, force=False):
    """Build the site into output/ (atomic: a failed build leaves output/ untouched); when no
    input changed and output/ is as the last build left it, stop at once (--force: build)."""
    try:
        build_site(debug=debug, if_changed=not force)
    except BuildFailed as exc:
        _fail(exc)
    print(f"The site is in {OUTPUT.relative_to(ROOT)}/")


@task(pre=[clean], post=[build])
def rebuild(c):
    """Clean, then build from scratch."""


@task(help={"port": "Port (default 8000).", "prefix": "Serve under a sub-path, e.g. /energy-front/."})
def serve(c, port=8000, prefix="/"):
    """Serve output/ at http://127.0.0.1:8000/ (Ctrl+C stops)."""
    if not (OUTPUT / "index.html").exists():
        _fail(BuildFailed("There is no built site in output/ yet: run `invoke build` first."))
    server = make_server(OUTPUT, port=int(port), prefix=prefix)
    host, real_port = server.server_address[:2]
    print(f"Serving output/ at http://{host}:{real_port}{normal_prefix(prefix)}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@task(help={"port": "Port (default 8000).", "debug": "Show Python tracebacks (for developers).",
            "content": "Content folder to preview (default content/; data/ is its sibling).",
            "settings": "Settings file (default pelicanconf.py; `invoke bench` previews its corpus' own)."})
def livereload(c, port=8000, debug=False, content="", settings=""):
    """Preview the site: rebuild within about a second of each save, and reload the browser."""
    import logging as _logging

    from pelican.log import init as init_logging

    from tools import preview

    content_dir = Path(content).resolve() if content else ROOT / "content"
    data_dir = content_dir.parent / "data" if content else None  # a copy of the project
    code = [ROOT / "plugins", ROOT / "tools", ROOT / "pelicanconf.py", ROOT / "tasks.py"]
    if settings:
        code.append(Path(settings).resolve())
    watched = [content_dir, data_dir or ROOT / "data", ROOT / "theme"] + code
    # Problems are collected per build (and shown in the terminal and on the page), so
    # Pelican's own console output stays quiet; the level must still let warnings through.
    init_logging(level=_logging.DEBUG if debug else _logging.WARNING,
                 handler=None if debug else _logging.NullHandler())

    def changed_code(paths: set) -> bool:
        return any(p == c or c in p.parents for p in paths for c in code)

    output = OUTPUT if not content else content_dir.parent / "output"
    # Feeds, sitemap and link previews need the preview's absolute address (pelicanconf.py).
    os.environ["PREVIEW_URL"] = f"http://127.0.0.1:{int(port)}"
    # new-article and new-chart print the preview's address: they read its port here.
    port_file = content_dir.parent / ".cache" / PREVIEW_PORT_FILE

    def ready(url: str) -> None:
        import threading

        port_file.parent.mkdir(parents=True, exist_ok=True)
        port_file.write_text(url.rstrip("/").rsplit(":", 1)[1], encoding="utf-8")
        # A saved CSV's fast path validates it and computes its values: the libraries that
        # takes (a warm build imports neither) are imported now, while the editor reads.
        threading.Thread(target=_warm_up_data, daemon=True).start()

    from tools import fastpath

    settings_file = str(Path(settings).resolve()) if settings else "pelicanconf.py"
    last = fastpath.LastBuild()  # the last build's articles, for the fast path of a body or CSV edit
    build = preview_builder(settings_file, output, content=content_dir, debug=debug, data=data_dir, last=last)
    try:
        preview.run(build, output, watched, port=int(port), restart_on=changed_code, ready=ready,
                 quick=lambda paths, viewed: fastpath.update(last, paths, output, viewed))
    except KeyboardInterrupt:
        port_file.unlink(missing_ok=True)
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
    """Turn data/raw/ into the curated CSVs and their descriptions (run after changing raw data)."""
    sys.path.insert(0, str(ROOT / "data"))
    from curate import run  # data/curate/: curation lives with the data, not in the build

    try:
        run(out_dir=Path(out) if out else None)
    except ValueError as exc:  # curation refuses surprising raw data with a message naming the file
        _fail(exc)


@task(help={"k": "Only tests matching this expression.", "x": "Stop at the first failure.",
            "fast": "Only the fast part: leave out the tests marked slow (site builds, servers, "
                    "the browser, external tools).",
            "processes": "Test processes (default: one per processor core, at most 4; "
                         "1 runs everything in this process)."})
def test(c, k="", x=False, fast=False, processes=0):
    """Run the whole test suite (pytest), or with --fast the part that needs no build."""
    args = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    processes = processes or min(os.cpu_count() or 1, 4)
    if processes > 1:  # pytest-xdist: each test file runs whole in one process (its fixtures once)
        args += ["-n", str(processes), "--dist", "loadfile"]
    if fast:
        args += ["-m", "not slow"]
    if k:
        args += ["-k", k]
    if x:
        args.append("-x")
    status = subprocess.call(args, cwd=ROOT)
    if status == 5:  # pytest collected nothing: a test run that tested nothing is a failure
        print("no test was collected", file=sys.stderr)
        status = 1
    raise SystemExit(status)


@task(help={"only": "Comma-separated gates to run (html, links, sitemap, feeds, structured-data, a11y, "
                   "self-contained, reproducible, weight, lighthouse, actionlint, supply-chain).",
            "skip": "Comma-separated gates to leave out.",
            "site": "Check this existing build instead of building the published site fresh.",
            "commit": "Build this commit (e.g. HEAD) instead of the working tree.",
            "strict": "Fail when a vulnerability database cannot be reached (CI decides)."})
def check(c, only="", skip="", site="", commit="", strict=False):
    """Run the quality gates on a fresh build (HTML, links, accessibility, self-containment, ...)."""
    from tools.check.runner import UsageError, run_check

    try:
        status = run_check(only, skip, Path(site) if site else None, commit=commit, strict=strict)
    except UsageError as exc:
        _fail(exc)
    raise SystemExit(status)


@task
def update_golden(c):
    """Rebuild the published site and rewrite tests/golden/published.sha256 from it."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        try:
            site = build_site(settings="publishconf.py", output=Path(tmp) / "output", quiet=True,
                              env=GOLDEN_ENV)
        except BuildFailed as exc:
            _fail(exc)
        new = site_manifest(site)
    old = read_manifest() if GOLDEN.exists() else {}
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text("".join(f"{digest}  {name}\n" for name, digest in new.items()), encoding="utf-8")
    changes = manifest_changes(old, new)
    for line in changes:
        print(line)
    print(f"{GOLDEN.relative_to(ROOT)}: {len(new)} files, {len(changes)} changed "
          "(review them, then commit the manifest with the change that caused them)")


@task
def settings_doc(c):
    """Rewrite the settings tables of the plugins' READMEs from their Setting tables."""
    from tools import settings_doc as doc

    changed = doc.write()
    for readme in changed:
        print(f"{readme}: settings table rewritten")
    if not changed:
        print("every README's settings table is up to date")


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

def _site_settings() -> dict:
    from pelican.settings import read_settings

    return read_settings(str(ROOT / "pelicanconf.py"))


@task(positional=[], help={"title": "The headline, in quotes.", "lang": "fr or en (default fr).",
            "translation_of": "Slug of the article this one translates.",
            "section": "Section (Category) of the article; default: the translation's or the "
                       "most used one.",
            "slug": "The address, if not derived from the title.",
            "author": "Byline (default: the newsroom).",
            "content": "Content folder (default content/).",
            "port": "Port of the preview, for the address printed (default: the running "
                    "preview's, else 8000)."})
def new_article(c, title="", lang="fr", translation_of="", section="", slug="", author="",
                content="", port=0):
    """Create a draft article with its complete front matter, and say how to preview it."""
    if not title:
        _fail('new-article: --title is missing; e.g. invoke new-article --title "Les nuits sans '
              'courant" (invoke new-article --help lists the options).')
    from tools import scaffold

    folder = Path(content).resolve() if content else ROOT / "content"
    try:
        created = scaffold.new_article(folder, _site_settings(), title, lang, translation_of,
                                       section, slug, author)
    except scaffold.ScaffoldError as exc:
        _fail(f"new-article: {exc}")
    print(scaffold.describe(created, folder.parent, _preview_port(folder.parent, port)))


@task(positional=[], help={"dataset": "Name of the dataset to chart (see the data/*.resource.json files).",
            "id": "Chart id (file name), default: <dataset>_chart.",
            "content": "Content folder (default content/; its data/ beside it)."})
def new_chart(c, dataset="", id="", content=""):  # noqa: A002 (the option is --id)
    """Create a YAML chart from a dataset's real columns, and print the line to paste."""
    if not dataset:
        _fail("new-chart: --dataset is missing; e.g. invoke new-chart --dataset strikes_waves "
              "(the datasets are listed at /data/ in the preview).")
    from tools import scaffold

    folder = Path(content).resolve() if content else ROOT / "content"
    settings = _site_settings()
    if content:  # a copy of the project: its data/ sits beside its content/
        settings["DATADESK_DATA_DIR"] = str(folder.parent / "data")
    try:
        created = scaffold.new_chart(folder, settings, dataset, id)
    except scaffold.ScaffoldError as exc:
        _fail(f"new-chart: {exc}")
    print(scaffold.describe_chart(created, folder.parent))


@task(positional=["csv"], help={"csv": "The CSV, already in data/, e.g. data/points_chaleur.csv.",
            "content": "Content folder (default content/; its data/ beside it)."})
def new_dataset(c, csv=None, content=""):
    """Describe a CSV of data/: infer its schema and write data/<name>.resource.json to fill in."""
    if csv in ("--help", "-h"):  # read as the file name: show the task's help instead
        raise SystemExit(subprocess.call([PYTHON, "-m", "invoke", "-r", str(ROOT), "--help",
                                          "new-dataset"]))
    if not csv or csv.startswith("-"):
        _fail("new-dataset: which CSV? e.g. invoke new-dataset data/points_chaleur.csv (the file "
              "must already be in data/).")
    from tools import newdataset

    project = Path(content).resolve().parent if content else ROOT
    path = Path(csv) if Path(csv).is_absolute() else project / csv
    try:
        made = newdataset.new_dataset(path, project / "data")
    except newdataset.DatasetError as exc:
        _fail(f"new-dataset: {exc}")
    print(newdataset.describe_result(made))


@task(help={"port": "Port for the preview (default 8799).", "repeats": "Edits per kind (3)."})
def bench_livereload(c, port=8799, repeats=3):
    """Measure save-to-browser time of `invoke livereload` (article, CSV, YAML chart)."""
    from tools.bench import livereload

    print(livereload.run(ROOT, int(port), int(repeats)))


@task(help={"charts": "Draw this many new synthetic charts instead (serial vs parallel; default: the "
                      "real site, cold and warm).",
            "workers": "With --charts: the DATADESK_CHARTS_WORKERS values to compare (default 1,2)."})
def bench_charts(c, charts=0, workers="1,2"):
    """Time the chart renders: a cold build (empty chart cache) and a warm one (0 renders);
    with --charts N, N new charts drawn by 1 worker vs 2 (render time, speed-up, peak memory)."""
    from tools.bench import charts as bench

    if int(charts):
        counts = [int(w) for w in str(workers).split(",") if w.strip()]
        print(bench.run_parallel(ROOT, int(charts), counts))
    else:
        print(bench.run(ROOT))


@task
def bench_weights(c):
    """Print the page weights of output/ (gzipped; builds the site first if there is none)."""
    if not (OUTPUT / "index.html").exists():
        try:
            build_site()
        except BuildFailed as exc:
            _fail(exc)
    raise SystemExit(subprocess.call([PYTHON, "-m", "tools.check", "--only", "weight", "--site",
                                      str(OUTPUT)], cwd=ROOT))


@task(help={"articles": "Articles in the synthetic corpus, French + English (default 1000).",
            "charts": "More YAML charts in it (default 200).",
            "sizes": "Article counts of the scaling rows, e.g. 250,500,1000 (default: 1/4, 1/2 and all).",
            "repeats": "Runs of each measure (default 3).",
            "cold_repeats": "Cold builds of each side, each rendering every chart (default 1).",
            "json": "Also write every figure to this JSON file (to compare commits).",
            "keep": "Keep the corpus and the build logs (the folder is printed)."})
def bench(c, articles=1000, charts=200, sizes="", repeats=3, cold_repeats=1, json="", keep=False, from_json=""):
    """Time the build at scale against plain Pelican, side by side (tools/bench/scale.py);
    `--from-json FILE` prints an earlier run's table again."""
    if from_json:
        raise SystemExit(subprocess.call([PYTHON, "-m", "tools.bench.scale", "--from-json",
                                          str(Path(from_json).resolve())], cwd=ROOT))
    argv = ["--articles", str(articles), "--charts", str(charts), "--repeats", str(repeats),
            "--cold-repeats", str(cold_repeats)]
    if sizes:
        argv += ["--sizes", str(sizes)]
    if json:
        argv += ["--json", str(Path(json).resolve())]
    if keep:
        argv.append("--keep")
    # A process of its own, as each build it times: nothing of this one is loaded in it.
    raise SystemExit(subprocess.call([PYTHON, "-m", "tools.bench.scale", *argv], cwd=ROOT))
