"""Rule options at work: surface preferences order the candidates, account rotation takes
turns, and the payment preference falls through to the next method when one cannot pay."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.services import account_create
from booking import selectors
from booking.models import BookingAttempt, BookingRule
from booking.services.attempts import attempt_prepare
from booking.services.race import attempt_race
from tests.booking.conftest import sandbox_bookings

pytestmark = pytest.mark.django_db

SECOND_EMAIL = "second@example.com"
SECOND_PASSWORD = "second-pass-123"


def candidate_courts(rule: BookingRule, target) -> list[int]:
    now = timezone.now()
    order: list[int] = []
    for candidate in selectors.rule_candidates(
        rule, target, now=now, deadline=now + timedelta(seconds=5)
    ):
        if candidate.court_id not in order:
            order.append(candidate.court_id)
    return order


def mixed_preference(club) -> list[int]:
    """Outdoor courts listed before indoor ones, so a surface preference has to reorder
    (doubles courts: the rules are for four)."""
    courts = list(
        club.courts.filter(sport_id="PADEL", is_active=True, size="double").order_by("pk")
    )
    outdoor = [c.pk for c in courts if c.indoor is False]
    indoor = [c.pk for c in courts if c.indoor is True]
    assert outdoor and indoor, "the sandbox club should mix indoor and outdoor courts"
    return outdoor + indoor


def candidates_by_surface(
    make_rule: Any, club: Any, surface: str, *, only_listed: bool
) -> tuple[list[int], list[int]]:
    """The mixed court preference, and the courts a rule with it and `surface` would try."""
    preference = mixed_preference(club)
    rule, target, _ = make_rule(
        seconds=60, court_preference=preference, only_listed_courts=only_listed, surface=surface
    )
    return preference, candidate_courts(rule, target)


def test_prefer_indoor_tries_every_indoor_court_first_keeping_the_listed_order(make_rule, club):
    preference, order = candidates_by_surface(
        make_rule, club, BookingRule.Surface.PREFER_INDOOR, only_listed=True
    )
    indoor = {c.pk for c in club.courts.filter(indoor=True)}

    assert order == [pk for pk in preference if pk in indoor] + [
        pk for pk in preference if pk not in indoor
    ]


def test_outdoor_only_offers_outdoor_courts_and_nothing_else(make_rule, club):
    preference, order = candidates_by_surface(
        make_rule, club, BookingRule.Surface.OUTDOOR_ONLY, only_listed=False
    )
    outdoor = [pk for pk in preference if club.courts.get(pk=pk).indoor is False]

    assert order == outdoor


def test_a_rotating_rule_uses_its_accounts_in_turn(make_rule, member, account, use_sandbox):
    use_sandbox.add_account(SECOND_EMAIL, SECOND_PASSWORD)
    second = account_create(
        owner=member, email=SECOND_EMAIL, password=SECOND_PASSWORD, label="Second"
    )
    rule, target, _ = make_rule(seconds=2, accounts=[account, second], rotate_accounts=True)

    first_run = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)
    next_day = target + timedelta(days=1)
    prepared = attempt_prepare(
        rule=rule,
        target_date=next_day,
        release_at=timezone.now() + timedelta(seconds=1),
        trigger=BookingAttempt.Trigger.MANUAL,
    )
    assert prepared is not None
    second_run = attempt_race(attempt_id=prepared.pk, probe_clock=False)

    assert first_run.state == BookingAttempt.State.BOOKED, first_run.reason
    assert second_run.state == BookingAttempt.State.BOOKED, second_run.reason
    assert first_run.account_id == account.pk
    assert second_run.account_id == second.pk
    assert len(sandbox_bookings(use_sandbox)) == 1
    assert len(sandbox_bookings(use_sandbox, SECOND_EMAIL)) == 1


def race_with_wallet(make_rule: Any, member: Any, sandbox: Any, balance: str) -> Any:
    """Race a rule that pays by wallet, else card, with an account holding `balance` in its
    Playtomic wallet and a saved card."""
    sandbox.add_account(
        SECOND_EMAIL, SECOND_PASSWORD, wallet_balance=Decimal(balance), saved_card=True
    )
    payer = account_create(owner=member, email=SECOND_EMAIL, password=SECOND_PASSWORD, label="Pays")
    rule, target, _ = make_rule(seconds=2, accounts=[payer], payment_methods=["wallet", "card"])
    return attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)


def test_a_wallet_too_low_for_the_price_falls_through_to_the_card(make_rule, member, use_sandbox):
    result = race_with_wallet(make_rule, member, use_sandbox, "1.00")

    assert result.state == BookingAttempt.State.BOOKED, result.reason
    assert result.payment_method == "card"


def test_a_wallet_that_covers_the_price_is_used_first(make_rule, member, use_sandbox):
    result = race_with_wallet(make_rule, member, use_sandbox, "500.00")

    assert result.state == BookingAttempt.State.BOOKED, result.reason
    assert result.payment_method == "wallet"
