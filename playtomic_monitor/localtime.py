"""One way of writing a time for a player: in the club's local time with its zone's
abbreviation, "Tue 15 Dec 2026, 09:00 AEDT", on every page, chart and email. UTC is shown only
in the admin and in an attempt's raw timeline data.

The formats are named (LOCAL_DATETIME_FORMAT, ...) and defined per language in
`playtomic_monitor/formats/<language>/formats.py`, so day and month names follow the active
language and translators may reorder them. Templates use the filters of
`{% load local_time %}`."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat, formats
from django.utils.dates import WEEKDAYS

# The English formats, used where no language is active (a worker, a command) or the active
# one has no module of ours.
DEFAULTS = {
    "LOCAL_DATETIME_FORMAT": "D j M Y, H:i T",
    "LOCAL_DATE_FORMAT": "D j M Y",
    "LOCAL_SHORT_DATE_FORMAT": "j M",
}


# date.weekday() numbers (0 = Monday) and the day's name in the active language, from Django's
# catalog, for a form's day checkboxes.
WEEKDAY_CHOICES = sorted(WEEKDAYS.items())


def _format(name: str) -> str:
    found = str(formats.get_format(name))
    # get_format hands back the name itself when no module defines it.
    return DEFAULTS[name] if found == name else found


def in_zone(instant: datetime, zone: ZoneInfo | str) -> datetime:
    """`instant` (aware, usually UTC) as the wall clock of `zone` reads it."""
    return instant.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))


def local_datetime(instant: datetime, zone: ZoneInfo | str) -> str:
    """`instant` in `zone` (a club's) with the zone's abbreviation:
    "Tue 15 Dec 2026, 09:00 AEDT"."""
    return dateformat.format(in_zone(instant, zone), _format("LOCAL_DATETIME_FORMAT"))


def local_date(day: date) -> str:
    """A club-local day (it has no zone of its own to convert): "Tue 15 Dec 2026"."""
    return dateformat.format(day, _format("LOCAL_DATE_FORMAT"))


def short_date(day: date) -> str:
    """A day on a chart's axis: "15 Dec"."""
    return dateformat.format(day, _format("LOCAL_SHORT_DATE_FORMAT"))
