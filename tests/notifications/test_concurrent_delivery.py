"""Two notify workers handed the same deliveries at once (a relay and a sweep, or a
redelivered message): each message reaches the receiver exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from notifications.models import Delivery
from notifications.services.delivery import deliveries_deliver
from notifications.services.outbox import notification_create
from tests.support.channels import webhook_channel
from tests.support.concurrency import at_once


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_ids_at_once_send_each_once(webhook: Any):
    user = get_user_model().objects.create_user(username="racer")
    webhook_channel(user, webhook, rate_limit_per_minute=0)
    for i in range(30):
        notification_create(user=user, kind="slot_freed", dedupe_key=f"k{i}", subject="s", body="b")
    ids = list(Delivery.objects.values_list("pk", flat=True))

    outcomes = at_once([lambda: deliveries_deliver(delivery_ids=ids)] * 2)

    assert sorted(webhook.ids()) == sorted(str(pk) for pk in ids)
    assert sum(o.get("sent", 0) for o in outcomes) == 30
    assert all(r.verified for r in webhook.received)
