"""Web Push (RFC 8030/8291/8292) to a browser's push service, signed with our VAPID key.
The channel's secret is the browser's subscription JSON ({endpoint, keys: {p256dh, auth}})."""

from __future__ import annotations

import json
from typing import Any

import requests
from pywebpush import WebPushException, webpush

from notifications.transports.addresses import address_check_resolved
from notifications.transports.base import (
    Message,
    Transport,
    TransportError,
    connection_error,
    http_error,
    http_session,
    send_timeout,
)
from notifications.vapid import vapid_key, vapid_subject

# Push services refuse payloads much above 4 KB; the body is cut to leave room for the rest.
WEBPUSH_BODY_LIMIT = 2000


def webpush_payload(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "title": message.subject,
        "body": message.body[:WEBPUSH_BODY_LIMIT],
        "url": message.link,
    }


class WebPushTransport(Transport):
    def send(self, message: Message) -> None:
        try:
            subscription = json.loads(self.channel.secret)
        except ValueError:
            raise TransportError("The browser subscription is unreadable", permanent=True) from None
        address_check_resolved(str(subscription.get("endpoint", "")))
        try:
            webpush(
                subscription_info=subscription,
                data=json.dumps(webpush_payload(message)),
                vapid_private_key=vapid_key(),
                vapid_claims={"sub": vapid_subject()},
                timeout=send_timeout(),
                ttl=24 * 3600,
                requests_session=http_session(),
            )
        except WebPushException as exc:
            if exc.response is None:
                raise TransportError("Push service: no answer", permanent=False) from None
            # 404/410: the browser unsubscribed; the channel is of no more use.
            raise http_error("Push service", exc.response) from None
        except requests.RequestException as exc:
            raise connection_error("Push service", exc) from None
