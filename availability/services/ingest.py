"""Ingest: one club-local day's availability in, change-only history out.

Each day's answer is stored in its own transaction: cells are classified
(availability/cells.py), diffed against SlotState, and only transitions are appended to
SlotChange, together with the outbox events they cause. A day that fails leaves nothing
behind. Every write is set-based (a handful of statements per club-day, whatever the number
of cells), and nothing here summarizes: that is the periodic task's (services/summaries.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection, transaction

from availability.bulk import bulk_insert
from availability.cells import CELL, Cell, cell_starts, classify_courts, open_intervals
from availability.models import AvailabilityEvent, CellState, PollRun, SlotChange, SlotState
from availability.outbox import events_publish
from clubs.models import Club, Court
from playtomic.types import CourtAvailability


@dataclass
class DayIngest:
    """What one club-day's ingest wrote."""

    cells_seen: int = 0
    changes_written: int = 0
    event_ids: list[int] = field(default_factory=list)


def _transition_kind(old: str, new: str) -> str:
    """The kind of change from state `old` ("": never seen) to `new`."""
    if not old:
        return SlotChange.Kind.FIRST_SEEN
    if old == CellState.NOT_RELEASED:
        return SlotChange.Kind.RELEASED
    if new == CellState.NOT_RELEASED:
        return SlotChange.Kind.WITHDRAWN
    if new == CellState.TAKEN:
        return SlotChange.Kind.TAKEN
    return SlotChange.Kind.FREED


def _runs(starts: list[datetime]) -> list[tuple[datetime, datetime]]:
    """Contiguous runs of 30-minute cells as (first start, last end)."""
    runs: list[tuple[datetime, datetime]] = []
    for start in sorted(starts):
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], start + CELL)
        else:
            runs.append((start, start + CELL))
    return runs


