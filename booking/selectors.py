"""Read paths of the booking app: release instants (configured, and learned from observed
releases), candidate slots, group-scoped querysets and success rates. Wall-clock rules
(weekdays, windows, release times) are evaluated in the club's zone; everything returned is
aware UTC.

Rules, their attempts and the accounts they book with belong to a group: every member sees
them (`rules_for`, `attempts_for` scope by `groups.selectors.in_groups_of`, so another group's
rule is a 404); the rule's creator and the group's admins edit them (`rule_editable_by`)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from accounts.models import PlaytomicAccount
from availability.cells import CELL
from availability.models import AvailabilityEvent, CellState, PollRun, SlotState
from booking.models import BookingAttempt, BookingRule
from clubs.models import Club, Court
from groups.models import Group, LentAccount
from groups.selectors import (
    accounts_usable_by,
    display_name,
    groups_for,
    in_groups_of,
    is_admin,
    is_member,
    lent_accounts,
)

AnyUser = AbstractBaseUser | AnonymousUser

# How far ahead next_release looks for a date whose release is still to come.
_SEARCH_DAYS = 400


@dataclass(frozen=True)
class Candidate:
    """One bookable option, in the rule's order of preference."""

    court_id: int
    resource_id: str
    court_name: str
    start: datetime  # UTC
    duration: int  # minutes
    tenant_id: str  # the court's club on Playtomic

    def describe(self) -> str:
        return f"{self.court_name} {self.start:%Y-%m-%d %H:%M}Z {self.duration} min"


def local_instant(day: date, wall: time, zone: Any) -> datetime:
    """The UTC instant of a club-local wall-clock time. A time skipped by a DST jump maps
    (fold=0) to the instant of the jump; a repeated one to its first occurrence."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def rule_release_instant(rule: BookingRule, target_date: date) -> datetime | None:
    """When the club opens `target_date`'s slots for this rule (T), or None when the policy
    cannot say (rolling policy at a club with no booking_ahead_limit)."""
    zone = rule.club.zone
    if rule.release_policy == BookingRule.ReleasePolicy.FIXED:
        if rule.release_days_before is None or rule.release_local_time is None:
            return None
        release_day = target_date - timedelta(days=rule.release_days_before)
        return local_instant(release_day, rule.release_local_time, zone)
    ahead = rule.club.booking_ahead_limit_minutes
    if ahead is None:
        return None
    # Rolling: each slot opens `ahead` minutes before it starts, so the first preferred start
    # opens first; later starts open later and are covered if they open within the burst.
    return local_instant(target_date, rule.earliest_start, zone) - timedelta(minutes=ahead)


def rule_next_release(
    rule: BookingRule, *, after: datetime, skip_dates: Iterable[date] = ()
) -> tuple[date, datetime] | None:
    """The first (target date, T) with T strictly after `after` on one of the rule's weekdays."""
    skipped = set(skip_dates)
    zone = rule.club.zone
    first = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(_SEARCH_DAYS):
        day = first + timedelta(days=offset)
        if day.weekday() not in rule.weekdays or day in skipped:
            continue
        release = rule_release_instant(rule, day)
        if release is not None and release > after:
            return day, release
    return None


