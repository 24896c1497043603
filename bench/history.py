"""Simulated availability history written straight into the tables, for the analytics benchmark
and the dashboard browser tests.

Each cell is released `horizon` days ahead (first seen free), is booked with a probability and a
lead time that follow a weekday x hour popularity (evenings and weekend mornings go first and
early), is sometimes cancelled and re-booked, and ends in SlotState as ingest would leave it.
Only changes observed before `now` are kept, so future days look as they would today.

Rows are plain tuples written with `availability.bulk.bulk_insert`: PostgreSQL COPY (psycopg's
`cursor.copy`), elsewhere one `executemany` per table and batch. A year of history for ten
clubs is about two million rows; model instances and `bulk_create` took over seven minutes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from availability.bulk import bulk_insert
from availability.cells import cell_starts, open_intervals
from availability.models import CellState, PollRun, SlotChange, SlotState
from availability.services.ingest import CHANGE_COLUMNS as INGEST_CHANGE_COLUMNS
from availability.services.ingest import STATE_COLUMNS
from clubs.models import Club, Court
from playtomic.types import WEEKDAYS

# The columns of the tuples below, in ingest's order (the ids are left to the database); a
# history made up at once has no poll runs.
CHANGE_COLUMNS = tuple(column for column in INGEST_CHANGE_COLUMNS if column != "poll_run_id")
# Plain strings, not the TextChoices members: COPY would write an enum member's name.
_FREE, _TAKEN = CellState.FREE.value, CellState.TAKEN.value
_FIRST_SEEN, _BOOKED, _FREED = (
    SlotChange.Kind.FIRST_SEEN.value,
    SlotChange.Kind.TAKEN.value,
    SlotChange.Kind.FREED.value,
)
_PEAK_PRICE = Decimal("32.00")
_OFF_PEAK_PRICE = Decimal("22.00")


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
        opening_hours={d: {"opening_time": "08:00", "closing_time": "23:00"} for d in WEEKDAYS},
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
    club_id: int,
    court_id: int,
    start: datetime,
    day: date,
    hour: int,
    demand: float,
    now: datetime,
    rng: random.Random,
    horizon: timedelta,
) -> tuple[list[tuple[Any, ...]], tuple[Any, ...] | None]:
    release = start - horizon
    if release > now:
        return [], None
    p = min(0.97, popularity(day.isoweekday(), hour) * demand)
    peak = hour >= 18 or day.isoweekday() >= 6
    price = _PEAK_PRICE if peak else _OFF_PEAK_PRICE
    events: list[tuple[datetime, str]] = [(release, _FREE)]
    if rng.random() < p:
        mean_lead = 4 * 1440 * p  # popular cells go earlier
        lead = min(horizon.total_seconds() / 60 - 30, rng.expovariate(1 / max(mean_lead, 60)))
        booked = start - timedelta(minutes=lead)
        events.append((booked, _TAKEN))
        if rng.random() < 0.08:
            freed = booked + (start - booked) * rng.uniform(0.3, 0.9)
            events.append((freed, _FREE))
            if rng.random() < 0.6:
                events.append((freed + (start - freed) * rng.uniform(0.1, 0.8), _TAKEN))
    observed = [(t, s) for t, s in events if t <= now and t < start]
    changes = []
    previous = ""
    for t, state in observed:
        kind = _FIRST_SEEN if not previous else _BOOKED if state == _TAKEN else _FREED
        changes.append(
            (
                club_id,
                court_id,
                start,
                day,
                kind,
                previous,
                state,
                t,
                int((start - t).total_seconds() // 60),
                price if state == _FREE else None,
            )
        )
        previous = state
    last_time, last_state = observed[-1]
    final = (
        court_id,
        start,
        day,
        last_state,
        price,
        "EUR",
        observed[0][0],
        last_time,
        min(now, start),
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
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Yield one local day of rows at a time: (changes, states) as tuples in the order of
    CHANGE_COLUMNS and STATE_COLUMNS."""
    rng = random.Random(f"{seed}-{club.pk}")
    zone = ZoneInfo(club.timezone)
    court_ids = list(club.courts.values_list("id", flat=True))
    today = now.astimezone(zone).date()
    horizon = timedelta(days=horizon_days)
    for offset in range(-days_back, days_ahead + 1):
        day = today + timedelta(days=offset)
        changes: list[tuple[Any, ...]] = []
        states: list[tuple[Any, ...]] = []
        for start in cell_starts(open_intervals(club.opening_hours, day, zone)):
            hour = start.astimezone(zone).hour
            for court_id in court_ids:
                cell_changes, state = _cell_rows(
                    club.pk, court_id, start, day, hour, demand, now, rng, horizon
                )
                changes += cell_changes
                if state is not None:
                    states.append(state)
        yield changes, states


def fill(
    club: Club,
    *,
    days_back: int,
    days_ahead: int = 7,
    now: datetime | None = None,
    demand: float = 1.0,
    seed: int = 1,
    batch: int = 50_000,
) -> int:
    """Write the simulated history of one club; returns the number of change rows."""
    now = now or datetime.now(UTC)
    written = 0
    pending_changes: list[tuple[Any, ...]] = []
    pending_states: list[tuple[Any, ...]] = []

    def flush() -> None:
        bulk_insert(SlotChange, CHANGE_COLUMNS, pending_changes)
        bulk_insert(SlotState, STATE_COLUMNS, pending_states)

    with transaction.atomic():
        for changes, states in generate(
            club, days_back=days_back, days_ahead=days_ahead, now=now, demand=demand, seed=seed
        ):
            pending_changes += changes
            pending_states += states
            if len(pending_changes) >= batch:
                flush()
                written += len(pending_changes)
                pending_changes, pending_states = [], []
        flush()
        written += len(pending_changes)
    today = now.astimezone(ZoneInfo(club.timezone)).date()
    days = [(today + timedelta(days=i)).isoformat() for i in range(days_ahead + 1)]
    PollRun.objects.create(
        club=club,
        trigger=PollRun.Trigger.DEMO,
        started_at=now - timedelta(minutes=5),
        finished_at=now - timedelta(minutes=5) + timedelta(seconds=3),
        days=days,
        days_ok=days,
        requests_made=days_ahead + 1,
        outcome=PollRun.Outcome.OK,
    )
    return written
