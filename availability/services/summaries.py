"""Summaries of closed days: derived, rebuildable rows that year-long analytics add up instead
of reading every cell (see StartSummary)."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, Max, Min, Q, Sum
from django.utils import timezone

from availability.bulk import bulk_insert
from availability.counts import booking_counts, state_counts
from availability.models import (
    LEADS,
    TOTAL_FIELDS,
    CellState,
    CourtDaySummary,
    SlotChange,
    SlotState,
    StartSummary,
    SummaryMark,
    WeekdayHourTotal,
)
from availability.selectors.fill import fill_rows
from clubs.models import Club, Court

logger = logging.getLogger(__name__)

# A local day is summarized once it ended this many days ago: no poll can still be writing
# it (ingest never touches a started cell, and a poll that began before midnight is long over).
SUMMARY_LAG_DAYS = 2
# Days summarized per club by one run of the periodic task at most, so a club with a long
# unsummarized history catches up over a few runs instead of holding the worker
# (`manage.py rebuild_summaries` does it at once).
SUMMARY_CATCH_UP_DAYS = 31
# One run of the periodic task stops starting clubs after this long (well inside the task's
# soft time limit); the next run goes on where it stopped.
SUMMARY_RUN_BUDGET_SECONDS = 60.0

_MONEY = DecimalField(max_digits=12, decimal_places=2)
# StartSummary's columns as summary_build writes them, with the value of a start that has
# nothing to count in a column.
_SUMMARY_DEFAULTS: dict[str, Any] = {
    "taken": 0,
    "free": 0,
    "not_released": 0,
    "last_change": None,
    "last_change_lead": None,
    "price_count": 0,
    "price_sum": None,
    "price_min": None,
    "price_max": None,
    "changes": 0,
    "bookings": 0,
    "cancellations": 0,
    **{f"{kind}_{lead}": 0 for lead in LEADS for kind in ("taken", "known")},
}
_SUMMARY_COLUMNS = ("club_id", "sport_id", "start", "local_date", "weekday", "hour")
_COURT_DAY_COLUMNS = ("club_id", "court_id", "local_date", "taken", "free", "not_released")


def summary_build(*, club: Club, date_from: date, date_to: date) -> int:
    """(Re)write the StartSummary and CourtDaySummary rows of the club's local dates in the
    range from SlotState and SlotChange, counted exactly as the selectors count the raw rows,
    and the WeekdayHourTotal rows from the range's first date on; returns the StartSummary
    rows written. Only meaningful for closed days: a summary is never updated by ingest."""
    zone = club.zone
    days = (date_from, date_to)
    by_sport: dict[str, list[int]] = {}
    for court_id, sport_id in Court.objects.filter(club=club).values_list("id", "sport_id"):
        by_sport.setdefault(sport_id, []).append(court_id)
    rows: list[tuple[Any, ...]] = []
    court_rows: list[tuple[Any, ...]] = []
    for sport_id, court_ids in sorted(by_sport.items()):
        # UTC start -> (the key columns, the counted columns by name)
        summaries: dict[datetime, tuple[tuple[Any, ...], dict[str, Any]]] = {}

        def summary(
            start: datetime,
            day: date,
            sport_id: str = sport_id,
            summaries: dict[datetime, tuple[tuple[Any, ...], dict[str, Any]]] = summaries,
        ) -> dict[str, Any]:
            row = summaries.get(start)
            if row is None:
                local = start.astimezone(zone)
                key = (club.pk, sport_id, start, day, local.isoweekday(), local.hour)
                row = summaries[start] = (key, {})
            return row[1]

        states = (
            SlotState.objects.filter(court_id__in=court_ids, local_date__range=days)
            .values("start", "local_date")
            .annotate(
                **state_counts(),
                last_change=Max(
                    "changed_at", filter=Q(state__in=[CellState.FREE, CellState.TAKEN])
                ),
                price_count=Count("price"),
                price_sum=Sum("price", output_field=_MONEY),
                price_min=Min("price"),
                price_max=Max("price"),
            )
            .order_by()
        )
        for counted in states:
            r: dict[str, Any] = dict(counted)
            start = r.pop("start")
            if r["last_change"] is not None:
                # As selectors.sellout_lead_times counts it from the raw cells.
                r["last_change_lead"] = max(
                    0, int((start - r["last_change"]).total_seconds() // 60)
                )
            summary(start, r.pop("local_date")).update(r)
        for start, day, changes, per_lead in fill_rows(club, days, court_ids):
            row = summary(start, day)
            row["changes"] = changes
            for lead, (taken, known) in zip(LEADS, per_lead, strict=True):
                row[f"taken_{lead}"] = taken
                row[f"known_{lead}"] = known
        # Counted as selectors.cancellation_rate counts the raw transitions.
        bookings = (
            SlotChange.objects.filter(club=club, court_id__in=court_ids, local_date__range=days)
            .values_list("start", "local_date")
            .annotate(**booking_counts())
            .filter(Q(bookings__gt=0) | Q(cancellations__gt=0))
            .order_by()
        )
        for start, day, booked, cancelled in bookings:
            summary(start, day).update(bookings=booked, cancellations=cancelled)
        rows += [
            key + tuple(counted.get(name, empty) for name, empty in _SUMMARY_DEFAULTS.items())
            for key, counted in summaries.values()
        ]
        per_court = (
            SlotState.objects.filter(court_id__in=court_ids, local_date__range=days)
            .values_list("court_id", "local_date")
            .annotate(**state_counts())
            .order_by()
        )
        court_rows += [(club.pk, *counts) for counts in per_court]
    with transaction.atomic():
        StartSummary.objects.filter(club=club, local_date__range=days).delete()
        bulk_insert(StartSummary, (*_SUMMARY_COLUMNS, *_SUMMARY_DEFAULTS), rows)
        CourtDaySummary.objects.filter(club=club, local_date__range=days).delete()
        bulk_insert(CourtDaySummary, _COURT_DAY_COLUMNS, court_rows)
        _totals_write(club, date_from, date_to, rows)
    return len(rows)


# Where TOTAL_FIELDS sit in the rows summary_build writes.
_COLUMNS = (*_SUMMARY_COLUMNS, *_SUMMARY_DEFAULTS)
_TOTAL_AT = [_COLUMNS.index(name) for name in TOTAL_FIELDS]
_SPORT_AT, _DAY_AT, _HOUR_AT = (_COLUMNS.index(c) for c in ("sport_id", "local_date", "hour"))


def _totals_write(club: Club, date_from: date, date_to: date, rows: list[tuple[Any, ...]]) -> None:
    """(Re)write the club's WeekdayHourTotal rows from `date_from` on, after the StartSummary
    rows of `date_from`..`date_to` were (re)written as `rows`: the totals of each weekday
    carry on from its last date before `date_from`, and the dates after `date_to` that have
    totals already are added up again from their StartSummary rows."""
    # (sport, local date, hour) -> the day's sums of TOTAL_FIELDS
    per_day: dict[tuple[str, date, int], list[int]] = {}

    def add(key: tuple[str, date, int], values: Sequence[int]) -> None:
        sums = per_day.setdefault(key, [0] * len(TOTAL_FIELDS))
        for i, value in enumerate(values):
            sums[i] += value or 0

    for row in rows:
        add((row[_SPORT_AT], row[_DAY_AT], row[_HOUR_AT]), [row[i] for i in _TOTAL_AT])
    last = WeekdayHourTotal.objects.filter(club=club, local_date__gt=date_to).aggregate(
        last=Max("local_date")
    )["last"]
    if last is not None:
        later = StartSummary.objects.filter(club=club, local_date__gt=date_to, local_date__lte=last)
        for sport_id, day, hour, *values in later.values_list(
            "sport_id", "local_date", "hour", *TOTAL_FIELDS
        ):
            add((sport_id, day, hour), values)
    # ISO weekday -> (sport, hour) -> running totals, from the week before date_from.
    running: dict[int, dict[tuple[str, int], list[int]]] = defaultdict(dict)
    base = WeekdayHourTotal.objects.filter(
        club=club, local_date__range=(date_from - timedelta(days=7), date_from - timedelta(days=1))
    )
    for sport_id, day, hour, *values in base.values_list(
        "sport_id", "local_date", "hour", *TOTAL_FIELDS
    ):
        running[day.isoweekday()][(sport_id, hour)] = list(values)
    by_day: dict[date, list[tuple[str, int, list[int]]]] = defaultdict(list)
    for (sport_id, day, hour), sums in per_day.items():
        by_day[day].append((sport_id, hour, sums))
    totals: list[tuple[Any, ...]] = []
    day = date_from
    while day <= max(date_to, last or date_to):
        week = running[day.isoweekday()]
        for sport_id, hour, sums in by_day.get(day, ()):
            total = week.setdefault((sport_id, hour), [0] * len(TOTAL_FIELDS))
            for i, value in enumerate(sums):
                total[i] += value
        totals += [
            (club.pk, sport_id, day, hour, *total)
            for (sport_id, hour), total in week.items()
            if any(total)
        ]
        day += timedelta(days=1)
    WeekdayHourTotal.objects.filter(club=club, local_date__gte=date_from).delete()
    columns = ("club_id", "sport_id", "local_date", "hour", *TOTAL_FIELDS)
    bulk_insert(WeekdayHourTotal, columns, totals)


def summary_refresh(
    *, club: Club, now: datetime | None = None, max_days: int | None = None
) -> date:
    """Summarize the club's closed days that are not yet, oldest first (at most `max_days`
    of them), and move its SummaryMark; returns the date summarized through."""
    now = now or timezone.now()
    last_closed = now.astimezone(club.zone).date() - timedelta(days=SUMMARY_LAG_DAYS)
    with transaction.atomic():
        mark = SummaryMark.objects.select_for_update().filter(club=club).first()
        if mark is not None and mark.through >= last_closed:
            return mark.through
        if mark is not None:
            date_from = mark.through + timedelta(days=1)
        else:
            firsts = [
                SlotChange.objects.filter(club=club).aggregate(first=Min("local_date"))["first"],
                SlotState.objects.filter(court__club=club).aggregate(first=Min("local_date"))[
                    "first"
                ],
            ]
            known = [d for d in firsts if d is not None]
            date_from = min(known) if known else last_closed + timedelta(days=1)
        date_to = last_closed
        if max_days is not None:
            date_to = min(date_to, date_from + timedelta(days=max_days - 1))
        if date_from <= date_to:
            summary_build(club=club, date_from=date_from, date_to=date_to)
        # With nothing to build (no history before the last closed day) the mark still
        # moves: those days have no cells to count.
        SummaryMark.objects.update_or_create(club=club, defaults={"through": date_to})
    return date_to


def summary_rebuild(*, club: Club, now: datetime | None = None) -> date:
    """Throw the club's summaries away and summarize every closed day again from the raw
    history (after history was written or repaired directly)."""
    with transaction.atomic():
        SummaryMark.objects.filter(club=club).delete()
        StartSummary.objects.filter(club=club).delete()
        CourtDaySummary.objects.filter(club=club).delete()
        WeekdayHourTotal.objects.filter(club=club).delete()
        return summary_refresh(club=club, now=now)


def summaries_refresh_due(*, now: datetime | None = None) -> int:
    """The periodic task's work: summarize the days that closed since, for every club whose
    SummaryMark is behind its own zone's calendar (at most SUMMARY_CATCH_UP_DAYS days per club
    and SUMMARY_RUN_BUDGET_SECONDS per run; the next run goes on). Polls never do this: ingest
    writes only raw rows, and selectors read the days after the mark raw until it moves.
    Returns the clubs summarized."""
    now = now or timezone.now()
    started = time.monotonic()
    done = 0
    for club in Club.objects.select_related("summary_mark").order_by("pk"):
        last_closed = now.astimezone(club.zone).date() - timedelta(days=SUMMARY_LAG_DAYS)
        mark = getattr(club, "summary_mark", None)
        if mark is not None and mark.through >= last_closed:
            continue
        if time.monotonic() - started > SUMMARY_RUN_BUDGET_SECONDS:
            logger.info("Summaries: run budget spent, the next run goes on from club %s", club.pk)
            break
        try:
            summary_refresh(club=club, now=now, max_days=SUMMARY_CATCH_UP_DAYS)
        except Exception:  # derived data: one club's failure must not stop the others
            logger.exception("Summarizing closed days of club %s failed", club.pk)
            continue
        done += 1
    return done
