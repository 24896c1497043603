"""Every subscription filter, read in the club's zone, on both sides of a DST change."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from notifications.matching import INDOOR, OUTDOOR, Filters, FreeRun, first_fit, time_in_range

MADRID = ZoneInfo("Europe/Madrid")
# Tuesday 24 March 2026, 08:00 UTC; Madrid moves from CET to CEST on Sunday 29 March.
NOW = datetime(2026, 3, 24, 8, 0, tzinfo=UTC)


def run(
    start: datetime,
    minutes: int = 90,
    *,
    club: int = 1,
    court: int = 10,
    indoor: bool | None = True,
    price: str | None = "20.00",
    zone: ZoneInfo = MADRID,
) -> FreeRun:
    return FreeRun(
        club_id=club,
        court_id=court,
        court_indoor=indoor,
        zone=zone,
        start=start,
        end=start + timedelta(minutes=minutes),
        min_hourly_price=Decimal(price) if price is not None else None,
    )


def madrid(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MADRID).astimezone(UTC)


def test_no_filter_takes_the_first_start_of_the_run():
    fit = first_fit(Filters(), run(madrid(24, 19)), now=NOW)
    assert fit is not None and fit.start == madrid(24, 19) and fit.minutes == 90


def test_a_slot_that_already_started_is_not_offered():
    assert first_fit(Filters(), run(NOW - timedelta(minutes=30), 30), now=NOW) is None


def test_it_keeps_only_the_chosen_clubs():
    assert first_fit(Filters(club_ids=frozenset({1})), run(madrid(24, 19)), now=NOW)
    assert first_fit(Filters(club_ids=frozenset({2})), run(madrid(24, 19)), now=NOW) is None
    # No club at all (a member whose groups watch none): nothing fits.
    assert first_fit(Filters(club_ids=frozenset()), run(madrid(24, 19)), now=NOW) is None


def test_weekdays_are_iso_numbers_of_the_club_local_date():
    # 00:30 on Wednesday in Madrid is 23:30 UTC on Tuesday: the club's date decides.
    late = madrid(25, 0, 30)
    assert late.weekday() == 1  # Tuesday in UTC
    assert first_fit(Filters(weekdays=frozenset({3})), run(late, 60), now=NOW)
    assert first_fit(Filters(weekdays=frozenset({2})), run(late, 60), now=NOW) is None


def test_the_time_range_is_the_club_local_start_both_ends_included():
    filters = Filters(time_from=time(18, 0), time_to=time(20, 0))
    assert first_fit(filters, run(madrid(24, 20)), now=NOW)
    assert first_fit(filters, run(madrid(24, 18)), now=NOW)
    assert first_fit(filters, run(madrid(24, 20, 30)), now=NOW) is None
    assert first_fit(filters, run(madrid(24, 16), 90), now=NOW) is None


def test_a_long_run_fits_from_its_first_start_inside_the_range():
    filters = Filters(time_from=time(18, 0), time_to=time(21, 0), min_duration=90)
    fit = first_fit(filters, run(madrid(24, 16), 240), now=NOW)
    assert fit is not None and fit.start == madrid(24, 18) and fit.minutes == 120


def test_a_range_ending_before_it_starts_spans_midnight():
    assert time_in_range(time(23, 30), time(22, 0), time(1, 0))
    assert time_in_range(time(0, 30), time(22, 0), time(1, 0))
    assert not time_in_range(time(12, 0), time(22, 0), time(1, 0))
    assert time_in_range(time(9, 0), None, time(10, 0))
    assert not time_in_range(time(9, 0), time(10, 0), None)


def test_it_needs_the_minimum_duration_from_the_fitting_start():
    assert first_fit(Filters(min_duration=90), run(madrid(24, 19), 90), now=NOW)
    assert first_fit(Filters(min_duration=120), run(madrid(24, 19), 90), now=NOW) is None
    # A 60-minute run is enough for a subscription with no minimum.
    assert first_fit(Filters(), run(madrid(24, 19), 60), now=NOW)


def test_it_keeps_only_the_chosen_courts():
    assert first_fit(Filters(court_ids=frozenset({10})), run(madrid(24, 19)), now=NOW)
    assert first_fit(Filters(court_ids=frozenset({11})), run(madrid(24, 19)), now=NOW) is None


def test_indoor_or_outdoor_needs_a_court_known_to_be_so():
    indoor, outdoor, unknown = (
        run(madrid(24, 19), indoor=True),
        run(madrid(24, 19), indoor=False),
        run(madrid(24, 19), indoor=None),
    )
    assert first_fit(Filters(surface=INDOOR), indoor, now=NOW)
    assert first_fit(Filters(surface=INDOOR), outdoor, now=NOW) is None
    assert first_fit(Filters(surface=OUTDOOR), outdoor, now=NOW)
    assert first_fit(Filters(surface=OUTDOOR), unknown, now=NOW) is None
    assert first_fit(Filters(), unknown, now=NOW)


def test_the_maximum_price_is_per_hour_and_an_unknown_price_passes():
    filters = Filters(max_price=Decimal("20"))
    assert first_fit(filters, run(madrid(24, 19), price="20.00"), now=NOW)
    assert first_fit(filters, run(madrid(24, 19), price="20.50"), now=NOW) is None
    assert first_fit(filters, run(madrid(24, 19), price=None), now=NOW)


def test_how_soon_it_starts_goes_from_two_hours_to_three_days():
    soon = Filters(starts_within=120)
    assert first_fit(soon, run(NOW + timedelta(hours=2)), now=NOW)
    assert first_fit(soon, run(NOW + timedelta(hours=2, minutes=30)), now=NOW) is None
    days = Filters(starts_within=3 * 24 * 60)
    assert first_fit(days, run(NOW + timedelta(days=3)), now=NOW)
    assert first_fit(days, run(NOW + timedelta(days=3, minutes=30)), now=NOW) is None


def test_a_long_run_fits_from_its_first_start_within_the_lead():
    fit = first_fit(Filters(starts_within=120), run(NOW + timedelta(hours=1), 180), now=NOW)
    assert fit is not None and fit.start == NOW + timedelta(hours=1)


def test_a_wall_clock_range_keeps_its_meaning_across_the_spring_dst_change():
    filters = Filters(weekdays=frozenset({6, 7, 1}), time_from=time(19, 0), time_to=time(19, 0))
    before = madrid(28, 19)  # Saturday, CET: 18:00 UTC
    after = madrid(29, 19)  # Sunday, CEST: 17:00 UTC
    assert before.hour == 18 and after.hour == 17
    now = datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    assert first_fit(filters, run(before), now=now)
    assert first_fit(filters, run(after), now=now)
    # 19:00 UTC-wise would be 20:00/21:00 local on those days: outside the range.
    assert first_fit(filters, run(after + timedelta(hours=1)), now=now) is None
    assert first_fit(filters, run(before + timedelta(hours=1)), now=now) is None


def test_a_run_over_the_autumn_change_is_read_cell_by_cell_in_local_time():
    # 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:00-03:00 happens twice.
    filters = Filters(time_from=time(2, 30), time_to=time(2, 30))
    first_two = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # 02:00 CEST
    now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    fit = first_fit(filters, run(first_two, 180), now=now)
    # 02:30 CEST (00:30 UTC) comes first; 02:30 CET (01:30 UTC) would match too.
    assert fit is not None and fit.start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_filters_are_read_in_each_clubs_own_zone():
    sydney = ZoneInfo("Australia/Sydney")
    start = datetime(2026, 3, 24, 8, 0, tzinfo=UTC)  # 19:00 in Sydney, 09:00 in Madrid
    filters = Filters(time_from=time(18, 0), time_to=time(20, 0))
    now = start - timedelta(hours=1)
    assert first_fit(filters, run(start, zone=sydney), now=now)
    assert first_fit(filters, run(start, zone=MADRID), now=now) is None
