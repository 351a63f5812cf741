"""The editor's preview: serve the built site, rebuild when a file changes, reload the
browser, and show a failed build's messages on the page itself.

Why not the `livereload` package: it injects an inline script (our Content-Security-
Policy blocks it), polls every 0.8 s, and ignores a second save within 3 s. Here the
page loads a same-origin script that listens to a server-sent event stream; the watcher
(watchfiles, inotify) reacts within ~50 ms; the build runs in this warm process.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from functools import partial
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from tools import server
from tools.fastpath import Failed
from tools.server import SiteHandler

SCRIPT_URL = "/__live/reload.js"
EVENTS_URL = "/__live/events"
SCRIPT_TAG = f'<script src="{SCRIPT_URL}" defer></script>'.encode()
SCRIPT = (Path(__file__).parent / "preview.js").read_bytes()


class Broadcast:
    """The browsers listening for "building", "reload" and "failed" events."""

    def __init__(self):
        self.clients: set[queue.Queue] = set()
        self.pages: dict[queue.Queue, str] = {}  # the address each open page reported
        self.lock = threading.Lock()
        self.last: dict | None = None  # a page opened after a failure shows it too

    def send(self, event: dict) -> None:
        if event["type"] != "building":  # a page opened mid-build simply waits for the result
            self.last = event if event["type"] == "failed" else None
        with self.lock:
            for client in self.clients:
                client.put(event)

    def listen(self, page: str | None = None) -> queue.Queue:
        client: queue.Queue = queue.Queue()
        if self.last:
            client.put(self.last)
        with self.lock:
            self.clients.add(client)
            if page:
                self.pages[client] = page
        return client

    def leave(self, client: queue.Queue) -> None:
        with self.lock:
            self.clients.discard(client)
            self.pages.pop(client, None)

    def viewed(self) -> frozenset:
        """The addresses of the pages open in a browser (``/en/essai-0001/``), as they said."""
        with self.lock:
            return frozenset(self.pages.values())


class LiveHandler(SiteHandler):
    """The static server (tools/server.py) with the preview's two endpoints, its script in
    every page, and nothing cached (a reload must fetch the new page)."""

    broadcast: Broadcast
    cache_control = "no-store"

    def do_GET(self):  # noqa: N802 (http.server's API)
        path = urlsplit(self.path).path
        if path == SCRIPT_URL:
            return self.send_body(SCRIPT, "text/javascript; charset=utf-8")
        if path == EVENTS_URL:
            return self._events()
        return super().do_GET()

    def body_of(self, target: Path, ctype: str) -> bytes:
        body = target.read_bytes()
        if not ctype.startswith("text/html"):
            return body
        end = body.rfind(b"</body>")
        return body[:end] + SCRIPT_TAG + body[end:] if end >= 0 else body + SCRIPT_TAG

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", self.cache_control)
        self.send_header("Connection", "close")  # the stream ends when either side leaves
        self.end_headers()
        page = parse_qs(urlsplit(self.path).query).get("page", [""])[0]  # the page listening
        client = self.broadcast.listen(page if page.startswith("/") else None)
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                try:
                    event = client.get(timeout=15)
                    data = f"data: {json.dumps(event)}\n\n"
                except queue.Empty:
                    data = ": keep-alive\n\n"
                self.wfile.write(data.encode())
                self.wfile.flush()
        except OSError:  # the browser went away
            pass
        finally:
            self.broadcast.leave(client)


def make_server(root: Path, host: str, port: int, broadcast: Broadcast):
    return server.make_server(root, host, port, quiet=True, handler=LiveHandler,
                              broadcast=broadcast)


# After a fast-path update, the whole site is built again once the editor has paused this
# long (a save in the meantime is updated first): feeds, search and the checks catch up.
SETTLE_SECONDS = 1.5


def run(build: Callable[[], None], root: Path, watched: list[Path], port: int = 8000,
        host: str = "127.0.0.1", restart_on: Callable[[set], bool] = lambda changes: False,
        say: Callable[[str], None] = partial(print, flush=True), ready: Callable[[str], None] | None = None,
        quick: Callable[[set], str | None] | None = None) -> None:
    """Build, serve ``root``, and rebuild on every change under ``watched``. ``build``
    raises on failure with the editor-facing report as its message. Returns when
    ``restart_on(changed paths)`` is true (the caller restarts with fresh code).

    ``quick(changed paths, viewed)`` is the fast path (tools/fastpath.py): it updates the
    pages an edit changes (for a saved CSV or chart, those of ``viewed``, the addresses of the
    pages open in a browser) and returns the first one's path, or None when a full build is
    needed. After it, the browser reloads at once and the full build follows when the editor
    pauses. When it raises ``Failed`` (a saved chart that no longer builds), its message is
    shown on the pages at once, and the full build that follows reports every problem."""
    import watchfiles

    broadcast = Broadcast()
    behind = False  # a fast-path update is waiting for its full build

    def rebuild(reason: str, quiet: bool = False) -> None:
        nonlocal behind
        started = time.monotonic()
        behind = False
        if not quiet:
            broadcast.send({"type": "building"})  # the page shows a small "rebuilding…" sign
        try:
            build()
        except Exception as exc:  # noqa: BLE001 (the message is the report)
            say(f"{exc}\n")
            report = str(exc)
            if report.startswith("The build failed") and "\n" in report:
                report = report.split("\n", 1)[1]  # the page says it in its own words
            broadcast.send({"type": "failed", "message": report})
            return
        if quiet:  # the page already shows the edit; the rest of the site has caught up
            say(f"Rebuilt the whole site in {time.monotonic() - started:.1f} s ({reason}).")
            if broadcast.last is None:
                return
        say(f"Rebuilt in {time.monotonic() - started:.1f} s ({reason}); the browser reloads.")
        broadcast.send({"type": "reload"})

    def update(paths: set, names: str) -> bool:
        nonlocal behind
        if quick is None or broadcast.last is not None:  # after a failure, the full build says what is fixed
            return False
        started = time.monotonic()
        try:
            page = quick(paths, broadcast.viewed())
        except Exception as exc:  # noqa: BLE001 (the full build is the reference: it will report)
            if isinstance(exc, Failed) and str(exc):  # the build's own words for what was saved
                behind = True  # the whole site is built when the editor pauses, and lists every problem
                say(f"{exc}\n(found in {time.monotonic() - started:.2f} s ({names}); the whole site follows.)")
                broadcast.send({"type": "failed", "message": str(exc)})
                return True
            say(f"(fast path skipped: {type(exc).__name__}: {exc})")
            page = None
        if page is None:
            return False
        behind = True
        say(f"Updated {page} in {time.monotonic() - started:.2f} s ({names}); the browser reloads, "
            f"the whole site follows.")
        broadcast.send({"type": "reload"})
        return True

    rebuild("start")
    httpd = make_server(root, host, port, broadcast)
    url = f"http://{host}:{httpd.server_address[1]}/"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    say(f"Preview at {url} (drafts under {url}drafts/). Edit and save: the page reloads. "
        f"Ctrl+C stops.")
    if ready:
        ready(url)
    try:
        for changes in watchfiles.watch(*[str(p) for p in watched if p.exists()],
                                        debounce=400, step=30, yield_on_timeout=True,
                                        rust_timeout=int(SETTLE_SECONDS * 1000)):
            if not changes:  # the editor paused
                if behind:
                    rebuild("catching up after the fast update", quiet=True)
                continue
            paths = {Path(path) for _change, path in changes}
            if restart_on(paths):
                names = ", ".join(sorted(p.name for p in paths))[:80]
                say(f"Code or settings changed ({names}): restarting the preview.")
                return
            names = ", ".join(sorted(p.name for p in paths))[:120]
            if not update(paths, names):
                rebuild(names)
    finally:
        httpd.shutdown()
        httpd.server_close()
