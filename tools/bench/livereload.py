"""How long an editor waits, from saving a file to seeing the change in the browser, with
`invoke livereload` (run by `invoke bench-livereload`).

It works on a copy of content/ and data/ in a temporary folder, starts the preview as an
editor would, opens an article in Chromium, then edits the article, a CSV cell that an
inline value shows, and a YAML chart's title (when there is one), timing each edit until
the page shows it.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.server import stop_process

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _copy_project(root: Path, into: Path) -> Path:
    shutil.copytree(root / "content", into / "content")
    shutil.copytree(root / "data", into / "data", ignore=shutil.ignore_patterns("raw", "curate"))
    return into / "content"


def _wait_for(page, needle: str, timeout: float = 30.0) -> float:
    """Seconds until the page (reloading by itself) contains ``needle``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if needle in page.inner_text("body", timeout=1000):
                return time.monotonic()
        except Exception:  # noqa: BLE001 (the page is reloading)
            pass
        time.sleep(0.02)
    raise TimeoutError(f"the page never showed {needle!r}")


def _start(root: Path, content: Path, port: int, log: Path) -> subprocess.Popen:
    invoke = Path(sys.executable).parent / "invoke"
    proc = subprocess.Popen([str(invoke), "livereload", "--port", str(port), "--content",
                             str(content)], cwd=root, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while "Preview at" not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"livereload did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return proc


def _scenarios(content: Path, data: Path):
    """(name, edit(n) -> text the page will show, page path)."""
    article = content / "articles" / "front-energetique.fr.md"

    def edit_article(n: int) -> str:
        with article.open("a", encoding="utf-8") as handle:
            handle.write(f"\nParagraphe témoin numéro {n}.\n")
        return f"Paragraphe témoin numéro {n}."

    waves = data / "strikes_waves.csv"

    def edit_csv(n: int) -> str:
        # drones_launched of the 10 October wave: the article shows it with {{ value }}
        lines = waves.read_text(encoding="utf-8").splitlines(keepends=True)
        header = lines[0].rstrip("\r\n").split(",")
        col, date = header.index("drones_launched"), header.index("wave_start")
        for i, line in enumerate(lines[1:], start=1):
            cells = line.rstrip("\r\n").split(",")
            if cells[date] == "2022-10-10":
                cells[col] = str(900 + n)
                lines[i] = ",".join(cells) + "\n"
                break
        waves.write_text("".join(lines), encoding="utf-8")
        return str(900 + n)

    found = [("article", edit_article, "front-energetique/"), ("csv", edit_csv, "front-energetique/")]
    for chart in sorted((content / "charts").glob("*.yaml")):
        users = [a for a in sorted((content / "articles").glob("*.fr.md"))
                 if f"{{{{ chart {chart.stem} }}}}" in a.read_text(encoding="utf-8")]
        if not users:
            continue
        slug = re.search(r"^Slug:\s*(\S+)", users[0].read_text(encoding="utf-8"), re.M).group(1)

        def edit_chart(n: int, chart=chart) -> str:
            marker = f"Titre témoin {n}"
            text, count = re.subn(r"(title:\s*\n\s+fr:\s*)[^\n]*", rf"\g<1>{marker}",
                                  chart.read_text(encoding="utf-8"), 1)
            chart.write_text(text, encoding="utf-8")
            return marker if count else ""

        found.append((f"yaml chart ({chart.name})", edit_chart, f"{slug}/"))
        break
    return found


def run(root: Path, port: int, repeats: int = 3, chromium: str = "/usr/bin/chromium") -> str:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-livereload-"))
    content = _copy_project(root, work)
    log = work / "livereload.log"
    started = time.monotonic()
    proc = _start(root, content, port, log)
    lines = [f"first build and server start: {time.monotonic() - started:.1f} s"]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                         args=CHROMIUM_ARGS)
            page = browser.new_page()
            for name, edit, url in _scenarios(content, content.parent / "data"):
                page.goto(f"http://127.0.0.1:{port}/{url}")
                times = []
                for n in range(1, repeats + 1):
                    time.sleep(0.5)  # let the page settle and the watcher go quiet
                    saved = time.monotonic()
                    needle = edit(n)
                    if not needle:
                        break
                    times.append(_wait_for(page, needle) - saved)
                if times:
                    lines.append(f"{name}: save -> visible in the browser: median "
                                 f"{statistics.median(times):.2f} s, max {max(times):.2f} s "
                                 f"({len(times)} edits)")
            browser.close()
    finally:
        stop_process(proc)
        shutil.rmtree(work, ignore_errors=True)
    return "\n".join(lines)
