"""/health/ says when notifications stop going out: due deliveries left pending, or sends
whose worker died and no sweep settled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from notifications.health import delivery_health
from notifications.models import Channel, Delivery
from tests.notifications.conftest import logged_delivery

pytestmark = pytest.mark.django_db


def delivery(member: Any, **fields: Any) -> Delivery:
    channel = Channel.objects.create(user=member, kind="email", address="m@example.com")
    return logged_delivery(channel, **fields)


def test_it_is_ok_with_fresh_or_waiting_deliveries(member: Any):
    delivery(member, due_at=timezone.now() - timedelta(minutes=1))
    assert delivery_health()["ok"]


def test_a_delivery_pending_long_after_it_was_due_is_late(member: Any, client: Any):
    delivery(member, due_at=timezone.now() - timedelta(minutes=10))

    health = delivery_health()

    assert (health["ok"], health["late"]) == (False, 1)
    assert health["oldest_late_age_seconds"] >= 600
    assert client.get("/health/").json()["checks"]["notifications"]["late"] == 1


def test_a_send_whose_lease_ran_out_long_ago_is_stuck(member: Any):
    delivery(
        member,
        state=Delivery.State.SENDING,
        lease_until=timezone.now() - timedelta(minutes=30),
    )
    assert delivery_health()["stuck_sending"] == 1
