"""How cells fill up before they start: fill curves (read from the transitions), sell-out lead
times and the chance a court is still free."""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.db import connection
from django.db.models import F, Min, Q, Sum

from availability.models import LEADS, CellState, SlotChange
from availability.selectors.common import (
    OBSERVED,
    DateRange,
    as_utc,
    court_ids,
    court_sports,
    lead_label,
    local_dates,
    local_weekday_hour,
    ratio,
)
from availability.selectors.history import history_rows, start_summaries, weekday_hour_totals
from availability.selectors.raw import ChangeRow, cell_rows, change_rows
from clubs.models import Club

# --- Fill curves ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _AtLead:
    """A figure read at a lead time: that many minutes before the cells' start."""

    lead_minutes: int

    @property
    def label(self) -> str:
        return lead_label(self.lead_minutes)


@dataclass(frozen=True)
class FillPoint(_AtLead):
    taken: int
    known: int  # cells whose state (free or taken) was known at that lead

    @property
    def share_taken(self) -> float | None:
        return ratio(self.taken, self.known)


FillCounts = dict[tuple[int, int], list[list[int]]]
# Local weekday, local hour, per lead (taken, known).
_FillRow = tuple[int, int, Sequence[tuple[int, int]]]


def fill_counts(club: Club, date_from: date, date_to: date, sport_id: str | None) -> FillCounts:
    """(weekday, hour) -> per lead [taken, known], reading each cell's state at start - lead
    (see fill_rows); closed days come from their summaries, which hold the same counts."""
    if not court_ids(club, sport_id):
        return {}

    def summarized(days: DateRange) -> Iterator[_FillRow]:
        # The running totals give any range of closed days in a few dozen rows.
        fields = ["changes"]
        for lead in LEADS:
            fields += [f"taken_{lead}", f"known_{lead}"]
        for (weekday, hour), sums in weekday_hour_totals(club, sport_id, days, fields).items():
            if sums[0]:  # as in fill_rows, only starts with transitions make a key
                per_lead = [(sums[1 + 2 * i], sums[2 + 2 * i]) for i in range(len(LEADS))]
                yield weekday, hour, per_lead

    def recent(days: DateRange) -> Iterator[_FillRow]:
        for start, per_lead in _leads_by_start(change_rows(club, sport_id, days)).items():
            yield (*local_weekday_hour(start, club.timezone), per_lead)

    counts: FillCounts = {}
    rows = history_rows(club, sport_id, (date_from, date_to), summarized=summarized, recent=recent)
    for weekday, hour, per_lead in rows:
        slot = counts.get((weekday, hour))
        if slot is None:
            slot = counts[(weekday, hour)] = [[0, 0] for _ in LEADS]
        for i, (taken, known) in enumerate(per_lead):
            slot[i][0] += taken
            slot[i][1] += known
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
            result.append((as_utc(row[0]), day, int(row[2]), per_lead))
    return result


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


# --- Sell-out lead times --------------------------------------------------------------------


@dataclass(frozen=True)
class SelloutCell:
    weekday: int
    hour: int
    slots: int  # (date, start) groups observed
    sold_out: int
    median_lead_minutes: int | None

    @property
    def sold_out_share(self) -> float | None:
        return ratio(self.sold_out, self.slots)


# Per UTC start (all its courts): local weekday, local hour, cells observed, cells taken, and
# the minutes from their latest change to the start (None when nothing was observed).
_StartRow = tuple[int, int, int, int, int | None]


