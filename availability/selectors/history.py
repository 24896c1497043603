"""Closed days from their summaries, recent days from the raw rows: the one place a date range
is split at the club's SummaryMark.

StartSummary rows hold, per club, sport and UTC start of a closed local day, and
CourtDaySummary rows, per court and closed local day, what the selectors would count from
SlotState and SlotChange (availability.services.summaries builds them so). A selector over a
long range hands `history_rows` two queries giving rows of the same shape, one over the
summaries and one over the raw rows, and adds up what comes back in one loop."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Aggregate, Count, DecimalField, Max, Min, Q, QuerySet, Sum

from availability.models import (
    TOTAL_FIELDS,
    CourtDaySummary,
    StartSummary,
    SummaryMark,
    WeekdayHourTotal,
)
from availability.selectors.common import DateRange, court_ids
from clubs.models import Club

Row = TypeVar("Row")

# Sums of prices over many cells outgrow the price column's eight digits.
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def history_rows(
    club: Club,
    sport_id: str | None,
    days: DateRange,
    *,
    summarized: Callable[[DateRange], Iterable[Row]],
    recent: Callable[[DateRange], Iterable[Row]],
) -> list[Row]:
    """The rows of the range: `summarized` reads the summary rows (start_summaries,
    court_days_added_up, weekday_hour_totals) of the days summarized already, `recent` the raw
    rows of the other local dates (the last days, today, the future). Each is called only
    when its part of the range has days. Without a SummaryMark every day is read raw."""
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


def court_day_sums() -> dict[str, Aggregate]:
    """Added up over CourtDaySummary rows: cells taken, free and not released, and the courts
    seen (with any cell counted: the daily figures leave out a day seen too little)."""
    return {
        "taken__sum": Sum("taken"),
        "free__sum": Sum("free"),
        "not_released__sum": Sum("not_released"),
        "courts": Count("pk", filter=Q(taken__gt=0) | Q(free__gt=0) | Q(not_released__gt=0)),
    }


def court_days_added_up(
    club: Club, sport_id: str | None, days: DateRange, *, by: str
) -> list[tuple[Any, int, int, int, int]]:
    """(local date or court, taken, free, not released, courts seen) of the closed local
    dates (of the sport's courts, if given): the CourtDaySummary rows added up by `by`,
    "local_date" or "court_id", in the database (a year is a few thousand rows)."""
    rows = CourtDaySummary.objects.filter(club=club, local_date__range=days)
    if sport_id:
        rows = rows.filter(court_id__in=court_ids(club, sport_id))
    return list(rows.values_list(by).annotate(**court_day_sums()).order_by())


# ISO weekday, local hour, bookings, cancellations, lowest price, highest price, sum of the
# prices and their number (the prices None when there are none).
WeekdayHourSummary = tuple[int, int, int, int, Decimal | None, Decimal | None, Decimal | None, int]


def weekday_hour_summaries(
    club: Club, sport_id: str | None, days: DateRange
) -> list[WeekdayHourSummary]:
    """The StartSummary rows of the closed local dates added up by weekday and hour: read
    once per club instance for the cancellations and the prices."""

    def load() -> list[WeekdayHourSummary]:
        rows = start_summaries(club, sport_id, days).values_list("weekday", "hour")
        return list(
            rows.annotate(
                Sum("bookings"),
                Sum("cancellations"),
                Min("price_min"),
                Max("price_max"),
                Sum("price_sum", output_field=_MONEY),
                Sum("price_count"),
            ).order_by()
        )

    return _read_once(club, ("weekday_hours", sport_id, days), load)


def _read_once(club: Club, key: tuple[Any, ...], load: Callable[[], Row]) -> Row:
    """Summary rows read once per club instance: a page asks for the same closed days' rows
    for several figures. Safe because summaries of closed days change only when the mark
    moves, and a page's club instance (with its mark) lives for one request."""
    cache: dict[tuple[Any, ...], Any] = club.__dict__.setdefault("_summary_rows", {})
    if key not in cache:
        cache[key] = load()
    result: Row = cache[key]
    return result


def weekday_hour_totals(
    club: Club, sport_id: str | None, days: DateRange, fields: Sequence[str]
) -> dict[tuple[int, int], list[int]]:
    """(ISO weekday, local hour) -> the sums of `fields` (of TOTAL_FIELDS) over the closed
    local dates in `days`, without reading the range: per weekday, the running totals of its
    last date in the range minus those of its last date before it (WeekdayHourTotal). Two
    dozen rows per weekday whether the range is a week or a year. Pairs that add up to
    nothing are left out."""
    date_from, date_to = days
    before = date_from - timedelta(days=1)
    upper = {w: date_to - timedelta(days=(date_to.isoweekday() - w) % 7) for w in range(1, 8)}
    lower = {w: before - timedelta(days=(before.isoweekday() - w) % 7) for w in range(1, 8)}

    def load() -> list[tuple[Any, ...]]:
        rows = WeekdayHourTotal.objects.filter(
            club=club, local_date__in={*upper.values(), *lower.values()}
        )
        if sport_id:
            rows = rows.filter(sport_id=sport_id)
        return list(rows.values_list("local_date", "hour", *TOTAL_FIELDS))

    # Every field read once per club instance: the heatmap and the fill curve share them.
    at = [TOTAL_FIELDS.index(name) + 2 for name in fields]
    # (local date, hour) -> totals, every sport added up
    totals: dict[tuple[date, int], list[int]] = {}
    for row in _read_once(club, ("totals", sport_id, days), load):
        day, hour = row[0], row[1]
        values = [row[i] for i in at]
        key = (day, hour)
        seen = totals.get(key)
        totals[key] = values if seen is None else [a + b for a, b in zip(seen, values, strict=True)]
    hours = sorted({hour for _, hour in totals})
    result: dict[tuple[int, int], list[int]] = {}
    for weekday in range(1, 8):
        for hour in hours:
            high = totals.get((upper[weekday], hour))
            if high is None:  # nothing up to the range's end, so nothing in it
                continue
            low = totals.get((lower[weekday], hour))
            difference = high if low is None else [h - lo for h, lo in zip(high, low, strict=True)]
            if any(difference):
                result[(weekday, hour)] = difference
    return result


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


def first_recent_date(club: Club) -> date | None:
    """The first local date not summarized yet; None when no date is (all are read raw)."""
    through = _summarized_through(club)
    return None if through is None else through + timedelta(days=1)


def _summarized_through(club: Club) -> date | None:
    # Cached on the instance, missing included: a page that loads the club with
    # select_related("summary_mark") never asks again.
    try:
        return club.summary_mark.through
    except SummaryMark.DoesNotExist:
        return None
