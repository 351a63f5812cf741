"""Shared fixtures: one real build of the site per test session, a local server for it,
and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins"))

import tasks  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
SUBPATH = "/energy-front/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once with the development settings (relative URLs)."""
    out = tmp_path_factory.mktemp("site") / "output"
    tasks.build_site(output=out, quiet=True)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SiteServer:
    """A static server for a built site in its own process (held by PID, stopped by PID)."""

    def __init__(self, directory: Path, prefix: str = "/"):
        self.port = free_port()
        self.prefix = prefix
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "serve_site.py"), str(directory),
             str(self.port), prefix],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}{prefix}"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the test server for {directory} did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


PUBLISHED_URL = tasks.GOLDEN_ENV["SITEURL"]


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Path:
    """The real site built once with publishconf.py, SITEURL=https://example.org/energy-front
    and no repository address: the settings of the golden output (tasks.GOLDEN_ENV)."""
    out = tmp_path_factory.mktemp("published") / "output"
    tasks.build_site(settings="publishconf.py", output=out, quiet=True, env=tasks.GOLDEN_ENV)
    return out


@pytest.fixture(scope="session")
def site_server(built_site):
    """The built site served under a sub-path, as GitHub project pages serve it."""
    server = SiteServer(built_site, SUBPATH)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `python3 bootstrap.py test`, which installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    yield page
    context.close()


def pytest_configure(config):
    os.environ.setdefault("SERVE_QUIET", "1")
