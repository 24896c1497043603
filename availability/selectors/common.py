"""What every analytics selector shares: labels, ratios, the local calendar, the club's
courts and their cells (SlotState)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from availability.cells import CELL, cell_starts, open_intervals
from availability.models import CellState, SlotChange, SlotState
from clubs.models import Club, Court

WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CELL_MINUTES = int(CELL.total_seconds() // 60)
_ONE_DAY = timedelta(days=1)
OBSERVED = (CellState.FREE, CellState.TAKEN)

# A club-local date range, both ends included.
DateRange = tuple[date, date]


def lead_label(minutes: int) -> str:
    if minutes == 0:
        return "start"
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def ratio(part: int, whole: int | None) -> float | None:
    if not whole:
        return None
    return round(part / whole, 4)


def coverage(observed: int, expected: int | None) -> float | None:
    """observed / expected, capped at 1 (a cell seen under since-changed opening hours still
    counts as seen); None when the opening hours are unknown."""
    if expected is None:
        return None
    if expected == 0:
        return 1.0 if observed == 0 else None
    return min(1.0, round(observed / expected, 4))


# --- The local calendar and opening hours ---------------------------------------------------


def open_cell_starts(club: Club, local_date: date) -> list[datetime]:
    """UTC starts of the club's open cells on a local date (availability.cells decides, as it
    does for ingest, so expected and observed cells line up)."""
    return list(_open_cells(_hours_key(club), club.timezone, local_date)[0])


def open_cell_counts(club: Club, days: DateRange) -> list[int]:
    """The number of the club's open cells on each local date of the range, in order."""
    return list(_day_counts(_hours_key(club), club.timezone, *days))


def open_cells_by_weekday_hour(club: Club, days: DateRange) -> dict[tuple[int, int], int]:
    """Open cells per court by (ISO weekday, local hour) over the local dates (the heatmap's
    expected cells): an hour that happens twice when clocks fall back counts twice."""
    return dict(_weekday_hour_counts(_hours_key(club), club.timezone, *days))


def _hours_key(club: Club) -> str:
    return json.dumps(club.opening_hours or {}, sort_keys=True)


