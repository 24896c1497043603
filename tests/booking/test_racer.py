"""The release-time racer end to end against the sandbox over HTTP (in-process, no Celery)."""

from __future__ import annotations

from typing import Any

import pytest

from booking import selectors
from booking.models import BookingAttempt
from booking.services.attempts import attempt_prepare
from booking.services.race import attempt_race
from tests.booking.conftest import sandbox_bookings

pytestmark = pytest.mark.django_db


def first_post_at(sandbox: Any) -> float:
    posts = [
        e
        for e in sandbox.requests(path="/v1/payment_intents")
        if e["method"] == "POST" and e["path"] == "/v1/payment_intents"
    ]
    return min(e["received_unix"] for e in posts)


def test_it_books_the_first_choice_at_the_release_instant(make_rule, use_sandbox):
    rule, target, release_at = make_rule(seconds=3)
    attempt = rule.attempts.get(target_date=target)
    assert attempt.state == BookingAttempt.State.SCHEDULED

    attempt = attempt_race(attempt_id=attempt.pk)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.court_id == rule.court_preference[0]
    assert attempt.match_id
    booked = sandbox_bookings(use_sandbox)
    assert len(booked) == 1
    assert booked[0]["match_id"] == attempt.match_id
    latency = first_post_at(use_sandbox) - release_at.timestamp()
    assert 0 <= latency < 0.05
    kinds = list(attempt.events.values_list("kind", flat=True))
    for expected in (
        "armed",
        "logged_in",
        "clock",
        "candidates",
        "fire",
        "intent_sent",
        "confirm_ok",
    ):
        assert expected in kinds
    fire = attempt.events.get(kind="fire")
    assert 0 <= fire.ms_from_release < 20


def test_a_dry_run_holds_the_slot_but_does_not_confirm(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=2, dry_run=True)
    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.REHEARSED
    assert attempt.payment_method == "club"
    assert sandbox_bookings(use_sandbox) == []
    assert not attempt.events.filter(kind="confirm_sent").exists()


def test_it_takes_the_next_candidate_when_the_first_is_taken(make_rule, use_sandbox, club):
    rule, target, _ = make_rule(seconds=3)
    first = club.courts.get(pk=rule.court_preference[0])
    start = selectors.rule_window_utc(rule, target)[0]
    # A rival grabs the first choice a moment before us (release - 0.5 s is impossible, so
    # book it directly as another account right at release with zero delay).
    use_sandbox.add_rivals(
        [
            {
                "tenant_id": club.playtomic_id,
                "resource_id": first.playtomic_id,
                "start": start.strftime("%Y-%m-%dT%H:%M:%S"),
                "duration": 90,
            }
        ],
        delay_ms_min=0,
        delay_ms_max=0,
    )
    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.court_id != first.pk
    assert attempt.events.filter(kind="intent_error").exists()


def test_a_claimed_attempt_is_not_run_twice(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=2)
    attempt = rule.attempts.get(target_date=target)
    attempt_race(attempt_id=attempt.pk)
    again = attempt_race(attempt_id=attempt.pk)

    assert again.state == BookingAttempt.State.BOOKED
    assert len(sandbox_bookings(use_sandbox)) == 1


def test_it_never_books_a_second_court_for_the_same_rule_and_date(make_rule, use_sandbox):
    rule, target, release_at = make_rule(seconds=2)
    attempt = rule.attempts.get(target_date=target)
    attempt_race(attempt_id=attempt.pk)
    # Re-open the date as a manual run: the account's matches show the booking.
    again = attempt_prepare(rule=rule, target_date=target, release_at=release_at, trigger="manual")
    assert again is None
    BookingAttempt.objects.filter(pk=attempt.pk).update(state=BookingAttempt.State.FAILED)
    again = attempt_prepare(rule=rule, target_date=target, release_at=release_at, trigger="manual")
    assert again is not None
    result = attempt_race(attempt_id=again.pk, probe_clock=False)

    assert result.state == BookingAttempt.State.BOOKED
    assert "already holds" in result.reason
    assert len(sandbox_bookings(use_sandbox)) == 1


def test_an_attempt_delivered_after_its_deadline_is_missed(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=2, burst_seconds=0.5)
    attempt = rule.attempts.get(target_date=target)
    import time

    time.sleep(3.6)
    result = attempt_race(attempt_id=attempt.pk)

    assert result.state == BookingAttempt.State.MISSED
    assert "too late" in result.reason
    assert use_sandbox.requests(path="/v1/payment_intents") == []
