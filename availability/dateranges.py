"""The one reading of a club-local date range, for the dashboards (availability.views.params)
and the API (availability.serializers): the same dates accepted, the same default range, the
same longest range and the same messages.

The API answers a bad date or range with a 400 naming the field; a page shows the message and
falls back (to the default dates, or to the `fallback` range a DateRangeError carries)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

# Dates the analytics accept. Far outside them nothing can have been observed, and near
# date.min/date.max the club-local day arithmetic (the next day, the UTC instants of the day)
# overflows.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
DEFAULT_RANGE_DAYS = 28
MAX_RANGE_DAYS = 366


def not_a_date(raw: str) -> str:
    return _("“%(raw)s” is not a date between %(earliest)s and %(latest)s (YYYY-MM-DD).") % {
        "raw": raw,
        "earliest": EARLIEST_DATE,
        "latest": LATEST_DATE,
    }


class DateError(ValueError):
    """A date the analytics refuse."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DateRangeError(DateError):
    """A range the analytics refuse: the parameter to blame, and the nearest range they
    accept."""

    def __init__(self, message: str, *, field: str, fallback: tuple[date, date]) -> None:
        super().__init__(message)
        self.field = field
        self.fallback = fallback


def parse_date(raw: str) -> date:
    """The ISO date in `raw`, within EARLIEST_DATE..LATEST_DATE."""
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        raise DateError(not_a_date(raw)) from None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise DateError(not_a_date(raw))
    return parsed


def check_range(from_date: date, to_date: date) -> None:
    """Refuse a range that ends before it starts or spans more than MAX_RANGE_DAYS days."""
    if from_date > to_date:
        fallback = (to_date - timedelta(days=DEFAULT_RANGE_DAYS - 1), to_date)
        raise DateRangeError(
            _("The range starts after it ends."), field="from_date", fallback=fallback
        )
    if (to_date - from_date).days + 1 > MAX_RANGE_DAYS:
        fallback = (to_date - timedelta(days=MAX_RANGE_DAYS - 1), to_date)
        message = _("A range may cover at most %(days)s days.") % {"days": MAX_RANGE_DAYS}
        raise DateRangeError(message, field="to_date", fallback=fallback)


def date_range(from_date: date | None, to_date: date | None, *, today: date) -> tuple[date, date]:
    """The inclusive range from/to, by default the DEFAULT_RANGE_DAYS days up to `today` (or
    up to `to_date`)."""
    to_date = to_date or today
    from_date = from_date or to_date - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    check_range(from_date, to_date)
    return from_date, to_date
