"""Debian Chromium through Playwright (async), shared by the axe and self-contained gates.

Async because most of a page visit is waiting (scrolling, lazy chart loads):
a few tabs at once keep the browser gates inside the time budget on 2 cores.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from playwright.async_api import async_playwright

from .site import CHROMIUM_ARGS, chromium_path

# Scroll by most of a viewport at a time, pausing so IntersectionObserver
# callbacks fire and charts start loading their runtime, like a reader would.
SCROLL_JS = """async (pause) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 400; i++) {
    const bottom = document.documentElement.scrollHeight - innerHeight;
    if (scrollY >= bottom - 1) break;
    scrollTo(0, Math.min(scrollY + innerHeight * 0.75, bottom));
    await sleep(pause);
  }
  await sleep(pause);
}"""


def run(coroutine):
    """``asyncio.run``, also from a thread that already runs an event loop (a test session
    that holds Playwright's sync API has one): then the gate runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@asynccontextmanager
async def chromium():
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class Traffic:
    """Counts a page's requests in flight so we can wait until the network is quiet."""

    def __init__(self, page):
        self.inflight = 0
        self.last_change = time.monotonic()
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfailed", self._end)

    def _start(self, _request):
        self.inflight += 1
        self.last_change = time.monotonic()

    def _end(self, _request):
        self.inflight = max(0, self.inflight - 1)
        self.last_change = time.monotonic()

    async def quiet(self, idle: float = 0.3, timeout: float = 8.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.inflight == 0 and time.monotonic() - self.last_change >= idle:
                return True
            await asyncio.sleep(0.05)
        return False


async def visit(page, url: str, scroll_pause_ms: int = 80) -> Traffic:
    """Load a page, scroll it to the bottom slowly, wait for the network to settle."""
    traffic = Traffic(page)
    await page.goto(url, wait_until="load", timeout=30_000)
    await page.evaluate(SCROLL_JS, scroll_pause_ms)
    await traffic.quiet()
    return traffic


def is_local(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return f"{parts.scheme}://{parts.netloc}" == origin


async def gather_limited(limit: int, coros):
    sem = asyncio.Semaphore(limit)

    async def run(coro):
        async with sem:
            return await coro

    return await asyncio.gather(*(run(c) for c in coros))
