"""The webhook channel against a local receiver that checks every signature: sent once,
retried with backoff on 500 and timeouts, disabled on a permanent error, repeated with the
same id only when a worker died mid-send."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Channel, Delivery, Notification
from notifications.receivers import WebhookReceiver, webhook_verify
from notifications.services.delivery import delivery_send
from notifications.services.outbox import notification_create
from notifications.services.sweep import deliveries_sweep
from notifications.transports.webhook import webhook_signature
from tests.support.channels import webhook_channel

pytestmark = pytest.mark.django_db


def hook(user: Any, receiver: WebhookReceiver) -> Channel:
    return webhook_channel(user, receiver, name="my hook")


def notify(user: Any, key: str = "freed:1", kind: str = Channel.Kind.WEBHOOK) -> Delivery:
    notification = notification_create(
        user=user,
        kind="slot_freed",
        dedupe_key=key,
        subject="Court 3 is free",
        body="Tuesday 19:00 CET, 90 min",
        link="https://app.playtomic.io/tenant/x",
    )
    assert notification is not None
    return notification.deliveries.get(channel__kind=kind)


def test_it_delivers_a_signed_message_the_receiver_verifies(member: Any, webhook: Any):
    hook(member, webhook)
    delivery = notify(member)

    assert delivery_send(delivery_id=delivery.pk) == Delivery.State.SENT

    [received] = webhook.received
    assert received.verified
    assert received.id == str(delivery.pk)
    assert received.payload["subject"] == "Court 3 is free"
    assert received.payload["link"] == "https://app.playtomic.io/tenant/x"
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.duration_ms is not None


def test_the_signature_covers_the_timestamp_and_the_body():
    body = b'{"id":"1"}'
    good = {
        "X-Notification-Timestamp": "1700000000",
        "X-Notification-Signature": webhook_signature(
            secret="k" * 20, timestamp="1700000000", body=body
        ),
    }
    assert webhook_verify(secret="k" * 20, headers=good, body=body, now=1700000010)
    assert not webhook_verify(secret="k" * 20, headers=good, body=b'{"id":"2"}', now=1700000010)
    assert not webhook_verify(secret="other" * 4, headers=good, body=body, now=1700000010)
    assert not webhook_verify(
        secret="k" * 20,
        headers={**good, "X-Notification-Timestamp": "1700000001"},
        body=body,
        now=1700000010,
    )
    # A replay long after it was signed.
    assert not webhook_verify(secret="k" * 20, headers=good, body=body, now=1700009999)


def test_a_delivery_already_sent_is_never_sent_again(member: Any, webhook: Any):
    hook(member, webhook)
    delivery = notify(member)

    delivery_send(delivery_id=delivery.pk)
    assert delivery_send(delivery_id=delivery.pk) == "skipped"
    deliveries_sweep(now=timezone.now() + timedelta(hours=1))

    assert len(webhook.received) == 1


def test_a_500_is_retried_after_the_backoff_and_then_sent(member: Any, webhook: Any):
    channel = hook(member, webhook)
    delivery = notify(member)
    webhook.status = 500

    assert delivery_send(delivery_id=delivery.pk) == Delivery.State.PENDING
    delivery.refresh_from_db()
    assert "HTTP 500" in delivery.error
    assert delivery.due_at > timezone.now() + timedelta(seconds=8)
    # Not due yet: nothing happens.
    assert delivery_send(delivery_id=delivery.pk) == "skipped"

    webhook.status = 200
    assert delivery_send(delivery_id=delivery.pk, now=delivery.due_at) == Delivery.State.SENT
    channel.refresh_from_db()
    assert channel.enabled
    assert len(webhook.received) == 2


def test_a_receiver_that_keeps_failing_ends_failed_after_the_last_backoff(
    member: Any, webhook: Any, settings: Any
):
    hook(member, webhook)
    delivery = notify(member)
    webhook.status = 503
    now = timezone.now()
    for _ in settings.NOTIFY_RETRY_BACKOFF_SECONDS:
        assert delivery_send(delivery_id=delivery.pk, now=now) == Delivery.State.PENDING
        now = Delivery.objects.get(pk=delivery.pk).due_at

    assert delivery_send(delivery_id=delivery.pk, now=now) == Delivery.State.FAILED
    assert len(webhook.received) == len(settings.NOTIFY_RETRY_BACKOFF_SECONDS) + 1


def test_a_receiver_that_times_out_is_a_temporary_error(member: Any, webhook: Any):
    hook(member, webhook)
    delivery = notify(member)
    webhook.delay = 1.5  # the send timeout is 1 s in these tests

    assert delivery_send(delivery_id=delivery.pk) == Delivery.State.PENDING
    delivery.refresh_from_db()
    assert "no answer" in delivery.error


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_a_permanent_error_disables_the_channel_and_tells_the_owner_elsewhere(
    member: Any, webhook: Any, status: int
):
    broken = hook(member, webhook)
    other = Channel.objects.create(
        user=member, kind=Channel.Kind.EMAIL, address="member@example.com"
    )
    delivery = notify(member)
    later = notify(member, key="freed:2")
    webhook.status = status

    assert delivery_send(delivery_id=delivery.pk) == Delivery.State.FAILED

    broken.refresh_from_db()
    assert not broken.enabled
    assert f"HTTP {status}" in broken.disabled_reason
    assert Delivery.objects.get(pk=later.pk).state == Delivery.State.CANCELLED
    told = Notification.objects.get(kind=Notification.Kind.CHANNEL_DISABLED)
    assert [d.channel for d in told.deliveries.all()] == [other]
    assert "my hook" in told.body and f"HTTP {status}" in told.body


def test_a_worker_that_died_mid_send_is_repeated_once_with_the_same_id(member: Any, webhook: Any):
    hook(member, webhook)
    delivery = notify(member)
    # A worker claimed it, sent it and died before marking it sent.
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.SENDING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    deliveries_sweep()

    assert delivery_send(delivery_id=delivery.pk) == Delivery.State.SENT
    assert webhook.ids() == [str(delivery.pk)]


def test_a_mid_send_death_on_a_channel_without_ids_is_left_unclear(member: Any):
    channel = Channel.objects.create(
        user=member, kind=Channel.Kind.EMAIL, address="member@example.com"
    )
    notification = notification_create(
        user=member, kind="slot_freed", dedupe_key="k", subject="s", body="b"
    )
    assert notification is not None
    delivery = notification.deliveries.get(channel=channel)
    with time_machine.travel(timezone.now(), tick=False):
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.SENDING, lease_until=timezone.now() - timedelta(seconds=1)
        )
        deliveries_sweep()

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.UNCLEAR
    assert delivery_send(delivery_id=delivery.pk) == "skipped"
