"""Turning a club-local calendar day into the UTC windows `/v1/availability` accepts.

The API filters slot *starts* with inclusive UTC bounds and refuses windows longer than 25 h.
A local day is 23, 24 or 25 h long around DST changes, so it always fits in one window; the
splitting below exists for correctness with any zone rather than for a known case.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_WINDOW = timedelta(hours=25)
# Bounds are inclusive, so a window ends one second before the next local midnight (the
# notes' per-day query for a CET club is 22:00:00 -> 21:59:59 UTC).
_INCLUSIVE_END = timedelta(seconds=1)


def as_zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def local_midnight_utc(local_date: date, tz: str | ZoneInfo) -> datetime:
    """The UTC instant the club-local `local_date` begins. Where local midnight does not exist
    (a DST jump at 00:00), zoneinfo's fold=0 maps it to the instant of the jump, which is
    exactly when the day begins."""
    return datetime.combine(local_date, time(0), tzinfo=as_zone(tz)).astimezone(UTC)


def local_day_utc_windows(local_date: date, tz: str | ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Inclusive UTC windows (aware datetimes), each at most 25 h long, that together cover
    every instant of the club-local `local_date` and nothing of the neighbouring days."""
    start = local_midnight_utc(local_date, tz)
    end = local_midnight_utc(local_date + timedelta(days=1), tz) - _INCLUSIVE_END
    windows: list[tuple[datetime, datetime]] = []
    cursor = start
    while cursor <= end:
        window_end = min(cursor + MAX_WINDOW, end)
        windows.append((cursor, window_end))
        cursor = window_end + _INCLUSIVE_END
    return windows


def local_date_of(instant: datetime, tz: str | ZoneInfo) -> date:
    return instant.astimezone(as_zone(tz)).date()


def to_api_timestamp(instant: datetime, name: str = "datetime") -> str:
    """Aware datetime -> the API's naive UTC `YYYY-MM-DDTHH:MM:SS`. Naive input is refused:
    guessing its zone is how bots end up booking the wrong hour."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return instant.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()
