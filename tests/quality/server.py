"""Serve a built site under a sub-path, the way GitHub project pages do.

Run as a script (no imports from the project, so it starts fast and can be
launched with the venv's python via subprocess.Popen):

    python tests/quality/server.py --root output --prefix /energy-front/ --port 0

It prints ``PORT <n>`` on its first stdout line once it is listening.
Everything outside the prefix is a 404, so a link written as ``/foo/`` (root
absolute, which breaks on project pages) breaks here too.  Missing files under
the prefix get the site's own ``404.html`` with status 404, as on Pages.
Text responses are gzipped when the client accepts it, as Pages does, so
Lighthouse and the browser see realistic transfer sizes.
"""

from __future__ import annotations

import argparse
import gzip
import mimetypes
import posixpath
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


def make_handler(root: Path, prefix: str):
    root = root.resolve()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "quality-static"
        sys_version = ""

        def log_message(self, format, *args):  # noqa: A002 - stdlib signature
            pass  # the gates record requests themselves; keep stderr clean

        def do_HEAD(self):
            self._serve(head=True)

        def do_GET(self):
            self._serve(head=False)

        def _serve(self, head: bool):
            path = unquote(urlsplit(self.path).path)
            if path + "/" == prefix:
                return self._redirect(prefix)
            if not path.startswith(prefix):
                return self._not_found(head, use_site_page=False)
            rel = posixpath.normpath(path[len(prefix):]).lstrip("/")
            if rel in (".", ""):
                rel = ""
            target = (root / rel).resolve()
            if root not in target.parents and target != root:
                return self._not_found(head, use_site_page=False)
            if target.is_dir():
                if not path.endswith("/"):
                    return self._redirect(path + "/")
                target = target / "index.html"
            if not target.is_file():
                return self._not_found(head, use_site_page=True)
            self._send_file(target, HTTPStatus.OK, head)

        def _redirect(self, location: str):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _not_found(self, head: bool, use_site_page: bool):
            page = root / "404.html"
            if use_site_page and page.is_file():
                return self._send_file(page, HTTPStatus.NOT_FOUND, head)
            body = b"not found\n"
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _send_file(self, target: Path, status: HTTPStatus, head: bool):
            ctype = TYPES.get(target.suffix.lower()) or (
                mimetypes.guess_type(target.name)[0] or "application/octet-stream")
            body = target.read_bytes()
            gzipped = (ctype.startswith(COMPRESSIBLE)
                       and "gzip" in self.headers.get("Accept-Encoding", ""))
            if gzipped:
                body = gzip.compress(body, compresslevel=6, mtime=0)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if gzipped:
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
            # Pages sends max-age=600; the same here keeps Lighthouse honest.
            self.send_header("Cache-Control", "max-age=600")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--prefix", default="/energy-front/")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    prefix = "/" + args.prefix.strip("/") + "/" if args.prefix.strip("/") else "/"
    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.root, prefix))
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
