"""Two workers delivered the same attempt at the same moment: the conditional UPDATE lets
exactly one of them race, so Playtomic sees at most one booking request."""

from __future__ import annotations

from typing import Any

import pytest

from booking.models import BookingAttempt
from booking.services.race import attempt_race
from tests.booking.conftest import sandbox_bookings
from tests.support.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_running_one_attempt_at_once_send_one_payment_intent(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=3)
    attempt = rule.attempts.get(target_date=target)

    def race() -> BookingAttempt:
        return attempt_race(attempt_id=attempt.pk, probe_clock=False)

    results = at_once([race, race])

    assert len(results) == 2
    attempt.refresh_from_db()
    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    # Only the claimer writes the "armed" event and races.
    assert attempt.events.filter(kind="armed").count() == 1
    posts: list[dict[str, Any]] = [
        e
        for e in use_sandbox.requests(path="/v1/payment_intents")
        if e["method"] == "POST" and e["path"] == "/v1/payment_intents"
    ]
    assert len(posts) == 1
    assert len(sandbox_bookings(use_sandbox)) == 1
