"""The group `make demo` shows: four friends who play weekday evenings, their Playtomic
(sandbox) accounts, two lent to the group, two rules, three weeks of past attempts and a few
games booked on the sandbox for the coming days, so every group page has something to show.

Safe to run again on the same database: people, the group and the rules are found by name and
updated; past attempts are only added for dates that have none; new logins are printed."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from accounts.client import account_client
from accounts.models import PlaytomicAccount
from accounts.services import account_create
from booking import selectors
from booking.models import AttemptEvent, BookingAttempt, BookingRule
from booking.services.rules import rule_save
from clubs.models import Club, Court
from groups import services as group_services
from groups.models import Group, LentAccount, Membership
from groups.selectors import is_member
from playtomic.client import PlaytomicClient
from playtomic.errors import PlaytomicError

GROUP_NAME = "Weekday padel"
MEMBERS = (("ana", "Ana"), ("ben", "Ben"), ("carla", "Carla"), ("dani", "Dani"))
SANDBOX_PASSWORD = "sandbox-friend-password"  # noqa: S105 - sandbox-only accounts
PAST_DAYS = 21


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str


def demo_group_seed(
    *,
    clubs: list[Club],
    add_sandbox_account: Callable[[str, str], object],
    now: datetime,
) -> list[Login]:
    """Seed the demo group against the running sandbox; returns the members' logins."""
    madrid = next(c for c in clubs if c.slug == "sandbox-padel-madrid")
    fallback = next((c for c in clubs if c.slug == "sandbox-padel-antwerpen"), None)
    users: dict[str, User] = {}
    passwords: dict[str, str] = {}
    accounts: dict[str, PlaytomicAccount] = {}
    for username, name in MEMBERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": name})
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.first_name = name
        user.save()
        users[username] = user
        passwords[username] = password
        email = f"{username}@sandbox.test"
        add_sandbox_account(email, SANDBOX_PASSWORD)
        account = PlaytomicAccount.objects.filter(owner=user).first() or account_create(
            owner=user, email=email, password=SANDBOX_PASSWORD, label=f"{name}'s account"
        )
        # A fresh login stores the account's Playtomic user id (players are registered by it).
        with contextlib.suppress(PlaytomicError):
            account_client(account=account, fresh=True).close()
        account.refresh_from_db()
        accounts[username] = account
    group = _group(users)
    logins = [
        Login(
            username,
            passwords[username],
            str(Membership.objects.get(group=group, user=user).get_role_display()),
        )
        for username, user in users.items()
    ]
    for username in ("ana", "ben"):
        group_services.account_lend(account=accounts[username], group=group, user=users[username])
    rules = _rules(group, users, accounts, madrid, fallback)
    _past_attempts(rules, now)
    _booked_games(rules[0], accounts["ana"], now)
    return logins


def _group(users: dict[str, User]) -> Group:
    """Ana's group, the others joining by invite links; Ben is an admin."""
    owner = users["ana"]
    group = Group.objects.filter(name=GROUP_NAME, created_by=owner).first()
    if group is None:
        group = group_services.group_create(name=GROUP_NAME, created_by=owner)
    for username in ("ben", "carla", "dani"):
        if not is_member(users[username], group):
            _, secret = group_services.invite_create(group=group, actor=owner)
            group_services.invite_accept(secret=secret, user=users[username])
    ben = Membership.objects.get(group=group, user=users["ben"])
    if ben.role != Membership.Role.ADMIN:
        group_services.membership_set_role(membership=ben, actor=owner, role=Membership.Role.ADMIN)
    return group


