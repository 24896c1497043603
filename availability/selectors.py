"""Read queries and analytics over the availability history, all in the club's local time.

Vocabulary:
- A *cell* is one court's 30-minute slot, identified by (court, UTC start).
- Its *final state* is what we last saw before it began. Ingest never observes a cell that has
  started, so for a past cell `SlotState.state` is its final state.
- A cell is *observed* when we know whether it was bookable: its state is free or taken. Cells
  never seen, or only seen as not yet released, are left out of utilization, and every figure
  carries the *expected* count (open cells from the opening hours) so coverage is visible.
- Weekday and hour are those of the cell's local start, computed with the club's IANA zone (in
  the database or with zoneinfo), never with a fixed offset, so DST weeks stay in their column.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from availability.cells import cell_starts, open_intervals
from availability.models import (
    LEADS,
    CellState,
    PollRun,
    SlotChange,
    SlotState,
    StartSummary,
    SummaryMark,
)
from clubs.models import Club, Court

WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
OBSERVED = (CellState.FREE, CellState.TAKEN)
# A failed poll within this long makes a club show as failing on the home page.
RECENT_FAILURES = timedelta(hours=24)


def lead_label(minutes: int) -> str:
    if minutes == 0:
        return "start"
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def _ratio(part: int, whole: int | None) -> float | None:
    if not whole:
        return None
    return round(part / whole, 4)


def _coverage(observed: int, expected: int | None) -> float | None:
    """observed / expected, capped at 1 (a cell seen under since-changed opening hours still
    counts as seen); None when the opening hours are unknown."""
    if expected is None:
        return None
    if expected == 0:
        return 1.0 if observed == 0 else None
    return min(1.0, round(observed / expected, 4))


# --- Opening hours ---------------------------------------------------------------------------


def open_cell_starts(club: Club, local_date: date) -> list[datetime]:
    """UTC starts of the club's open cells on a local date (availability.cells decides, as it
    does for ingest, so expected and observed cells line up)."""
    return cell_starts(open_intervals(club.opening_hours or {}, local_date, club.zone))


def _dates(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def local_today(club: Club, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(club.zone).date()


# --- Courts ----------------------------------------------------------------------------------


def club_courts(*, club: Club, sport_id: str | None = None) -> list[Court]:
    """Active courts of the club (of one sport if given), in display order."""
    courts = Court.objects.filter(club=club, is_active=True)
    if sport_id:
        courts = courts.filter(sport_id=sport_id)
    return list(courts.order_by("reservation_priority", "name", "id"))


def _court_ids(club: Club, sport_id: str | None) -> list[int]:
    """Every court of the club (of the sport), inactive ones too: their history still counts."""
    courts = Court.objects.filter(club=club)
    if sport_id:
        courts = courts.filter(sport_id=sport_id)
    return list(courts.values_list("id", flat=True))


def _states(club: Club, sport_id: str | None) -> QuerySet[SlotState]:
    return SlotState.objects.filter(court_id__in=_court_ids(club, sport_id))


def _states_on(club: Club, sport_id: str | None, days: tuple[date, date]) -> QuerySet[SlotState]:
    """The cells of the local dates. A cell starts on its local date, so the bounds on `start`
    (a day wider, in case) select nothing more; they let PostgreSQL use the (court, start)
    index instead of walking every cell of the courts to filter by date."""
    zone = club.zone
    low = datetime.combine(days[0] - timedelta(days=1), time(0), tzinfo=zone)
    high = datetime.combine(days[1] + timedelta(days=2), time(0), tzinfo=zone)
    return _states(club, sport_id).filter(
        local_date__range=days, start__gte=low.astimezone(UTC), start__lt=high.astimezone(UTC)
    )


# --- Summaries of closed days ---------------------------------------------------------------

DateRange = tuple[date, date]
# Sums of prices over many cells outgrow the price column's eight digits.
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _summarized_through(club: Club) -> date | None:
    try:
        return club.summary_mark.through
    except SummaryMark.DoesNotExist:
        return None


def _split(club: Club, date_from: date, date_to: date) -> tuple[DateRange | None, DateRange | None]:
    """The part of the range served by StartSummary rows (closed days already summarized) and
    the part read from SlotState/SlotChange (recent days, today, the future)."""
    through = _summarized_through(club)
    if through is None or through < date_from:
        return None, (date_from, date_to)
    if through >= date_to:
        return (date_from, date_to), None
    return (date_from, through), (through + timedelta(days=1), date_to)


def _summaries(club: Club, sport_id: str | None, days: DateRange) -> QuerySet[StartSummary]:
    rows = StartSummary.objects.filter(club=club, local_date__range=days)
    if sport_id:
        rows = rows.filter(sport_id=sport_id)
    return rows


# --- Utilization ------------------------------------------------------------------------------


class _Shares:
    """Utilization and coverage from taken/free counts and the expected open cells."""

    taken: int
    free: int
    expected: int | None

    @property
    def observed(self) -> int:
        return self.taken + self.free

    @property
    def utilization(self) -> float | None:
        return _ratio(self.taken, self.observed)

    @property
    def coverage(self) -> float | None:
        return _coverage(self.observed, self.expected)


@dataclass(frozen=True)
class Utilization(_Shares):
    taken: int
    free: int
    expected: int | None = None
    not_released: int = 0


@dataclass(frozen=True)
class CurrentUtilization:
    local_date: date
    now: datetime
    so_far: Utilization
    rest_of_day: Utilization
    whole_day: Utilization


def _count_states(qs: QuerySet[SlotState]) -> Utilization:
    counts = qs.aggregate(
        taken=Count("id", filter=Q(state=CellState.TAKEN)),
        free=Count("id", filter=Q(state=CellState.FREE)),
        not_released=Count("id", filter=Q(state=CellState.NOT_RELEASED)),
    )
    return Utilization(
        taken=counts["taken"], free=counts["free"], not_released=counts["not_released"]
    )


def utilization_current(
    *, club: Club, sport_id: str | None = None, now: datetime | None = None
) -> CurrentUtilization:
    """Today in the club's zone, split at now: cells already started (their final state) and
    the rest of the day as currently booked."""
    now = now or timezone.now()
    today = local_today(club, now)
    day = _states(club, sport_id).filter(local_date=today)
    courts = len(club_courts(club=club, sport_id=sport_id))
    starts = open_cell_starts(club, today)
    known = bool(club.opening_hours)
    past = sum(1 for s in starts if s <= now)

    def with_expected(u: Utilization, cells: int) -> Utilization:
        return Utilization(u.taken, u.free, cells * courts if known else None, u.not_released)

    so_far = with_expected(_count_states(day.filter(start__lte=now)), past)
    rest = with_expected(_count_states(day.filter(start__gt=now)), len(starts) - past)
    whole = Utilization(
        so_far.taken + rest.taken,
        so_far.free + rest.free,
        len(starts) * courts if known else None,
        so_far.not_released + rest.not_released,
    )
    return CurrentUtilization(
        local_date=today, now=now, so_far=so_far, rest_of_day=rest, whole_day=whole
    )


@dataclass(frozen=True)
class DayUtilization:
    local_date: date
    figures: Utilization


def utilization_daily(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> list[DayUtilization]:
    """One entry per local date in the range, days without observations included (empty)."""
    summarized, recent = _split(club, date_from, date_to)
    by_day: dict[date, dict[str, Any]] = {}
    if summarized:
        summary_rows = (
            _summaries(club, sport_id, summarized)
            .values("local_date")
            .annotate(taken=Sum("taken"), free=Sum("free"), not_released=Sum("not_released"))
            .order_by()
        )
        by_day.update((r["local_date"], dict(r)) for r in summary_rows)
    if recent:
        raw_rows = (
            _states_on(club, sport_id, recent)
            .values("local_date")
            .annotate(
                taken=Count("id", filter=Q(state=CellState.TAKEN)),
                free=Count("id", filter=Q(state=CellState.FREE)),
                not_released=Count("id", filter=Q(state=CellState.NOT_RELEASED)),
            )
            .order_by()
        )
        by_day.update((r["local_date"], dict(r)) for r in raw_rows)
    courts = len(club_courts(club=club, sport_id=sport_id))
    known = bool(club.opening_hours)
    result = []
    for day in _dates(date_from, date_to):
        r = by_day.get(day, {"taken": 0, "free": 0, "not_released": 0})
        expected = courts * len(open_cell_starts(club, day)) if known else None
        result.append(
            DayUtilization(
                local_date=day,
                figures=Utilization(r["taken"], r["free"], expected, r["not_released"]),
            )
        )
    return result


def utilization_total(days: Sequence[DayUtilization]) -> Utilization:
    expected = [d.figures.expected for d in days]
    return Utilization(
        taken=sum(d.figures.taken for d in days),
        free=sum(d.figures.free for d in days),
        expected=None if any(e is None for e in expected) else sum(e or 0 for e in expected),
        not_released=sum(d.figures.not_released for d in days),
    )


@dataclass(frozen=True)
class HeatCell(_Shares):
    weekday: int  # ISO: 1 = Monday
    hour: int  # local hour of the cell's start
    taken: int
    free: int
    # Open cells of this weekday and hour over the range (None: opening hours unknown).
    expected: int | None = None


@dataclass(frozen=True)
class Heatmap:
    # Only weekday/hour pairs with observations; each carries its expected open cells.
    cells: list[HeatCell]

    @property
    def hours(self) -> list[int]:
        return sorted({c.hour for c in self.cells})

    def cell(self, weekday: int, hour: int) -> HeatCell | None:
        for c in self.cells:
            if c.weekday == weekday and c.hour == hour:
                return c
        return None


def utilization_heatmap(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> Heatmap:
    """Weekday x hour share of observed cells taken, in the club's zone (the database converts
    each UTC start with the zone's rules, so a DST week keeps 19:00 at 19:00)."""
    zone = club.zone
    summarized, recent = _split(club, date_from, date_to)
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    if summarized:
        # Closed days: the weekday and hour were computed with zoneinfo when summarized.
        summary_rows = (
            _summaries(club, sport_id, summarized)
            .values_list("weekday", "hour")
            .annotate(taken=Sum("taken"), free=Sum("free"))
            .order_by()
        )
        for weekday, hour, taken, free in summary_rows:
            if taken or free:
                slot = counts[(weekday, hour)]
                slot[0] += taken
                slot[1] += free
    if recent:
        raw_rows = (
            _states_on(club, sport_id, recent)
            .filter(state__in=OBSERVED)
            .annotate(
                wd=ExtractIsoWeekDay("start", tzinfo=zone), hr=ExtractHour("start", tzinfo=zone)
            )
            .values_list("wd", "hr")
            .annotate(
                taken=Count("id", filter=Q(state=CellState.TAKEN)),
                free=Count("id", filter=Q(state=CellState.FREE)),
            )
            .order_by()
        )
        for weekday, hour, taken, free in raw_rows:
            slot = counts[(weekday, hour)]
            slot[0] += taken
            slot[1] += free
    expected = _expected_by_weekday_hour(club, date_from, date_to, sport_id)
    return Heatmap(
        cells=[
            HeatCell(
                wd,
                hr,
                taken=counts[(wd, hr)][0],
                free=counts[(wd, hr)][1],
                expected=None if expected is None else expected.get((wd, hr), 0),
            )
            for wd, hr in sorted(counts)
        ]
    )


