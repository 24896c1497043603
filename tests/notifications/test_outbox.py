"""The outbox: one notification per (member, cause), one delivery per enabled channel that
carries its kind, relayed after commit, swept after a broker failure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.models import Channel, Delivery, Notification
from notifications.services.outbox import notification_create
from notifications.services.sweep import deliveries_sweep
from playtomic_monitor.celery import app as celery_app

pytestmark = pytest.mark.django_db


def channel(user: Any, kind: str = Channel.Kind.WEBHOOK, **fields: Any) -> Channel:
    defaults = {"address": "http://127.0.0.1:9/hook", "secret": "x" * 20}
    return Channel.objects.create(user=user, kind=kind, **{**defaults, **fields})


def create(user: Any, key: str = "freed:1", kind: str = "slot_freed") -> Notification | None:
    return notification_create(
        user=user, kind=kind, dedupe_key=key, subject="Court 3 free", body="Tue 19:00 CET"
    )


def test_it_writes_one_delivery_per_enabled_channel_that_carries_the_kind(member: Any):
    wanted = channel(member)
    only_bookings = channel(member, kinds=["booking_succeeded"])
    off = channel(member, enabled=False)

    notification = create(member)

    assert notification is not None
    assert [d.channel for d in notification.deliveries.all()] == [wanted]
    assert not Delivery.objects.filter(channel__in=[only_bookings, off]).exists()


def test_a_repeated_dedupe_key_returns_none_and_leaves_the_callers_transaction_usable(
    member: Any,
):
    channel(member)
    with transaction.atomic():
        first = create(member)
        second = create(member)
        # The caller's transaction still works after the duplicate.
        Notification.objects.create(user=member, kind="test", dedupe_key="after", subject="s")

    assert first is not None and second is None
    assert Notification.objects.filter(user=member).count() == 2
    assert Delivery.objects.count() == 1


def test_deliveries_are_relayed_only_once_the_transaction_commits(
    member: Any, relayed: list[list[int]], django_capture_on_commit_callbacks: Any
):
    channel(member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = create(member)
    assert relayed == []

    for callback in callbacks:
        callback()

    assert notification is not None
    assert relayed == [list(notification.deliveries.values_list("pk", flat=True))]


def test_a_broker_outage_leaves_the_rows_pending_and_the_sweep_relays_them(
    member: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
):
    channel(member)

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("broker down")

    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notification = create(member)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.relayed_at) == (Delivery.State.PENDING, None)

    messages: list[list[int]] = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, queue: messages.append(args[0]))
    deliveries_sweep(now=timezone.now() + timedelta(seconds=1))

    assert notification is not None
    assert messages == [[delivery.pk]]
