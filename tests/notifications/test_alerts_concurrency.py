"""Two notify workers handed the same events at the same moment (a relay and a sweep): the
outbox claim lets one of them win each event, so each member is told once."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from notifications.sources.alerts import alerts_from_events
from tests.clubs.conftest import madrid, politeness, reader
from tests.notifications.test_alerts import alerts, clock, free_one_court, sandbox, subscribe
from tests.support.concurrency import at_once

__all__ = ["alerts", "clock", "madrid", "politeness", "reader", "sandbox"]

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_handling_the_same_events_at_once_create_each_notification_once(
    madrid, use_sandbox, clock, alerts, member, outsider
):
    subscribe(member, madrid)
    subscribe(outsider, madrid)
    event = free_one_court(use_sandbox, madrid, clock)

    def work() -> int:
        return alerts_from_events(event_ids=[event.pk])

    results = at_once([work, work])

    assert sorted(results) == [0, 2]
    assert Notification.objects.count() == 2
    assert set(Notification.objects.values_list("user", flat=True)) == {member.pk, outsider.pk}
