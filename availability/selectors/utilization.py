"""Utilization: the share of observed cells taken, with the coverage of what was observed;
today so far, per day, per weekday and hour, per court and per club."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone

from availability.counts import count_states
from availability.models import CellState
from availability.selectors.common import (
    OBSERVED,
    DateRange,
    club_courts,
    coverage,
    local_dates,
    local_today,
    local_weekday_hour,
    open_cell_counts,
    open_cell_starts,
    open_cells_by_weekday_hour,
    ratio,
)
from availability.selectors.history import (
    court_days_added_up,
    history_rows,
    weekday_hour_totals,
)
from availability.selectors.raw import cell_rows
from clubs.models import Club, Court


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
        return ratio(self.taken, self.observed)

    @property
    def coverage(self) -> float | None:
        return coverage(self.observed, self.expected)


@dataclass(frozen=True)
class Utilization(_Shares):
    taken: int
    free: int
    expected: int | None = None
    not_released: int = 0
    # Seen for too little of it to have a figure (see DAY_MIN_SEEN_SHARE); counts still add up.
    partial: bool = False

    @property
    def utilization(self) -> float | None:
        return None if self.partial else super().utilization


# A day seen for less than this share of its open cells, on the courts seen that day, has no
# daily utilization: a first poll late in a day (a club added at 22:00, the demo's first
# replayed poll) sees only its last cells, often the ones too close to closing for any slot,
# which read as taken and would draw the day 100% booked. Its cells still count in totals, the
# heatmap and the per-court figures.
DAY_MIN_SEEN_SHARE = 0.5


# --- Today ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentUtilization:
    local_date: date
    now: datetime
    so_far: Utilization
    rest_of_day: Utilization
    whole_day: Utilization


def split_counts(now: datetime) -> dict[str, Count]:
    """The state counts of the cells started by `now` (so_far_*) and of the others (rest_*),
    in one pass over today's cells."""
    counts = {}
    for part, when in (("so_far", Q(start__lte=now)), ("rest", Q(start__gt=now))):
        for name, state in (
            ("taken", CellState.TAKEN),
            ("free", CellState.FREE),
            ("not_released", CellState.NOT_RELEASED),
        ):
            counts[f"{part}_{name}"] = Count("id", filter=when & Q(state=state))
    return counts


def current_from_counts(
    club: Club, today: date, now: datetime, courts: int, counts: dict[str, int]
) -> CurrentUtilization:
    """Today's figures from the `split_counts` of its cells and the active courts."""
    starts = open_cell_starts(club, today)
    known = bool(club.opening_hours)
    past = sum(1 for s in starts if s <= now)

    def part(name: str, cells: int) -> Utilization:
        return Utilization(
            counts.get(f"{name}_taken") or 0,
            counts.get(f"{name}_free") or 0,
            cells * courts if known else None,
            counts.get(f"{name}_not_released") or 0,
        )

    so_far = part("so_far", past)
    rest = part("rest", len(starts) - past)
    whole = Utilization(
        so_far.taken + rest.taken,
        so_far.free + rest.free,
        len(starts) * courts if known else None,
        so_far.not_released + rest.not_released,
    )
    return CurrentUtilization(
        local_date=today, now=now, so_far=so_far, rest_of_day=rest, whole_day=whole
    )


def utilization_current(
    *, club: Club, sport_id: str | None = None, now: datetime | None = None
) -> CurrentUtilization:
    """Today in the club's zone, split at now: cells already started (their final state) and
    the rest of the day as currently booked."""
    now = now or timezone.now()
    today = local_today(club, now)
    counts: dict[str, int] = defaultdict(int)  # as split_counts names them
    for row in cell_rows(club, sport_id, (today, today)):
        counts[f"{'so_far' if row.start <= now else 'rest'}_{row.state}"] += 1
    courts = len(club_courts(club=club, sport_id=sport_id))
    return current_from_counts(club, today, now, courts, counts)


# --- Per day and per court ----------------------------------------------------------------


@dataclass(frozen=True)
class DayUtilization:
    local_date: date
    figures: Utilization


@dataclass(frozen=True)
class CourtUtilization:
    court: Court
    figures: Utilization


