"""Two workers delivered the same attempt at the same moment: the conditional UPDATE lets
exactly one of them race, so Playtomic sees at most one booking request."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from booking.models import BookingAttempt
from booking.services.race import attempt_race
from tests.booking.conftest import sandbox_bookings

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_running_one_attempt_at_once_send_one_payment_intent(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=3)
    attempt = rule.attempts.get(target_date=target)
    start = threading.Barrier(2)
    results: list[BookingAttempt] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(timeout=10)
            results.append(attempt_race(attempt_id=attempt.pk, probe_clock=False))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
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
