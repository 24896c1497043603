"""What cells cost and how often bookings are cancelled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Aggregate, Count, DecimalField, Max, Min, Sum
from django.db.models.functions import ExtractHour

from availability.counts import booking_counts
from availability.selectors.common import DateRange, ratio, states_on, transitions
from availability.selectors.history import history_rows, start_summaries
from clubs.models import Club

# Sums of prices over many cells outgrow the price column's eight digits.
_MONEY = DecimalField(max_digits=16, decimal_places=2)


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
        return (
            start_summaries(club, sport_id, days)
            .values_list("weekday")
            .annotate(Sum("bookings"), Sum("cancellations"))
            .order_by()
        )

    def recent(days: DateRange) -> Iterator[tuple[int, int, int]]:
        rows = (
            transitions(club, sport_id)
            .filter(local_date__range=days)
            .values_list("local_date")
            .annotate(**booking_counts())
            .order_by()
        )
        for day, booked, cancelled in rows:
            yield day.isoweekday(), booked, cancelled

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


def _price_figures(low: str, high: str, total: str, samples: Aggregate) -> dict[str, Aggregate]:
    """Lowest, highest, summed and counted prices, in that column order."""
    return {
        "lo": Min(low),
        "hi": Max(high),
        "total": Sum(total, output_field=_MONEY),
        "n": samples,
    }


def prices_by_hour(
    *, club: Club, date_from: date, date_to: date, sport_id: str | None = None
) -> list[PriceHour]:
    """Prices offered for free cells (the last price seen per cell), by local hour."""
    zone = club.zone

    def summarized(days: DateRange) -> Iterable[_PriceRow]:
        return (
            start_summaries(club, sport_id, days)
            .filter(price_count__gt=0)
            .values_list("hour")
            .annotate(**_price_figures("price_min", "price_max", "price_sum", Sum("price_count")))
            .order_by()
        )

    def recent(days: DateRange) -> Iterable[_PriceRow]:
        return (
            states_on(club, sport_id, days)
            .filter(price__isnull=False)
            .annotate(hr=ExtractHour("start", tzinfo=zone))
            .values_list("hr")
            .annotate(**_price_figures("price", "price", "price", Count("id")))
            .order_by()
        )

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
