"""An embeddable, threaded HTTP/1.1 (keep-alive) server for the sandbox WSGI app."""

from __future__ import annotations

import contextlib
import io
import socket
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Unpack
from urllib.parse import unquote

from playtomic.sandbox.app import DROP_CONNECTION, SandboxApp, apply_clock_settings
from playtomic.sandbox.clock import SandboxClock
from playtomic.sandbox.faults import FaultRule
from playtomic.sandbox.network import NetworkModel
from playtomic.sandbox.world import (
    RIVAL_LAG_SECONDS,
    Account,
    AccountOptions,
    BookingLimits,
    RivalAttempt,
    RivalDelays,
    World,
)

# Idle keep-alive connections are closed after this many seconds.
IDLE_TIMEOUT = 30.0
RIVAL_POLL_SECONDS = 0.25


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-request is normal (timeouts, dropped-connection faults).
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log; the app keeps its own request log."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "PATH_INFO": unquote(path),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": self.server.server_address[0],
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for key, value in self.headers.items():
            name = "HTTP_" + key.upper().replace("-", "_")
            if name not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[name] = value
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> None:
            started[:] = [status, headers]

        chunks = self.server.app(environ, start_response)
        payload = b"".join(chunks)
        if environ.get(DROP_CONNECTION):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers = started
        code, _, reason = status.partition(" ")
        self.send_response_only(int(code), reason)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name.lower() == "server" for name, _ in headers):
            self.send_header("Server", "playtomic-sandbox")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class SandboxServer:
    """The sandbox on a loopback port, in background threads.

    with SandboxServer(seed=1, accounts=[("a@x.test", "pw")]) as sb:
        requests.get(sb.url + "/v1/tenants", ...)
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        accounts: Iterable[tuple[str, str]] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        clock: SandboxClock | None = None,
        now: datetime | None = None,
        frozen: bool = False,
        speed: float | None = None,
        demand: bool = True,
        offset_seconds: float | None = None,
        drift_ppm: float = 0.0,
        network: NetworkModel | None = None,
    ) -> None:
        """`offset_seconds`: the sandbox clock is the host's plus this (not with `now`);
        `drift_ppm`: it gains this many microseconds per second; `network`: the delays of
        every API request (see docs/sandbox.md, "Network and clock model")."""
        if now is not None and offset_seconds is not None:
            raise ValueError("give the sandbox clock either `now` or `offset_seconds`, not both")
        self.clock = clock or SandboxClock()
        if drift_ppm:
            self.clock.set_drift(drift_ppm)
        if offset_seconds is not None:
            self.clock.set_offset(timedelta(seconds=offset_seconds))
        if now is not None:
            self.clock.set(now, frozen=frozen, speed=speed)
        elif speed is not None:
            self.clock.set_speed(speed)
        self.world = World(seed=seed, clock=self.clock, accounts=accounts, demand=demand)
        self.app = SandboxApp(self.world, network)
        self._host = host
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SandboxServer:
        self._stopping.clear()
        self._httpd = _HTTPServer((self._host, self._port), self.app)
        serve = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        rivals = threading.Thread(target=self._run_rivals, daemon=True)
        self._threads = [serve, rivals]
        for thread in self._threads:
            thread.start()
        return self

    def _run_rivals(self) -> None:
        """Let rivals book at their instant in real time; requests also catch up lazily."""
        while not self._stopping.is_set():
            due = self.world.next_rival_due()
            wait = RIVAL_POLL_SECONDS
            if due is not None:
                real = self.clock.real_time_at(due)
                if real is not None:
                    wait = min(wait, max(0.0, real + RIVAL_LAG_SECONDS - time.time()))
            if self._stopping.wait(wait):
                return
            self.world.tick()

    def stop(self) -> None:
        self._stopping.set()
        httpd = self._httpd
        if httpd is None:
            return
        httpd.shutdown()
        with httpd.connections_lock:
            connections = list(httpd.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._httpd = None

    def wait(self) -> None:
        """Block until `stop()` is called (from another thread or a signal handler)."""
        self._stopping.wait()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ----- the control API as Python methods -----

    def set_clock(self, **settings: Any) -> dict[str, Any]:
        """Same keys as POST /_sandbox/clock."""
        apply_clock_settings(self.clock, settings)
        return self.clock.describe()

    @property
    def network(self) -> NetworkModel:
        return self.app.network.model

    def set_network(self, model: NetworkModel | None = None) -> dict[str, Any]:
        """As PUT /_sandbox/network (None: no delays, as DELETE)."""
        self.app.network.set(model or NetworkModel())
        return self.app.network.describe()

    def add_fault(self, **spec: Any) -> FaultRule:
        """Same keys as POST /_sandbox/faults (one rule)."""
        return self.app.faults.add(FaultRule.from_json(spec))

    def clear_faults(self) -> None:
        self.app.faults.clear()

    def expire_tokens(self, *, refresh_tokens: bool = False) -> None:
        self.world.expire_tokens(refresh_tokens=refresh_tokens)

    def requests(
        self, *, since: str | float | None = None, path: str | None = None
    ) -> list[dict[str, Any]]:
        return self.app.log.entries(since=since, path=path)

    def clear_requests(self) -> None:
        self.app.log.clear()

    def add_account(self, email: str, password: str, **options: Unpack[AccountOptions]) -> Account:
        return self.world.add_account(email, password, **options)

    def set_release(self, tenant_id: str, local_date: date, release_at: datetime) -> None:
        self.world.set_release(tenant_id, local_date, release_at)

    def set_limits(self, tenant_id: str, **limits: Unpack[BookingLimits]) -> None:
        """As POST /_sandbox/limits: the club's per-account booking limits."""
        self.world.set_limits(tenant_id, **limits)

    def add_rivals(
        self, slots: Sequence[dict[str, Any]], **delays: Unpack[RivalDelays]
    ) -> list[RivalAttempt]:
        return self.world.add_rivals(slots, **delays)

    def state(self) -> dict[str, Any]:
        return self.world.state()

    def reset(self) -> None:
        self.app.reset()

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)
