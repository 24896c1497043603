"""Local stand-ins at the HTTP boundary for the services a channel talks to: a Telegram Bot
API and a browser push service that decrypts what it receives, each on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from playtomic_monitor.loopback_server import LoopbackServer, QuietHandler


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Server(LoopbackServer):
    """Hands each POST to `handle` and answers with the JSON it returns."""

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = owner.handle(self.path, dict(self.headers.items()), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        raise NotImplementedError


@dataclass
class FakeTelegram(_Server):
    """The Bot API for one bot: answers getUpdates with `updates`, records sendMessage and
    sendDocument; a wrong token gets Telegram's 401, `status` forces another answer."""

    token: str
    updates: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    documents: list[bytes] = field(default_factory=list)
    status: int = 200

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if self.status != 200:
            return self.status, {"ok": False, "description": "Forbidden: bot was blocked"}
        method = path[len(prefix) :]
        if method == "getUpdates":
            return 200, {"ok": True, "result": self.updates}
        if method == "sendMessage":
            message = json.loads(body)
            if len(message["text"]) > 4096:
                return 400, {"ok": False, "description": "Bad Request: message is too long"}
            self.messages.append(message)
            return 200, {"ok": True, "result": {"message_id": len(self.messages)}}
        if method == "sendDocument":
            self.documents.append(body)
            return 200, {"ok": True, "result": {}}
        return 404, {"ok": False, "description": "Not Found"}


@dataclass
class FakePushService(_Server):
    """A browser's push service and the browser behind it: holds the subscription's key pair,
    checks the VAPID JWT against the key it names, and decrypts each payload (aes128gcm)."""

    status: int = 201
    payloads: list[dict[str, Any]] = field(default_factory=list)
    vapid_keys: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscription(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.url}/push/abc123",
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if self.status >= 300:
            return self.status, {"error": "gone"}
        authorization = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        # "vapid t=<jwt>, k=<public key>"
        parts = dict(p.strip().split("=", 1) for p in authorization[6:].split(","))
        if not _jwt_valid(parts.get("t", ""), parts.get("k", "")):
            return 401, {"error": "bad VAPID"}
        self.vapid_keys.append(parts["k"])
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        self.payloads.append(json.loads(plain))
        return 201, {}


def _jwt_valid(token: str, key: str) -> bool:
    try:
        header, claims, signature = token.split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        raw = unb64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except (ValueError, InvalidSignature):
        return False
    return True
