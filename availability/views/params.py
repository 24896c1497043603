"""Query parameters of the dashboards: dates, ranges, weekdays and times. Bad input falls
back to a default with a message for the page, never an error page."""

from __future__ import annotations

import re
from datetime import date, time

from django.http import HttpRequest
from django.utils.translation import gettext as _

from availability.dateranges import DateError, DateRangeError, parse_date
from availability.dateranges import date_range as resolve_range

# Playtomic sport ids: PADEL, TENNIS, PICKLEBALL, ...
SPORT = re.compile(r"[A-Z][A-Z_]{0,19}")


def date_param(request: HttpRequest, name: str, errors: list[str]) -> date | None:
    """The date in parameter `name`, or None when it is missing or refused (with a message)."""
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return parse_date(raw)
    except DateError as exc:
        errors.append(exc.message)
        return None


def date_range(request: HttpRequest, today: date) -> tuple[date, date, list[str]]:
    """The page's from/to, defaulting to the last four weeks; a refused range falls back to
    the nearest accepted one with a message instead of an error page."""
    errors: list[str] = []
    date_to = date_param(request, "to", errors)
    date_from = date_param(request, "from", errors)
    try:
        date_from, date_to = resolve_range(date_from, date_to, today=today)
    except DateRangeError as exc:
        errors.append(exc.message)
        date_from, date_to = exc.fallback
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
        errors.append(_("That is not a sport; showing every sport."))
        return None
    return raw
