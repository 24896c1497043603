"""Does a free slot fit what a member subscribed to? Pure logic, no queries: the alert
consumer (sources/alerts.py) builds `FreeRun`s from availability's events and asks each
subscription's `Filters` for the first start in the run that fits.

Every wall-clock filter (weekday, time range) is read in the club's own zone at the cell's
own instant, so a subscription for "Tuesday 19:00-21:00" keeps meaning 19:00 there on either
side of a daylight-saving change; "how soon" is a plain duration from now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

CELL = timedelta(minutes=30)
INDOOR = "indoor"
OUTDOOR = "outdoor"


@dataclass(frozen=True)
class FreeRun:
    """Contiguous free 30-minute cells of one court: [start, end) in UTC."""

    club_id: int
    court_id: int
    court_indoor: bool | None
    zone: ZoneInfo
    start: datetime
    end: datetime
    min_hourly_price: Decimal | None


@dataclass(frozen=True)
class Filters:
    """A subscription's filters; an empty collection or None narrows nothing."""

    club_ids: frozenset[int] | None = None  # None: any club
    weekdays: frozenset[int] = frozenset()  # 1 = Monday ... 7 = Sunday, like the API
    time_from: time | None = None  # club-local start, inclusive
    time_to: time | None = None  # club-local start, inclusive; before time_from: over midnight
    min_duration: int | None = None  # minutes
    court_ids: frozenset[int] = frozenset()
    surface: str = ""  # INDOOR / OUTDOOR / "" (either)
    max_price: Decimal | None = None  # per hour, in the club's currency
    starts_within: int | None = None  # minutes from now


@dataclass(frozen=True)
class Fit:
    """The part of a run a subscription wants: from its first fitting start to the run's end."""

    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def time_in_range(wall: time, start: time | None, end: time | None) -> bool:
    """Whether a club-local start is inside [start, end]; a range whose end comes before its
    start runs over midnight (22:00-01:00)."""
    if start is None:
        return end is None or wall <= end
    if end is None:
        return wall >= start
    if start <= end:
        return start <= wall <= end
    return wall >= start or wall <= end


def _run_fits(filters: Filters, run: FreeRun) -> bool:
    if filters.club_ids is not None and run.club_id not in filters.club_ids:
        return False
    if filters.court_ids and run.court_id not in filters.court_ids:
        return False
    if filters.surface == INDOOR and run.court_indoor is not True:
        return False
    if filters.surface == OUTDOOR and run.court_indoor is not False:
        return False
    # A run whose price is unknown is not held back: the message says the price is unknown.
    return not (
        filters.max_price is not None
        and run.min_hourly_price is not None
        and run.min_hourly_price > filters.max_price
    )


def _start_fits(filters: Filters, run: FreeRun, start: datetime, now: datetime) -> bool:
    if start < now:
        return False
    if filters.starts_within is not None and start - now > timedelta(minutes=filters.starts_within):
        return False
    length = run.end - start
    if length < timedelta(minutes=filters.min_duration or 30):
        return False
    local = start.astimezone(run.zone)
    if filters.weekdays and local.isoweekday() not in filters.weekdays:
        return False
    return time_in_range(local.time(), filters.time_from, filters.time_to)


def first_fit(filters: Filters, run: FreeRun, *, now: datetime) -> Fit | None:
    """The earliest start in the run (cell by cell) that every filter accepts, or None."""
    if not _run_fits(filters, run):
        return None
    start = run.start
    while start < run.end:
        if _start_fits(filters, run, start, now):
            return Fit(start=start, end=run.end)
        start += CELL
    return None