def rule_target_date_near(rule: BookingRule, instant: datetime) -> date | None:
    """The rule's target date whose release instant is closest to `instant`."""
    best: tuple[float, date] | None = None
    start = instant.astimezone(rule.club.zone).date() - timedelta(days=2)
    for offset in range(_SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if day.weekday() not in rule.weekdays:
            continue
        release = rule_release_instant(rule, day)
        if release is None:
            return None
        distance = abs((release - instant).total_seconds())
        if best is None or distance < best[0]:
            best = (distance, day)
        if release > instant + timedelta(days=2):
            break
    return best[1] if best else None


def rule_window_utc(rule: BookingRule, target_date: date) -> tuple[datetime, datetime]:
    """UTC bounds of the starts the rule's main window accepts on `target_date` at its own
    club (inclusive)."""
    zone = rule.club.zone
    return (
        local_instant(target_date, rule.earliest_start, zone),
        local_instant(target_date, rule.latest_start, zone),
    )


def rule_clubs(rule: BookingRule) -> list[Club]:
    """The rule's clubs in order of preference: its own club, then the fallback clubs."""
    if rule.pk is None:
        return [rule.club]
    # Ordered by position (the link's Meta); uses rules_for's prefetch when there is one.
    return [rule.club, *(link.club for link in rule.fallback_links.all())]


def rule_local_windows(rule: BookingRule) -> list[tuple[time, time]]:
    """The rule's windows (club-local wall clock) in order: the main one, then the fallback."""
    windows = [(rule.earliest_start, rule.latest_start)]
    if rule.fallback_earliest_start is not None and rule.fallback_latest_start is not None:
        windows.append((rule.fallback_earliest_start, rule.fallback_latest_start))
    return windows


def rule_windows_utc(
    rule: BookingRule, target_date: date, clubs: Iterable[Club] | None = None
) -> list[tuple[datetime, datetime]]:
    """UTC bounds of every window of the rule on `target_date`, at each of its clubs."""
    clubs = rule_clubs(rule) if clubs is None else list(clubs)
    return [
        (local_instant(target_date, first, club.zone), local_instant(target_date, last, club.zone))
        for first, last in rule_local_windows(rule)
        for club in clubs
    ]


def court_fits(court: Court, number_of_players: int) -> bool:
    """A doubles court for 3 or 4 players, a singles court for 1 or 2. A court whose size
    Playtomic did not say is not ruled out."""
    if not court.size:
        return True
    return court.size == ("double" if number_of_players > 2 else "single")


def rule_courts_in_order(rule: BookingRule, club: Club | None = None) -> list[Court]:
    """The courts of `club` (default: the rule's own) the rule accepts, best first: the
    listed courts in their order, then (unless only listed ones are wanted) the others by the
    club's priority, sorted by the surface preference. Only courts that fit the rule's number
    of players (`court_fits`)."""
    club = club or rule.club
    courts = {
        c.pk: c
        for c in club.courts.filter(is_active=True, sport_id="PADEL")
        if court_fits(c, rule.number_of_players)
    }
    ordered = [courts[pk] for pk in rule.court_preference if pk in courts]
    if not rule.only_listed_courts:
        listed = set(rule.court_preference)
        ordered += [c for pk, c in sorted(courts.items(), key=_court_sort) if pk not in listed]
    surface = BookingRule.Surface
    if rule.surface == surface.INDOOR_ONLY:
        ordered = [c for c in ordered if c.indoor is True]
    elif rule.surface == surface.OUTDOOR_ONLY:
        ordered = [c for c in ordered if c.indoor is False]
    elif rule.surface in (surface.PREFER_INDOOR, surface.PREFER_OUTDOOR):
        wanted = rule.surface == surface.PREFER_INDOOR
        # A stable sort keeps the court order within each surface.
        ordered.sort(key=lambda c: 0 if c.indoor is wanted else 1)
    return ordered


def rule_listed_courts(rule: BookingRule) -> list[Court]:
    """The courts the rule names, in its order of preference (the rule page lists them)."""
    by_id = Court.objects.select_related("club").in_bulk(rule.court_preference)
    return [by_id[pk] for pk in rule.court_preference if pk in by_id]


def _court_sort(item: tuple[int, Court]) -> tuple[int, str]:
    return item[1].reservation_priority, item[1].name


def rule_candidates(
    rule: BookingRule,
    target_date: date,
    *,
    now: datetime,
    deadline: datetime,
    min_start: datetime | None = None,
    require_free: bool = False,
    clubs: Iterable[Club] | None = None,
) -> list[Candidate]:
    """Every (court, start, duration) the rule accepts on `target_date`, best first: the main
    window before the fallback one; within a window the clubs in the rule's order; then the
    earliest start, the duration in the rule's order and the court preference. `clubs` narrows
    the rule's clubs (for example to those whose booking limits leave room).

    The latest known availability prunes the list: a candidate touching a cell last seen
    taken is dropped (releases show cells as not released, so they stay). With
    `require_free` (sniping) every cell must have been seen free. A candidate whose last
    known price is above the rule's `max_price` is dropped. Under a rolling policy a start
    that opens after `deadline` (by its club's booking_ahead_limit) cannot be won in this
    burst and is left out."""
    clubs = rule_clubs(rule) if clubs is None else list(clubs)
    courts = {club.pk: rule_courts_in_order(rule, club) for club in clubs}
    every_court = [court for listed in courts.values() for court in listed]
    if not every_court:
        return []
    earliest = max(now, min_start) if min_start else now
    states: dict[tuple[int, datetime], str] = {}
    rates: dict[tuple[int, datetime], Decimal] = {}
    for court_id, start, state, rate in SlotState.objects.filter(
        court__in=every_court, local_date=target_date
    ).values_list("court_id", "start", "state", "price"):
        states[(court_id, start.astimezone(UTC))] = state
        if rate is not None:
            rates[(court_id, start.astimezone(UTC))] = rate
    result: list[Candidate] = []
    seen: set[tuple[int, datetime, int]] = set()
    for first, last in rule_local_windows(rule):
        for club in clubs:
            ahead = club.booking_ahead_limit_minutes
            rolling = rule.release_policy == BookingRule.ReleasePolicy.ROLLING and ahead is not None
            cursor = local_instant(target_date, first, club.zone)
            window_end = local_instant(target_date, last, club.zone)
            while cursor <= window_end:
                start, cursor = cursor, cursor + CELL
                if start <= earliest:
                    continue
                if rolling and ahead is not None and start - timedelta(minutes=ahead) > deadline:
                    continue
                for duration in rule.durations:
                    cells = [start + CELL * i for i in range(max(1, duration // 30))]
                    for court in courts[club.pk]:
                        key = (court.pk, start, int(duration))
                        if key in seen or (court.durations and duration not in court.durations):
                            continue
                        seen_states = [states.get((court.pk, cell)) for cell in cells]
                        if CellState.TAKEN in seen_states:
                            continue
                        if require_free and any(st != CellState.FREE for st in seen_states):
                            continue
                        if _over_price(rule, [rates.get((court.pk, cell)) for cell in cells]):
                            continue
                        seen.add(key)
                        result.append(
                            Candidate(
                                court.pk,
                                court.playtomic_id,
                                court.name,
                                start,
                                int(duration),
                                club.playtomic_id,
                            )
                        )
    return result


def _over_price(rule: BookingRule, hourly_rates: list[Decimal | None]) -> bool:
    """Whether the last known price of a slot is above the rule's cap. The cell rate is the
    cheapest hourly rate seen over the cell, so the estimate errs low: a candidate is only
    dropped when even that is too dear. Unknown rates keep the candidate (the intent's price
    is checked again)."""
    known = [rate for rate in hourly_rates if rate is not None]
    if rule.max_price is None or not known or len(known) < len(hourly_rates):
        return False
    estimate = sum((rate * Decimal(CELL.seconds) / 3600 for rate in known), Decimal(0))
    return estimate > rule.max_price


def rules_for(user: AnyUser) -> QuerySet[BookingRule]:
    """The rules of every group `user` is in (none for an anonymous visitor)."""
    return (
        in_groups_of(BookingRule.objects.all(), user)
        .select_related("club", "periodic_task", "group", "owner")
        .prefetch_related("accounts", "fallback_links__club", "player_links__user")
    )


def attempts_for(user: AnyUser) -> QuerySet[BookingAttempt]:
    """The attempts of the rules of every group `user` is in."""
    return in_groups_of(
        BookingAttempt.objects.all(), user, group_field="rule__group"
    ).select_related("rule", "rule__club", "rule__group", "account", "court", "court__club")


def rule_editable_by(rule: BookingRule, user: AnyUser) -> bool:
    """Who may change or delete a rule: the group's admins (and owner), and the member who
    made it while they are in the group. Every other member sees it, read-only."""
    if user.pk is None:
        return False
    if rule.owner_id == user.pk and is_member(user, rule.group):
        return True
    return is_admin(user, rule.group)


def rule_account_choices(group: Group, creator: AnyUser) -> QuerySet[PlaytomicAccount]:
    """The accounts a rule of `group` made by `creator` may book with: the creator's own while
    they are in the group, plus those lent to the group (`accounts_usable_by`)."""
    if is_member(creator, group):
        return accounts_usable_by(creator, group)
    return PlaytomicAccount.objects.filter(pk__in=lent_accounts(group).values("account_id"))


def rule_accounts(rule: BookingRule) -> QuerySet[PlaytomicAccount]:
    """The rule's accounts it may still book with: an account withdrawn from the group (or
    whose owner left it) stays listed on the rule but is no longer used."""
    usable = rule_account_choices(rule.group, rule.owner).values("pk")
    return rule.accounts.filter(pk__in=usable)


def rule_withdrawn_accounts(rule: BookingRule) -> list[PlaytomicAccount]:
    """The rule's accounts it can no longer book with (see `rule_accounts`)."""
    usable = set(rule_accounts(rule).values_list("pk", flat=True))
    return [account for account in rule.accounts.all() if account.pk not in usable]


@dataclass(frozen=True)
class Player:
    """A member a rule names as playing, with the Playtomic user id of their own account
    (the oldest one that has logged in) when one is known."""

    user_id: int
    name: str
    playtomic_user_id: str
    in_group: bool


def playtomic_ids_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each user's Playtomic user id, from their own oldest account that has logged in."""
    found: dict[int, str] = {}
    rows = (
        PlaytomicAccount.objects.filter(owner_id__in=list(user_ids))
        .exclude(playtomic_user_id="")
        .order_by("pk")
        .values_list("owner_id", "playtomic_user_id")
    )
    for owner_id, playtomic_user_id in rows:
        found.setdefault(owner_id, playtomic_user_id)
    return found


def rule_players(rule: BookingRule) -> list[Player]:
    """The members the rule names as playing, in its order."""
    links = list(rule.player_links.all())
    if not links:
        return []
    users = [link.user for link in links]
    ids = playtomic_ids_of(user.pk for user in users)
    members = set(
        rule.group.memberships.filter(user_id__in=[u.pk for u in users]).values_list(
            "user_id", flat=True
        )
    )
    return [
        Player(user.pk, display_name(user), ids.get(user.pk, ""), user.pk in members)
        for user in users
    ]


@dataclass(frozen=True)
class Registration:
    """One player registered on a booked match."""

    playtomic_user_id: str
    name: str
    member: int | None  # the user pk, when the player is a member

    def to_json(self) -> dict[str, Any]:
        return {"user_id": self.playtomic_user_id, "name": self.name, "member": self.member}


def rule_registrations(rule: BookingRule, account: PlaytomicAccount) -> list[Registration]:
    """Who a booking made with `account` registers on the match, at most the rule's number of
    players: the account's player first (Playtomic registers whoever books, and they pay),
    then the named members still in the group whose Playtomic user id is known. The other
    places stay open seats."""
    booker_id = account.playtomic_user_id
    owner = account.owner
    booker_is_member = rule.group.memberships.filter(user_id=owner.pk).exists()
    registrations = [
        Registration(
            booker_id,
            display_name(owner) if booker_is_member else str(account),
            owner.pk if booker_is_member else None,
        )
    ]
    seen = {booker_id}
    for player in rule_players(rule):
        if len(registrations) >= rule.number_of_players:
            break
        if not player.in_group or not player.playtomic_user_id:
            continue
        if player.playtomic_user_id in seen:
            continue
        seen.add(player.playtomic_user_id)
        registrations.append(Registration(player.playtomic_user_id, player.name, player.user_id))
    return registrations


@dataclass(frozen=True)
class SuccessRate:
    key: int
    label: str
    attempts: int
    booked: int
    failed: int
    missed: int

    @property
    def rate(self) -> float | None:
        decided = self.booked + self.failed + self.missed
        return None if decided == 0 else self.booked / decided


def _counts(scope: Q | None = None) -> dict[str, Count]:
    """Attempts counted per state, of the attempts `scope` (on `attempts__...`) admits."""
    states = BookingAttempt.State
    wanted = {
        "total": ~Q(attempts__state=states.SCHEDULED),
        "booked": Q(attempts__state=states.BOOKED),
        "failed": Q(attempts__state=states.FAILED),
        "missed": Q(attempts__state=states.MISSED),
    }
    return {
        name: Count("attempts", filter=condition if scope is None else condition & scope)
        for name, condition in wanted.items()
    }


def success_rate_by_rule(user: AnyUser) -> list[SuccessRate]:
    """Booked over decided (booked + failed + missed) for every rule of `user`'s groups; dry
    runs and cancellations excluded."""
    rules = in_groups_of(BookingRule.objects.all(), user)
    rows = rules.annotate(**_counts()).order_by("name", "pk")
    return [
        SuccessRate(r.pk, r.name, r.total, r.booked, r.failed, r.missed)  # type: ignore[attr-defined]
        for r in rows
    ]


def success_rate_by_account(user: AnyUser) -> list[SuccessRate]:
    """The same per account `user` may book with in any of their groups (their own and those
    lent to the groups), counting only the attempts of their groups' rules."""
    groups = groups_for(user).values("pk")
    lent = LentAccount.objects.filter(group__in=groups).values("account_id")
    rows = PlaytomicAccount.objects.filter(Q(owner_id=user.pk) | Q(pk__in=lent)).annotate(
        **_counts(Q(attempts__rule__group__in=groups))
    )
    return [
        SuccessRate(r.pk, str(r), r.total, r.booked, r.failed, r.missed)  # type: ignore[attr-defined]
        for r in rows
    ]


# ----- The release instant learned from observed releases -----

# The latest slots_released events of a club that are read, and how many consistent ones a
# learned release needs.
LEARN_EVENTS = 60
LEARN_MIN_EVENTS = 2
# Learned and configured release instants further apart than this are flagged.
DISAGREE_AFTER = timedelta(minutes=1)
_TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True)
class LearnedRelease:
    """When a club releases, as its observed releases say.

    Each `slots_released` event (cells seen going from not released to free or taken) happened
    after the previous poll of that day (`p`) and at or before the poll that saw it (`o`):
    - rolling: a slot starting at s opens at s - lead: lead >= last released start - o and
      lead < first released start - p;
    - fixed: the day D opens at a wall-clock offset from D's local midnight (for example
      -14 days + 08:30): offset in (wall(p), wall(o)].
    The intervals of the newest consistent events are intersected; `low`/`high` bound the
    lead (rolling) or the offset (fixed), None where no observation bounds that side."""

    kind: str  # "rolling" or "fixed"
    low: timedelta | None
    high: timedelta | None
    events: int

    def window(
        self, club: Club, day: date, first_start: datetime
    ) -> tuple[datetime | None, datetime | None]:
        """(earliest, latest) instant at which the slot `first_start` of club-local `day`
        opens; None where nothing bounds it."""
        if self.kind == "rolling":
            return (
                None if self.high is None else first_start - self.high,
                None if self.low is None else first_start - self.low,
            )
        midnight = datetime.combine(day, time(0))

        def instant(offset: timedelta | None) -> datetime | None:
            if offset is None:
                return None
            return (midnight + offset).replace(tzinfo=club.zone).astimezone(UTC)

        return instant(self.low), instant(self.high)

    def describe(self) -> str:
        def span(value: timedelta) -> str:
            minutes = round(value.total_seconds() / 60)
            days, rest = divmod(minutes, 24 * 60)
            return (
                f"{days} d {rest // 60:02d}:{rest % 60:02d}"
                if days
                else f"{rest // 60}:{rest % 60:02d} h"
            )

        if self.kind == "rolling":
            if self.low is not None and self.high is not None:
                return (
                    f"rolling: a slot opens between {span(self.low)} and {span(self.high)} "
                    "before it starts"
                )
            return (
                f"rolling: a slot opens at least {span(self.low or timedelta(0))} before it starts"
            )
        bounds = [b for b in (self.low, self.high) if b is not None]
        days = -math.floor(bounds[0] / timedelta(days=1))
        times = [
            (datetime.combine(date(2000, 1, 1), time(0)) + b % timedelta(days=1)).strftime("%H:%M")
            for b in (self.low, self.high)
            if b is not None
        ]
        when = f"between {times[0]} and {times[1]}" if len(times) == 2 else f"by {times[0]}"
        return f"fixed: day D opens {when} local time, {days} days before"


@dataclass(frozen=True)
class ReleaseCheck:
    """A rule's configured release instant beside the learned one, for one target date."""

    learned: LearnedRelease
    target_date: date
    learned_from: datetime | None
    learned_to: datetime | None
    policy_at: datetime | None
    difference: timedelta  # how far the configured instant is outside the learned window

    @property
    def disagrees(self) -> bool:
        return self.policy_at is not None and self.difference > DISAGREE_AFTER

    @property
    def difference_text(self) -> str:
        minutes = self.difference.total_seconds() / 60
        if minutes < 90:
            return f"{minutes:.0f} min"
        return f"{minutes / 60:.1f} h"


def _observed_intervals(club: Club) -> list[tuple[datetime, datetime | None, AvailabilityEvent]]:
    """(o, p, event) of the club's latest releases, newest first: the observation that saw
    the release and the previous observation of the same day (None when unknown)."""
    events = list(
        AvailabilityEvent.objects.filter(
            club=club, kind=AvailabilityEvent.Kind.SLOTS_RELEASED
        ).order_by("-created_at", "-id")[:LEARN_EVENTS]
    )
    if not events:
        return []
    seen_at = {event.pk: _observed_at(event) for event in events}
    oldest = min(seen_at.values())
    runs = list(
        PollRun.objects.filter(
            club=club,
            started_at__gte=oldest - timedelta(days=2),
            outcome__in=[PollRun.Outcome.OK, PollRun.Outcome.PARTIAL],
        )
        .order_by("started_at")
        .values_list("started_at", "days_ok")
    )
    starts = [started for started, _ in runs]
    found = []
    for event in events:
        observed = seen_at[event.pk]
        day = event.local_date.isoformat()
        previous = None
        index = bisect.bisect_left(starts, observed)
        for started, days in reversed(runs[max(0, index - 50) : index]):
            if day in days:
                previous = started
                break
        found.append((observed, previous, event))
    return sorted(found, key=lambda item: item[0], reverse=True)


def _observed_at(event: AvailabilityEvent) -> datetime:
    raw = event.payload.get("observed_at") if isinstance(event.payload, dict) else None
    try:
        return datetime.fromisoformat(str(raw)) if raw else event.created_at
    except ValueError:
        return event.created_at


def _intersect(
    intervals: Iterable[tuple[timedelta | None, timedelta | None]],
) -> tuple[timedelta | None, timedelta | None, int]:
    """Intersect from the newest until one interval would empty the result."""
    low: timedelta | None = None
    high: timedelta | None = None
    count = 0
    for item_low, item_high in intervals:
        new_low = item_low if low is None else low if item_low is None else max(low, item_low)
        new_high = (
            item_high if high is None else high if item_high is None else min(high, item_high)
        )
        if new_low is not None and new_high is not None and new_low > new_high + _TOLERANCE:
            break
        low, high, count = new_low, new_high, count + 1
    return low, high, count


def club_learned_release(club: Club) -> LearnedRelease | None:
    """What the club's observed releases say about when it releases; None with fewer than
    LEARN_MIN_EVENTS consistent observations. Rolling wins a tie (one observation fits both)."""
    observed = _observed_intervals(club)
    zone = club.zone

    def wall(instant: datetime, day: date) -> timedelta:
        return instant.astimezone(zone).replace(tzinfo=None) - datetime.combine(day, time(0))

    rolling = _intersect(
        (event.end - CELL - seen, None if previous is None else event.start - previous)
        for seen, previous, event in observed
    )
    fixed = _intersect(
        (
            None if previous is None else wall(previous, event.local_date),
            wall(seen, event.local_date),
        )
        for seen, previous, event in observed
    )
    kind, (low, high, count) = max(
        (("rolling", rolling), ("fixed", fixed)),
        key=lambda item: (item[1][2], item[0] == "rolling"),
    )
    if count < LEARN_MIN_EVENTS:
        return None
    return LearnedRelease(kind=kind, low=low, high=high, events=count)


def rule_release_check(rule: BookingRule, *, now: datetime) -> ReleaseCheck | None:
    """The rule's release instant for its next target date beside what its club's observed
    releases say, or None when nothing was learned yet."""
    learned = club_learned_release(rule.club)
    if learned is None:
        return None
    day = rule.next_target_date
    if day is None:
        found = rule_next_release(rule, after=now)
        if found is None:
            return None
        day = found[0]
    first_start = local_instant(day, rule.earliest_start, rule.club.zone)
    earliest, latest = learned.window(rule.club, day, first_start)
    policy_at = rule_release_instant(rule, day)
    difference = timedelta(0)
    if policy_at is not None:
        if earliest is not None and policy_at < earliest:
            difference = earliest - policy_at
        elif latest is not None and policy_at > latest:
            difference = policy_at - latest
    return ReleaseCheck(
        learned=learned,
        target_date=day,
        learned_from=earliest,
        learned_to=latest,
        policy_at=policy_at,
        difference=difference,
    )


def clubs_by_reference(references: Iterable[str]) -> tuple[list[Club], list[str]]:
    """The clubs named by id, slug or Playtomic tenant id, in the order given, and the
    references that name no club."""
    clubs: list[Club] = []
    unknown: list[str] = []
    for reference in references:
        text = str(reference).strip()
        query = Q(slug=text) | Q(playtomic_id=text)
        if text.isdecimal() and len(text) <= 18:
            query |= Q(pk=int(text))
        club = Club.objects.filter(query).order_by("pk").first() if text else None
        if club is None:
            unknown.append(text)
        else:
            clubs.append(club)
    return clubs, unknown
