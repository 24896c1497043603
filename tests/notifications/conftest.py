"""Fixtures for the delivery side: what reached the broker, a local webhook receiver, and
`deliver_relayed`, which runs the notify task on what was relayed, as the worker would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from notifications.models import Channel, Delivery, Notification
from notifications.receivers import WebhookReceiver
from notifications.tasks import deliver
from playtomic_monitor.celery import app as celery_app

WEBHOOK_SECRET = "s3cret-signing-key-for-tests"


def logged_delivery(channel: Channel, *, subject: str = "", **fields: Any) -> Delivery:
    """A notification to the channel's member and its delivery on `channel`, as the log
    shows it (`fields`: the delivery's state, error, duration...)."""
    notification = Notification.objects.create(
        user=channel.user, kind="slot_freed", dedupe_key="k", subject=subject
    )
    return Delivery.objects.create(notification=notification, channel=channel, **fields)


@pytest.fixture
def relayed(monkeypatch: Any) -> list[list[int]]:
    """Delivery ids handed to the notify worker, one list per message."""
    messages: list[list[int]] = []

    def send_task(name: str, args: list[Any], queue: str) -> None:
        assert (name, queue) == ("notifications.tasks.deliver", "notify")
        messages.append(list(args[0]))

    monkeypatch.setattr(celery_app, "send_task", send_task)
    return messages


@pytest.fixture
def deliver_relayed(relayed: list[list[int]]) -> Any:
    """Run the notify task on every message relayed so far (and forget them)."""

    def run() -> None:
        while relayed:
            deliver(relayed.pop(0))

    return run


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret=WEBHOOK_SECRET) as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def quick_sends(settings: Any) -> None:
    settings.NOTIFY_SEND_TIMEOUT_SECONDS = 1.0
    settings.NOTIFY_LEASE_SECONDS = 5.0
