"""Booking outcomes reach every member of the rule's group: a booked game with its club,
court, local time, price, players and a calendar attachment; a failure with its reason; a
miss. Races run against the sandbox over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from booking.models import BookingAttempt
from booking.services.race import attempt_race
from booking.services.reconcile import attempts_reconcile
from notifications.models import Notification
from tests.booking.conftest import account, club, make_rule, sandbox
from tests.booking.test_group_rules import lent, race_with_only_withdrawn_accounts

__all__ = ["account", "club", "lent", "make_rule", "sandbox"]

pytestmark = pytest.mark.django_db


def test_a_booking_reaches_every_member_of_the_group_with_a_calendar_entry(
    make_rule, group, owner, admin, member, use_sandbox
):
    rule, target, _ = make_rule(seconds=2, group=group)
    attempt = rule.attempts.get(target_date=target)

    attempt = attempt_race(attempt_id=attempt.pk)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    told = Notification.objects.filter(kind=Notification.Kind.BOOKING_SUCCEEDED)
    assert sorted(told.values_list("user", flat=True)) == sorted([owner.pk, admin.pk, member.pk])
    message = told.get(user=member)
    local = attempt.slot_start.astimezone(rule.club.zone)
    assert rule.club.name in message.subject
    assert f"{local:%H:%M} CET" in message.subject or f"{local:%H:%M} CEST" in message.subject
    assert attempt.court.name in message.body
    assert attempt.price and attempt.price.split()[0] in message.body
    assert "Players:" in message.body
    (ics,) = message.attachments
    assert ics["content_type"] == "text/calendar"
    assert "BEGIN:VEVENT" in ics["content"]
    assert f"DTSTART;TZID={rule.club.timezone}:{local:%Y%m%dT%H%M%S}" in ics["content"]


def test_a_failed_booking_tells_the_group_why(group, owner, admin, member, lent, club, use_sandbox):
    attempt = race_with_only_withdrawn_accounts(
        group=group, member=member, admin=admin, lent=lent, club=club
    )

    assert attempt.state == BookingAttempt.State.FAILED
    told = Notification.objects.filter(kind=Notification.Kind.BOOKING_FAILED)
    assert told.count() == 3
    message = told.get(user=owner)
    assert "withdrawn" in message.body
    assert message.attachments == []
    assert message.link.endswith(f"/booking/attempts/{attempt.pk}/")


def test_an_attempt_no_worker_armed_is_told_as_missed_once(
    make_rule, group, owner, admin, member, use_sandbox
):
    rule, target, release_at = make_rule(seconds=2, group=group)
    later = release_at + timedelta(minutes=10)

    attempts_reconcile(now=later)
    attempts_reconcile(now=later)

    attempt = rule.attempts.get(target_date=target)
    assert attempt.state == BookingAttempt.State.MISSED
    told = Notification.objects.filter(kind=Notification.Kind.BOOKING_MISSED)
    assert told.count() == 3
    assert "did not race" in told.get(user=admin).body


def test_a_dry_run_is_nobodys_news(make_rule, group, use_sandbox):
    rule, target, _ = make_rule(seconds=2, group=group, dry_run=True)

    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.REHEARSED
    assert not Notification.objects.exists()


def test_an_account_whose_login_starts_failing_tells_its_owner_once(member, account: Any):
    from accounts.services import account_record_failure
    from playtomic.errors import Unauthorized

    account_record_failure(account=account, error=Unauthorized("bad password"))
    account_record_failure(account=account, error=Unauthorized("bad password"))

    (message,) = Notification.objects.filter(kind=Notification.Kind.ACCOUNT_LOGIN_FAILING)
    assert message.user == member
    assert "Mine" in message.subject


def exploding_hook(*, attempt_id: int) -> None:
    raise RuntimeError(f"cannot tell anyone about {attempt_id}")


def test_a_failing_hook_never_costs_the_outcome_or_the_other_hooks(
    make_rule, group, owner, use_sandbox, settings
):
    settings.BOOKING_OUTCOME_HOOKS = [
        f"{__name__}.exploding_hook",
        "notifications.sources.booking.attempt_outcome_notify",
    ]
    rule, target, release_at = make_rule(seconds=2, group=group)

    attempts_reconcile(now=release_at + timedelta(minutes=10))

    assert rule.attempts.get(target_date=target).state == BookingAttempt.State.MISSED
    assert Notification.objects.filter(kind=Notification.Kind.BOOKING_MISSED).count() == 3