def _expected_by_weekday_hour(
    club: Club, date_from: date, date_to: date, sport_id: str | None
) -> dict[tuple[int, int], int] | None:
    """Open cells per (ISO weekday, local hour) over the range: the opening hours' cell starts
    on each local date, in the club's zone, times the active courts (as the daily figures
    count them). None when the club's opening hours are unknown."""
    if not club.opening_hours:
        return None
    zone = club.zone
    courts = len(club_courts(club=club, sport_id=sport_id))
    expected: dict[tuple[int, int], int] = defaultdict(int)
    for day in _dates(date_from, date_to):
        for start in open_cell_starts(club, day):
            expected[(day.isoweekday(), start.astimezone(zone).hour)] += courts
    return dict(expected)


@dataclass(frozen=True)
class CourtUtilization:
    court: Court
    figures: Utilization


def utilization_per_court(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> list[CourtUtilization]:
    rows = (
        _states_on(club, sport_id, (date_from, date_to))
        .values("court_id")
        .annotate(
            taken=Count("id", filter=Q(state=CellState.TAKEN)),
            free=Count("id", filter=Q(state=CellState.FREE)),
            not_released=Count("id", filter=Q(state=CellState.NOT_RELEASED)),
        )
        .order_by()
    )
    by_court = {r["court_id"]: r for r in rows}
    cells = sum(len(open_cell_starts(club, d)) for d in _dates(date_from, date_to))
    known = bool(club.opening_hours)
    result = []
    for court in club_courts(club=club, sport_id=sport_id):
        r = by_court.get(court.id, {"taken": 0, "free": 0, "not_released": 0})
        figures = Utilization(r["taken"], r["free"], cells if known else None, r["not_released"])
        result.append(CourtUtilization(court=court, figures=figures))
    return result


@dataclass(frozen=True)
class ClubSummary:
    club: Club
    total: Utilization
    daily: list[DayUtilization]
    # Local hour -> figures over the range (hours with observations only), with the open
    # cells of that hour as expected, so each hour's coverage is visible.
    by_hour: dict[int, Utilization]

    @property
    def peak_hour(self) -> int | None:
        known = {h: u.utilization for h, u in self.by_hour.items() if u.utilization is not None}
        return max(known, key=lambda h: known[h]) if known else None


def club_comparison(
    *, clubs: Sequence[Club], date_from: date, date_to: date, sport_id: str | None = None
) -> list[ClubSummary]:
    result = []
    for club in clubs:
        daily = utilization_daily(
            club=club, date_from=date_from, date_to=date_to, sport_id=sport_id
        )
        heat = utilization_heatmap(
            club=club, date_from=date_from, date_to=date_to, sport_id=sport_id
        )
        expected = _expected_by_weekday_hour(club, date_from, date_to, sport_id)
        per_hour: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for c in heat.cells:
            per_hour[c.hour][0] += c.taken
            per_hour[c.hour][1] += c.free
        by_hour = {
            h: Utilization(
                taken,
                free,
                None if expected is None else sum(n for (_, hr), n in expected.items() if hr == h),
            )
            for h, (taken, free) in sorted(per_hour.items())
        }
        result.append(
            ClubSummary(club=club, total=utilization_total(daily), daily=daily, by_hour=by_hour)
        )
    return result


# --- From the transitions --------------------------------------------------------------------


@dataclass(frozen=True)
class FillPoint:
    lead_minutes: int
    taken: int
    known: int  # cells whose state (free or taken) was known at that lead

    @property
    def label(self) -> str:
        return lead_label(self.lead_minutes)

    @property
    def share_taken(self) -> float | None:
        return _ratio(self.taken, self.known)


FillCounts = dict[tuple[int, int], list[list[int]]]


def fill_counts(club: Club, date_from: date, date_to: date, sport_id: str | None) -> FillCounts:
    """(weekday, hour) -> per lead [taken, known], reading each cell's state at start - lead
    (see fill_rows); closed days come from their summaries, which hold the same counts."""
    court_ids = _court_ids(club, sport_id)
    if not court_ids:
        return {}
    summarized, recent = _split(club, date_from, date_to)
    counts: FillCounts = {}

    def add(key: tuple[int, int], per_lead: Sequence[Sequence[int]]) -> None:
        slot = counts.setdefault(key, [[0, 0] for _ in LEADS])
        for i, (taken, known) in enumerate(per_lead):
            slot[i][0] += taken
            slot[i][1] += known

    if summarized:
        sums: dict[str, Sum] = {}
        for lead in LEADS:
            sums[f"t{lead}"] = Sum(f"taken_{lead}")
            sums[f"k{lead}"] = Sum(f"known_{lead}")
        rows = (
            _summaries(club, sport_id, summarized)
            .values("weekday", "hour")
            .annotate(changes=Sum("changes"), **sums)
            .order_by()
        )
        for row in rows:
            r: dict[str, Any] = dict(row)  # the lead columns are named at run time
            if r["changes"]:  # as below, only starts with transitions make a key
                add((r["weekday"], r["hour"]), [(r[f"t{ld}"], r[f"k{ld}"]) for ld in LEADS])
    if recent:
        zone = club.zone
        for start, _day, _changes, per_lead in fill_rows(club, recent, court_ids):
            local = start.astimezone(zone)
            add((local.isoweekday(), local.hour), per_lead)
    return counts


def fill_rows(
    club: Club, days: DateRange, court_ids: Sequence[int]
) -> list[tuple[datetime, date, int, list[tuple[int, int]]]]:
    """Per UTC start of the courts' cells on the local dates: the number of changes and per
    lead (taken, known).

    The state of a cell at lead L is the change observed at or before start - L (lead_minutes
    >= L) whose successor came after (next lead < L). The database does one pass with a window
    function and groups by UTC start; local weekday and hour are applied by the callers with
    zoneinfo, which keeps the SQL the same on SQLite and PostgreSQL."""
    if not court_ids:
        return []
    columns = []
    params: list[Any] = []
    for lead in LEADS:
        at = "c.lead_minutes >= %s AND (c.next_lead IS NULL OR c.next_lead < %s)"
        columns.append(f"SUM(CASE WHEN {at} AND c.new_state = %s THEN 1 ELSE 0 END)")
        params += [lead, lead, CellState.TAKEN.value]
        columns.append(f"SUM(CASE WHEN {at} AND c.new_state IN (%s, %s) THEN 1 ELSE 0 END)")
        params += [lead, lead, CellState.TAKEN.value, CellState.FREE.value]
    table = SlotChange._meta.db_table
    placeholders = ", ".join(["%s"] * len(court_ids))
    sql = (
        "SELECT c.start, c.local_date, COUNT(*), " + ", ".join(columns) + " FROM ("  # noqa: S608 - fixed identifiers
        "SELECT start, local_date, new_state, lead_minutes, LEAD(lead_minutes) OVER ("
        "PARTITION BY court_id, start ORDER BY observed_at, id) AS next_lead "
        f"FROM {table} WHERE club_id = %s AND local_date BETWEEN %s AND %s "
        f"AND court_id IN ({placeholders})"
        ") c GROUP BY c.start, c.local_date"
    )
    params += [club.id, days[0], days[1], *court_ids]
    result = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            day = row[1] if isinstance(row[1], date) else date.fromisoformat(row[1])
            per_lead = [
                (int(row[3 + 2 * i] or 0), int(row[4 + 2 * i] or 0)) for i in range(len(LEADS))
            ]
            result.append((_as_utc(row[0]), day, int(row[2]), per_lead))
    return result


def _as_utc(value: datetime | str) -> datetime:
    # SQLite hands raw SQL results back as text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def fill_curve_from_counts(
    counts: FillCounts,
    *,
    weekdays: Iterable[int] | None = None,
    hours: Iterable[int] | None = None,
) -> list[FillPoint]:
    wanted_days = set(weekdays) if weekdays is not None else None
    wanted_hours = set(hours) if hours is not None else None
    totals = [[0, 0] for _ in LEADS]
    for (wd, hr), per_lead in counts.items():
        if wanted_days is not None and wd not in wanted_days:
            continue
        if wanted_hours is not None and hr not in wanted_hours:
            continue
        for i, (taken, known) in enumerate(per_lead):
            totals[i][0] += taken
            totals[i][1] += known
    return [FillPoint(lead, t, k) for lead, (t, k) in zip(LEADS, totals, strict=True)]


