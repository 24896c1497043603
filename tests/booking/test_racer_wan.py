"""The racer over a network: Playtomic's clock is not ours and requests take tens of
milliseconds to get there. The sandbox plays the far server (clock offset, one-way delays) over
real HTTP; the racer runs in process."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from accounts.client import account_client
from accounts.services import account_create
from booking.models import BookingAttempt
from booking.services.race import attempt_race
from playtomic.sandbox.network import Delay, NetworkModel
from tests.booking.conftest import import_club, sandbox_bookings

pytestmark = pytest.mark.django_db

LONDON = "sandbox-racquets-london"


def far_away(one_way_ms: float, *, processing_ms: float = 1) -> NetworkModel:
    return NetworkModel(
        inbound=Delay(base_ms=one_way_ms),
        processing=Delay(base_ms=processing_ms),
        outbound=Delay(base_ms=one_way_ms),
    )


def booking_posts(sandbox: Any) -> list[dict[str, Any]]:
    return [
        e
        for e in sandbox.requests(path="/v1/payment_intents")
        if e["method"] == "POST" and e["path"] == "/v1/payment_intents"
    ]


def received(entry: dict[str, Any]) -> datetime:
    """When a request reached the sandbox, on the sandbox's clock."""
    return datetime.fromisoformat(entry["received_at"]).replace(tzinfo=UTC)


def test_a_racer_facing_an_unknown_offset_and_40_ms_away_books_the_first_choice_at_t(
    make_rule, use_sandbox
):
    use_sandbox.set_clock(offset_seconds=2.7)
    use_sandbox.set_network(far_away(40))
    rule, target, release_at = make_rule(seconds=15)

    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.court_id == rule.court_preference[0]
    first = booking_posts(use_sandbox)[0]
    # It arrived at or after T on the sandbox's clock (2.7 s after T on ours), and soon after
    # (the margin is generous: the test machine is shared and noisy).
    assert release_at <= received(first) < release_at + timedelta(milliseconds=250)
    assert first["refusal"] is None
    samples = attempt.events.filter(kind="clock_sample")
    assert samples.count() > 1
    clock = attempt.events.get(kind="clock").data
    assert clock["samples"] == samples.count()
    assert abs(clock["offset_ms"] - 2700) < 30
    assert abs(clock["one_way_ms"] - 41) < 10
    assert clock["uncertainty_ms"] < 20
    assert attempt.events.filter(kind="aim").exists()


def test_an_early_refused_request_is_followed_by_one_that_wins(make_rule, use_sandbox):
    # The clock probe's endpoint answers 60 ms slower than the booking one, so the estimate
    # puts Playtomic's clock 60 ms too far ahead and the first booking request lands early.
    use_sandbox.set_network(far_away(40))
    use_sandbox.add_fault(endpoint="matches", latency_ms=60)
    rule, target, release_at = make_rule(seconds=15)

    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    posts = booking_posts(use_sandbox)
    assert posts[0]["refusal"] == "early"
    assert received(posts[0]) < release_at
    # Asked again at once (no other court in between) until one arrived after T and won.
    assert [p["refusal"] for p in posts[:-1]] == ["early"] * (len(posts) - 1)
    assert posts[-1]["status"] == 200
    assert received(posts[-1]) >= release_at
    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.court_id == rule.court_preference[0]
    retries = attempt.events.filter(kind="early_retry")
    assert retries.count() == len(posts) - 1
    assert "before T's second" in retries.first().message


def test_a_rule_with_two_clubs_books_the_second_when_the_first_has_nothing(
    make_rule, use_sandbox, club
):
    london = import_club(use_sandbox, LONDON)
    madrid_court = club.courts.filter(size="double").order_by("reservation_priority").first()
    london_court = london.courts.filter(sport_id="PADEL").order_by("reservation_priority").first()
    # Noon fits both clubs' opening hours on every weekday; London takes no cash.
    rule, target, release_at = make_rule(
        seconds=2,
        earliest_start=time(12, 0),
        latest_start=time(12, 0),
        court_preference=[madrid_court.pk, london_court.pk],
        only_listed_courts=True,
        payment_methods=["club", "card"],
        fallback_clubs=[london],
    )
    # Madrid does not open that date during the burst.
    use_sandbox.set_release(club.playtomic_id, target, release_at + timedelta(days=300))

    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.court_id == london_court.pk
    booked = sandbox_bookings(use_sandbox)
    assert len(booked) == 1
    assert booked[0]["resource_id"] == london_court.playtomic_id
    refused = [p for p in booking_posts(use_sandbox) if p["status"] == 409]
    assert refused, "Madrid was tried first"


def hold_a_court(account: Any, club: Any, days: int = 1) -> None:
    """`account` books an upcoming court at `club` (an active booking)."""
    client = account_client(account=account)
    court = club.courts.order_by("reservation_priority").last()
    start = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    intent = client.create_payment_intent(
        tenant_id=club.playtomic_id,
        resource_id=court.playtomic_id,
        start=start,
        duration_minutes=60,
        number_of_players=4,
    )
    client.select_payment_method(intent.payment_intent_id, "CASH")
    client.confirm_payment_intent(intent.payment_intent_id)


def test_an_account_at_the_clubs_limit_hands_the_race_to_the_rules_next_account(
    make_rule, use_sandbox, club, account, member
):
    use_sandbox.set_limits(club.playtomic_id, max_active_bookings=1)
    hold_a_court(account, club)
    use_sandbox.add_account("second@sandbox.test", "second-pw-123")
    second = account_create(owner=member, email="second@sandbox.test", password="second-pw-123")
    rule, target, _ = make_rule(seconds=2, accounts=[account, second])

    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.account_id == second.pk
    kinds = [e.kind for e in attempt.events.order_by("pk")]
    assert kinds.index("limit_reached") < kinds.index("logged_in", kinds.index("limit_reached"))
    assert len(sandbox_bookings(use_sandbox, email="second@sandbox.test")) == 1
    assert len(sandbox_bookings(use_sandbox)) == 1  # only the court it already held


def test_the_clubs_active_booking_limit_stops_a_race_before_any_request_is_sent(
    make_rule, use_sandbox, club, account
):
    use_sandbox.set_limits(club.playtomic_id, max_active_bookings=1)
    hold_a_court(account, club)  # one upcoming court at the club
    rule, target, _ = make_rule(seconds=2)
    use_sandbox.clear_requests()

    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.FAILED
    assert "booking limit reached" in attempt.reason
    assert "1 active bookings, the club allows 1" in attempt.reason
    assert booking_posts(use_sandbox) == []
    assert attempt.requests_sent == 0
