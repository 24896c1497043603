"""The scheduled poll across Madrid's 2026 DST changes: beat's crontab (in the club's zone)
plus the task's own window check must poll every 15 minutes from 08:00 to 23:00 local time,
never outside, never missing a tick."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from availability.models import PollRun
from availability.tasks import poll_club_scheduled
from clubs.models import Club
from clubs.selectors import monitoring_is_due, schedule_offset_minutes
from clubs.services import MonitoringSettings, monitoring_configure

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


def expected_polls(first: date, last: date, offset: int) -> list[datetime]:
    """Every 15 minutes from 08:00 plus the club's offset to 23:00, local time."""
    polls = []
    day = first
    while day <= last:
        for minute in range(8 * 60 + offset, 23 * 60 + 1, 15):
            polls.append(datetime.combine(day, time(minute // 60, minute % 60), tzinfo=MADRID))
        day += timedelta(days=1)
    return polls


def simulate_beat(config: Any, start: datetime, end: datetime) -> list[datetime]:
    """Step a clock minute by minute, ask the crontab (as beat does) whether the entry is
    due, and keep the deliveries the task's window check lets through."""
    task = PeriodicTask.objects.get(pk=config.periodic_task_id)
    assert task.crontab is not None
    schedule = task.crontab.schedule
    polled: list[datetime] = []
    last_run = start
    with time_machine.travel(start, tick=False) as clock:
        now = start
        while now < end:
            now += timedelta(minutes=1)
            clock.move_to(now)
            due, _ = schedule.is_due(last_run)
            if due:
                last_run = now
                if monitoring_is_due(config=config, now=now):
                    polled.append(now.astimezone(MADRID))
    return polled


@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2026, 3, 28), date(2026, 3, 30)), (date(2026, 10, 24), date(2026, 10, 26))],
    ids=["spring-forward", "fall-back"],
)
def test_it_polls_every_tick_of_the_local_window_across_a_dst_change(
    madrid: Club, first: date, last: date
):
    config = monitoring_configure(club=madrid, monitoring=MonitoringSettings(frequency_minutes=15))
    start = datetime.combine(first, time(0), tzinfo=MADRID).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=MADRID).astimezone(UTC)

    polled = simulate_beat(config, start, end)

    offset = schedule_offset_minutes(config=config)
    assert [p.replace(tzinfo=None) for p in polled] == [
        p.replace(tzinfo=None) for p in expected_polls(first, last, offset)
    ]


def test_the_window_check_tolerates_a_late_delivery_but_not_a_missed_tick(madrid: Club):
    config = monitoring_configure(club=madrid, monitoring=MonitoringSettings(frequency_minutes=30))
    at = datetime(2026, 3, 29, 9, 0, tzinfo=MADRID)
    assert monitoring_is_due(config=config, now=at)
    assert monitoring_is_due(config=config, now=at + timedelta(minutes=20))
    assert not monitoring_is_due(config=config, now=at - timedelta(hours=2))
    assert not monitoring_is_due(config=config, now=at.replace(hour=23, minute=30))


def test_the_scheduled_task_skips_outside_the_window_without_a_poll_run(madrid: Club):
    monitoring_configure(club=madrid)
    with time_machine.travel(datetime(2026, 3, 29, 7, 45, tzinfo=MADRID), tick=False):
        assert poll_club_scheduled(madrid.pk) is None
    assert not PollRun.objects.exists()


def test_the_scheduled_task_skips_a_disabled_config(madrid: Club):
    monitoring_configure(club=madrid, monitoring=MonitoringSettings(enabled=False))
    with time_machine.travel(datetime(2026, 3, 29, 10, 0, tzinfo=MADRID), tick=False):
        assert poll_club_scheduled(madrid.pk) is None
    assert not PollRun.objects.exists()


def test_the_scheduled_task_polls_inside_the_window(madrid: Club, use_sandbox: Any):
    monitoring_configure(club=madrid, monitoring=MonitoringSettings(days_ahead=0))
    with time_machine.travel(datetime(2026, 3, 29, 10, 0, tzinfo=MADRID), tick=False):
        run_id = poll_club_scheduled(madrid.pk)
    run = PollRun.objects.get(pk=run_id)
    assert (run.trigger, run.outcome) == (PollRun.Trigger.SCHEDULE, PollRun.Outcome.OK)
    assert run.days == ["2026-03-29"]
