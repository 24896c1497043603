"""The one place that turns Playtomic availability into 30-minute cells.

Playtomic lists only free, released slots (start + duration). A club-local day is cut into
30-minute cells per court within opening hours, and each cell is classified:

- covered (even partly) by a listed slot: FREE, priced at the cheapest hourly rate among the
  listed slots that cover it (price x 60 / duration, two decimals, the slot's currency);
- starting at or before `now`: not observed, left out (a past cell is history, not news);
- starting later than `now + horizon` (the club's booking-ahead limit as seen by the reading
  account): NOT_RELEASED;
- otherwise: TAKEN (booked, held, or an orphan sliver nobody can book: all mean "not
  bookable").

A whole future day without a single listed slot on any court is read as NOT_RELEASED rather
than 100% booked: clubs that open whole days at a fixed time list nothing before it, and a
fully booked future day is far rarer. Today is exempt: it is always released.

Cells are spaced 30 minutes apart in UTC from the opening instant, so DST days simply have
two cells fewer or more. A cell belongs to the club-local date it starts on; hours that run
past midnight are attributed to the next date, which is the day whose request lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from availability.models import CellState
from playtomic.types import WEEKDAYS, CourtAvailability

CELL = timedelta(minutes=30)
_CENT = Decimal("0.01")
_FREE, _TAKEN, _NOT_RELEASED = CellState.FREE, CellState.TAKEN, CellState.NOT_RELEASED


class Cell(NamedTuple):
    """One court's classified cell (a named tuple: every poll makes thousands)."""

    start: datetime  # aware UTC
    state: str  # a CellState value
    price: Decimal | None  # hourly rate while offered
    currency: str


def _parse_hhmm(value: Any) -> time | None:
    if not isinstance(value, str):
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        return None


def open_intervals(
    opening_hours: Mapping[str, Any], local_date: date, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """UTC intervals during which the club is open on `local_date`, clipped to that local day
    (the previous day's hours are included when they run past midnight)."""
    day_start = datetime.combine(local_date, time(0), tzinfo=zone).astimezone(UTC)
    day_end = datetime.combine(local_date + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    intervals: list[tuple[datetime, datetime]] = []
    for opening_date in (local_date - timedelta(days=1), local_date):
        hours = opening_hours.get(WEEKDAYS[opening_date.weekday()])
        if not isinstance(hours, Mapping):
            continue
        opening = _parse_hhmm(hours.get("opening_time"))
        closing = _parse_hhmm(hours.get("closing_time"))
        if opening is None or closing is None:
            continue
        close_date = opening_date if closing > opening else opening_date + timedelta(days=1)
        opens = datetime.combine(opening_date, opening, tzinfo=zone).astimezone(UTC)
        closes = datetime.combine(close_date, closing, tzinfo=zone).astimezone(UTC)
        low, high = max(opens, day_start), min(closes, day_end)
        if low < high:
            intervals.append((low, high))
    return intervals


def cell_starts(intervals: Iterable[tuple[datetime, datetime]]) -> list[datetime]:
    """UTC starts of every whole or partial 30-minute cell in the open intervals."""
    starts: list[datetime] = []
    for opens, closes in intervals:
        cursor = opens
        while cursor < closes:
            starts.append(cursor)
            cursor += CELL
    return starts


def classify_court(
    starts: list[datetime],
    availability: Iterable[CourtAvailability],
    *,
    now: datetime,
    horizon: timedelta | None,
    day_released: bool = True,
) -> list[Cell]:
    """Cells of one court from its availability entries. `starts` must be sorted and spaced
    30 minutes apart within each open interval (as `cell_starts` makes them)."""
    (cells,) = classify_courts(
        starts, [availability], now=now, horizon=horizon, day_released=day_released
    )
    return cells


def classify_courts(
    starts: list[datetime],
    courts: Sequence[Iterable[CourtAvailability]],
    *,
    now: datetime,
    horizon: timedelta | None,
    day_released: bool = True,
) -> list[list[Cell]]:
    """classify_court for several courts of one day (one list of entries each), in order.
    Courts list the same start times and durations: which cells a (start, duration) covers
    is worked out once for them all, on integer seconds (ingest's CPU budget,
    docs/monitoring.md)."""
    if not starts:
        return [[] for _ in courts]
    first = starts[0]
    step = int(CELL.total_seconds())
    index = {int((start - first).total_seconds()): i for i, start in enumerate(starts)}
    # (slot start, duration) -> the indices of the cells it covers, even partly
    covered: dict[tuple[datetime, int], tuple[int, ...]] = {}

    def cover(start: datetime, duration: int) -> tuple[int, ...]:
        begin = int((start - first).total_seconds())
        end = begin + duration * 60
        cursor = begin - begin % step
        found = []
        while cursor < end:
            i = index.get(cursor)
            if i is not None:
                found.append(i)
            cursor += step
        covered[(start, duration)] = cells = tuple(found)
        return cells

    limit = now + horizon if horizon is not None else None
    # What a cell is when no slot covers it, by index (the same for every court).
    uncovered = [
        _NOT_RELEASED if not day_released or (limit is not None and start > limit) else _TAKEN
        for start in starts
    ]
    result = []
    for availability in courts:
        rates: list[tuple[Decimal, str] | None] = [None] * len(starts)
        for entry in availability:
            for slot in entry.slots:
                duration = slot.duration_minutes
                if duration <= 0:
                    continue
                indices = covered.get((slot.start, duration)) or cover(slot.start, duration)
                rate = _hourly_rate(slot.price.amount, duration)
                for i in indices:
                    best = rates[i]
                    if best is None or rate < best[0]:
                        rates[i] = (rate, slot.price.currency)
        cells: list[Cell] = []
        for i, start in enumerate(starts):
            if start <= now:
                continue
            offered = rates[i]
            if offered is not None:
                cells.append(Cell(start, _FREE, offered[0], offered[1]))
            else:
                cells.append(Cell(start, uncovered[i], None, ""))
        result.append(cells)
    return result


@lru_cache(maxsize=4096)
def _hourly_rate(amount: Decimal, duration_minutes: int) -> Decimal:
    """price x 60 / duration, to the cent (a club has a few dozen distinct pairs)."""
    return (amount * 60 / duration_minutes).quantize(_CENT, rounding=ROUND_HALF_UP)
