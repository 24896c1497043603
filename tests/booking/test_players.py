"""Players on the booking: a rule says how many play and which members; the racer only tries
courts that fit (doubles for 3 or 4, singles for 1 or 2) and the booking registers the named
members on the match, with the price split when the club allows it. Against the sandbox over
HTTP."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.client import account_client
from accounts.models import PlaytomicAccount
from accounts.services import account_create
from booking import selectors
from booking.models import BookingAttempt
from booking.services.race import attempt_race
from booking.services.rules import rule_save
from booking.services.sniping import snipe_freed_slots
from groups import services as group_services
from groups.models import Group
from tests.booking.conftest import import_club, release_in, sandbox_bookings
from tests.support.events import published_event

pytestmark = pytest.mark.django_db

LONDON = "sandbox-racquets-london"


def own_account(sandbox: Any, user: Any, email: str) -> PlaytomicAccount:
    """A member's own Playtomic (sandbox) account whose user id is known, as after a login."""
    player = sandbox.add_account(email, "pw-12345678")
    account = account_create(owner=user, email=email, password="pw-12345678", label=email)
    PlaytomicAccount.objects.filter(pk=account.pk).update(playtomic_user_id=player.user_id)
    account.refresh_from_db()
    return account


@pytest.fixture
def players(use_sandbox, owner, admin) -> dict[str, str]:
    """The Playtomic user ids of the owner's and the admin's own accounts."""
    return {
        "owner": own_account(use_sandbox, owner, "olga@sandbox.test").playtomic_user_id,
        "admin": own_account(use_sandbox, admin, "adrian@sandbox.test").playtomic_user_id,
    }


def fixed_rule(club: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Tuesdays",
        "club": club,
        "weekdays": [1],
        "earliest_start": time(18, 0),
        "latest_start": time(19, 0),
        "court_preference": [],
        "payment_methods": ["club"],
        "release_policy": "fixed",
        "release_days_before": 7,
        "release_local_time": time(8, 0),
        **overrides,
    }


@pytest.fixture
def lent(group: Group, member: Any, account: PlaytomicAccount) -> PlaytomicAccount:
    group_services.account_lend(account=account, group=group, user=member)
    return account


def intents_sent(attempt: BookingAttempt) -> list[str]:
    return list(attempt.events.filter(kind="intent_sent").values_list("message", flat=True))


def test_a_four_player_rule_only_tries_doubles_and_registers_the_named_players(
    make_rule, use_sandbox, club, group, owner, admin, member, lent, players
):
    doubles = list(club.courts.filter(size="double").order_by("reservation_priority", "pk"))
    rule, target, _ = make_rule(
        seconds=3,
        group=group,
        players=[owner, admin, member],
        number_of_players=4,
        court_preference=[],
    )
    # A rival takes the first doubles court at the release, so the racer moves on: to another
    # doubles court, never to one of the singles courts the club lists first.
    start = selectors.rule_window_utc(rule, target)[0]
    use_sandbox.add_rivals(
        [
            {
                "tenant_id": club.playtomic_id,
                "resource_id": doubles[0].playtomic_id,
                "start": start.strftime("%Y-%m-%dT%H:%M:%S"),
                "duration": 90,
                "delay_ms": 0,
            }
        ]
    )
    candidates = selectors.rule_candidates(
        rule, target, now=timezone.now(), deadline=start + timedelta(hours=6)
    )
    assert candidates and all(club.courts.get(pk=c.court_id).size == "double" for c in candidates)

    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.court.size == "double"
    sent = intents_sent(attempt)
    assert sent and all("(Double)" in message for message in sent), sent
    booked = sandbox_bookings(use_sandbox)
    assert [b["match_id"] for b in booked] == [attempt.match_id]
    single_ids = set(club.courts.filter(size="single").values_list("playtomic_id", flat=True))
    assert not single_ids & {b["resource_id"] for b in booked}

    match = account_client(account=lent).get_match(attempt.match_id)
    registered = [p.user_id for p in match.players]
    booker = PlaytomicAccount.objects.get(pk=lent.pk).playtomic_user_id
    assert registered == [booker, players["owner"], players["admin"]]
    assert match.number_of_players == 4
    assert [p["name"] for p in attempt.players] == ["member", "Olga", "Adrián"]
    assert attempt.split_parts == 4


