"""What cells cost and how often bookings are cancelled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from availability.counts import is_booking, is_cancellation
from availability.selectors.common import DateRange, local_weekday_hour, ratio
from availability.selectors.history import history_rows, weekday_hour_summaries
from availability.selectors.raw import cell_rows, change_rows
from clubs.models import Club


@dataclass(frozen=True)
class Cancellations:
    bookings: int  # free -> taken transitions plus cells first seen taken
    cancellations: int  # taken -> free transitions
    by_weekday: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return ratio(self.cancellations, self.bookings)


def cancellation_rate(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> Cancellations:
    """Cancellations per booking for cells on the local dates in the range."""

    def summarized(days: DateRange) -> Iterable[tuple[int, int, int]]:
        rows = weekday_hour_summaries(club, sport_id, days)
        return [(weekday, booked, cancelled) for weekday, _hour, booked, cancelled, *_ in rows]

    def recent(days: DateRange) -> Iterator[tuple[int, int, int]]:
        # One row per transition, added up below with the summaries' rows.
        for row in change_rows(club, sport_id, days):
            booked, cancelled = is_booking(row.kind, row.new_state), is_cancellation(row.kind)
            if booked or cancelled:
                yield row.local_date.isoweekday(), int(booked), int(cancelled)

    bookings: dict[int, int] = defaultdict(int)
    cancels: dict[int, int] = defaultdict(int)
    rows = history_rows(club, sport_id, (date_from, date_to), summarized=summarized, recent=recent)
    for weekday, booked, cancelled in rows:
        bookings[weekday] += booked or 0
        cancels[weekday] += cancelled or 0
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


# Local hour, lowest, highest, sum of prices, prices.
_PriceRow = tuple[int, Decimal, Decimal, Decimal, int]


def prices_by_hour(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> list[PriceHour]:
    """Prices offered for free cells (the last price seen per cell), by local hour."""

    def summarized(days: DateRange) -> Iterator[_PriceRow]:
        rows = weekday_hour_summaries(club, sport_id, days)
        for _weekday, hour, _booked, _cancelled, low, high, total, n in rows:
            if n and low is not None and high is not None and total is not None:
                yield hour, low, high, total, n

    def recent(days: DateRange) -> Iterator[_PriceRow]:
        # One row per priced cell, added up below with the summaries' rows.
        for row in cell_rows(club, sport_id, days):
            if row.price is not None:
                hour = local_weekday_hour(row.start, club.timezone)[1]
                yield hour, row.price, row.price, row.price, 1

    # local hour -> [lowest, highest, sum, count]
    hours: dict[int, list[Any]] = {}
    rows = history_rows(club, sport_id, (date_from, date_to), summarized=summarized, recent=recent)
    for hour, low, high, total, n in rows:
        if hour not in hours:
            hours[hour] = [low, high, total, n]
            continue
        seen = hours[hour]
        hours[hour] = [min(seen[0], low), max(seen[1], high), seen[2] + total, seen[3] + n]
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
