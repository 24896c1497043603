"""Snapshots of a local date (the grid of courts x cells, now or as known at an instant) and
the list of transitions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet

from availability.models import PollRun, SlotChange
from availability.selectors.common import club_courts, open_cell_starts, transitions
from availability.selectors.raw import cell_rows
from clubs.models import Club, Court

CLOSED = "closed"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class GridRow:
    court: Court
    cells: list[str]  # one state per time column: free/taken/not_released/closed/unknown
    prices: list[Decimal | None]


@dataclass(frozen=True)
class Grid:
    local_date: date
    starts: list[datetime]  # UTC starts of the columns
    local_times: list[str]  # "HH:MM" labels in the club's zone
    rows: list[GridRow]
    as_of: datetime | None  # None: the current state
    last_poll: PollRun | None  # the last poll that stored this date (at or before as_of)

    def count(self, state: str) -> int:
        return sum(row.cells.count(state) for row in self.rows)


def _grid_columns(club: Club, local_date: date, seen: Iterable[datetime]) -> list[datetime]:
    """Opening-hour cells of the day plus any observed outside them (hours change)."""
    return sorted(set(open_cell_starts(club, local_date)) | set(seen))


def _last_poll(club: Club, local_date: date, at: datetime | None) -> PollRun | None:
    runs = PollRun.objects.filter(
        club=club, outcome__in=[PollRun.Outcome.OK, PollRun.Outcome.PARTIAL]
    )
    if at is not None:
        runs = runs.filter(started_at__lte=at)
    wanted = local_date.isoformat()
    # Nearly always one of the last few runs stored the date: read those whole; look further
    # back (up to 200 runs) through their dates only.
    ordered = runs.order_by("-started_at")
    recent = list(ordered[:_RECENT_RUNS])
    for run in recent:
        if wanted in (run.days_ok or []):
            return run
    if len(recent) < _RECENT_RUNS:
        return None
    for pk, days in ordered.values_list("pk", "days_ok")[_RECENT_RUNS:200]:
        if wanted in (days or []):
            return PollRun.objects.get(pk=pk)
    return None


_RECENT_RUNS = 10


# (court, UTC start) -> (state, price) of the cells seen.
_SeenCells = dict[tuple[int, datetime], tuple[str, Decimal | None]]


def _build_grid(
    club: Club,
    local_date: date,
    sport_id: str | None,
    seen: _SeenCells,
    at: datetime | None,
) -> Grid:
    courts = club_courts(club=club, sport_id=sport_id)
    seen_court_ids = {court_id for court_id, _ in seen}
    active_ids = {c.id for c in courts}
    if seen_court_ids - active_ids:
        # Courts deactivated since still show for the days they had cells.
        extra = Court.objects.filter(id__in=seen_court_ids - active_ids)
        courts += list(extra.order_by("reservation_priority", "name", "id"))
    starts = _grid_columns(club, local_date, (s for _, s in seen))
    open_starts = set(open_cell_starts(club, local_date))
    zone = club.zone
    rows = []
    for court in courts:
        cells: list[str] = []
        prices: list[Decimal | None] = []
        for start in starts:
            state, price = seen.get((court.id, start), (None, None))
            if state is None:
                state = UNKNOWN if start in open_starts or not club.opening_hours else CLOSED
            cells.append(state)
            prices.append(price)
        rows.append(GridRow(court=court, cells=cells, prices=prices))
    return Grid(
        local_date=local_date,
        starts=starts,
        local_times=[s.astimezone(zone).strftime("%H:%M") for s in starts],
        rows=rows,
        as_of=at,
        last_poll=_last_poll(club, local_date, at),
    )


def availability_grid(*, club: Club, local_date: date, sport_id: str | None = None) -> Grid:
    """The current state of every court and cell of a local date (for a past date, the final
    state of each cell)."""
    rows = cell_rows(club, sport_id, (local_date, local_date))
    seen = {(row.court_id, row.start): (row.state, row.price) for row in rows}
    return _build_grid(club, local_date, sport_id, seen, None)


def availability_at(
    *, club: Club, at: datetime, local_date: date | None = None, sport_id: str | None = None
) -> Grid:
    """The availability of a local date as it was known at instant `at`: for each cell, the
    last change observed at or before `at`."""
    local_date = local_date or at.astimezone(club.zone).date()
    rows = (
        transitions(club, sport_id)
        .filter(local_date=local_date, observed_at__lte=at)
        .order_by("observed_at", "id")
        .values_list("court_id", "start", "new_state", "price")
    )
    seen: _SeenCells = {}
    for court_id, start, state, price in rows:
        seen[(court_id, start)] = (state, price)
    return _build_grid(club, local_date, sport_id, seen, at)


# --- Transitions ----------------------------------------------------------------------------


def slot_changes(
    *,
    club: Club,
    date_from: date | None = None,
    date_to: date | None = None,
    kinds: Sequence[str] = (),
    court_id: int | None = None,
    sport_id: str | None = None,
) -> QuerySet[SlotChange]:
    changes = SlotChange.objects.filter(club=club).select_related("court")
    if date_from:
        changes = changes.filter(local_date__gte=date_from)
    if date_to:
        changes = changes.filter(local_date__lte=date_to)
    if kinds:
        changes = changes.filter(kind__in=kinds)
    if court_id:
        changes = changes.filter(court_id=court_id)
    if sport_id:
        changes = changes.filter(court__sport_id=sport_id)
    return changes.order_by("-observed_at", "-id")
