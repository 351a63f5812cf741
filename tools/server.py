"""The project's one static server: the built site under a sub-path, as GitHub project
pages serve it. `invoke serve`, the live preview (tools/preview.py extends it), the quality
gates (tools/check) and the tests all use it.

- Everything outside the prefix is a plain 404, so a link written root-absolute
  (``/foo/``, which breaks on project pages) breaks here too; a missing file under the
  prefix gets the site's own ``404.html`` with status 404, as on Pages.
- A folder is its ``index.html``; a folder without its final ``/`` is redirected (301).
- Text is gzipped when the client accepts it, and ``Cache-Control: max-age=600`` is sent,
  as Pages does, so the browser and Lighthouse see realistic transfers.

Run as a script it imports nothing from the project, so it starts fast in a child process:

    python tools/server.py --root output --prefix /energy-front/ --port 0 [--quiet]

and prints ``PORT <n>`` on its first line once it is listening. :class:`ServerProcess`
starts it that way and stops it by its PID; :func:`make_server` runs it in this process.
"""

from __future__ import annotations

import argparse
import gzip
import mimetypes
import posixpath
import socket
import subprocess
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
}
COMPRESSIBLE = ("text/", "application/json", "application/xml", "image/svg+xml",
                "application/manifest+json", "application/wasm")


def normal_prefix(prefix: str) -> str:
    """``energy-front`` or ``/energy-front`` -> ``/energy-front/``; empty -> ``/``."""
    return "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"


class SiteHandler(BaseHTTPRequestHandler):
    """Serves ``root`` under ``prefix``. Subclasses (the live preview) add endpoints in
    ``do_GET`` and change a page's bytes in :meth:`body_of`."""

    root: Path = Path(".")
    prefix = "/"
    quiet = False
    cache_control = "max-age=600"  # what Pages sends

    protocol_version = "HTTP/1.1"
    server_version = "site-static"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
        if not self.quiet:
            super().log_message(format, *args)

    def do_HEAD(self):  # noqa: N802 (http.server's API)
        self.serve(head=True)

    def do_GET(self):  # noqa: N802 (http.server's API)
        self.serve(head=False)

    def serve(self, head: bool) -> None:
        root, prefix = self.root, self.prefix
        path = unquote(urlsplit(self.path).path)
        if path + "/" == prefix:
            return self.redirect(prefix)
        if not path.startswith(prefix):
            return self.not_found(head, use_site_page=False)
        rel = posixpath.normpath(path[len(prefix):]).lstrip("/")
        if rel in (".", ""):
            rel = ""
        target = (root / rel).resolve()
        if root not in target.parents and target != root:
            return self.not_found(head, use_site_page=False)
        if target.is_dir():
            if not path.endswith("/"):
                return self.redirect(path + "/")
            target = target / "index.html"
        if not target.is_file():
            return self.not_found(head, use_site_page=True)
        self.send_file(target, HTTPStatus.OK, head)

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def not_found(self, head: bool, use_site_page: bool) -> None:
        page = self.root / "404.html"
        if use_site_page and page.is_file():
            return self.send_file(page, HTTPStatus.NOT_FOUND, head)
        self.send_body(b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND, head)

    def body_of(self, target: Path, ctype: str) -> bytes:
        """The bytes sent for a file (the preview adds its script to pages here)."""
        return target.read_bytes()

    def send_file(self, target: Path, status: HTTPStatus, head: bool) -> None:
        ctype = TYPES.get(target.suffix.lower()) or (
            mimetypes.guess_type(target.name)[0] or "application/octet-stream")
        self.send_body(self.body_of(target, ctype), ctype, status, head)

    def send_body(self, body: bytes, ctype: str, status: HTTPStatus = HTTPStatus.OK,
                  head: bool = False) -> None:
        gzipped = (ctype.startswith(COMPRESSIBLE)
                   and "gzip" in self.headers.get("Accept-Encoding", ""))
        if gzipped:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", self.cache_control)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


class Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True  # open connections (the preview's event streams) do not hold exit


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000, prefix: str = "/",
                quiet: bool = False, handler: type[SiteHandler] = SiteHandler, **attributes) -> Server:
    """A server for ``directory`` under ``prefix`` (port 0: any free port; read it from
    ``server.server_address``). ``attributes`` are set on a subclass of ``handler``."""
    handler = type("Handler", (handler,), {"root": Path(directory).resolve(),
                                           "prefix": normal_prefix(prefix), "quiet": quiet,
                                           **attributes})
    return Server((host, port), handler)


def free_port(host: str = "127.0.0.1") -> int:
    """A port free now (for a server whose address must be known before it starts)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a child process by its PID: ask (SIGTERM), then, after ``timeout`` s, kill it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ServerProcess:
    """The server in a child process (``python tools/server.py``), stopped by its PID:
    ``with ServerProcess(root, "/energy-front/") as server: server.url``."""

    def __init__(self, root: Path, prefix: str = "/", port: int = 0, host: str = "127.0.0.1"):
        self.root, self.prefix, self.port, self.host = Path(root), normal_prefix(prefix), port, host
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--root", str(self.root),
             "--prefix", self.prefix, "--host", self.host, "--port", str(self.port), "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            err = self.proc.stderr.read()
            self.proc.wait()
            raise RuntimeError(f"the static server for {self.root} did not start: {line}{err}")
        self.port = int(line.split()[1])
        return self

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + self.prefix

    def stop(self) -> None:
        if self.proc:
            stop_process(self.proc, timeout=5)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--prefix", default="/")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    server = make_server(args.root, args.host, args.port, args.prefix, quiet=args.quiet)
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
