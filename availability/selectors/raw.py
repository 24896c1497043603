"""The raw rows of a club's local dates: its cells (SlotState) and its transitions (SlotChange),
as the selectors read them for the days not summarized yet (the last days, today, the future)
and for the court grid.

The club page asks for the same recent days' rows for a dozen figures. After
`read_raw_rows_once(club)` every selector called with that club instance shares one read of
each kind: the first ask reads every recent day through today (or further, if asked), later
asks take their days from it. Only for an instance that lives one request, as a page's does:
polls keep changing these rows, unlike the summaries of closed days. Without it each call
reads its own rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar

from django.db.models import TextField
from django.db.models.functions import Cast

from availability.selectors.common import (
    DateRange,
    as_utc,
    local_dates,
    local_today,
    states_on,
    transitions,
)
from availability.selectors.history import first_recent_date
from clubs.models import Club


class CellRow(NamedTuple):
    court_id: int
    start: datetime  # UTC
    local_date: date
    state: str
    price: Decimal | None
    changed_at: datetime


class ChangeRow(NamedTuple):
    court_id: int
    start: datetime  # UTC
    local_date: date
    kind: str
    new_state: str
    lead_minutes: int


Row = TypeVar("Row", CellRow, ChangeRow)


def read_raw_rows_once(club: Club) -> None:
    """Let the selectors called with this club instance share one read of the raw rows of
    each local date (see the module's docstring)."""
    club.__dict__["_raw_rows"] = {}


def cell_rows(club: Club, sport_id: str | None, days: DateRange) -> list[CellRow]:
    """The cells of the local dates, of every court of the club (of the sport)."""

    def read(window: DateRange) -> list[CellRow]:
        rows = states_on(club, sport_id, window).annotate(
            start_text=_as_text("start"), changed_text=_as_text("changed_at")
        )
        columns = ("court_id", "start_text", "local_date", "state", "price", "changed_text")
        return [
            CellRow(court, _utc(start), day, state, price, _utc(changed))
            for court, start, day, state, price, changed in rows.values_list(*columns).order_by()
        ]

    return _rows(club, ("cells", sport_id), days, read)


def change_rows(club: Club, sport_id: str | None, days: DateRange) -> list[ChangeRow]:
    """The transitions of the cells of the local dates, each cell's in observation order."""

    def read(window: DateRange) -> list[ChangeRow]:
        rows = transitions(club, sport_id).filter(local_date__range=window)
        columns = ("court_id", "start_text", "local_date", "kind", "new_state", "lead_minutes")
        ordered = rows.annotate(start_text=_as_text("start")).order_by("observed_at", "id")
        return [
            ChangeRow(court, _utc(start), day, kind, state, lead)
            for court, start, day, kind, state, lead in ordered.values_list(*columns)
        ]

    return _rows(club, ("changes", sport_id), days, read)


def _as_text(column: str) -> Cast:
    """A datetime column read as text: Django's loader for PostgreSQL's timestamptz parses in
    Python, five times slower than `datetime.fromisoformat`, and a page reads a thousand."""
    return Cast(column, TextField())


@lru_cache(maxsize=4096)
def _utc(text: str) -> datetime:
    # A few dozen starts, each on every court, and the instants of a few polls.
    return as_utc(text)


class _Dates(Generic[Row]):
    """Rows by local date, and the dates read already (with or without rows)."""

    def __init__(self) -> None:
        self.rows: dict[date, list[Row]] = defaultdict(list)
        self.read: set[date] = set()


def _rows(
    club: Club,
    key: tuple[str, str | None],
    days: DateRange,
    read: Callable[[DateRange], Iterable[Row]],
) -> list[Row]:
    shared: dict[tuple[str, str | None], _Dates[Any]] | None = club.__dict__.get("_raw_rows")
    if shared is None:
        return list(read(days))
    known: _Dates[Row] = shared.setdefault(key, _Dates())
    wanted = local_dates(*days)
    missing = [day for day in wanted if day not in known.read]
    if missing:
        window = _window(club, missing[0], missing[-1])
        fresh = {day for day in local_dates(*window) if day not in known.read}
        for row in read(window):
            if row.local_date in fresh:
                known.rows[row.local_date].append(row)
        known.read |= fresh
    return [row for day in wanted for row in known.rows.get(day, ())]


def _window(club: Club, date_from: date, date_to: date) -> DateRange:
    """The dates to read for an ask of these: every recent date from the first not summarized
    through today or the last date asked, so the page's later asks find theirs. A closed date
    (the grid of a past day) is read alone: the range back to it could be a year of cells."""
    first = first_recent_date(club)
    if first is not None and date_from < first:
        return date_from, date_to
    return (date_from if first is None else first), max(date_to, local_today(club))
