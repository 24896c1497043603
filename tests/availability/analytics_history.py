"""Small hand-made histories for the analytics tests: clubs, courts, states and changes written
directly with the models, so every expected figure can be computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from availability.models import CellState, PollRun, SlotChange, SlotState
from clubs.models import Club, Court

EVERY_DAY = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def make_club(
    name: str = "Club Uno",
    tz: str = "Europe/Madrid",
    opens: str = "08:00",
    closes: str = "10:00",
    courts: int = 2,
    sport_id: str = "PADEL",
) -> Club:
    club = Club.objects.create(
        playtomic_id=f"t-{name}",
        name=name,
        timezone=tz,
        opening_hours={d: {"opening_time": opens, "closing_time": closes} for d in EVERY_DAY},
        currency="EUR",
    )
    for i in range(courts):
        Court.objects.create(
            club=club,
            playtomic_id=f"r-{name}-{i}",
            name=f"Court {i + 1}",
            sport_id=sport_id,
            reservation_priority=i,
        )
    return club


def local(club: Club, day: date, hhmm: str) -> datetime:
    """UTC instant of a club-local wall time."""
    return datetime.combine(
        day, time.fromisoformat(hhmm), tzinfo=ZoneInfo(club.timezone)
    ).astimezone(UTC)


def court(club: Club, index: int = 0) -> Court:
    return list(Court.objects.filter(club=club).order_by("reservation_priority"))[index]


def cell(
    club: Club,
    court_obj: Court,
    day: date,
    hhmm: str,
    history: list[tuple[timedelta, str]],
    price: str | None = None,
) -> SlotState:
    """A cell on a local date with its changes: (lead before start, new state), oldest first.
    The SlotState is the last state, as ingest would leave it."""
    start = local(club, day, hhmm)
    previous = ""
    for i, (lead, state) in enumerate(history):
        observed = start - lead
        SlotChange.objects.create(
            club=club,
            court=court_obj,
            start=start,
            local_date=day,
            kind=_kind(i, previous, state),
            old_state=previous,
            new_state=state,
            observed_at=observed,
            lead_minutes=int(lead.total_seconds() // 60),
            price=Decimal(price) if price and state == CellState.FREE else None,
        )
        previous = state
    first = start - history[0][0]
    changed = start - history[-1][0]
    return SlotState.objects.create(
        court=court_obj,
        start=start,
        local_date=day,
        state=history[-1][1],
        price=Decimal(price) if price else None,
        currency="EUR",
        first_seen_at=first,
        changed_at=changed,
        observed_at=changed,
    )


def _kind(index: int, previous: str, new: str) -> str:
    if index == 0:
        return SlotChange.Kind.FIRST_SEEN
    if previous == CellState.NOT_RELEASED:
        return SlotChange.Kind.RELEASED
    if new == CellState.NOT_RELEASED:
        return SlotChange.Kind.WITHDRAWN
    return SlotChange.Kind.TAKEN if new == CellState.TAKEN else SlotChange.Kind.FREED


def poll(club: Club, at: datetime, days: list[date], outcome: str = PollRun.Outcome.OK) -> PollRun:
    iso = [d.isoformat() for d in days]
    return PollRun.objects.create(
        club=club,
        started_at=at,
        finished_at=at + timedelta(seconds=2),
        days=iso,
        days_ok=iso if outcome != PollRun.Outcome.FAILED else [],
        outcome=outcome,
        error_kind="timeout" if outcome == PollRun.Outcome.FAILED else "",
    )
