"""The utilization digest: daily or weekly (Mondays), per club the member's groups book at,
once per day or week however often the hourly task runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from availability.services.polling import poll_club
from notifications.models import Notification, NotificationPreference
from notifications.sources.digest import digests_send
from tests.clubs.conftest import madrid, politeness, reader
from tests.notifications.test_alerts import sandbox
from tests.notifications.test_monitoring_trouble import watch

__all__ = ["madrid", "politeness", "reader", "sandbox"]

pytestmark = pytest.mark.django_db

# Sunday 1 February 2026, 10:00 in Madrid: the poll sees all of Monday 2 February.
SUNDAY = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
TUESDAY_MORNING = datetime(2026, 2, 3, 6, 30, tzinfo=UTC)


@pytest.fixture
def observed_monday(madrid: Any) -> Any:
    with time_machine.travel(SUNDAY, tick=False):
        poll_club(club=madrid, days_ahead=1)
    return madrid


def test_a_daily_digest_tells_yesterdays_utilization_once(observed_monday, member, outsider):
    watch(member, observed_monday)
    NotificationPreference.objects.create(user=member, digest="daily")
    NotificationPreference.objects.create(user=outsider, digest="")

    assert digests_send(now=TUESDAY_MORNING) == 1
    assert digests_send(now=TUESDAY_MORNING + timedelta(hours=1)) == 0

    message = Notification.objects.get()
    assert (message.user, message.kind) == (member, Notification.Kind.DIGEST)
    assert "Mon 2 Feb 2026" in message.body
    assert f"{observed_monday.name} (Mon 2 Feb 2026): " in message.body
    assert "% booked" in message.body


def test_no_digest_is_written_before_the_hour(observed_monday, member):
    watch(member, observed_monday)
    NotificationPreference.objects.create(user=member, digest="daily")

    assert digests_send(now=TUESDAY_MORNING.replace(hour=5)) == 0


def test_a_weekly_digest_goes_out_on_mondays_only(observed_monday, member):
    watch(member, observed_monday)
    NotificationPreference.objects.create(user=member, digest="weekly")

    assert digests_send(now=TUESDAY_MORNING) == 0
    next_monday = datetime(2026, 2, 9, 7, 0, tzinfo=UTC)
    assert digests_send(now=next_monday) == 1
    message = Notification.objects.get()
    assert "Mon 2 Feb 2026 to Sun 8 Feb 2026" in message.body


def test_a_member_whose_groups_book_nowhere_gets_no_digest(observed_monday, member):
    NotificationPreference.objects.create(user=member, digest="daily")

    assert digests_send(now=TUESDAY_MORNING) == 0
