"""Query parameters of the dashboards: dates, ranges, weekdays and times. Bad input falls
back to a default with a message for the page, never an error page."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from django.http import HttpRequest

from availability.serializers import EARLIEST_DATE, LATEST_DATE

# Playtomic sport ids: PADEL, TENNIS, PICKLEBALL, ...
SPORT = re.compile(r"[A-Z][A-Z_]{0,19}")
DEFAULT_DAYS = 28
MAX_DAYS = 366


def parse_date(value: str | None) -> date | None:
    """The date in `value`, or None when it is empty, not a date, or outside the dates the
    analytics accept (far-off dates overflow the club-local day arithmetic)."""
    try:
        parsed = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed and EARLIEST_DATE <= parsed <= LATEST_DATE else None


def not_a_date(raw: str) -> str:
    return f"“{raw}” is not a date between {EARLIEST_DATE} and {LATEST_DATE} (YYYY-MM-DD)."


def date_range(request: HttpRequest, today: date) -> tuple[date, date, list[str]]:
    """The page's from/to, defaulting to the last four weeks; bad input falls back with a
    message instead of an error page."""
    errors = []
    raw_from, raw_to = request.GET.get("from"), request.GET.get("to")
    date_to = parse_date(raw_to)
    date_from = parse_date(raw_from)
    if raw_to and date_to is None:
        errors.append(not_a_date(raw_to))
    if raw_from and date_from is None:
        errors.append(not_a_date(raw_from))
    date_to = date_to or today
    date_from = date_from or date_to - timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        errors.append("The start of the range was after its end; showing the four weeks before.")
        date_from = date_to - timedelta(days=DEFAULT_DAYS - 1)
    if (date_to - date_from).days >= MAX_DAYS:
        errors.append(f"Ranges are limited to {MAX_DAYS} days.")
        date_from = date_to - timedelta(days=MAX_DAYS - 1)
    return date_from, date_to, errors


def int_param(value: str | None, low: int, high: int) -> int | None:
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if value and value.isdecimal() and low <= int(value) <= high:
        return int(value)
    return None


def time_param(value: str | None) -> time | None:
    try:
        parsed = time.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed and parsed.minute in (0, 30) else None


def sport_param(request: HttpRequest, errors: list[str]) -> str | None:
    """The sport filter (PADEL, TENNIS, ...), or None for all sports. Anything that cannot be
    a Playtomic sport id (too long, NUL or other odd characters) is dropped with a message."""
    raw = (request.GET.get("sport") or "").strip().upper()
    if not raw:
        return None
    if not SPORT.fullmatch(raw):
        errors.append("That is not a sport; showing every sport.")
        return None
    return raw