def fill_curve(
    *,
    club: Club,
    date_from: date,
    date_to: date,
    sport_id: str | None = None,
    weekdays: Iterable[int] | None = None,
    hours: Iterable[int] | None = None,
) -> list[FillPoint]:
    """Share of cells already taken N hours/days before their start (weekday ISO, local hour)."""
    counts = fill_counts(club, date_from, date_to, sport_id)
    return fill_curve_from_counts(counts, weekdays=weekdays, hours=hours)


@dataclass(frozen=True)
class SelloutCell:
    weekday: int
    hour: int
    slots: int  # (date, start) groups observed
    sold_out: int
    median_lead_minutes: int | None

    @property
    def sold_out_share(self) -> float | None:
        return _ratio(self.sold_out, self.slots)


def sellout_lead_times(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> list[SelloutCell]:
    """For each weekday x hour, how far ahead every court was gone.

    A start time sells out when the last of its courts is taken for good: the latest of their
    final changes (SlotState.changed_at) while all of them end taken. A cell first seen already
    taken gives a lower bound, which is the best the observations can say."""
    zone = club.zone
    # UTC start -> [weekday, hour, observed, taken, last change]
    groups: dict[datetime, list[Any]] = {}
    summarized, recent = _split(club, date_from, date_to)
    if summarized:
        summary_rows = (
            _summaries(club, sport_id, summarized)
            .filter(Q(taken__gt=0) | Q(free__gt=0))
            .values_list("start", "weekday", "hour", "taken", "free", "last_change")
        )
        # One row per sport: a start's group spans the courts of every sport asked for.
        for start, weekday, hour, taken, free, last_change in summary_rows:
            group = groups.setdefault(start, [weekday, hour, 0, 0, last_change])
            group[2] += taken + free
            group[3] += taken
            group[4] = max(group[4], last_change)
    if recent:
        raw_rows = (
            _states_on(club, sport_id, recent)
            .filter(state__in=OBSERVED)
            .values_list("start")
            .annotate(
                observed=Count("id"),
                taken=Count("id", filter=Q(state=CellState.TAKEN)),
                last_change=Max("changed_at"),
            )
            .order_by()
        )
        for start, observed, taken, last_change in raw_rows:
            local = start.astimezone(zone)
            groups[start] = [local.isoweekday(), local.hour, observed, taken, last_change]
    slots: dict[tuple[int, int], int] = defaultdict(int)
    leads: dict[tuple[int, int], list[int]] = defaultdict(list)
    for start, (weekday, hour, observed, taken, last_change) in groups.items():
        key = (weekday, hour)
        slots[key] += 1
        if taken == observed:
            leads[key].append(max(0, int((start - last_change).total_seconds() // 60)))
    return [
        SelloutCell(
            weekday=key[0],
            hour=key[1],
            slots=slots[key],
            sold_out=len(leads[key]),
            median_lead_minutes=int(statistics.median(leads[key])) if leads[key] else None,
        )
        for key in sorted(slots)
    ]


@dataclass(frozen=True)
class Cancellations:
    bookings: int  # free -> taken transitions plus cells first seen taken
    cancellations: int  # taken -> free transitions
    by_weekday: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return _ratio(self.cancellations, self.bookings)


def cancellation_rate(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> Cancellations:
    """Cancellations per booking for cells on the local dates in the range."""
    rows = (
        SlotChange.objects.filter(
            club=club,
            court_id__in=_court_ids(club, sport_id),
            local_date__range=(date_from, date_to),
        )
        .filter(
            Q(kind=SlotChange.Kind.TAKEN)
            | Q(kind=SlotChange.Kind.FREED)
            | Q(kind=SlotChange.Kind.FIRST_SEEN, new_state=CellState.TAKEN)
        )
        .values("local_date", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    bookings: dict[int, int] = defaultdict(int)
    cancels: dict[int, int] = defaultdict(int)
    for r in rows:
        weekday = r["local_date"].isoweekday()
        if r["kind"] == SlotChange.Kind.FREED:
            cancels[weekday] += r["n"]
        else:
            bookings[weekday] += r["n"]
    return Cancellations(
        bookings=sum(bookings.values()),
        cancellations=sum(cancels.values()),
        by_weekday={d: (bookings[d], cancels[d]) for d in range(1, 8)},
    )


@dataclass(frozen=True)
class PriceHour:
    hour: int
    minimum: Decimal
    average: Decimal
    maximum: Decimal
    samples: int


def prices_by_hour(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> list[PriceHour]:
    """Prices offered for free cells (the last price seen per cell), by local hour."""
    zone = club.zone
    # local hour -> [lowest, highest, sum, count]
    hours: dict[int, list[Any]] = {}

    def add(hour: int, low: Decimal, high: Decimal, total: Decimal, n: int) -> None:
        if hour not in hours:
            hours[hour] = [low, high, total, n]
            return
        seen = hours[hour]
        hours[hour] = [min(seen[0], low), max(seen[1], high), seen[2] + total, seen[3] + n]

    summarized, recent = _split(club, date_from, date_to)
    if summarized:
        summary_rows = (
            _summaries(club, sport_id, summarized)
            .filter(price_count__gt=0)
            .values_list("hour")
            .annotate(
                lo=Min("price_min"),
                hi=Max("price_max"),
                total=Sum("price_sum", output_field=_MONEY),
                n=Sum("price_count"),
            )
            .order_by()
        )
        for hour, low, high, total, n in summary_rows:
            add(hour, low, high, total, n)
    if recent:
        raw_rows = (
            _states_on(club, sport_id, recent)
            .filter(price__isnull=False)
            .annotate(hr=ExtractHour("start", tzinfo=zone))
            .values_list("hr")
            .annotate(
                lo=Min("price"),
                hi=Max("price"),
                total=Sum("price", output_field=_MONEY),
                n=Count("id"),
            )
            .order_by()
        )
        for hour, low, high, total, n in raw_rows:
            add(hour, low, high, total, n)
    cent = Decimal("0.01")
    return [
        PriceHour(
            hour=hour,
            minimum=Decimal(low).quantize(cent),
            average=(Decimal(total) / n).quantize(cent),
            maximum=Decimal(high).quantize(cent),
            samples=n,
        )
        for hour, (low, high, total, n) in sorted(hours.items())
    ]


@dataclass(frozen=True)
class ChancePoint:
    lead_minutes: int
    dates_known: int  # dates where some court's state at that lead was known
    dates_with_free: int  # dates where some court was free at that lead

    @property
    def label(self) -> str:
        return lead_label(self.lead_minutes)

    @property
    def chance(self) -> float | None:
        return _ratio(self.dates_with_free, self.dates_known)


CellHistory = dict[tuple[int, datetime], list[tuple[int, str]]]


def _history(changes: Iterable[tuple[int, datetime, int, str]]) -> CellHistory:
    """(court, start) -> [(lead_minutes, new_state)] in observation order."""
    cells: CellHistory = defaultdict(list)
    for court_id, start, lead, state in changes:
        cells[(court_id, start)].append((lead, state))
    return cells


def _state_at_lead(history: Sequence[tuple[int, str]], lead: int) -> str | None:
    state = None
    for change_lead, new_state in history:
        if change_lead >= lead:
            state = new_state
        else:
            break
    return state


def chance_free(
    *,
    club: Club,
    weekday: int,
    start_time: time,
    date_from: date,
    date_to: date,
    sport_id: str | None = None,
) -> list[ChancePoint]:
    """For a wanted weekday (ISO) and local start time: on how many of the observed dates was
    at least one court still free N hours/days before. A date counts at a lead when some court's
    state was known then."""
    zone = club.zone
    days = [d for d in _dates(date_from, date_to) if d.isoweekday() == weekday]
    starts = {datetime.combine(d, start_time, tzinfo=zone).astimezone(UTC): d for d in days}
    rows = (
        SlotChange.objects.filter(
            club=club,
            court_id__in=_court_ids(club, sport_id),
            local_date__in=days,
            start__in=list(starts),
        )
        .order_by("observed_at", "id")
        .values_list("court_id", "start", "lead_minutes", "new_state")
    )
    cells = _history(rows)
    points = []
    for lead in LEADS:
        known: set[datetime] = set()
        free: set[datetime] = set()
        for (_court, start), history in cells.items():
            state = _state_at_lead(history, lead)
            if state in OBSERVED:
                known.add(start)
            if state == CellState.FREE:
                free.add(start)
        points.append(ChancePoint(lead, len(known), len(free)))
    return points


# --- Snapshots ------------------------------------------------------------------------------

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
    for run in runs.order_by("-started_at")[:200]:
        if wanted in (run.days_ok or []):
            return run
    return None


def _build_grid(
    club: Club,
    local_date: date,
    sport_id: str | None,
    states: dict[tuple[int, datetime], tuple[str, Decimal | None]],
    at: datetime | None,
) -> Grid:
    courts = club_courts(club=club, sport_id=sport_id)
    seen_court_ids = {court_id for court_id, _ in states}
    active_ids = {c.id for c in courts}
    if seen_court_ids - active_ids:
        # Courts deactivated since still show for the days they had cells.
        extra = Court.objects.filter(id__in=seen_court_ids - active_ids)
        courts += list(extra.order_by("reservation_priority", "name", "id"))
    starts = _grid_columns(club, local_date, (s for _, s in states))
    open_starts = set(open_cell_starts(club, local_date))
    zone = club.zone
    rows = []
    for court in courts:
        cells: list[str] = []
        prices: list[Decimal | None] = []
        for start in starts:
            state, price = states.get((court.id, start), (None, None))
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
    rows = (
        _states(club, sport_id)
        .filter(local_date=local_date)
        .values_list("court_id", "start", "state", "price")
    )
    states = {(c, s): (st, p) for c, s, st, p in rows}
    return _build_grid(club, local_date, sport_id, states, None)


def availability_at(
    *, club: Club, at: datetime, local_date: date | None = None, sport_id: str | None = None
) -> Grid:
    """The availability of a local date as it was known at instant `at`: for each cell, the
    last change observed at or before `at`."""
    local_date = local_date or at.astimezone(club.zone).date()
    rows = (
        SlotChange.objects.filter(
            club=club,
            court_id__in=_court_ids(club, sport_id),
            local_date=local_date,
            observed_at__lte=at,
        )
        .order_by("observed_at", "id")
        .values_list("court_id", "start", "new_state", "price")
    )
    states: dict[tuple[int, datetime], tuple[str, Decimal | None]] = {}
    for court_id, start, state, price in rows:
        states[(court_id, start)] = (state, price)
    return _build_grid(club, local_date, sport_id, states, at)


# --- Lists ----------------------------------------------------------------------------------


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


def poll_runs(*, club: Club, outcome: str | None = None) -> QuerySet[PollRun]:
    runs = PollRun.objects.filter(club=club)
    if outcome:
        runs = runs.filter(outcome=outcome)
    return runs.order_by("-started_at", "-id")


@dataclass(frozen=True)
class ClubStatus:
    club: Club
    today: CurrentUtilization
    last_poll: PollRun | None
    last_ok_at: datetime | None
    recent_failures: int
    monitoring_enabled: bool
    trend: list[DayUtilization]

    @property
    def failing(self) -> bool:
        return self.last_poll is not None and self.last_poll.outcome == PollRun.Outcome.FAILED


def club_statuses(*, now: datetime | None = None, trend_days: int = 14) -> list[ClubStatus]:
    """Every club with today's utilization, its monitoring state and a short daily trend."""
    now = now or timezone.now()
    result = []
    for club in Club.objects.select_related("monitoring").order_by("name"):
        runs = PollRun.objects.filter(club=club).exclude(outcome=PollRun.Outcome.SKIPPED)
        last = runs.order_by("-started_at").first()
        last_ok = (
            runs.filter(outcome__in=[PollRun.Outcome.OK, PollRun.Outcome.PARTIAL])
            .order_by("-started_at")
            .values_list("started_at", flat=True)
            .first()
        )
        failures = runs.filter(
            outcome=PollRun.Outcome.FAILED, started_at__gte=now - RECENT_FAILURES
        ).count()
        today = local_today(club, now)
        config = getattr(club, "monitoring", None)
        result.append(
            ClubStatus(
                club=club,
                today=utilization_current(club=club, now=now),
                last_poll=last,
                last_ok_at=last_ok,
                recent_failures=failures,
                monitoring_enabled=bool(config and config.enabled),
                trend=utilization_daily(
                    club=club, date_from=today - timedelta(days=trend_days), date_to=today
                ),
            )
        )
    return result