def ingest_day(
    *,
    club: Club,
    local_date: date,
    availability: Iterable[CourtAvailability],
    observed_at: datetime,
    courts: Sequence[Court] | None = None,
    poll_run: PollRun | None = None,
    replay: bool = False,
) -> DayIngest:
    """Store one club-local day's availability (the answer for every polled sport) in ONE
    transaction: new cells, transitions, current state and the events they raise.

    `courts` are the courts the answer covers (default: the club's active courts); slots of
    courts we do not know yet are ignored until the daily metadata refresh imports them.
    Writes only raw rows: summaries of closed days are the periodic task's
    (services/summaries.py), never a poll's.
    """
    zone = club.zone
    if courts is None:
        courts = list(club.courts.filter(is_active=True))
    by_resource: dict[str, list[CourtAvailability]] = {}
    for entry in availability:
        by_resource.setdefault(entry.resource_id, []).append(entry)
    starts = cell_starts(open_intervals(club.opening_hours, local_date, zone))
    horizon = (
        timedelta(minutes=club.booking_ahead_limit_minutes)
        if club.booking_ahead_limit_minutes is not None
        else None
    )
    today = observed_at.astimezone(zone).date()
    # A future day with nothing listed anywhere is not yet released (see cells.py).
    day_released = local_date <= today or any(
        entry.slots for entries in by_resource.values() for entry in entries
    )
    classified = classify_courts(
        starts,
        [by_resource.get(court.playtomic_id, ()) for court in courts],
        now=observed_at,
        horizon=horizon,
        day_released=day_released,
    )
    observed: dict[int, list[Cell]] = {
        court.pk: cells for court, cells in zip(courts, classified, strict=True)
    }
    result = DayIngest(cells_seen=sum(len(cells) for cells in observed.values()))
    if not result.cells_seen:
        return result

    with transaction.atomic():
        current = _current_states(local_date, list(observed), observed_at)
        key_of = _START_KEYS[connection.vendor][1]
        keys = {start: key_of(start) for start in starts}
        new_states: list[tuple[Any, ...]] = []
        updates: list[_StateUpdate] = []
        changes: list[tuple[Any, ...]] = []
        freed: dict[int, list[datetime]] = {}
        released: dict[int, list[datetime]] = {}
        run_id = poll_run.pk if poll_run is not None else None

        def change(court_id: int, cell: Cell, *, old_state: str, price: Decimal | None) -> str:
            kind = _transition_kind(old_state, cell.state)
            lead = int((cell.start - observed_at).total_seconds() // 60)
            changes.append(
                (
                    club.pk,
                    court_id,
                    run_id,
                    cell.start,
                    local_date,
                    kind,
                    old_state,
                    cell.state,
                    observed_at,
                    lead,
                    price,
                )
            )
            return kind

        for court_id, cells in observed.items():
            for cell in cells:
                row = current.get((court_id, keys[cell.start]))
                if row is None:
                    new_states.append(
                        (
                            court_id,
                            cell.start,
                            local_date,
                            cell.state,
                            cell.price,
                            cell.currency,
                            observed_at,
                            observed_at,
                            observed_at,
                        )
                    )
                    change(court_id, cell, old_state="", price=cell.price)
                    continue
                state_id, old_state, stored_price, old_currency = row
                if old_state != cell.state:
                    # A cell that stops being offered keeps its last offered price, so booked
                    # cells can still be valued.
                    price = cell.price if cell.price is not None else _decimal(stored_price)
                    kind = change(court_id, cell, old_state=old_state, price=price)
                    if kind == SlotChange.Kind.FREED:
                        freed.setdefault(court_id, []).append(cell.start)
                    elif kind == SlotChange.Kind.RELEASED:
                        released.setdefault(court_id, []).append(cell.start)
                    currency = cell.currency or old_currency
                    updates.append(_StateUpdate(state_id, cell.state, price, currency, True))
                elif cell.price is not None and (
                    cell.currency != old_currency or not _same_price(stored_price, cell.price)
                ):
                    updates.append(
                        _StateUpdate(state_id, cell.state, cell.price, cell.currency, False)
                    )

        bulk_insert(SlotState, STATE_COLUMNS, new_states)
        _update_states(updates, observed_at)
        _mark_observed(local_date, list(observed), observed_at)
        result.changes_written = bulk_insert(SlotChange, CHANGE_COLUMNS, changes)

        events = _events(
            club=club,
            local_date=local_date,
            poll_run=poll_run,
            freed=freed,
            released=released,
            observed_at=observed_at,
            observed=observed,
            replay=replay,
        )
        if events:
            # Same transaction as the changes: the events exist exactly when the changes do.
            result.event_ids = events_publish(events)
    return result


# The three statements every poll runs per club-day, in SQL: read the day's current states,
# update the changed ones, stamp the rest observed. Each is one set-based statement; written
# by hand because the ORM's per-row model instances and expressions cost more CPU than the
# whole rest of an ingest (docs/monitoring.md, "Ingest cost").
_TABLE = SlotState._meta.db_table
# Column order of the rows ingest appends (availability.bulk: no model instances).
STATE_COLUMNS = (
    "court_id",
    "start",
    "local_date",
    "state",
    "price",
    "currency",
    "first_seen_at",
    "changed_at",
    "observed_at",
)
CHANGE_COLUMNS = (
    "club_id",
    "court_id",
    "poll_run_id",
    "start",
    "local_date",
    "kind",
    "old_state",
    "new_state",
    "observed_at",
    "lead_minutes",
    "price",
)


@dataclass(frozen=True, slots=True)
class _StateUpdate:
    state_id: int
    state: str
    price: Decimal | None
    currency: str
    transition: bool  # a new state (changed_at moves), not only a new price


def _decimal(value: object) -> Decimal | None:
    """A stored price as a Decimal (SQLite hands numbers back as int or float)."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _same_price(stored: object, price: Decimal) -> bool:
    """Whether a stored price is `price`, without building a Decimal per cell: SQLite keeps
    a two-decimal price as the double nearest to it, which float(price) also is."""
    if isinstance(stored, float):
        return stored == float(price)
    return stored == price


# How the day's current states are keyed: each stored start as the database gives it cheaply,
# and the same for a cell's start, worked out once per start of the day. Turning every stored
# start into an aware datetime cost more CPU than the rest of an ingest (Django's converters).
_START_KEYS: dict[str, tuple[str, Callable[[datetime], object]]] = {
    "postgresql": ("CAST(EXTRACT(EPOCH FROM start) AS BIGINT)", lambda s: int(s.timestamp())),
    # SQLite keeps the text the ORM wrote (naive UTC); read as text, no converter runs.
    "sqlite": ("CAST(start AS TEXT)", lambda s: connection.ops.adapt_datetimefield_value(s)),
}


def _current_states(
    local_date: date, court_ids: list[int], observed_at: datetime
) -> dict[tuple[int, object], tuple[int, str, object, str]]:
    """(court, start key, see _START_KEYS) -> (id, state, price as stored, currency) of the
    day's cells that have not started."""
    ops = connection.ops
    marks = ", ".join(["%s"] * len(court_ids))
    sql = (
        f"SELECT court_id, {_START_KEYS[connection.vendor][0]}, id, state, price, currency "  # noqa: S608
        f"FROM {_TABLE} WHERE local_date = %s AND court_id IN ({marks}) AND start > %s"
    )
    params = [
        ops.adapt_datefield_value(local_date),
        *court_ids,
        ops.adapt_datetimefield_value(observed_at),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(row[0], row[1]): row[2:] for row in cursor.fetchall()}


def _update_states(updates: list[_StateUpdate], observed_at: datetime) -> None:
    """Every changed state in one UPDATE joined to a VALUES list (PostgreSQL and SQLite both
    name its columns column1, column2, ...)."""
    if not updates:
        return
    at = connection.ops.adapt_datetimefield_value(observed_at)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(updates))
    sql = (
        f"UPDATE {_TABLE} SET state = CAST(v.column2 AS VARCHAR(12)), "  # noqa: S608
        "price = CAST(v.column3 AS NUMERIC), currency = CAST(v.column4 AS VARCHAR(3)), "
        "changed_at = CASE WHEN CAST(v.column5 AS INTEGER) = 1 THEN %s ELSE changed_at END, "
        f"observed_at = %s FROM (VALUES {values}) AS v "
        f"WHERE {_TABLE}.id = CAST(v.column1 AS BIGINT)"
    )
    params: list[Any] = [at, at]
    for u in updates:
        params += [u.state_id, u.state, u.price, u.currency, int(u.transition)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _mark_observed(local_date: date, court_ids: list[int], observed_at: datetime) -> None:
    """Every other observed cell was seen unchanged: one statement stamps them all."""
    ops = connection.ops
    at = ops.adapt_datetimefield_value(observed_at)
    marks = ", ".join(["%s"] * len(court_ids))
    sql = (
        f"UPDATE {_TABLE} SET observed_at = %s WHERE local_date = %s "  # noqa: S608
        f"AND court_id IN ({marks}) AND start > %s AND observed_at <> %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, ops.adapt_datefield_value(local_date), *court_ids, at, at])


def _events(
    *,
    club: Club,
    local_date: date,
    poll_run: PollRun | None,
    freed: dict[int, list[datetime]],
    released: dict[int, list[datetime]],
    observed_at: datetime,
    observed: dict[int, list[Cell]],
    replay: bool,
) -> list[AvailabilityEvent]:
    """Outbox rows: one slot_freed per court and run of contiguous freed cells, one
    slots_released per club-day. A first observation has no transitions, so a club's
    baseline raises nothing."""
    events: list[AvailabilityEvent] = []
    if not freed and not released:
        return events
    prices = {
        (court_id, cell.start): cell for court_id, cells in observed.items() for cell in cells
    }
    # What every event of this club-day and poll shares.
    event = partial(
        AvailabilityEvent, club=club, poll_run=poll_run, replay=replay, local_date=local_date
    )
    for court_id, starts in sorted(freed.items()):
        for first, end in _runs(starts):
            run = [s for s in sorted(starts) if first <= s < end]
            rates = [prices[(court_id, s)].price for s in run]
            offered = [r for r in rates if r is not None]
            events.append(
                event(
                    court_id=court_id,
                    kind=AvailabilityEvent.Kind.SLOT_FREED,
                    start=first,
                    end=end,
                    payload={
                        "cells": [s.isoformat() for s in run],
                        "observed_at": observed_at.isoformat(),
                        "lead_minutes": int((first - observed_at).total_seconds() // 60),
                        "min_hourly_price": str(min(offered)) if offered else None,
                        "currency": prices[(court_id, first)].currency,
                    },
                )
            )
    if released:
        all_starts = [s for starts in released.values() for s in starts]
        free = sum(
            1
            for court_id, starts in released.items()
            for s in starts
            if prices[(court_id, s)].state == CellState.FREE
        )
        events.append(
            event(
                court=None,
                kind=AvailabilityEvent.Kind.SLOTS_RELEASED,
                start=min(all_starts),
                end=max(all_starts) + CELL,
                payload={
                    "cells": len(all_starts),
                    "free": free,
                    "courts": {str(k): len(v) for k, v in sorted(released.items())},
                    "observed_at": observed_at.isoformat(),
                    "free_runs": _free_runs(released, prices),
                },
            )
        )
    return events


def _free_runs(
    released: dict[int, list[datetime]], cells: dict[tuple[int, datetime], Cell]
) -> list[dict[str, Any]]:
    """The released cells that are free, as contiguous runs per court with their cheapest
    hourly rate: what an alert about newly released slots can offer."""
    runs: list[dict[str, Any]] = []
    for court_id, starts in sorted(released.items()):
        free = [s for s in starts if cells[(court_id, s)].state == CellState.FREE]
        for first, end in _runs(free):
            rates = [cells[(court_id, s)].price for s in free if first <= s < end]
            offered = [r for r in rates if r is not None]
            runs.append(
                {
                    "court": court_id,
                    "start": first.isoformat(),
                    "end": end.isoformat(),
                    "min_hourly_price": str(min(offered)) if offered else None,
                }
            )
    return runs
