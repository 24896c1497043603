"""Closed days from their summaries, recent days from the raw rows: the one place a date range
is split at the club's SummaryMark.

StartSummary rows hold, per club, sport and UTC start of a closed local day, what the selectors
would count from SlotState and SlotChange (availability.services.summaries builds them so). A
selector over a long range hands `history_rows` two queries giving rows of the same shape, one
over the summaries and one over the raw rows, and adds up what comes back in one loop."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TypeVar

from django.db.models import QuerySet

from availability.models import StartSummary, SummaryMark
from availability.selectors.common import DateRange
from clubs.models import Club

Row = TypeVar("Row")


def history_rows(
    club: Club,
    sport_id: str | None,
    days: DateRange,
    *,
    summarized: Callable[[QuerySet[StartSummary]], Iterable[Row]],
    recent: Callable[[DateRange], Iterable[Row]],
) -> list[Row]:
    """The rows of the range: `summarized` reads the StartSummary rows (of the sport, if given)
    of the days summarized already, `recent` the raw rows of the other local dates (the last
    days, today, the future). Each is called only when its part of the range has days. Without
    a SummaryMark every day is read raw."""
    closed, raw = _split(club, *days)
    rows: list[Row] = []
    if closed:
        rows += summarized(_summaries(club, sport_id, closed))
    if raw:
        rows += recent(raw)
    return rows


def _split(club: Club, date_from: date, date_to: date) -> tuple[DateRange | None, DateRange | None]:
    """The part of the range summarized already and the part after it."""
    through = _summarized_through(club)
    if through is None or through < date_from:
        return None, (date_from, date_to)
    if through >= date_to:
        return (date_from, date_to), None
    return (date_from, through), (through + timedelta(days=1), date_to)


def _summarized_through(club: Club) -> date | None:
    try:
        return club.summary_mark.through
    except SummaryMark.DoesNotExist:
        return None


def _summaries(club: Club, sport_id: str | None, days: DateRange) -> QuerySet[StartSummary]:
    rows = StartSummary.objects.filter(club=club, local_date__range=days)
    if sport_id:
        rows = rows.filter(sport_id=sport_id)
    return rows
