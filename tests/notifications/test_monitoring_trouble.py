"""Monitoring failing (polls failing in a row) or stale (no successful poll for a while
although polls were due): the club's watchers are told once per episode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from availability.models import PollRun
from booking.models import BookingRule
from clubs.models import Club
from clubs.services import monitoring_configure
from groups.services import personal_group_for
from notifications.models import Notification
from notifications.sources.monitoring import monitoring_trouble_notify
from tests.booking.conftest import club, sandbox

__all__ = ["club", "sandbox"]

pytestmark = pytest.mark.django_db

# Monday 2 February 2026, 12:00 in Madrid: inside the default polling window (08:00-23:00).
NOON = datetime(2026, 2, 2, 11, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def monitored(club: Club, clock: Any, settings: Any) -> Club:
    settings.NOTIFY_MONITORING_STALE_MINUTES = 60
    settings.NOTIFY_MONITORING_FAILING_POLLS = 3
    monitoring_configure(club=club)
    return club


def poll(club: Club, at: datetime, outcome: str, error: str = "") -> PollRun:
    return PollRun.objects.create(
        club=club, started_at=at, finished_at=at, outcome=outcome, error_kind=error
    )


def watch(user: Any, club: Club) -> None:
    """The member's group books at the club, so its members watch it."""
    BookingRule.objects.create(
        group=personal_group_for(user=user),
        owner=user,
        name="Evenings",
        club=club,
        weekdays=[1],
        earliest_start=time(18, 0),
        latest_start=time(20, 0),
        durations=[90],
    )


def test_three_failed_polls_in_a_row_tell_the_watchers_once(monitored, member, staff, outsider):
    watch(member, monitored)
    poll(monitored, NOON - timedelta(minutes=50), PollRun.Outcome.OK)
    for minutes in (35, 20, 5):
        poll(monitored, NOON - timedelta(minutes=minutes), PollRun.Outcome.FAILED, "timeout")

    assert monitoring_trouble_notify(now=NOON) == 1
    assert monitoring_trouble_notify(now=NOON + timedelta(minutes=1)) == 0
    poll(monitored, NOON + timedelta(minutes=10), PollRun.Outcome.FAILED, "timeout")
    assert monitoring_trouble_notify(now=NOON + timedelta(minutes=11)) == 0

    (message,) = Notification.objects.all()
    assert (message.user, message.kind) == (member, Notification.Kind.MONITORING_FAILING)
    assert "timeout" in message.body
    assert "11:25 CET" in message.body  # the episode's first failure, club-local


def test_a_new_episode_after_a_success_is_told_again(monitored, member):
    watch(member, monitored)
    for minutes in (50, 35, 20):
        poll(monitored, NOON - timedelta(minutes=minutes), PollRun.Outcome.FAILED)
    assert monitoring_trouble_notify(now=NOON) == 1
    poll(monitored, NOON + timedelta(minutes=5), PollRun.Outcome.OK)
    for minutes in (20, 35, 50):
        poll(monitored, NOON + timedelta(minutes=minutes), PollRun.Outcome.FAILED)

    assert monitoring_trouble_notify(now=NOON + timedelta(minutes=51)) == 1
    assert Notification.objects.filter(user=member).count() == 2


def test_two_failures_are_not_yet_an_episode(monitored, member):
    watch(member, monitored)
    poll(monitored, NOON - timedelta(minutes=35), PollRun.Outcome.OK)
    for minutes in (20, 5):
        poll(monitored, NOON - timedelta(minutes=minutes), PollRun.Outcome.FAILED)

    assert monitoring_trouble_notify(now=NOON) == 0


def test_no_successful_poll_for_an_hour_is_stale_and_told_once(monitored, member):
    watch(member, monitored)
    poll(monitored, NOON - timedelta(minutes=61), PollRun.Outcome.OK)

    assert monitoring_trouble_notify(now=NOON) == 1
    assert monitoring_trouble_notify(now=NOON + timedelta(minutes=30)) == 0
    message = Notification.objects.get(user=member)
    assert message.kind == Notification.Kind.MONITORING_STALE
    assert "60 minutes" in message.body


def test_a_recent_success_is_not_stale(monitored, member):
    watch(member, monitored)
    poll(monitored, NOON - timedelta(minutes=59), PollRun.Outcome.OK)

    assert monitoring_trouble_notify(now=NOON) == 0


def test_a_club_outside_its_polling_window_is_never_stale(monitored, member):
    watch(member, monitored)
    night = datetime(2026, 2, 3, 3, 0, tzinfo=UTC)  # 04:00 in Madrid
    poll(monitored, night - timedelta(hours=5), PollRun.Outcome.OK)

    assert monitoring_trouble_notify(now=night) == 0


def test_a_club_no_group_watches_is_the_staffs(monitored, member, staff):
    poll(monitored, NOON - timedelta(hours=2), PollRun.Outcome.OK)

    assert monitoring_trouble_notify(now=NOON) == 1
    assert Notification.objects.get().user == staff