def _rules(
    group: Group,
    users: dict[str, User],
    accounts: dict[str, PlaytomicAccount],
    madrid: Club,
    fallback: Club | None,
) -> list[BookingRule]:
    lent = list(
        PlaytomicAccount.objects.filter(
            pk__in=LentAccount.objects.filter(group=group).values("account_id")
        ).order_by("pk")
    )
    common = {
        "club": madrid,
        "durations": [90],
        "payment_methods": ["club", "wallet", "card"],
        "release_policy": BookingRule.ReleasePolicy.ROLLING,
        "burst_seconds": 8.0,
    }
    evenings = _save(
        group,
        users["ana"],
        accounts=lent,
        players=[users[name] for name in ("ana", "ben", "carla", "dani")],
        fallback_clubs=[fallback] if fallback else [],
        name="Tuesday and Thursday evenings",
        weekdays=[1, 3],
        earliest_start=time(18, 30),
        latest_start=time(20, 0),
        fallback_earliest_start=time(20, 30),
        fallback_latest_start=time(21, 0),
        number_of_players=4,
        surface=BookingRule.Surface.PREFER_INDOOR,
        snipe_cancellations=True,
        **common,
    )
    fridays = _save(
        group,
        users["carla"],
        accounts=[accounts["ben"]],
        players=[users["carla"], users["dani"]],
        fallback_clubs=[],
        name="Friday doubles",
        weekdays=[4],
        earliest_start=time(19, 0),
        latest_start=time(20, 30),
        number_of_players=4,
        **common,
    )
    return [evenings, fridays]


def _save(
    group: Group,
    owner: User,
    *,
    accounts: list[PlaytomicAccount],
    players: list[User],
    fallback_clubs: list[Club],
    **fields: object,
) -> BookingRule:
    existing = BookingRule.objects.filter(group=group, name=fields["name"]).first()
    return rule_save(
        owner=owner,
        rule=existing,
        group=group,
        accounts=accounts,
        players=players,
        fallback_clubs=fallback_clubs,
        **fields,
    )


def _doubles(club: Club) -> list[Court]:
    return [
        c
        for c in club.courts.filter(sport_id="PADEL", is_active=True).order_by(
            "reservation_priority", "name"
        )
        if c.size == "double"
    ]


def _past_attempts(rules: list[BookingRule], now: datetime) -> None:
    """Three weeks of attempts: mostly booked, one failed, one missed, with short timelines."""
    outcomes = ["booked", "booked", "failed", "booked", "missed", "booked"]
    for rule in rules:
        zone = rule.club.zone
        courts = _doubles(rule.club)
        account = rule.accounts.order_by("pk").first()
        players = [
            {"user_id": p.playtomic_user_id, "name": p.name, "member": p.user_id}
            for p in selectors.rule_players(rule)
            if p.playtomic_user_id
        ]
        today = now.astimezone(zone).date()
        days = [
            today - timedelta(days=n)
            for n in range(PAST_DAYS, 0, -1)
            if (today - timedelta(days=n)).weekday() in rule.weekdays
        ]
        for index, day in enumerate(days):
            if BookingAttempt.objects.filter(rule=rule, target_date=day).exists():
                continue
            _past_attempt(rule, day, outcomes[index % len(outcomes)], account, courts, players)


def _past_attempt(
    rule: BookingRule,
    day: date,
    outcome: str,
    account: PlaytomicAccount | None,
    courts: list[Court],
    players: list[dict[str, object]],
) -> None:
    release_at = selectors.rule_release_instant(rule, day) or datetime.combine(
        day - timedelta(days=14), time(8), tzinfo=UTC
    )
    start = selectors.local_instant(day, rule.earliest_start, rule.club.zone)
    court = courts[day.toordinal() % len(courts)] if courts else None
    booked = outcome == "booked"
    states = BookingAttempt.State
    state = {"booked": states.BOOKED, "failed": states.FAILED}.get(outcome, states.MISSED)
    reason = {
        "booked": "confirmed",
        "failed": "every candidate was taken within the burst",
        "missed": "armed too late (the booking worker was down)",
    }[outcome]
    with transaction.atomic():
        attempt = BookingAttempt.objects.create(
            rule=rule,
            target_date=day,
            state=state,
            release_at=release_at,
            deadline_at=release_at + timedelta(seconds=rule.burst_seconds),
            account=account if outcome != "missed" else None,
            armed_at=release_at - timedelta(seconds=60) if outcome != "missed" else None,
            fired_at=release_at + timedelta(milliseconds=3) if outcome != "missed" else None,
            finished_at=release_at + timedelta(milliseconds=420),
            requests_sent={"booked": 3, "failed": 14}.get(outcome, 0),
            reason=reason,
            court=court if booked else None,
            slot_start=start if booked else None,
            duration_minutes=90 if booked else None,
            price=f"{48 if court and court.indoor else 36} {rule.club.currency}" if booked else "",
            payment_method="club" if booked else "",
            match_id=f"demo-{rule.pk}-{day.isoformat()}" if booked else "",
            players=players if booked else [],
            split_parts=rule.number_of_players if booked and rule.split_payment else None,
        )
        if outcome == "missed":
            return
        events = [
            (-60_000.0, "armed", "Release, round 1"),
            (-59_200.0, "logged_in", str(account)),
            (-58_900.0, "candidates", "12 candidates"),
            (3.1, "fire", ""),
            (4.0, "intent_sent", court.name if court else ""),
        ]
        if booked:
            events += [(180.5, "intent_ok", ""), (402.7, "confirm_ok", "")]
        else:
            events += [(60.2, "intent_error", "409 SLOT_NOT_AVAILABLE"), (8000.0, "gave_up", "")]
        AttemptEvent.objects.bulk_create(
            AttemptEvent(
                attempt=attempt,
                at=release_at + timedelta(milliseconds=ms),
                ms_from_release=ms,
                kind=kind,
                message=message,
            )
            for ms, kind, message in events
        )


