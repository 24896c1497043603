"""The receiving end of the webhook channel: the reference signature check (what
docs/notifications.md asks a receiver to do) and a small local HTTP receiver that checks it
and records every message, for tests, benchmarks and trying the channel out."""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from notifications.transports.webhook import (
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    webhook_signature,
)
from playtomic_monitor.loopback_server import LoopbackServer, QuietHandler

# A receiver refuses a timestamp further than this from its clock (replays).
SIGNATURE_TOLERANCE_SECONDS = 300


def webhook_verify(
    *, secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> bool:
    """True when the signature header is HMAC-SHA256 over "<timestamp>.<body>" with `secret`
    and the timestamp is within SIGNATURE_TOLERANCE_SECONDS of `now`."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit():
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, signature)


@dataclass
class Received:
    id: str
    payload: dict[str, Any]
    verified: bool
    at: float


@dataclass
class WebhookReceiver(LoopbackServer):
    """`with WebhookReceiver(secret) as r:` serves on r.url (127.0.0.1, a free port). Set
    `status` to answer with another code, `delay` to answer late; an unsigned or badly
    signed message gets 401 unless `require_signature` is off (apprise's json://)."""

    secret: str
    status: int = 200
    require_signature: bool = True
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    url_path = "/hook"

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.delay:
                    time.sleep(receiver.delay)
                headers = dict(self.headers.items())
                record = Received(
                    id=self.headers.get(ID_HEADER, ""),
                    payload=json.loads(body or b"{}"),
                    verified=webhook_verify(secret=receiver.secret, headers=headers, body=body),
                    at=time.time(),
                )
                with receiver._lock:
                    receiver.received.append(record)
                refused = receiver.require_signature and not record.verified
                self.send_response(401 if refused else receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def ids(self) -> list[str]:
        with self._lock:
            return [r.id for r in self.received]
