"""Generic webhook: a signed JSON POST (the scheme is in docs/notifications.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, ClassVar

from notifications.transports.addresses import address_check_resolved
from notifications.transports.base import Message, Transport, http_error, http_post

ID_HEADER = "X-Notification-Id"
TIMESTAMP_HEADER = "X-Notification-Timestamp"
SIGNATURE_HEADER = "X-Notification-Signature"


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over "<timestamp>.<body>" with the channel's secret."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def webhook_payload(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "subject": message.subject,
        "body": message.body,
        "link": message.link,
        "created_at": message.created_at.isoformat(),
        "attachments": list(message.attachments),
    }


class WebhookTransport(Transport):
    idempotent: ClassVar[bool] = True

    def send(self, message: Message) -> None:
        address_check_resolved(self.channel.address)
        body = json.dumps(webhook_payload(message), separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "playtomic-monitor-webhook/1",
            ID_HEADER: message.id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: webhook_signature(
                secret=self.channel.secret, timestamp=timestamp, body=body
            ),
        }
        response = http_post(
            "Webhook", self.channel.address, data=body, headers=headers, allow_redirects=False
        )
        if not 200 <= response.status_code < 300:
            raise http_error("Webhook", response)
