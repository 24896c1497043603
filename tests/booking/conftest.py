"""Booking fixtures: a quiet sandbox (no background demand, so slots are predictable), the
Madrid club imported from it, a member's account and a rule factory aimed at a release a few
seconds away. The group cast (an owner, an admin and `member` in one group) is every
folder's, from tests/support/group_cast.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import transaction

from accounts.models import PlaytomicAccount
from accounts.services import account_create
from booking import selectors
from booking.models import BookingAttempt, BookingRule
from booking.services.rules import rule_save
from clubs.models import Club
from clubs.services import club_store_tenant
from groups import services as group_services
from playtomic.types import parse_tenant
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD

MADRID = "sandbox-padel-madrid"


@pytest.fixture
def sandbox() -> Iterator[Any]:
    from playtomic.sandbox.server import SandboxServer

    with SandboxServer(
        seed=1, accounts=[(SANDBOX_EMAIL, SANDBOX_PASSWORD)], demand=False
    ) as server:
        yield server


def import_club(sandbox: Any, slug: str = MADRID) -> Club:
    tenant = parse_tenant(sandbox.world.club_by_slug(slug).to_json())
    with transaction.atomic():
        return club_store_tenant(tenant=tenant)


@pytest.fixture
def club(use_sandbox: Any, db: Any) -> Club:
    return import_club(use_sandbox)


@pytest.fixture
def account(member: Any, use_sandbox: Any) -> PlaytomicAccount:
    return account_create(
        owner=member, email=SANDBOX_EMAIL, password=SANDBOX_PASSWORD, label="Mine"
    )


def release_in(seconds: float) -> datetime:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0) + timedelta(
        seconds=1
    )


@pytest.fixture
def make_rule(
    member: Any, club: Club, account: PlaytomicAccount, use_sandbox: Any
) -> Callable[..., tuple[BookingRule, date, datetime]]:
    """A rule whose next release is `seconds` from now, for the club-local date `days` ahead,
    with the sandbox told to open that date at the same instant."""

    def build(
        seconds: float = 3, days: int = 3, **fields: Any
    ) -> tuple[BookingRule, date, datetime]:
        release_at = release_in(seconds)
        local = release_at.astimezone(club.zone)
        target = local.date() + timedelta(days=days)
        # The first court that fits the rule's players (a doubles court for the default 4).
        players = fields.get("number_of_players", 4)
        first_court = next(
            c
            for c in club.courts.order_by("reservation_priority", "pk")
            if selectors.court_fits(c, players)
        )
        values: dict[str, Any] = {
            "name": fields.pop("name", f"Evenings {days}"),
            "club": club,
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "earliest_start": time(18, 0),
            "latest_start": time(19, 0),
            "durations": [90],
            "court_preference": [first_court.pk],
            "payment_methods": ["club"],
            "release_policy": BookingRule.ReleasePolicy.FIXED,
            "release_days_before": days,
            "release_local_time": local.time().replace(tzinfo=None),
            "burst_seconds": 3.0,
        }
        values.update(fields)
        accounts = values.pop("accounts", [account])
        rule = rule_save(owner=member, accounts=accounts, **values)
        use_sandbox.set_release(club.playtomic_id, target, release_at)
        return rule, target, release_at

    return build


def sandbox_bookings(sandbox: Any, email: str = SANDBOX_EMAIL) -> list[dict[str, Any]]:
    return [
        b
        for b in sandbox.state()["bookings"]
        if b["owner_email"] == email and b["status"] != "CANCELED"
    ]


def lent_group_rule(
    group: Any, account: PlaytomicAccount, club: Club, *, owner: Any, lender: Any, **fields: Any
) -> BookingRule:
    """A rule of `group` booking with `account`, which `lender` lends to the group first:
    paid at the club, released 7 days ahead at 08:00 local; `fields` say the rest."""
    group_services.account_lend(account=account, group=group, user=lender)
    return rule_save(
        owner=owner,
        group=group,
        accounts=[account],
        club=club,
        payment_methods=["club"],
        release_policy=BookingRule.ReleasePolicy.FIXED,
        release_days_before=7,
        release_local_time=time(8, 0),
        **fields,
    )


def booked_game(rule: BookingRule, court: Any, start: datetime, **fields: Any) -> BookingAttempt:
    """A BOOKED attempt of `rule`: 90 minutes at `start` (UTC) on `court`, 48 EUR paid at the
    club and split 4 ways, released 7 days before; `fields` say the rest (account, players)."""
    release_at = start - timedelta(days=7)
    values: dict[str, Any] = {
        "target_date": start.date(),
        "release_at": release_at,
        "deadline_at": release_at + timedelta(seconds=10),
        "slot_start": start,
        "duration_minutes": 90,
        "price": "48 EUR",
        "payment_method": "club",
        "split_parts": 4,
    }
    return BookingAttempt.objects.create(
        rule=rule, court=court, state=BookingAttempt.State.BOOKED, **(values | fields)
    )
