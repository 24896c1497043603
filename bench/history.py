"""Simulated availability history written straight into the models (bulk_create), for the
analytics benchmark and the dashboard browser tests.

Each cell is released `horizon` days ahead (first seen free), is booked with a probability and a
lead time that follow a weekday x hour popularity (evenings and weekend mornings go first and
early), is sometimes cancelled and re-booked, and ends in SlotState as ingest would leave it.
Only changes observed before `now` are kept, so future days look as they would today.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from availability.models import CellState, PollRun, SlotChange, SlotState
from clubs.models import Club, Court

WEEK = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
CELL = timedelta(minutes=30)


def popularity(weekday: int, hour: int) -> float:
    """0..1 demand for an ISO weekday and local hour."""
    if weekday >= 6:
        base = 0.85 if 9 <= hour < 13 else 0.6 if 17 <= hour < 20 else 0.35
    else:
        base = 0.9 if 18 <= hour < 22 else 0.45 if 7 <= hour < 10 else 0.25
    return min(1.0, base)


@dataclass
class ClubPlan:
    name: str
    timezone: str
    courts: int
    demand: float = 1.0  # multiplies popularity


def create_club(plan: ClubPlan, index: int) -> Club:
    club = Club.objects.create(
        playtomic_id=f"sim-{index}-{plan.name}",
        slug=f"sim-{index}",
        name=plan.name,
        city=plan.name.split()[-1],
        timezone=plan.timezone,
        opening_hours={d: {"opening_time": "08:00", "closing_time": "23:00"} for d in WEEK},
        sport_ids=["PADEL"],
        currency="EUR",
        booking_ahead_limit_minutes=14 * 1440,
    )
    Court.objects.bulk_create(
        Court(
            club=club,
            playtomic_id=f"sim-{index}-{i}",
            name=f"Pista {i + 1}",
            sport_id="PADEL",
            reservation_priority=i,
        )
        for i in range(plan.courts)
    )
    return club


def _cell_rows(
    club: Club,
    court: Court,
    start: datetime,
    day: date,
    hour: int,
    demand: float,
    now: datetime,
    rng: random.Random,
    horizon: timedelta,
) -> tuple[list[SlotChange], SlotState | None]:
    release = start - horizon
    if release > now:
        return [], None
    p = min(0.97, popularity(day.isoweekday(), hour) * demand)
    peak = hour >= 18 or day.isoweekday() >= 6
    price = Decimal("32.00") if peak else Decimal("22.00")
    events: list[tuple[datetime, str]] = [(release, CellState.FREE)]
    if rng.random() < p:
        mean_lead = 4 * 1440 * p  # popular cells go earlier
        lead = min(horizon.total_seconds() / 60 - 30, rng.expovariate(1 / max(mean_lead, 60)))
        booked = start - timedelta(minutes=lead)
        events.append((booked, CellState.TAKEN))
        if rng.random() < 0.08:
            freed = booked + (start - booked) * rng.uniform(0.3, 0.9)
            events.append((freed, CellState.FREE))
            if rng.random() < 0.6:
                events.append((freed + (start - freed) * rng.uniform(0.1, 0.8), CellState.TAKEN))
    observed = [(t, s) for t, s in events if t <= now and t < start]
    changes = []
    previous = ""
    for t, state in observed:
        kind = (
            SlotChange.Kind.FIRST_SEEN
            if not previous
            else SlotChange.Kind.TAKEN
            if state == CellState.TAKEN
            else SlotChange.Kind.FREED
        )
        changes.append(
            SlotChange(
                club=club,
                court=court,
                start=start,
                local_date=day,
                kind=kind,
                old_state=previous,
                new_state=state,
                observed_at=t,
                lead_minutes=int((start - t).total_seconds() // 60),
                price=price if state == CellState.FREE else None,
            )
        )
        previous = state
    last_time, last_state = observed[-1]
    final = SlotState(
        court=court,
        start=start,
        local_date=day,
        state=last_state,
        price=price,
        currency="EUR",
        first_seen_at=observed[0][0],
        changed_at=last_time,
        observed_at=min(now, start),
    )
    return changes, final


def generate(
    club: Club,
    *,
    days_back: int,
    days_ahead: int,
    now: datetime,
    demand: float = 1.0,
    seed: int = 1,
    horizon_days: int = 14,
) -> Iterator[tuple[list[SlotChange], list[SlotState]]]:
    """Yield one local day of rows at a time (changes, states)."""
    rng = random.Random(f"{seed}-{club.pk}")
    zone = ZoneInfo(club.timezone)
    courts = list(club.courts.all())
    today = now.astimezone(zone).date()
    horizon = timedelta(days=horizon_days)
    for offset in range(-days_back, days_ahead + 1):
        day = today + timedelta(days=offset)
        opens = datetime.combine(day, time(8), tzinfo=zone).astimezone(UTC)
        closes = datetime.combine(day, time(23), tzinfo=zone).astimezone(UTC)
        changes: list[SlotChange] = []
        states: list[SlotState] = []
        start = opens
        while start < closes:
            hour = start.astimezone(zone).hour
            for court in courts:
                cell_changes, state = _cell_rows(
                    club, court, start, day, hour, demand, now, rng, horizon
                )
                changes += cell_changes
                if state is not None:
                    states.append(state)
            start += CELL
        yield changes, states


def fill(
    club: Club,
    *,
    days_back: int,
    days_ahead: int = 7,
    now: datetime | None = None,
    demand: float = 1.0,
    seed: int = 1,
    batch: int = 5000,
) -> int:
    """Write the simulated history of one club; returns the number of change rows."""
    now = now or datetime.now(UTC)
    written = 0
    pending_changes: list[SlotChange] = []
    pending_states: list[SlotState] = []
    for changes, states in generate(
        club, days_back=days_back, days_ahead=days_ahead, now=now, demand=demand, seed=seed
    ):
        pending_changes += changes
        pending_states += states
        if len(pending_changes) >= batch:
            SlotChange.objects.bulk_create(pending_changes, batch_size=batch)
            SlotState.objects.bulk_create(pending_states, batch_size=batch)
            written += len(pending_changes)
            pending_changes, pending_states = [], []
    SlotChange.objects.bulk_create(pending_changes, batch_size=batch)
    SlotState.objects.bulk_create(pending_states, batch_size=batch)
    PollRun.objects.create(
        club=club,
        trigger=PollRun.Trigger.DEMO,
        started_at=now - timedelta(minutes=5),
        finished_at=now - timedelta(minutes=5) + timedelta(seconds=3),
        days=[
            (now.astimezone(ZoneInfo(club.timezone)).date() + timedelta(days=i)).isoformat()
            for i in range(days_ahead + 1)
        ],
        days_ok=[
            (now.astimezone(ZoneInfo(club.timezone)).date() + timedelta(days=i)).isoformat()
            for i in range(days_ahead + 1)
        ],
        requests_made=days_ahead + 1,
        outcome=PollRun.Outcome.OK,
    )
    return written + len(pending_changes)
