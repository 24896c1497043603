from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from playtomic import local_day_utc_windows
from playtomic.timewindows import to_api_timestamp


def covered_hours(windows):
    return sum(((end - start) + timedelta(seconds=1) for start, end in windows), timedelta())


def test_it_covers_a_normal_cet_day_with_one_window():
    windows = local_day_utc_windows(date(2026, 1, 21), "Europe/Berlin")

    assert windows == [
        (datetime(2026, 1, 20, 23, tzinfo=UTC), datetime(2026, 1, 21, 22, 59, 59, tzinfo=UTC))
    ]


@pytest.mark.parametrize(
    ("tz", "day", "hours"),
    [
        ("Europe/Madrid", date(2026, 3, 29), 23),
        ("Europe/Madrid", date(2026, 10, 25), 25),
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Australia/Sydney", date(2026, 4, 5), 25),
        ("Asia/Kolkata", date(2026, 6, 1), 24),
        # Santiago skips local midnight itself when DST starts.
        ("America/Santiago", date(2026, 9, 6), 23),
    ],
)
def test_it_covers_dst_days_exactly_in_one_window(tz, day, hours):
    windows = local_day_utc_windows(day, tz)
    zone = ZoneInfo(tz)

    assert len(windows) == 1
    start, end = windows[0]
    assert covered_hours(windows) == timedelta(hours=hours)
    assert end - start <= timedelta(hours=25)
    assert start.astimezone(zone).date() == day
    assert (start - timedelta(seconds=1)).astimezone(zone).date() == day - timedelta(days=1)
    assert end.astimezone(zone).date() == day
    assert (end + timedelta(seconds=1)).astimezone(zone).date() == day + timedelta(days=1)


def test_it_formats_aware_datetimes_as_naive_utc():
    local = datetime(2026, 7, 1, 19, 30, tzinfo=ZoneInfo("Europe/Madrid"))

    assert to_api_timestamp(local) == "2026-07-01T17:30:00"


def test_it_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="aware"):
        to_api_timestamp(datetime(2026, 7, 1, 19, 30))
