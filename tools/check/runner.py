"""`invoke check`: build the published site fresh, serve it under a sub-path, run the gates.

The site is built with publishconf.py and SITEURL set to the local server's
address under /energy-front/, so absolute URLs are exercised exactly as on a
GitHub project page; the deployed build differs only in that one string.
It builds a clean copy of the sources, never the working tree itself (build.py).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import (gate_a11y, gate_actionlint, gate_feeds, gate_html, gate_lighthouse, gate_links,
               gate_reproducible, gate_selfcontained, gate_sitemap, gate_structured, gate_supply,
               gate_weight)
from .build import OTHER_MACHINE, BuildError, UsageError, publish_builder, two_sources
from .config import REPO, SERVE_PREFIX, load_budgets
from .report import CONSOLE_FINDINGS, GateRun, render, write
from ..server import free_port
from .site import Server, Site


@dataclass
class Run:
    """What a gate may use: the served site, the budgets, a way to build again."""

    site: Site
    budgets: dict
    build: Callable[[Path], None]        # builds the first copy of the sources
    build_again: Callable[[Path], None]  # builds the second, pristine copy
    fresh: bool  # site was built by this run (so the reproducible gate can reuse it)
    source: Path  # the copy of the sources that was built
    strict: bool = False  # an audit that could not run is a failure (CI decides)


GATES: dict[str, tuple[object, Callable[[Run], object]]] = {
    "html": (gate_html, lambda r: gate_html.check(r.site)),
    "links": (gate_links, lambda r: gate_links.check(r.site)),
    "sitemap": (gate_sitemap, lambda r: gate_sitemap.check(r.site)),
    "feeds": (gate_feeds, lambda r: gate_feeds.check(r.site)),
    "structured-data": (gate_structured, lambda r: gate_structured.check(r.site)),
    "a11y": (gate_a11y, lambda r: gate_a11y.check(r.site)),
    "self-contained": (gate_selfcontained, lambda r: gate_selfcontained.check(r.site)),
    "reproducible": (gate_reproducible, lambda r: gate_reproducible.check(
        r.build, first=r.site.root if r.fresh else None, build_again=r.build_again)),
    "weight": (gate_weight, lambda r: gate_weight.check(r.site, r.budgets)),
    "lighthouse": (gate_lighthouse, lambda r: gate_lighthouse.check(r.site, r.budgets)),
    "actionlint": (gate_actionlint, lambda r: gate_actionlint.check(
        r.source / ".github" / "workflows")),
    "supply-chain": (gate_supply, lambda r: gate_supply.check(r.source, strict=r.strict)),
}
NEEDS_NO_SITE = {"actionlint", "supply-chain"}


def select(only: str = "", skip: str = "") -> list[str]:
    def parse(value: str) -> list[str]:
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = [n for n in names if n not in GATES]
        if unknown:
            raise UsageError(f"unknown gate {', '.join(unknown)}; the gates are: {', '.join(GATES)}")
        return names

    chosen, skipped = parse(only), parse(skip)
    return [g for g in GATES if (not chosen or g in chosen) and g not in skipped]


def run_check(only: str = "", skip: str = "", site_dir: Path | None = None,
              report_dir: Path = REPO / "reports", echo=print, commit: str = "", strict: bool = False) -> int:
    """Run the selected gates; print the report; return 0 when every gate passed.

    By default the working tree is built; with ``commit`` the tree of that commit.
    """
    names = select(only, skip)
    started = time.monotonic()
    port = free_port()
    url = f"http://127.0.0.1:{port}{SERVE_PREFIX}"
    build_seconds = None
    runs: list[GateRun] = []
    tmp = Path(tempfile.mkdtemp(prefix="check-"))
    try:
        source, copy = two_sources(tmp, commit)
        budgets = load_budgets(source / "pelicanconf.py")
        build, build_again = publish_builder(url, source), publish_builder(url, copy, env=OTHER_MACHINE)
        what = f"commit {commit}" if commit else "the working tree"
        if site_dir is not None:
            root, fresh = Path(site_dir).resolve(), False
            context = f"Checked the existing build in {root}, served at {url}."
        elif set(names) - NEEDS_NO_SITE:
            root, fresh = tmp / "site", True
            context = f"Fresh build of {what} with publishconf.py, SITEURL={url.rstrip('/')}."
            echo(f"Building {what} for {url} ...", flush=True)
            t0 = time.monotonic()
            try:
                build(root)
            except BuildError as exc:  # the build's own report is the check report
                runs.append(GateRun("build", "Build (publishconf)", time.monotonic() - t0,
                                    error=f"{exc}\n\nThe site did not build, so no gate ran."))
                names = []
            else:
                build_seconds = time.monotonic() - t0
        else:
            root, fresh, context = tmp, False, f"No site needed; checked {what}."
        if names:
            run = Run(Site(root, url=url, site_url=url if fresh else None), budgets, build,
                      build_again, fresh, source, strict)
            with Server(root, SERVE_PREFIX, port):
                runs += [_run_gate(name, run, echo) for name in names]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = time.monotonic() - started
    echo(render(runs, build_seconds, total, CONSOLE_FINDINGS, context))
    md, js = write(runs, build_seconds, total, report_dir, context)
    echo(f"Full report: {_display(md)} and {_display(js)}")
    return 1 if any(r.result == "FAIL" for r in runs) else 0


def _run_gate(name: str, run: Run, echo) -> GateRun:
    module, call = GATES[name]
    echo(f"[{name}] {module.TITLE} ...", flush=True)
    t0 = time.monotonic()
    try:
        outcome, error = call(run), ""
    except Exception:
        outcome, error = None, traceback.format_exc(limit=6)
    result = GateRun(name, module.TITLE, time.monotonic() - t0, outcome, error=error)
    echo(f"[{name}] {result.result} in {result.seconds:.1f}s", flush=True)
    return result


def _display(path: Path) -> str:
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tools.check", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help=f"comma-separated gates: {', '.join(GATES)}")
    parser.add_argument("--skip", default="", help="comma-separated gates to leave out")
    parser.add_argument("--site", type=Path, help="check this existing build instead of building")
    parser.add_argument("--commit", default="", help="build this commit (git archive) instead of the working tree")
    parser.add_argument("--strict", action="store_true",
                        help="fail when a vulnerability database cannot be reached (supply-chain gate)")
    args = parser.parse_args(argv)
    try:
        return run_check(args.only, args.skip, args.site, commit=args.commit, strict=args.strict)
    except UsageError as exc:
        print(f"invoke check: {exc}", file=sys.stderr)
        return 2

