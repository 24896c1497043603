"""Sandbox faults during the burst: each ends in a clear final state and reason."""

from __future__ import annotations

import pytest

from accounts.client import account_client
from accounts.models import PlaytomicAccount
from accounts.services import account_create
from booking.models import BookingAttempt
from booking.services.race import attempt_race
from tests.booking.conftest import sandbox_bookings

pytestmark = pytest.mark.django_db


def run(rule, target):
    return attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)


def test_latency_on_the_booking_calls_still_books(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=2)
    use_sandbox.add_fault(endpoint="create_payment_intent", latency_ms=300)
    use_sandbox.add_fault(endpoint="confirm_payment_intent", latency_ms=300)

    attempt = run(rule, target)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert len(sandbox_bookings(use_sandbox)) == 1


def test_a_5xx_on_create_reads_matches_before_trying_again(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=2)
    use_sandbox.add_fault(endpoint="create_payment_intent", error_rate=1.0, count=2)

    attempt = run(rule, target)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    kinds = list(attempt.events.values_list("kind", flat=True))
    first_error = kinds.index("intent_error")
    assert kinds[first_error + 1] == "matches_checked"
    assert len(sandbox_bookings(use_sandbox)) == 1


def test_a_confirmation_that_lands_but_loses_its_answer_is_not_repeated_blindly(
    make_rule, use_sandbox
):
    rule, target, _ = make_rule(seconds=2)
    use_sandbox.add_fault(endpoint="confirm_payment_intent", drop_connection="after", count=1)

    attempt = run(rule, target)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert len(sandbox_bookings(use_sandbox)) == 1


def test_an_expired_access_token_is_renewed_and_the_booking_goes_through(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=3)
    attempt = rule.attempts.get(target_date=target)
    # Log in now, then expire every token at the sandbox: the burst meets a 401.
    account_client(account=rule.accounts.get()).list_matches(size=1)
    before = PlaytomicAccount.objects.get()
    assert before.refresh_token and before.tokens_rotated_at is not None
    use_sandbox.expire_tokens()

    attempt = attempt_race(attempt_id=attempt.pk, probe_clock=False)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert len(sandbox_bookings(use_sandbox)) == 1
    # Refresh tokens are single-use: the rotated one must be in the database, not only in
    # the client that used it.
    after = PlaytomicAccount.objects.get()
    assert after.refresh_token
    assert after.refresh_token != before.refresh_token
    assert after.tokens_rotated_at is not None
    assert after.tokens_rotated_at > before.tokens_rotated_at
    # And it works: a client built from the stored tokens alone can read the matches.
    account_client(account=after).list_matches(size=1)


def test_409_for_every_candidate_fails_with_the_reason(make_rule, use_sandbox, club):
    rule, target, release_at = make_rule(seconds=2, burst_seconds=1.0)
    # The sandbox never opens the date within the burst.
    use_sandbox.set_release(club.playtomic_id, target, release_at.replace(year=release_at.year + 1))

    attempt = run(rule, target)

    assert attempt.state == BookingAttempt.State.FAILED
    assert "no candidate could be held" in attempt.reason
    assert "409" in attempt.reason
    assert sandbox_bookings(use_sandbox) == []


def test_an_account_that_cannot_log_in_fails_with_a_reason_and_no_secret(
    make_rule, use_sandbox, member
):
    bad = account_create(owner=member, email="nobody@sandbox.test", password="wrong-pw-42")
    rule, target, _ = make_rule(seconds=2, accounts=[bad])

    attempt = run(rule, target)

    assert attempt.state == BookingAttempt.State.FAILED
    assert "no account could log in" in attempt.reason
    assert "wrong-pw-42" not in attempt.reason
    bad.refresh_from_db()
    assert bad.status == bad.Status.FAILED
