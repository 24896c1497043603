"""Template filters for playtomic_monitor/localtime.py, one way of writing a time:
`{{ game.start|local_datetime:club.timezone }}` reads "Tue 15 Dec 2026, 09:00 AEDT",
`{{ attempt.target_date|local_date }}` "Tue 15 Dec 2026", `{{ day|short_date }}` "15 Dec".
Never pass a club-local instant through Django's `date` filter: it converts to the request's
zone (UTC) first."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template

from playtomic_monitor import localtime

register = template.Library()


@register.filter
def local_datetime(instant: datetime | None, zone: ZoneInfo | str) -> str:
    return "" if instant is None else localtime.local_datetime(instant, zone)


@register.filter
def local_date(day: date | None) -> str:
    return "" if day is None else localtime.local_date(day)


@register.filter
def short_date(day: date | None) -> str:
    return "" if day is None else localtime.short_date(day)
