"""The real path: a notification written in a transaction reaches a local webhook through a
real notify worker (a subprocess on the test database and broker), and a worker killed with
SIGKILL in the middle of a send leaves a delivery the sweep settles without a storm."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from notifications.models import Channel, Delivery
from notifications.services.outbox import notification_create
from notifications.services.sweep import deliveries_sweep
from tests.notifications.conftest import WEBHOOK_SECRET
from tests.support.processes import start_worker, stop, subprocess_env, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LEASE = 6


def notify_worker(tmp_path: Path, name: str) -> Any:
    # The test's own VAR_DIR: the worker reads the broker folder this process writes to.
    env = subprocess_env(
        Path(settings.VAR_DIR),
        {"NOTIFY_LEASE_SECONDS": str(LEASE), "NOTIFY_SEND_TIMEOUT_SECONDS": "3"},
    )
    return start_worker(["notify"], env, log_path=tmp_path / f"{name}.log", name=name)


def notify(user: Any, key: str) -> Delivery:
    with transaction.atomic():
        notification = notification_create(
            user=user, kind="slot_freed", dedupe_key=key, subject="Court 3 free", body="19:00"
        )
    assert notification is not None
    return notification.deliveries.get()


def test_a_committed_notification_reaches_the_webhook_through_the_notify_worker(
    webhook: Any, tmp_path: Path
):
    user = get_user_model().objects.create_user("worker-1")
    Channel.objects.create(user=user, kind="webhook", address=webhook.url, secret=WEBHOOK_SECRET)
    worker = notify_worker(tmp_path, "notify-a")
    try:
        delivery = notify(user, "k1")
        wait_for(lambda: webhook.received, timeout=60)
        wait_for(
            lambda: Delivery.objects.get(pk=delivery.pk).state == Delivery.State.SENT, timeout=10
        )
    finally:
        stop(worker)
    [received] = webhook.received
    assert received.verified and received.id == str(delivery.pk)


def test_a_worker_killed_mid_send_is_settled_by_the_sweep_once(webhook: Any, tmp_path: Path):
    user = get_user_model().objects.create_user("worker-2")
    Channel.objects.create(user=user, kind="webhook", address=webhook.url, secret=WEBHOOK_SECRET)
    webhook.delay = 2.0  # the receiver is slow: the kill lands during the send
    worker = notify_worker(tmp_path, "notify-b")
    try:
        delivery = notify(user, "k2")
        wait_for(
            lambda: Delivery.objects.get(pk=delivery.pk).state == Delivery.State.SENDING,
            timeout=60,
            interval=0.05,
        )
    finally:
        stop(worker, kill=True)

    # Within its lease nothing touches it; after it, the webhook is sent again, same id.
    assert deliveries_sweep()["expired"] == 0
    webhook.delay = 0.0
    later = timezone.now() + timedelta(seconds=LEASE + 1)
    assert deliveries_sweep(now=later)["expired"] == 1
    second = notify_worker(tmp_path, "notify-c")
    try:
        wait_for(
            lambda: Delivery.objects.get(pk=delivery.pk).state == Delivery.State.SENT, timeout=60
        )
    finally:
        stop(second)
    assert set(webhook.ids()) == {str(delivery.pk)}
    assert len(webhook.ids()) <= 2
