"""What every analytics selector shares: labels, ratios, the local calendar, the club's
courts and their cells (SlotState)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

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
    return cell_starts(open_intervals(club.opening_hours or {}, local_date, club.zone))


def local_dates(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def local_today(club: Club, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(club.zone).date()


# --- Courts and their cells -----------------------------------------------------------------


def club_courts(*, club: Club, sport_id: str | None = None) -> list[Court]:
    """Active courts of the club (of one sport if given), in display order."""
    courts = Court.objects.filter(club=club, is_active=True)
    if sport_id:
        courts = courts.filter(sport_id=sport_id)
    return list(courts.order_by("reservation_priority", "name", "id"))


def court_ids(club: Club, sport_id: str | None) -> list[int]:
    """Every court of the club (of the sport), inactive ones too: their history still counts."""
    courts = Court.objects.filter(club=club)
    if sport_id:
        courts = courts.filter(sport_id=sport_id)
    return list(courts.values_list("id", flat=True))


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
