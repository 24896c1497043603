"""Release instants in the club's zone, the per-rule beat entry, the reconciler and sniping."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from availability.models import CellState, SlotState
from booking import selectors
from booking.models import BookingAttempt, BookingRule
from booking.services.race import attempt_race
from booking.services.reconcile import attempts_reconcile
from booking.services.rules import rule_save
from booking.services.sniping import snipe_freed_slots
from clubs.models import Club
from tests.booking.conftest import sandbox_bookings
from tests.support.events import published_event

pytestmark = pytest.mark.django_db


def rule_for(member, club, account, **fields):
    values = {
        "name": "Evenings",
        "club": club,
        "weekdays": [0, 1, 2, 3, 4],
        "earliest_start": time(18, 0),
        "latest_start": time(21, 30),
        "durations": [90, 60],
        "payment_methods": ["club", "card"],
    }
    values.update(fields)
    return rule_save(owner=member, accounts=[account], **values)


def test_a_rolling_release_is_the_first_start_minus_the_clubs_limit_across_dst(
    member, club, account
):
    rule = rule_for(member, club, account)
    # Madrid leaves summer time on 2026-10-25: 18:00 local is 17:00 UTC after, 16:00 before.
    assert club.booking_ahead_limit_minutes == 20160
    release = selectors.rule_release_instant(rule, date(2026, 10, 27))
    assert release == datetime(2026, 10, 27, 17, 0, tzinfo=UTC) - timedelta(days=14)
    assert release.astimezone(club.zone).hour == 19  # 14 days earlier it is still summer time


def test_a_fixed_release_is_the_local_time_n_days_before(member, club, account):
    rule = rule_for(
        member,
        club,
        account,
        release_policy="fixed",
        release_days_before=14,
        release_local_time=time(8, 30),
    )
    release = selectors.rule_release_instant(rule, date(2026, 3, 30))  # Monday after DST
    assert release == datetime(2026, 3, 16, 7, 30, tzinfo=UTC)  # 08:30 CET


def test_each_enabled_rule_owns_a_clocked_beat_entry_on_the_booking_queue(
    member, club, account, monkeypatch
):
    monkeypatch.setenv("BOOKING_ARM_LEAD_SECONDS", "60")
    rule = rule_for(member, club, account)
    task = PeriodicTask.objects.get(pk=rule.periodic_task_id)
    attempt = BookingAttempt.objects.get(rule=rule)
    assert task.one_off and task.enabled and task.queue == "booking"
    assert task.task == "booking.tasks.race_release"
    assert json.loads(task.kwargs) == {"attempt_id": attempt.pk}
    assert task.clocked.clocked_time == attempt.release_at - timedelta(seconds=60)
    assert task.expires == attempt.release_at + timedelta(seconds=30)
    assert attempt.release_at == rule.next_release_at
    assert attempt.target_date.weekday() in rule.weekdays

    rule_save(owner=member, rule=rule, accounts=[account], enabled=False)
    attempt.refresh_from_db()
    assert attempt.state == BookingAttempt.State.CANCELLED
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()


def test_the_reconciler_marks_a_never_armed_attempt_missed(member, club, account):
    rule = rule_for(member, club, account)
    attempt = BookingAttempt.objects.get(rule=rule)
    later = attempt.deadline_at + timedelta(minutes=5)
    assert attempts_reconcile(now=later, grace=timedelta(seconds=60)) >= 1
    attempt.refresh_from_db()
    assert attempt.state == BookingAttempt.State.MISSED
    assert "never armed" in attempt.reason


def test_candidates_follow_preference_and_skip_cells_seen_taken(member, club, account):
    courts = list(club.courts.filter(size="double").order_by("reservation_priority"))
    rule = rule_for(
        member,
        club,
        account,
        latest_start=time(18, 30),
        durations=[90],
        court_preference=[courts[3].pk, courts[2].pk],
        only_listed_courts=True,
    )
    day = date(2030, 6, 3)
    start = selectors.rule_window_utc(rule, day)[0]
    now = timezone.now()
    SlotState.objects.create(
        court=courts[3],
        start=start + timedelta(minutes=30),
        local_date=day,
        state=CellState.TAKEN,
        first_seen_at=now,
        changed_at=now,
        observed_at=now,
    )
    found = selectors.rule_candidates(rule, day, now=now, deadline=start)
    # Court 3 at 18:00 and 18:30 would cover the taken 18:30 cell; court 2 is fine at both.
    assert [(c.court_id, c.start - start, c.duration) for c in found] == [
        (courts[2].pk, timedelta(0), 90),
        (courts[2].pk, timedelta(minutes=30), 90),
    ]


def test_a_freed_cell_starts_a_snipe_that_books_it(member, club, account, use_sandbox):
    courts = list(club.courts.filter(size="double").order_by("reservation_priority"))
    rule = rule_for(
        member,
        club,
        account,
        weekdays=list(range(7)),
        durations=[90],
        court_preference=[courts[0].pk],
        only_listed_courts=True,
        snipe_cancellations=True,
        snipe_min_notice_minutes=60,
    )
    local_now = timezone.now().astimezone(club.zone)
    day = local_now.date() + timedelta(days=3)
    start = selectors.rule_window_utc(rule, day)[0]
    now = timezone.now()
    for i in range(3):
        SlotState.objects.create(
            court=courts[0],
            start=start + timedelta(minutes=30 * i),
            local_date=day,
            state=CellState.FREE,
            first_seen_at=now,
            changed_at=now,
            observed_at=now,
        )
    event = published_event(club, court=courts[0], start=start, minutes=90)
    started = snipe_freed_slots(event_ids=[event.pk])
    assert len(started) == 1
    attempt = attempt_race(attempt_id=started[0].pk, probe_clock=False)
    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.trigger == BookingAttempt.Trigger.SNIPE
    assert len(sandbox_bookings(use_sandbox)) == 1
    # The same event again: the date is booked, nothing new starts.
    assert snipe_freed_slots(event_ids=[event.pk]) == []


def test_sniping_respects_minimum_notice_and_the_cancellation_window(member, club, account):
    # Monday 12:00 in Madrid (CET): the freed cell at 18:00 local is six hours away.
    with time_machine.travel(datetime(2026, 11, 23, 11, 0, tzinfo=UTC), tick=False):
        Club.objects.filter(pk=club.pk).update(cancellation_policy_hours=0)
        rule = rule_for(
            member,
            club,
            account,
            weekdays=list(range(7)),
            snipe_cancellations=True,
            snipe_min_notice_minutes=7 * 60,
        )
        today = timezone.now().astimezone(club.zone).date()
        start = selectors.rule_window_utc(rule, today)[0]
        assert start - timezone.now() == timedelta(hours=6)

        def snipe() -> int:
            # A fresh cancellation each time: an event is handled once, whatever it led to.
            event = published_event(club, start=start, minutes=30)
            return len(snipe_freed_slots(event_ids=[event.pk]))

        # Inside the minimum notice (7 h), no cancellation window.
        assert snipe() == 0
        # Just outside the notice, still no window.
        BookingRule.objects.filter(pk=rule.pk).update(snipe_min_notice_minutes=5 * 60)
        assert snipe() == 1
        # Outside the notice but inside the club's 8 h cancellation window.
        BookingAttempt.objects.filter(rule=rule).update(state=BookingAttempt.State.FAILED)
        Club.objects.filter(pk=club.pk).update(cancellation_policy_hours=8)
        assert snipe() == 0
        # The rule may snipe inside the window: only the notice counts again.
        BookingRule.objects.filter(pk=rule.pk).update(snipe_inside_cancellation_window=True)
        assert snipe() == 1
        # Just outside both: a 5 h window and a 5 h notice.
        BookingAttempt.objects.filter(rule=rule).update(state=BookingAttempt.State.FAILED)
        BookingRule.objects.filter(pk=rule.pk).update(snipe_inside_cancellation_window=False)
        Club.objects.filter(pk=club.pk).update(cancellation_policy_hours=5)
        assert snipe() == 1
