"""A static server for the built site, optionally under a sub-path as GitHub project
pages serve it, with the site's own 404 page. Used by `invoke serve` and the tests."""

from __future__ import annotations

import http.server
import os
from functools import partial
from pathlib import Path


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