def sellout_lead_times(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> list[SelloutCell]:
    """For each weekday x hour, how far ahead every court was gone.

    A start time sells out when the last of its courts is taken for good: the latest of their
    final changes (SlotState.changed_at) while all of them end taken. A cell first seen already
    taken gives a lower bound, which is the best the observations can say."""

    def summarized(days: DateRange) -> Iterable[_StartRow]:
        # No datetime is read (the summary keeps the lead in minutes).
        rows = start_summaries(club, sport_id, days).filter(Q(taken__gt=0) | Q(free__gt=0))
        if sport_id or len(court_sports(club)) <= 1:
            # One sport: a summary row is a whole start.
            for weekday, hour, taken, free, lead in rows.values_list(
                "weekday", "hour", "taken", "free", "last_change_lead"
            ):
                yield weekday, hour, taken + free, taken, lead
            return
        # A summary row holds one sport: a start's rows are added up in the database.
        yield from (
            rows.values("start", "weekday", "hour")
            .annotate(
                observed=Sum(F("taken") + F("free")),
                taken_cells=Sum("taken"),
                lead=Min("last_change_lead"),
            )
            .values_list("weekday", "hour", "observed", "taken_cells", "lead")
            .order_by()
        )

    def recent(days: DateRange) -> Iterator[_StartRow]:
        # UTC start -> [cells observed, cells taken, latest change]
        starts: dict[datetime, list[Any]] = {}
        for row in cell_rows(club, sport_id, days):
            if row.state not in OBSERVED:
                continue
            seen = starts.get(row.start)
            if seen is None:
                seen = starts[row.start] = [0, 0, row.changed_at]
            seen[0] += 1
            seen[1] += row.state == CellState.TAKEN
            seen[2] = max(seen[2], row.changed_at)
        for start, (observed, taken, last_change) in starts.items():
            lead = max(0, int((start - last_change).total_seconds() // 60))
            yield (*local_weekday_hour(start, club.timezone), observed, taken, lead)

    slots: dict[tuple[int, int], int] = defaultdict(int)
    leads: dict[tuple[int, int], list[int]] = defaultdict(list)
    rows = history_rows(club, sport_id, (date_from, date_to), summarized=summarized, recent=recent)
    for weekday, hour, observed, taken, lead in rows:
        key = (weekday, hour)
        slots[key] += 1
        if taken == observed and lead is not None:
            leads[key].append(lead)
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


# --- Chance still free ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChancePoint(_AtLead):
    dates_known: int  # dates where some court's state at that lead was known
    dates_with_free: int  # dates where some court was free at that lead

    @property
    def chance(self) -> float | None:
        return ratio(self.dates_with_free, self.dates_known)


CellHistory = dict[tuple[int, datetime], list[tuple[int, str]]]


def _leads_by_start(changes: Iterable[ChangeRow]) -> dict[datetime, list[tuple[int, int]]]:
    """UTC start -> per lead of LEADS (cells taken, cells known) at start - lead, from the
    changes of each cell in observation order. As fill_rows reads it: a change holds at the
    leads from its own down to, not including, the next change's."""
    cells: CellHistory = defaultdict(list)
    for change in changes:
        cells[(change.court_id, change.start)].append((change.lead_minutes, change.new_state))
    # Per start and lead index, the changes of [taken, known] from the lead before: each
    # change adds its span of leads in two steps instead of one per lead.
    steps: dict[datetime, list[list[int]]] = {}
    for (_court, start), history in cells.items():
        step = steps.get(start)
        if step is None:
            step = steps[start] = [[0, 0] for _ in range(len(LEADS) + 1)]
        for at, (lead, state) in enumerate(history):
            high = bisect_right(LEADS, lead)
            low = bisect_right(LEADS, history[at + 1][0]) if at + 1 < len(history) else 0
            # LEADS[low:high]: the leads in (the next change's lead, this one's], in order.
            if low >= high or state not in OBSERVED:
                continue
            step[low][1] += 1
            step[high][1] -= 1
            if state == CellState.TAKEN:
                step[low][0] += 1
                step[high][0] -= 1
    result = {}
    for start, step in steps.items():
        taken = known = 0
        per_lead = []
        for taken_step, known_step in step[: len(LEADS)]:
            taken += taken_step
            known += known_step
            per_lead.append((taken, known))
        result[start] = per_lead
    return result


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
    state was known then. Closed days come from their summaries: a court's state at a lead is
    the one the fill counts read, so "some court known" is known > 0 and "some court free" is
    known > taken."""
    zone = club.zone

    def starts_of(days: DateRange) -> list[datetime]:
        wanted = [d for d in local_dates(*days) if d.isoweekday() == weekday]
        return [datetime.combine(d, start_time, tzinfo=zone).astimezone(UTC) for d in wanted]

    def summarized(days: DateRange) -> Iterator[tuple[datetime, list[tuple[int, int]]]]:
        columns = [f"{kind}_{lead}" for lead in LEADS for kind in ("taken", "known")]
        rows = (
            start_summaries(club, sport_id, days)
            .filter(start__in=starts_of(days))
            .values_list("start", *columns)
        )
        for start, *counts in rows:
            yield start, [(counts[2 * i], counts[2 * i + 1]) for i in range(len(LEADS))]

    def recent(days: DateRange) -> Iterator[tuple[datetime, list[tuple[int, int]]]]:
        wanted = set(starts_of(days))
        changes = change_rows(club, sport_id, days)
        yield from _leads_by_start(change for change in changes if change.start in wanted).items()

    # UTC start -> per lead [courts taken, courts known]; a summary row holds one sport.
    by_start: dict[datetime, list[list[int]]] = {}
    rows = history_rows(club, sport_id, (date_from, date_to), summarized=summarized, recent=recent)
    for start, per_lead in rows:
        slot = by_start.setdefault(start, [[0, 0] for _ in LEADS])
        for i, (taken, known) in enumerate(per_lead):
            slot[i][0] += taken
            slot[i][1] += known
    return [
        ChancePoint(
            lead,
            sum(1 for counts in by_start.values() if counts[i][1]),
            sum(1 for counts in by_start.values() if counts[i][1] > counts[i][0]),
        )
        for i, lead in enumerate(LEADS)
    ]
