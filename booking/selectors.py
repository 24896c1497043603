"""Read paths of the booking app: release instants, candidate slots, owner-scoped querysets and
success rates. Wall-clock rules (weekdays, windows, release times) are evaluated in the club's
zone; everything returned is aware UTC."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from accounts.models import PlaytomicAccount
from availability.models import CellState, SlotState
from booking.models import BookingAttempt, BookingRule
from clubs.models import Court

CELL = timedelta(minutes=30)
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
    """UTC bounds of the starts the rule accepts on `target_date` (inclusive)."""
    zone = rule.club.zone
    return (
        local_instant(target_date, rule.earliest_start, zone),
        local_instant(target_date, rule.latest_start, zone),
    )


def rule_courts_in_order(rule: BookingRule) -> list[Court]:
    courts = {c.pk: c for c in rule.club.courts.filter(is_active=True, sport_id="PADEL")}
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
) -> list[Candidate]:
    """Every (court, start, duration) the rule accepts on `target_date`, best first: earliest
    start, then duration in the rule's order, then court preference.

    The latest known availability prunes the list: a candidate touching a cell last seen
    taken is dropped (releases show cells as not released, so they stay). With
    `require_free` (sniping) every cell must have been seen free. A candidate whose last
    known price is above the rule's `max_price` is dropped. Under a rolling policy a
    start that opens after `deadline` cannot be won in this burst and is left out."""
    courts = rule_courts_in_order(rule)
    if not courts:
        return []
    window_start, window_end = rule_window_utc(rule, target_date)
    earliest = max(now, min_start) if min_start else now
    states: dict[tuple[int, datetime], str] = {}
    rates: dict[tuple[int, datetime], Decimal] = {}
    for court_id, start, state, rate in SlotState.objects.filter(
        court__in=courts, local_date=target_date
    ).values_list("court_id", "start", "state", "price"):
        states[(court_id, start.astimezone(UTC))] = state
        if rate is not None:
            rates[(court_id, start.astimezone(UTC))] = rate
    ahead = rule.club.booking_ahead_limit_minutes
    rolling = rule.release_policy == BookingRule.ReleasePolicy.ROLLING and ahead is not None
    starts: list[datetime] = []
    cursor = window_start
    while cursor <= window_end:
        starts.append(cursor)
        cursor += CELL
    result: list[Candidate] = []
    for start in starts:
        if start <= earliest:
            continue
        if rolling and ahead is not None and start - timedelta(minutes=ahead) > deadline:
            continue
        for duration in rule.durations:
            cells = [start + CELL * i for i in range(max(1, duration // 30))]
            for court in courts:
                if court.durations and duration not in court.durations:
                    continue
                seen = [states.get((court.pk, cell)) for cell in cells]
                if CellState.TAKEN in seen:
                    continue
                if require_free and any(state != CellState.FREE for state in seen):
                    continue
                if _over_price(rule, [rates.get((court.pk, cell)) for cell in cells]):
                    continue
                result.append(
                    Candidate(court.pk, court.playtomic_id, court.name, start, int(duration))
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


def rules_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[BookingRule]:
    return (
        BookingRule.objects.filter(owner_id=user.pk)
        .select_related("club", "periodic_task")
        .prefetch_related("accounts")
    )


def attempts_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[BookingAttempt]:
    return BookingAttempt.objects.filter(rule__owner_id=user.pk).select_related(
        "rule", "rule__club", "account", "court"
    )


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


_COUNTS = {
    "total": Count("attempts", filter=~Q(attempts__state=BookingAttempt.State.SCHEDULED)),
    "booked": Count("attempts", filter=Q(attempts__state=BookingAttempt.State.BOOKED)),
    "failed": Count("attempts", filter=Q(attempts__state=BookingAttempt.State.FAILED)),
    "missed": Count("attempts", filter=Q(attempts__state=BookingAttempt.State.MISSED)),
}


def success_rate_by_rule(user: AbstractBaseUser | AnonymousUser) -> list[SuccessRate]:
    """Booked over decided (booked + failed + missed); dry runs and cancellations excluded."""
    rows = BookingRule.objects.filter(owner_id=user.pk).annotate(**_COUNTS).order_by("name")
    return [
        SuccessRate(r.pk, r.name, r.total, r.booked, r.failed, r.missed)  # type: ignore[attr-defined]
        for r in rows
    ]


def success_rate_by_account(user: AbstractBaseUser | AnonymousUser) -> list[SuccessRate]:
    rows = PlaytomicAccount.objects.filter(owner_id=user.pk).annotate(**_COUNTS)
    return [
        SuccessRate(r.pk, str(r), r.total, r.booked, r.failed, r.missed)  # type: ignore[attr-defined]
        for r in rows
    ]