def test_a_two_player_rule_only_tries_singles_courts(make_rule, use_sandbox, club):
    rule, target, _ = make_rule(seconds=2, number_of_players=2, court_preference=[])

    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.court.size == "single"
    assert all("(Single)" in message for message in intents_sent(attempt))


def test_a_club_that_does_not_split_leaves_the_price_to_the_booking_account(
    use_sandbox, club, member, account
):
    london = import_club(use_sandbox, LONDON)
    court = london.courts.filter(sport_id="PADEL", size="double").first()
    release_at = release_in(2)
    local = release_at.astimezone(london.zone)
    target = local.date() + timedelta(days=3)
    rule = rule_save(
        owner=member,
        accounts=[account],
        **fixed_rule(
            london,
            weekdays=list(range(7)),
            earliest_start=time(12, 0),
            latest_start=time(12, 0),
            court_preference=[court.pk],
            payment_methods=["card"],
            split_payment=True,
            release_days_before=3,
            release_local_time=local.time().replace(tzinfo=None),
            burst_seconds=3.0,
        ),
    )
    use_sandbox.set_release(london.playtomic_id, target, release_at)

    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)

    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason
    assert attempt.split_parts == 1


def test_a_rule_names_only_members_and_no_more_players_than_it_has(
    group, member, owner, lent, club, outsider
):
    with pytest.raises(ValidationError) as too_many:
        rule_save(
            owner=member,
            group=group,
            accounts=[lent],
            players=[member, owner],
            **fixed_rule(club, number_of_players=1),
        )
    assert "at most 1" in str(too_many.value.message_dict["players"])

    with pytest.raises(ValidationError) as stranger:
        rule_save(
            owner=member, group=group, accounts=[lent], players=[outsider], **fixed_rule(club)
        )
    assert "members" in str(stranger.value.message_dict["players"])


def test_a_four_player_rule_cannot_list_a_singles_court(group, member, lent, club):
    single = club.courts.filter(size="single").first()

    with pytest.raises(ValidationError) as refused:
        rule_save(
            owner=member,
            group=group,
            accounts=[lent],
            **fixed_rule(club, court_preference=[single.pk]),
        )
    assert "fit 4 players" in str(refused.value.message_dict["court_preference"])


def test_the_booking_account_is_registered_first_and_unknown_players_stay_open_seats(
    group, member, owner, lent, club
):
    rule = rule_save(
        owner=member, group=group, accounts=[lent], players=[owner, member], **fixed_rule(club)
    )
    PlaytomicAccount.objects.filter(pk=lent.pk).update(playtomic_user_id="777")
    lent.refresh_from_db()

    registrations = selectors.rule_registrations(rule, lent)

    # The owner has no Playtomic account of their own: not registered, an open seat.
    assert [(r.playtomic_user_id, r.name) for r in registrations] == [("777", "member")]


def test_a_freed_singles_court_starts_no_snipe_for_four(member, account, club):
    rule = rule_save(
        owner=member,
        accounts=[account],
        **fixed_rule(club, weekdays=list(range(7)), snipe_cancellations=True),
    )
    day = timezone.localdate(timezone.now(), club.zone) + timedelta(days=3)
    start = selectors.rule_window_utc(rule, day)[0]

    single = published_event(
        club, court=club.courts.filter(size="single").first(), start=start, minutes=90
    )
    double = published_event(
        club, court=club.courts.filter(size="double").first(), start=start, minutes=90
    )

    assert snipe_freed_slots(event_ids=[single.pk]) == []
    assert len(snipe_freed_slots(event_ids=[double.pk])) == 1
