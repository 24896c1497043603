"""Closed days from their summaries, recent days from the raw rows: the one place a date range
is split at the club's SummaryMark.

StartSummary rows hold, per club, sport and UTC start of a closed local day, and
CourtDaySummary rows, per court and closed local day, what the selectors would count from
SlotState and SlotChange (availability.services.summaries builds them so). A selector over a
long range hands `history_rows` two queries giving rows of the same shape, one over the
summaries and one over the raw rows, and adds up what comes back in one loop."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TypeVar

from django.db.models import QuerySet

from availability.models import CourtDaySummary, StartSummary, SummaryMark
from availability.selectors.common import DateRange, court_ids
from clubs.models import Club

Row = TypeVar("Row")


def history_rows(
    club: Club,
    sport_id: str | None,
    days: DateRange,
    *,
    summarized: Callable[[DateRange], Iterable[Row]],
    recent: Callable[[DateRange], Iterable[Row]],
) -> list[Row]:
    """The rows of the range: `summarized` reads the summary rows (start_summaries,
    court_day_summaries) of the days summarized already, `recent` the raw rows of the other
    local dates (the last days, today, the future). Each is called only when its part of the
    range has days. Without a SummaryMark every day is read raw."""
    closed, raw = split_at_mark(club, *days)
    rows: list[Row] = []
    if closed:
        rows += summarized(closed)
    if raw:
        rows += recent(raw)
    return rows


def start_summaries(club: Club, sport_id: str | None, days: DateRange) -> QuerySet[StartSummary]:
    """The StartSummary rows of the closed local dates (of the sport, if given)."""
    rows = StartSummary.objects.filter(club=club, local_date__range=days)
    if sport_id:
        rows = rows.filter(sport_id=sport_id)
    return rows


def court_day_summaries(
    club: Club, sport_id: str | None, days: DateRange
) -> QuerySet[CourtDaySummary]:
    """The CourtDaySummary rows of the closed local dates (of the sport's courts, if given)."""
    rows = CourtDaySummary.objects.filter(club=club, local_date__range=days)
    if sport_id:
        rows = rows.filter(court_id__in=court_ids(club, sport_id))
    return rows


def split_at_mark(
    club: Club, date_from: date, date_to: date
) -> tuple[DateRange | None, DateRange | None]:
    """The part of the range summarized already and the part after it."""
    through = _summarized_through(club)
    if through is None or through < date_from:
        return None, (date_from, date_to)
    if through >= date_to:
        return (date_from, date_to), None
    return (date_from, through), (through + timedelta(days=1), date_to)


def _summarized_through(club: Club) -> date | None:
    # Cached on the instance, missing included: a page that loads the club with
    # select_related("summary_mark") never asks again.
    try:
        return club.summary_mark.through
    except SummaryMark.DoesNotExist:
        return None