def utilization_daily(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> list[DayUtilization]:
    """One entry per local date in the range, days without observations included (empty)."""

    # Per date, the courts with any cell counted, on both paths.
    courts_seen: dict[date, int] = defaultdict(int)

    def summarized(days: DateRange) -> Iterable[tuple[date, int, int, int]]:
        # The per-court rows added up per day: where StartSummary has one row per start.
        rows = court_days_added_up(club, sport_id, days, by="local_date")
        for day, _taken, _free, _not_released, courts in rows:
            courts_seen[day] += courts
        return [(day, taken, free, nr) for day, taken, free, nr, _courts in rows]

    def recent(days: DateRange) -> Iterable[tuple[date, int, int, int]]:
        rows = cell_rows(club, sport_id, days)
        by_court = count_states(((row.court_id, row.local_date), row.state) for row in rows)
        by_day: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
        for (_court, day), counts in by_court.items():
            courts_seen[day] += any(counts)
            by_day[day] = [a + b for a, b in zip(by_day[day], counts, strict=True)]
        return [(day, taken, free, nr) for day, (taken, free, nr) in by_day.items()]

    rows = history_rows(club, sport_id, (date_from, date_to), summarized=summarized, recent=recent)
    return daily_from_rows(club, date_from, date_to, sport_id, rows, courts_seen=courts_seen)


def daily_from_rows(
    club: Club,
    date_from: date,
    date_to: date,
    sport_id: str | None,
    rows: Iterable[tuple[date, int, int, int]],
    *,
    courts_seen: Mapping[date, int] | None = None,
) -> list[DayUtilization]:
    """One entry per local date from (date, taken, free, not released) rows. With
    `courts_seen` (the courts with cells seen each day) a day seen for less than
    DAY_MIN_SEEN_SHARE of their open cells is `partial`: no utilization."""
    by_day = {day: (taken, free, not_released) for day, taken, free, not_released in rows}
    courts = len(club_courts(club=club, sport_id=sport_id))
    known = bool(club.opening_hours)
    days = local_dates(date_from, date_to)
    cells = open_cell_counts(club, (date_from, date_to))
    result = []
    for day, open_cells in zip(days, cells, strict=True):
        taken, free, not_released = by_day.get(day, (0, 0, 0))
        expected = courts * open_cells if known else None
        seen = taken + free + not_released
        partial = (
            courts_seen is not None
            and known
            and seen < DAY_MIN_SEEN_SHARE * open_cells * courts_seen.get(day, 0)
        )
        figures = Utilization(taken, free, expected, not_released, partial=partial)
        result.append(DayUtilization(local_date=day, figures=figures))
    return result


def utilization_total(days: Sequence[DayUtilization]) -> Utilization:
    expected = [d.figures.expected for d in days]
    return Utilization(
        taken=sum(d.figures.taken for d in days),
        free=sum(d.figures.free for d in days),
        expected=None if any(e is None for e in expected) else sum(e or 0 for e in expected),
        not_released=sum(d.figures.not_released for d in days),
    )


def utilization_per_court(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> list[CourtUtilization]:
    """Closed days from the per-court summaries, the recent ones from the raw cells."""

    def summarized(days: DateRange) -> Iterable[tuple[int, int, int, int]]:
        rows = court_days_added_up(club, sport_id, days, by="court_id")
        return [(court_id, taken, free, nr) for court_id, taken, free, nr, _courts in rows]

    def recent(days: DateRange) -> Iterable[tuple[int, int, int, int]]:
        counts = count_states((row.court_id, row.state) for row in cell_rows(club, sport_id, days))
        return [(court_id, t, f, n) for court_id, (t, f, n) in counts.items()]

    by_court: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = history_rows(club, sport_id, (date_from, date_to), summarized=summarized, recent=recent)
    for court_id, *counts in rows:
        total = by_court[court_id]
        for i, n in enumerate(counts):
            total[i] += n
    cells = sum(open_cell_counts(club, (date_from, date_to)))
    known = bool(club.opening_hours)
    result = []
    for court in club_courts(club=club, sport_id=sport_id):
        taken, free, not_released = by_court.get(court.id, (0, 0, 0))
        figures = Utilization(taken, free, cells if known else None, not_released)
        result.append(CourtUtilization(court=court, figures=figures))
    return result


# --- Per weekday and hour -------------------------------------------------------------------


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
    """Weekday x hour share of observed cells taken, in the club's zone (each UTC start is
    converted with the zone's rules, so a DST week keeps 19:00 at 19:00)."""

    def summarized(days: DateRange) -> Iterable[tuple[int, int, int, int]]:
        # Closed days: the weekday and hour were computed with zoneinfo when summarized, and
        # the running totals give any range in a few dozen rows.
        totals = weekday_hour_totals(club, sport_id, days, ("taken", "free"))
        return [(weekday, hour, taken, free) for (weekday, hour), (taken, free) in totals.items()]

    def recent(days: DateRange) -> Iterable[tuple[int, int, int, int]]:
        # Each start's weekday and hour in the club's zone, with its rules (zoneinfo).
        counts = count_states(
            (local_weekday_hour(row.start, club.timezone), row.state)
            for row in cell_rows(club, sport_id, days)
            if row.state in OBSERVED
        )
        return [(wd, hr, taken, free) for (wd, hr), (taken, free, _) in counts.items()]

    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    rows = history_rows(club, sport_id, (date_from, date_to), summarized=summarized, recent=recent)
    for weekday, hour, taken, free in rows:
        if taken or free:  # a summarized hour may hold only cells not released
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
    courts = len(club_courts(club=club, sport_id=sport_id))
    cells = open_cells_by_weekday_hour(club, (date_from, date_to))
    return {key: n * courts for key, n in cells.items()}


# --- Per club -------------------------------------------------------------------------------


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