# A year-long figure asks for the open cells of every day of the year, and every page and API
# call asks again: each (opening hours, zone, date) is worked out with zoneinfo once.
@lru_cache(maxsize=32768)
def _open_cells(
    hours_key: str, zone_name: str, local_date: date
) -> tuple[tuple[datetime, ...], tuple[int, ...]]:
    zone = ZoneInfo(zone_name)
    starts: list[datetime] = []
    hours: list[int] = []
    for opens, closes in open_intervals(_opening_hours(hours_key), local_date, zone):
        interval = cell_starts([(opens, closes)])
        starts += interval
        local = opens.astimezone(zone)
        if local.utcoffset() != closes.astimezone(zone).utcoffset():
            # The clocks change inside: each cell's local hour from its own instant.
            hours += [start.astimezone(zone).hour for start in interval]
            continue
        # Wall time runs with UTC here: the hours follow from the opening minute.
        minute = local.hour * 60 + local.minute
        hours += [(minute + _CELL_MINUTES * i) // 60 % 24 for i in range(len(interval))]
    return tuple(starts), tuple(hours)


@lru_cache(maxsize=256)
def _opening_hours(hours_key: str) -> dict[str, Any]:
    opening_hours: dict[str, Any] = json.loads(hours_key)
    return opening_hours


# A year-long figure needs the open cells of a year of days. A day whose clocks do not change
# (from the previous midnight to the next) has the cells of any such day on its weekday, so
# only a week's worth of days and the few DST days are worked out one by one.
def _regular_days(zone_name: str, date_from: date, date_to: date) -> Iterator[tuple[date, bool]]:
    zone = ZoneInfo(zone_name)
    offsets = {
        day: zone.utcoffset(datetime.combine(day, time(0)))
        for day in local_dates(date_from - _ONE_DAY, date_to + _ONE_DAY)
    }
    for day in local_dates(date_from, date_to):
        yield day, offsets[day - _ONE_DAY] == offsets[day] == offsets[day + _ONE_DAY]


@lru_cache(maxsize=4096)
def _weekday_hour_counts(
    hours_key: str, zone_name: str, date_from: date, date_to: date
) -> tuple[tuple[tuple[int, int], int], ...]:
    typical: dict[int, tuple[int, ...]] = {}  # ISO weekday -> hours of a regular day
    regular_days: dict[int, int] = defaultdict(int)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for day, regular in _regular_days(zone_name, date_from, date_to):
        weekday = day.isoweekday()
        if regular:
            regular_days[weekday] += 1
            if weekday not in typical:
                typical[weekday] = _open_cells(hours_key, zone_name, day)[1]
            continue
        for hour in _open_cells(hours_key, zone_name, day)[1]:
            counts[(weekday, hour)] += 1
    for weekday, days in regular_days.items():
        for hour in typical[weekday]:
            counts[(weekday, hour)] += days
    return tuple(counts.items())


@lru_cache(maxsize=4096)
def _day_counts(hours_key: str, zone_name: str, date_from: date, date_to: date) -> tuple[int, ...]:
    typical: dict[int, int] = {}  # ISO weekday -> open cells of a regular day
    counts = []
    for day, regular in _regular_days(zone_name, date_from, date_to):
        weekday = day.isoweekday()
        if not regular:
            counts.append(len(_open_cells(hours_key, zone_name, day)[0]))
            continue
        if weekday not in typical:
            typical[weekday] = len(_open_cells(hours_key, zone_name, day)[0])
        counts.append(typical[weekday])
    return tuple(counts)


def local_dates(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def as_utc(value: datetime | str) -> datetime:
    """A datetime read as text (SQLite's raw results, `raw` rows) or naive, as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_today(club: Club, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(club.zone).date()


# Every figure of recent days places its cells' starts in the club's week; the same starts
# come back on every page.
@lru_cache(maxsize=65536)
def local_weekday_hour(start: datetime, zone_name: str) -> tuple[int, int]:
    """The ISO weekday and hour of a UTC start in the zone (as the database's AT TIME ZONE)."""
    local = start.astimezone(ZoneInfo(zone_name))
    return local.isoweekday(), local.hour


# --- Courts and their cells -----------------------------------------------------------------


def _courts(club: Club) -> list[Court]:
    """Every court of the club, read once per club instance (prefetched into it, as a page
    that loads its club with `prefetch_related("courts")` has them already), so every figure
    of a request shares one query."""
    if "courts" not in getattr(club, "_prefetched_objects_cache", {}):
        prefetch_related_objects([club], "courts")
    return list(club.courts.all())


def club_courts(*, club: Club, sport_id: str | None = None) -> list[Court]:
    """Active courts of the club (of one sport if given), in display order."""
    courts = [c for c in _courts(club) if c.is_active and (not sport_id or c.sport_id == sport_id)]
    return sorted(courts, key=lambda c: (c.reservation_priority, c.name, c.id))


def court_sports(club: Club) -> set[str]:
    """The sports of every court of the club, inactive ones too (their history counts)."""
    return {c.sport_id for c in _courts(club)}


def court_ids(club: Club, sport_id: str | None) -> list[int]:
    """Every court of the club (of the sport), inactive ones too: their history still counts."""
    return [c.id for c in _courts(club) if not sport_id or c.sport_id == sport_id]


def states(club: Club, sport_id: str | None) -> QuerySet[SlotState]:
    return SlotState.objects.filter(court_id__in=court_ids(club, sport_id))


def transitions(club: Club, sport_id: str | None) -> QuerySet[SlotChange]:
    """The changes of every court of the club (of the sport), inactive ones too."""
    return SlotChange.objects.filter(club=club, court_id__in=court_ids(club, sport_id))


def states_on(club: Club, sport_id: str | None, days: DateRange) -> QuerySet[SlotState]:
    """The cells of the local dates. A cell starts on its local date, so the bounds on `start`
    (a day wider, in case) select nothing more; they let PostgreSQL use the (court, start)
    index instead of walking every cell of the courts to filter by date."""
    zone = club.zone
    low = datetime.combine(days[0] - timedelta(days=1), time(0), tzinfo=zone)
    high = datetime.combine(days[1] + timedelta(days=2), time(0), tzinfo=zone)
    return states(club, sport_id).filter(
        local_date__range=days, start__gte=low.astimezone(UTC), start__lt=high.astimezone(UTC)
    )
