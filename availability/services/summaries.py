"""Summaries of closed days: derived, rebuildable rows that year-long analytics add up instead
of reading every cell (see StartSummary)."""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, DecimalField, Max, Min, Q, Sum
from django.utils import timezone

from availability.models import (
    LEADS,
    CellState,
    CourtDaySummary,
    SlotChange,
    SlotState,
    StartSummary,
    SummaryMark,
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


def summary_build(*, club: Club, date_from: date, date_to: date) -> int:
    """(Re)write the StartSummary rows of the club's local dates in the range from SlotState
    and SlotChange, counted exactly as the selectors count the raw rows; returns the rows
    written. Only meaningful for closed days: a summary is never updated by ingest."""
    zone = club.zone
    days = (date_from, date_to)
    by_sport: dict[str, list[int]] = {}
    for court_id, sport_id in Court.objects.filter(club=club).values_list("id", "sport_id"):
        by_sport.setdefault(sport_id, []).append(court_id)
    rows: list[StartSummary] = []
    court_rows: list[CourtDaySummary] = []
    for sport_id, court_ids in sorted(by_sport.items()):
        summaries: dict[datetime, StartSummary] = {}

        def summary(
            start: datetime,
            day: date,
            sport_id: str = sport_id,
            summaries: dict[datetime, StartSummary] = summaries,
        ) -> StartSummary:
            row = summaries.get(start)
            if row is None:
                local = start.astimezone(zone)
                row = summaries[start] = StartSummary(
                    club=club,
                    sport_id=sport_id,
                    start=start,
                    local_date=day,
                    weekday=local.isoweekday(),
                    hour=local.hour,
                )
            return row

        states = (
            SlotState.objects.filter(court_id__in=court_ids, local_date__range=days)
            .values("start", "local_date")
            .annotate(
                taken=Count("id", filter=Q(state=CellState.TAKEN)),
                free=Count("id", filter=Q(state=CellState.FREE)),
                not_released=Count("id", filter=Q(state=CellState.NOT_RELEASED)),
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
        for r in states:
            row = summary(r["start"], r["local_date"])
            for name in (
                "taken",
                "free",
                "not_released",
                "last_change",
                "price_count",
                "price_sum",
                "price_min",
                "price_max",
            ):
                setattr(row, name, r[name])
        for start, day, changes, per_lead in fill_rows(club, days, court_ids):
            row = summary(start, day)
            row.changes = changes
            for lead, (taken, known) in zip(LEADS, per_lead, strict=True):
                setattr(row, f"taken_{lead}", taken)
                setattr(row, f"known_{lead}", known)
        # Counted as selectors.cancellation_rate counts the raw transitions.
        bookings = (
            SlotChange.objects.filter(club=club, court_id__in=court_ids, local_date__range=days)
            .values_list("start", "local_date")
            .annotate(
                bookings=Count(
                    "id",
                    filter=Q(kind=SlotChange.Kind.TAKEN)
                    | Q(kind=SlotChange.Kind.FIRST_SEEN, new_state=CellState.TAKEN),
                ),
                cancellations=Count("id", filter=Q(kind=SlotChange.Kind.FREED)),
            )
            .filter(Q(bookings__gt=0) | Q(cancellations__gt=0))
            .order_by()
        )
        for start, day, booked, cancelled in bookings:
            row = summary(start, day)
            row.bookings = booked
            row.cancellations = cancelled
        rows += summaries.values()
        per_court = (
            SlotState.objects.filter(court_id__in=court_ids, local_date__range=days)
            .values_list("court_id", "local_date")
            .annotate(
                taken=Count("id", filter=Q(state=CellState.TAKEN)),
                free=Count("id", filter=Q(state=CellState.FREE)),
                not_released=Count("id", filter=Q(state=CellState.NOT_RELEASED)),
            )
            .order_by()
        )
        court_rows += [
            CourtDaySummary(
                club=club,
                court_id=court_id,
                local_date=day,
                taken=taken,
                free=free,
                not_released=not_released,
            )
            for court_id, day, taken, free, not_released in per_court
        ]
    with transaction.atomic():
        StartSummary.objects.filter(club=club, local_date__range=days).delete()
        StartSummary.objects.bulk_create(rows, batch_size=1000)
        CourtDaySummary.objects.filter(club=club, local_date__range=days).delete()
        CourtDaySummary.objects.bulk_create(court_rows, batch_size=1000)
    return len(rows)


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
