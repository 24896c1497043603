"""A threaded HTTP server on a free 127.0.0.1 port for as long as a `with` block lasts: the
base of the local receivers and stand-ins that tests, benchmarks and demos talk to."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the request log off the console."""

    def log_message(self, format: str, *args: Any) -> None:
        return


class LoopbackServer:
    """Subclasses say how to answer (`handler_class`) and where on the server they live
    (`url_path`); `url` is valid inside the `with` block."""

    url_path = ""

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{self.url_path}"