def _booked_games(rule: BookingRule, account: PlaytomicAccount, now: datetime) -> None:
    """Book the next two evenings of the rule on the sandbox (with the players registered and
    the price split), recorded as booked attempts: the group's upcoming games."""
    booked = BookingAttempt.objects.filter(
        rule=rule, state=BookingAttempt.State.BOOKED, slot_start__gt=now
    ).count()
    if booked >= 2:
        return
    registrations = selectors.rule_registrations(rule, account)
    client = account_client(account=account, fresh=True)
    today = now.astimezone(rule.club.zone).date()
    courts = {c.playtomic_id: c for c in _doubles(rule.club)}
    try:
        for offset in range(1, 10):
            day = today + timedelta(days=offset)
            if day.weekday() not in rule.weekdays:
                continue
            if BookingAttempt.objects.filter(rule=rule, target_date=day).exists():
                continue
            if _book_one(rule, client, account, day, courts, registrations):
                booked += 1
            if booked >= 2:
                break
    finally:
        client.close()


def _book_one(
    rule: BookingRule,
    client: PlaytomicClient,
    account: PlaytomicAccount,
    day: date,
    courts: dict[str, Court],
    registrations: list[selectors.Registration],
) -> bool:
    zone = rule.club.zone
    first = selectors.local_instant(day, rule.earliest_start, zone)
    last = selectors.local_instant(day, rule.latest_start, zone)
    try:
        free = client.availability_for_local_day(rule.club.playtomic_id, day, zone)
    except PlaytomicError:
        return False
    slots = sorted(
        (slot.start, entry.resource_id)
        for entry in free
        if entry.resource_id in courts
        for slot in entry.slots
        if slot.duration_minutes == 90 and first <= slot.start <= last
    )
    for start, resource_id in slots:
        try:
            intent = client.create_payment_intent(
                tenant_id=rule.club.playtomic_id,
                resource_id=resource_id,
                start=start,
                duration_minutes=90,
                number_of_players=rule.number_of_players,
                players=[r.playtomic_user_id for r in registrations[1:]],
                split_payment=rule.split_payment,
            )
            method = intent.method("CASH") or intent.available_payment_methods[0]
            client.select_payment_method(intent.payment_intent_id, method.payment_method_id)
            done = client.confirm_payment_intent(intent.payment_intent_id)
        except PlaytomicError:
            continue
        release_at = selectors.rule_release_instant(rule, day) or start - timedelta(days=14)
        BookingAttempt.objects.create(
            rule=rule,
            target_date=day,
            state=BookingAttempt.State.BOOKED,
            release_at=release_at,
            deadline_at=release_at + timedelta(seconds=rule.burst_seconds),
            account=account,
            finished_at=release_at + timedelta(milliseconds=400),
            requests_sent=3,
            reason="confirmed",
            court=courts[resource_id],
            slot_start=start,
            duration_minutes=90,
            price=str(intent.price or ""),
            payment_method="club",
            payment_intent_id=intent.payment_intent_id,
            match_id=done.match_id or intent.match_id or "",
            players=[r.to_json() for r in registrations],
            split_parts=intent.split_payment_parts,
        )
        return True
    return False
