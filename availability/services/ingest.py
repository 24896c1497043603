"""Ingest: one club-local day's availability in, change-only history out.

Each day's answer is stored in its own transaction: cells are classified
(availability/cells.py), diffed against SlotState, and only transitions are appended to
SlotChange, together with the outbox events they cause. A day that fails leaves nothing
behind."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction

from availability.cells import CELL, Cell, cell_starts, classify_court, open_intervals
from availability.models import AvailabilityEvent, CellState, PollRun, SlotChange, SlotState
from availability.outbox import events_publish
from availability.services.summaries import summaries_catch_up
from clubs.models import Club, Court
from playtomic.types import CourtAvailability


@dataclass
class DayIngest:
    """What one club-day's ingest wrote."""

    cells_seen: int = 0
    changes_written: int = 0
    event_ids: list[int] = field(default_factory=list)


def _transition_kind(old: str, new: str) -> str:
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
    if local_date == today:
        # Once per poll, outside the day's transaction: summaries are derived data.
        summaries_catch_up(club=club, now=observed_at)
    # A future day with nothing listed anywhere is not yet released (see cells.py).
    day_released = local_date <= today or any(
        entry.slots for entries in by_resource.values() for entry in entries
    )
    observed: dict[int, list[Cell]] = {
        court.pk: classify_court(
            starts,
            by_resource.get(court.playtomic_id, ()),
            now=observed_at,
            horizon=horizon,
            day_released=day_released,
        )
        for court in courts
    }
    result = DayIngest(cells_seen=sum(len(cells) for cells in observed.values()))
    if not result.cells_seen:
        return result

    with transaction.atomic():
        current = {
            (state.court_id, state.start): state
            for state in SlotState.objects.filter(
                local_date=local_date, court_id__in=list(observed), start__gt=observed_at
            )
        }
        new_states: list[SlotState] = []
        changed_states: list[SlotState] = []
        changes: list[SlotChange] = []
        freed: dict[int, list[datetime]] = {}
        released: dict[int, list[datetime]] = {}
        for court_id, cells in observed.items():
            for cell in cells:
                lead = int((cell.start - observed_at).total_seconds() // 60)
                state = current.get((court_id, cell.start))
                if state is None:
                    new_states.append(
                        SlotState(
                            court_id=court_id,
                            start=cell.start,
                            local_date=local_date,
                            state=cell.state,
                            price=cell.price,
                            currency=cell.currency,
                            first_seen_at=observed_at,
                            changed_at=observed_at,
                            observed_at=observed_at,
                        )
                    )
                    changes.append(
                        SlotChange(
                            club_id=club.pk,
                            court_id=court_id,
                            poll_run=poll_run,
                            start=cell.start,
                            local_date=local_date,
                            kind=SlotChange.Kind.FIRST_SEEN,
                            old_state="",
                            new_state=cell.state,
                            observed_at=observed_at,
                            lead_minutes=lead,
                            price=cell.price,
                        )
                    )
                    continue
                if state.state != cell.state:
                    kind = _transition_kind(state.state, cell.state)
                    # A cell that stops being offered keeps its last offered price, so booked
                    # cells can still be valued.
                    price = cell.price if cell.price is not None else state.price
                    changes.append(
                        SlotChange(
                            club_id=club.pk,
                            court_id=court_id,
                            poll_run=poll_run,
                            start=cell.start,
                            local_date=local_date,
                            kind=kind,
                            old_state=state.state,
                            new_state=cell.state,
                            observed_at=observed_at,
                            lead_minutes=lead,
                            price=price,
                        )
                    )
                    if kind == SlotChange.Kind.FREED:
                        freed.setdefault(court_id, []).append(cell.start)
                    elif kind == SlotChange.Kind.RELEASED:
                        released.setdefault(court_id, []).append(cell.start)
                    state.state = cell.state
                    state.price = price
                    state.currency = cell.currency or state.currency
                    state.changed_at = observed_at
                    state.observed_at = observed_at
                    changed_states.append(state)
                elif cell.price is not None and (
                    cell.price != state.price or cell.currency != state.currency
                ):
                    state.price = cell.price
                    state.currency = cell.currency
                    state.observed_at = observed_at
                    changed_states.append(state)

        SlotState.objects.bulk_create(new_states, batch_size=500)
        if changed_states:
            SlotState.objects.bulk_update(
                changed_states,
                ["state", "price", "currency", "changed_at", "observed_at"],
                batch_size=500,
            )
        # Every other observed cell was seen unchanged: one statement marks them all.
        SlotState.objects.filter(
            local_date=local_date, court_id__in=list(observed), start__gt=observed_at
        ).exclude(observed_at=observed_at).update(observed_at=observed_at)
        SlotChange.objects.bulk_create(changes, batch_size=500)
        result.changes_written = len(changes)

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
        # Same transaction as the changes: the events exist exactly when the changes do.
        result.event_ids = events_publish(events)
    return result


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
    prices = {
        (court_id, cell.start): cell for court_id, cells in observed.items() for cell in cells
    }
    for court_id, starts in sorted(freed.items()):
        for first, end in _runs(starts):
            run = [s for s in sorted(starts) if first <= s < end]
            rates = [prices[(court_id, s)].price for s in run]
            offered = [r for r in rates if r is not None]
            events.append(
                AvailabilityEvent(
                    club=club,
                    court_id=court_id,
                    poll_run=poll_run,
                    replay=replay,
                    kind=AvailabilityEvent.Kind.SLOT_FREED,
                    local_date=local_date,
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
            AvailabilityEvent(
                club=club,
                court=None,
                poll_run=poll_run,
                replay=replay,
                kind=AvailabilityEvent.Kind.SLOTS_RELEASED,
                local_date=local_date,
                start=min(all_starts),
                end=max(all_starts) + CELL,
                payload={
                    "cells": len(all_starts),
                    "free": free,
                    "courts": {str(k): len(v) for k, v in sorted(released.items())},
                    "observed_at": observed_at.isoformat(),
                },
            )
        )
    return events
