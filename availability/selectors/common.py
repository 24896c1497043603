"""What every analytics selector shares: labels, ratios, the local calendar, the club's
courts and their cells (SlotState)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from availability.cells import cell_starts, open_intervals
from availability.models import CellState, SlotChange, SlotState
from clubs.models import Club, Court

WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
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


def open_cell_hours(club: Club, local_dates: Iterable[date]) -> dict[date, tuple[int, ...]]:
    """Per local date, the local hour of each of the club's open cells (its count is the
    date's expected cells per court)."""
    key = _hours_key(club)
    return {day: _open_cells(key, club.timezone, day)[1] for day in local_dates}


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
    starts = tuple(cell_starts(open_intervals(json.loads(hours_key), local_date, zone)))
    return starts, tuple(start.astimezone(zone).hour for start in starts)


@lru_cache(maxsize=4096)
def _weekday_hour_counts(
    hours_key: str, zone_name: str, date_from: date, date_to: date
) -> tuple[tuple[tuple[int, int], int], ...]:
    counts: dict[tuple[int, int], int] = {}
    for day in local_dates(date_from, date_to):
        weekday = day.isoweekday()
        for hour in _open_cells(hours_key, zone_name, day)[1]:
            counts[(weekday, hour)] = counts.get((weekday, hour), 0) + 1
    return tuple(counts.items())


def local_dates(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def local_today(club: Club, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(club.zone).date()


# --- Courts and their cells -----------------------------------------------------------------


def _courts(club: Club) -> list[Court]:
    """Every court of the club. Read through `club.courts.all()`, so a page that loads its
    club with `prefetch_related("courts")` asks the database once for all its figures."""
    return list(club.courts.all())


def club_courts(*, club: Club, sport_id: str | None = None) -> list[Court]:
    """Active courts of the club (of one sport if given), in display order."""
    courts = [c for c in _courts(club) if c.is_active and (not sport_id or c.sport_id == sport_id)]
    return sorted(courts, key=lambda c: (c.reservation_priority, c.name, c.id))


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
