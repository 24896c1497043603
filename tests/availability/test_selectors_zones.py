"""Fill curve, sell-out lead times, prices and chance of a free court, by hand, in a week across
Madrid's spring-forward and for a Los Angeles club whose evenings fall on the next UTC date.
Weekday and hour must be those of the club's wall clock; a fixed offset or UTC would move cells
to another column."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from availability import selectors
from clubs.models import Club
from tests.availability.analytics_history import cell, court, make_club
from tests.availability.dst_week import DAYS, FREE, HOURS, MON, SAT, SUN, TAKEN

pytestmark = pytest.mark.django_db

LA_SAT = date(2026, 1, 10)  # PST: 16:00 UTC Saturday to 07:00 UTC Sunday
LA_SUN = date(2026, 1, 11)


def _madrid_dst_week() -> Club:
    club = make_club(opens="18:00", closes="22:00", courts=2)
    a, b = court(club, 0), court(club, 1)
    cell(club, a, SAT, "19:00", [(2 * DAYS, FREE), (3 * HOURS, TAKEN)], price="20")  # 18:00 UTC
    cell(club, b, SAT, "19:00", [(2 * DAYS, FREE)], price="24")
    cell(club, a, SUN, "19:00", [(DAYS, TAKEN)])  # 17:00 UTC
    cell(club, b, SUN, "19:00", [(2 * DAYS, FREE), (12 * HOURS, TAKEN)], price="30")
    cell(club, a, SUN, "20:00", [(DAYS, FREE)], price="40")  # 18:00 UTC, as Saturday 19:00
    cell(club, a, MON, "19:00", [(DAYS, FREE), (HOURS, TAKEN)])
    return club


def _los_angeles_saturday() -> Club:
    club = make_club(tz="America/Los_Angeles", opens="08:00", closes="23:00", courts=2)
    a, b = court(club, 0), court(club, 1)
    cell(club, a, LA_SAT, "09:00", [(2 * DAYS, FREE), (6 * HOURS, TAKEN)], price="15")
    cell(club, b, LA_SAT, "09:00", [(DAYS, TAKEN)])
    # 04:00 and 05:00 UTC on Sunday 11 January.
    cell(club, a, LA_SAT, "20:00", [(3 * DAYS, FREE), (DAYS, TAKEN)], price="25")
    cell(club, b, LA_SAT, "20:00", [(2 * DAYS, FREE), (12 * HOURS, TAKEN)], price="35")
    cell(club, a, LA_SAT, "21:00", [(DAYS, FREE), (2 * HOURS, TAKEN)], price="30")
    cell(club, b, LA_SAT, "21:00", [(DAYS, TAKEN)])
    cell(club, a, LA_SUN, "09:00", [(DAYS, FREE)], price="10")
    return club


def _curve(
    club: Club, date_from: date, date_to: date, **filters: Any
) -> dict[int, tuple[int, int]]:
    points = selectors.fill_curve(club=club, date_from=date_from, date_to=date_to, **filters)
    return {p.lead_minutes: (p.taken, p.known) for p in points}


def _sellout(club: Club, date_from: date, date_to: date) -> list[tuple[int, int, int, int, Any]]:
    return [
        (c.weekday, c.hour, c.slots, c.sold_out, c.median_lead_minutes)
        for c in selectors.sellout_lead_times(club=club, date_from=date_from, date_to=date_to)
    ]


def _prices(club: Club, date_from: date, date_to: date) -> list[tuple[int, str, str, str, int]]:
    return [
        (p.hour, str(p.minimum), str(p.average), str(p.maximum), p.samples)
        for p in selectors.prices_by_hour(club=club, date_from=date_from, date_to=date_to)
    ]


def _chance(club: Club, weekday: int, at: time, date_from: date, date_to: date) -> dict[int, Any]:
    points = selectors.chance_free(
        club=club, weekday=weekday, start_time=at, date_from=date_from, date_to=date_to
    )
    return {p.lead_minutes: (p.dates_known, p.dates_with_free) for p in points}


def test_the_fill_curve_filters_the_dst_sunday_by_its_wall_clock_hour():
    club = _madrid_dst_week()

    sunday_seven = _curve(club, SAT, MON, weekdays=[7], hours=[19])

    # Sunday 19:00: court A taken a day ahead; court B free two days ahead, taken at 12 h.
    # Saturday 19:00 and Sunday 20:00, both 18:00 UTC, stay out.
    assert sunday_seven[0] == (2, 2)
    assert sunday_seven[720] == (2, 2)
    assert sunday_seven[1440] == (1, 2)
    assert sunday_seven[2880] == (0, 1)
    assert sunday_seven[4320] == (0, 0)


def test_the_fill_curve_of_one_hour_spans_both_sides_of_the_dst_change():
    club = _madrid_dst_week()

    seven_pm = _curve(club, SAT, MON, hours=[19])

    # Five 19:00 cells: Saturday A and B, Sunday A and B, Monday A.
    assert seven_pm[0] == (4, 5)  # only Saturday B ended free
    assert seven_pm[180] == (3, 5)  # Saturday A was still free 3 h ahead
    assert seven_pm[1440] == (1, 5)  # a day ahead only Sunday A was taken
    assert seven_pm[2880] == (0, 3)


def test_sellout_lead_times_group_dst_week_starts_by_local_weekday_and_hour():
    club = _madrid_dst_week()

    assert _sellout(club, SAT, MON) == [
        (1, 19, 1, 1, 60),
        (6, 19, 1, 0, None),
        (7, 19, 1, 1, 720),  # the last court went 12 h ahead
        (7, 20, 1, 0, None),
    ]


def test_prices_in_the_dst_week_are_grouped_by_wall_clock_hour():
    club = _madrid_dst_week()

    assert _prices(club, SAT, MON) == [
        (19, "20.00", "24.67", "30.00", 3),  # (20 + 24 + 30) / 3
        (20, "40.00", "40.00", "40.00", 1),
    ]


def test_chance_free_finds_the_dst_sunday_start_at_its_summer_offset():
    club = _madrid_dst_week()

    chance = _chance(club, 7, time(19), SAT, MON)

    assert chance[0] == (1, 0)
    assert chance[720] == (1, 0)
    assert chance[1440] == (1, 1)  # court B was free a day ahead
    assert chance[2880] == (1, 1)
    assert chance[4320] == (0, 0)


def test_the_fill_curve_keeps_a_los_angeles_evening_on_its_local_saturday():
    club = _los_angeles_saturday()

    evening = _curve(club, LA_SAT, LA_SUN, weekdays=[6], hours=[20, 21])
    sunday = _curve(club, LA_SAT, LA_SUN, weekdays=[7])

    assert evening[0] == (4, 4)
    assert evening[180] == (3, 4)  # 21:00 court A was taken 2 h ahead
    assert evening[720] == (3, 4)
    assert evening[1440] == (2, 4)
    assert evening[2880] == (0, 2)
    assert evening[4320] == (0, 1)
    assert evening[7200] == (0, 0)
    assert sunday[0] == (0, 1)  # only Sunday 09:00, not Saturday's evening in UTC


def test_sellout_lead_times_of_a_los_angeles_saturday_stay_on_saturday():
    club = _los_angeles_saturday()

    assert _sellout(club, LA_SAT, LA_SUN) == [
        (6, 9, 1, 1, 360),
        (6, 20, 1, 1, 720),
        (6, 21, 1, 1, 120),
        (7, 9, 1, 0, None),
    ]


def test_prices_of_a_los_angeles_club_are_grouped_by_its_local_hour():
    club = _los_angeles_saturday()

    assert _prices(club, LA_SAT, LA_SUN) == [
        (9, "10.00", "12.50", "15.00", 2),
        (20, "25.00", "30.00", "35.00", 2),
        (21, "30.00", "30.00", "30.00", 1),
    ]


def test_chance_free_finds_a_los_angeles_evening_start_on_the_next_utc_date():
    club = _los_angeles_saturday()

    saturday_eight_pm = _chance(club, 6, time(20), LA_SAT, LA_SUN)
    sunday_eight_pm = _chance(club, 7, time(20), LA_SAT, LA_SUN)

    assert saturday_eight_pm[0] == (1, 0)
    assert saturday_eight_pm[720] == (1, 0)
    assert saturday_eight_pm[1440] == (1, 1)
    assert saturday_eight_pm[4320] == (1, 1)
    assert saturday_eight_pm[7200] == (0, 0)
    assert sunday_eight_pm[0] == (0, 0)
