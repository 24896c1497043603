"""The rule's price cap: known-dear slots are never tried, and a dear intent ends the race
(a held court cannot be released, so trying the next one would hold two)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from availability.models import CellState, SlotState
from booking import selectors
from booking.models import BookingAttempt
from booking.services.race import attempt_race
from tests.booking.conftest import sandbox_bookings

pytestmark = pytest.mark.django_db


def intent_posts(sandbox: Any) -> list[dict[str, Any]]:
    return [
        e
        for e in sandbox.requests(path="/v1/payment_intents")
        if e["method"] == "POST" and e["path"] == "/v1/payment_intents"
    ]


def test_an_intent_above_the_cap_stops_the_race_without_trying_another_court(
    make_rule, use_sandbox
):
    rule, target, _ = make_rule(seconds=2, max_price=Decimal("0.01"), only_listed_courts=False)
    attempt = rule.attempts.get(target_date=target)
    assert (
        len(
            selectors.rule_candidates(
                rule, target, now=timezone.now(), deadline=attempt.deadline_at
            )
        )
        > 1
    )

    result = attempt_race(attempt_id=attempt.pk)

    assert result.state == BookingAttempt.State.FAILED
    assert "price above the rule's cap" in result.reason
    assert len(intent_posts(use_sandbox)) == 1
    assert sandbox_bookings(use_sandbox) == []


def test_a_candidate_whose_last_known_price_is_above_the_cap_is_not_tried(
    make_rule, use_sandbox, club
):
    rule, target, _ = make_rule(seconds=2, max_price=Decimal("999"), only_listed_courts=False)
    first = club.courts.get(pk=rule.court_preference[0])
    window_start, _ = selectors.rule_window_utc(rule, target)
    now = timezone.now()
    for i in range(3):
        SlotState.objects.create(
            court=first,
            start=window_start + timedelta(minutes=30 * i),
            local_date=target,
            state=CellState.FREE,
            price=Decimal("1000"),  # hourly: 1500 for 90 minutes
            currency="EUR",
            first_seen_at=now,
            changed_at=now,
            observed_at=now,
        )
    attempt = rule.attempts.get(target_date=target)
    candidates = selectors.rule_candidates(rule, target, now=now, deadline=attempt.deadline_at)
    assert candidates
    assert all(not (c.court_id == first.pk and c.start == window_start) for c in candidates)

    result = attempt_race(attempt_id=attempt.pk)

    assert result.state == BookingAttempt.State.BOOKED, result.reason
    assert result.court_id != first.pk
    assert len(sandbox_bookings(use_sandbox)) == 1
