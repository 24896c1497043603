"""Channels that deliver to the local receivers tests and benchmarks run."""

from __future__ import annotations

from typing import Any

from notifications.models import Channel
from notifications.receivers import WebhookReceiver


def webhook_channel(user: Any, receiver: WebhookReceiver, **fields: Any) -> Channel:
    """A webhook channel of `user` to `receiver`, signed with the receiver's secret. Written
    directly: `channel_create` refuses a loopback address, as it must for members."""
    return Channel.objects.create(
        user=user,
        kind=Channel.Kind.WEBHOOK,
        address=receiver.url,
        secret=receiver.secret,
        **fields,
    )
