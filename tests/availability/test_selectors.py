from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from availability import selectors
from tests.availability.analytics_history import cell, court, local, make_club, poll
from tests.availability.dst_week import DAYS, FREE, HOURS, MON, NOT_RELEASED, SAT, TAKEN

pytestmark = pytest.mark.django_db


def test_daily_utilization_counts_only_observed_cells_and_reports_coverage():
    club = make_club()  # 08:00-10:00, 2 courts: 8 open cells a day
    a, b = court(club, 0), court(club, 1)
    cell(club, a, SAT, "08:00", [(DAYS, FREE), (HOURS, TAKEN)])
    cell(club, a, SAT, "08:30", [(DAYS, TAKEN)])
    cell(club, a, SAT, "09:00", [(DAYS, TAKEN)])
    cell(club, a, SAT, "09:30", [(DAYS, FREE)])
    cell(club, b, SAT, "08:00", [(DAYS, FREE)])
    cell(club, b, SAT, "08:30", [(DAYS, NOT_RELEASED)])

    days = selectors.utilization_daily(club=club, date_from=SAT, date_to=SAT + DAYS)

    assert [d.local_date for d in days] == [SAT, SAT + DAYS]
    sat = days[0].figures
    assert (sat.taken, sat.free, sat.not_released, sat.expected) == (3, 2, 1, 8)
    assert sat.utilization == 0.6
    assert sat.coverage == 0.625
    sun = days[1].figures
    assert sun.observed == 0 and sun.utilization is None and sun.coverage == 0.0


def test_a_dst_day_has_the_open_cells_its_wall_clock_allows():
    club = make_club(opens="01:00", closes="04:00", courts=1)
    # 2026-03-29 02:00 does not exist in Madrid: 01:00 CET -> 04:00 CEST is two hours.
    assert len(selectors.open_cell_starts(club, date(2026, 3, 29))) == 4
    assert len(selectors.open_cell_starts(club, date(2026, 10, 25))) == 8  # 03:00 happens twice
    assert len(selectors.open_cell_starts(club, SAT)) == 6


def test_the_heatmap_keeps_a_local_hour_in_its_column_across_a_dst_change():
    club = make_club(opens="18:00", closes="21:00")
    a, b = court(club, 0), court(club, 1)
    cell(club, a, SAT, "19:00", [(DAYS, TAKEN)])  # 18:00 UTC
    cell(club, b, SAT, "19:00", [(DAYS, FREE)])
    cell(club, a, MON, "19:30", [(DAYS, TAKEN)])  # 17:30 UTC after the change
    cell(club, b, MON, "19:00", [(DAYS, TAKEN)])

    heat = selectors.utilization_heatmap(club=club, date_from=SAT, date_to=MON)

    assert [(c.weekday, c.hour, c.taken, c.free) for c in heat.cells] == [
        (1, 19, 2, 0),
        (6, 19, 1, 1),
    ]
    assert heat.cell(6, 19).utilization == 0.5
    # 18:00-21:00 on 2 courts: the 19:00 hour has 2 cells x 2 courts = 4 open cells on each
    # of Saturday and Monday, whichever side of the change.
    assert [(c.expected, c.coverage) for c in heat.cells] == [(4, 0.5), (4, 0.5)]
    assert heat.hours == [19]


def test_the_heatmap_reports_each_cells_coverage_against_the_open_cells_of_its_hour():
    club = make_club(opens="01:00", closes="04:00", courts=1)
    first, last = date(2026, 10, 18), date(2026, 10, 25)  # two Sundays; the second falls back
    a = court(club)
    cell(club, a, first, "01:00", [(DAYS, TAKEN)])
    cell(club, a, first, "02:00", [(DAYS, TAKEN)])
    cell(club, a, first, "02:30", [(DAYS, FREE)])
    cell(club, a, last, "02:00", [(DAYS, TAKEN)])
    cell(club, a, date(2026, 10, 20), "03:00", [(DAYS, NOT_RELEASED)])  # not observed

    heat = selectors.utilization_heatmap(club=club, date_from=first, date_to=last)

    # The 01:00 hour has 2 open cells each Sunday: 4 in all, 1 seen. 02:00 happens
    # twice on 25 October, so its hour holds 2 + 4 = 6 open cells, 3 seen.
    assert [(c.weekday, c.hour, c.observed, c.expected, c.coverage) for c in heat.cells] == [
        (7, 1, 1, 4, 0.25),
        (7, 2, 3, 6, 0.5),
    ]


def test_the_heatmap_has_no_coverage_when_the_opening_hours_are_unknown():
    club = make_club()
    club.opening_hours = {}
    club.save()
    cell(club, court(club), SAT, "08:00", [(DAYS, TAKEN)])

    heat = selectors.utilization_heatmap(club=club, date_from=SAT, date_to=SAT)

    assert [(c.observed, c.expected, c.coverage) for c in heat.cells] == [(1, None, None)]


def test_a_club_whose_local_day_spans_two_utc_dates_is_counted_on_its_local_day():
    club = make_club(tz="America/Los_Angeles", opens="08:00", closes="23:00", courts=1)
    day = date(2026, 1, 10)  # a Saturday; 16:00 UTC Jan 10 -> 07:00 UTC Jan 11
    morning = cell(club, court(club), day, "09:00", [(DAYS, TAKEN)])
    evening = cell(club, court(club), day, "20:00", [(DAYS, TAKEN)])
    cell(club, court(club), day, "21:00", [(DAYS, FREE)])
    assert morning.start.date() == date(2026, 1, 10)
    assert evening.start.date() == date(2026, 1, 11)

    daily = selectors.utilization_daily(club=club, date_from=day, date_to=day + DAYS)
    heat = selectors.utilization_heatmap(club=club, date_from=day, date_to=day)

    assert (daily[0].figures.taken, daily[0].figures.free, daily[0].figures.expected) == (2, 1, 30)
    assert daily[1].figures.observed == 0
    assert [(c.weekday, c.hour, c.taken) for c in heat.cells] == [(6, 9, 1), (6, 20, 1), (6, 21, 0)]
    # Each local hour of the Saturday holds 2 open cells on the one court, 1 seen.
    assert {c.coverage for c in heat.cells} == {0.5}


def test_current_utilization_splits_today_at_now():
    club = make_club()
    a = court(club)
    cell(club, a, SAT, "08:00", [(DAYS, TAKEN)])
    cell(club, a, SAT, "08:30", [(DAYS, FREE)])
    cell(club, a, SAT, "09:00", [(DAYS, TAKEN)])
    cell(club, a, SAT, "09:30", [(DAYS, FREE), (HOURS, TAKEN)])
    cell(club, a, SAT - DAYS, "09:00", [(DAYS, TAKEN)])  # yesterday, not counted
    now = local(club, SAT, "08:45")

    current = selectors.utilization_current(club=club, now=now)

    assert current.local_date == SAT
    assert (current.so_far.taken, current.so_far.free, current.so_far.expected) == (1, 1, 4)
    assert (current.rest_of_day.taken, current.rest_of_day.free) == (2, 0)
    assert current.rest_of_day.expected == 4
    assert current.whole_day.utilization == 0.75
    assert current.whole_day.coverage == 0.5


def test_current_utilization_uses_the_clubs_date_not_the_utc_date():
    club = make_club(tz="Pacific/Auckland", opens="06:00", closes="08:00", courts=1)
    day = date(2026, 1, 10)  # 06:00 NZDT Jan 10 is 17:00 UTC Jan 9
    cell(club, court(club), day, "06:00", [(DAYS, TAKEN)])
    now = datetime(2026, 1, 9, 18, 0, tzinfo=UTC)

    current = selectors.utilization_current(club=club, now=now)

    assert current.local_date == day
    assert current.so_far.taken == 1


def test_per_court_utilization_lists_every_active_court():
    club = make_club()
    a, b = court(club, 0), court(club, 1)
    cell(club, a, SAT, "08:00", [(DAYS, TAKEN)])
    cell(club, a, SAT, "08:30", [(DAYS, TAKEN)])
    cell(club, b, SAT, "08:00", [(DAYS, FREE)])

    rows = selectors.utilization_per_court(club=club, date_from=SAT, date_to=SAT)

    assert [(r.court.name, r.figures.taken, r.figures.free, r.figures.expected) for r in rows] == [
        ("Court 1", 2, 0, 4),
        ("Court 2", 0, 1, 4),
    ]


def test_sport_filters_courts_out_of_every_figure():
    club = make_club(courts=1)
    tennis = court(club)
    tennis.pk = None
    tennis.playtomic_id = "tennis"
    tennis.sport_id = "TENNIS"
    tennis.save()
    cell(club, court(club, 0), SAT, "08:00", [(DAYS, TAKEN)])
    cell(club, tennis, SAT, "08:00", [(DAYS, FREE)])

    padel = selectors.utilization_daily(club=club, date_from=SAT, date_to=SAT, sport_id="PADEL")

    assert (padel[0].figures.taken, padel[0].figures.free, padel[0].figures.expected) == (1, 0, 4)


def test_club_comparison_gives_totals_and_an_hourly_profile_per_club():
    one = make_club("One")
    two = make_club("Two")
    cell(one, court(one), SAT, "08:00", [(DAYS, TAKEN)])
    cell(one, court(one), SAT, "09:00", [(DAYS, FREE)])
    cell(two, court(two), SAT, "09:30", [(DAYS, TAKEN)])

    summary = selectors.club_comparison(clubs=[one, two], date_from=SAT, date_to=SAT)

    assert [s.club.name for s in summary] == ["One", "Two"]
    assert summary[0].total.utilization == 0.5
    # 08:00-10:00 on 2 courts: each hour has 2 cells x 2 courts = 4 open cells, 1 observed.
    assert {h: (u.utilization, u.coverage) for h, u in summary[0].by_hour.items()} == {
        8: (1.0, 0.25),
        9: (0.0, 0.25),
    }
    assert summary[0].peak_hour == 8
    assert {h: (u.utilization, u.coverage) for h, u in summary[1].by_hour.items()} == {
        9: (1.0, 0.25)
    }


def test_the_fill_curve_reads_each_cell_at_each_lead_time():
    club = make_club()
    a, b = court(club, 0), court(club, 1)
    # Booked one day ahead after three days on sale.
    cell(club, a, SAT, "09:00", [(3 * DAYS, FREE), (DAYS, TAKEN)])
    # On sale for a week, never booked.
    cell(club, b, SAT, "09:00", [(7 * DAYS, FREE)])

    curve = {
        p.lead_minutes: (p.taken, p.known)
        for p in selectors.fill_curve(club=club, date_from=SAT, date_to=SAT)
    }

    assert curve[0] == (1, 2)
    assert curve[1440] == (1, 2)  # observed exactly one day before: already taken
    assert curve[2880] == (0, 2)
    assert curve[4320] == (0, 2)
    assert curve[7200] == (0, 1)  # only the week-long cell was known five days ahead
    assert curve[10080] == (0, 1)
    assert curve[14400] == (0, 0)


def test_the_fill_curve_excludes_cells_not_yet_released_and_filters_weekday_and_hour():
    club = make_club(opens="08:00", closes="21:00", courts=1)
    a = court(club)
    cell(club, a, SAT, "20:00", [(5 * DAYS, NOT_RELEASED), (2 * DAYS, FREE), (6 * HOURS, TAKEN)])
    cell(club, a, MON, "08:00", [(2 * DAYS, TAKEN)])

    saturday_evening = selectors.fill_curve(
        club=club, date_from=SAT, date_to=MON, weekdays=[6], hours=[20]
    )
    points = {p.lead_minutes: p for p in saturday_evening}

    assert (points[0].taken, points[0].known) == (1, 1)
    assert (points[360].taken, points[360].known) == (1, 1)
    assert (points[720].taken, points[720].known) == (0, 1)
    assert (points[4320].taken, points[4320].known) == (0, 0)  # not released then
    assert points[4320].share_taken is None


def test_sellout_lead_time_is_when_the_last_court_went():
    club = make_club(opens="08:00", closes="21:00")
    a, b = court(club, 0), court(club, 1)
    for day, last in ((SAT, DAYS), (SAT + 7 * DAYS, 3 * DAYS)):
        cell(club, a, day, "10:00", [(7 * DAYS, FREE), (4 * DAYS, TAKEN)])
        cell(club, b, day, "10:00", [(7 * DAYS, FREE), (last, TAKEN)])
    # One Saturday 11:00 where a court stayed free: not sold out.
    cell(club, a, SAT, "11:00", [(DAYS, TAKEN)])
    cell(club, b, SAT, "11:00", [(DAYS, FREE)])

    cells = {
        (c.weekday, c.hour): c
        for c in selectors.sellout_lead_times(club=club, date_from=SAT, date_to=SAT + 7 * DAYS)
    }

    ten = cells[(6, 10)]
    assert (ten.slots, ten.sold_out, ten.median_lead_minutes) == (2, 2, 2 * 1440)
    eleven = cells[(6, 11)]
    assert (eleven.slots, eleven.sold_out, eleven.median_lead_minutes) == (1, 0, None)


def test_cancellation_rate_is_cancellations_per_booking():
    club = make_club()
    a, b = court(club, 0), court(club, 1)
    cell(club, a, SAT, "08:00", [(DAYS, FREE), (HOURS * 5, TAKEN), (HOURS * 2, FREE)])
    cell(club, a, SAT, "08:30", [(DAYS, FREE), (HOURS, TAKEN)])
    cell(club, b, SAT, "08:00", [(DAYS, TAKEN)])
    cell(club, b, MON, "08:00", [(DAYS, FREE)])

    stats = selectors.cancellation_rate(club=club, date_from=SAT, date_to=MON)

    assert (stats.bookings, stats.cancellations) == (3, 1)
    assert stats.rate == pytest.approx(0.3333)
    assert stats.by_weekday[6] == (3, 1)


def test_prices_are_grouped_by_local_hour():
    club = make_club(opens="18:00", closes="21:00")
    a, b = court(club, 0), court(club, 1)
    cell(club, a, SAT, "19:00", [(DAYS, FREE)], price="20")
    cell(club, b, SAT, "19:30", [(DAYS, FREE)], price="30")
    cell(club, a, MON, "20:00", [(DAYS, FREE)], price="36.50")  # after the DST change

    prices = selectors.prices_by_hour(club=club, date_from=SAT, date_to=MON)

    assert [(p.hour, p.minimum, p.average, p.maximum, p.samples) for p in prices] == [
        (19, Decimal("20.00"), Decimal("25.00"), Decimal("30.00"), 2),
        (20, Decimal("36.50"), Decimal("36.50"), Decimal("36.50"), 1),
    ]


def test_chance_free_counts_dates_where_some_court_was_still_free():
    club = make_club(opens="18:00", closes="21:00")
    a, b = court(club, 0), court(club, 1)
    tue1, tue2 = date(2026, 3, 24), date(2026, 3, 31)  # the DST change falls in between
    cell(club, a, tue1, "19:00", [(7 * DAYS, FREE), (DAYS, TAKEN)])
    cell(club, b, tue1, "19:00", [(7 * DAYS, TAKEN)])
    cell(club, a, tue2, "19:00", [(7 * DAYS, TAKEN)])
    cell(club, b, tue2, "19:00", [(3 * DAYS, FREE), (2 * HOURS, TAKEN)])
    cell(club, a, tue2, "19:30", [(7 * DAYS, FREE)])  # another start time: ignored

    points = {
        p.lead_minutes: p
        for p in selectors.chance_free(
            club=club, weekday=2, start_time=time(19, 0), date_from=tue1, date_to=tue2
        )
    }

    assert (points[0].dates_known, points[0].dates_with_free) == (2, 0)
    assert (points[180].dates_known, points[180].dates_with_free) == (2, 1)
    assert points[2880].chance == 1.0  # both Tuesdays had a free court two days ahead
    assert (points[7200].dates_known, points[7200].dates_with_free) == (2, 1)
    assert (points[14400].dates_known, points[14400].dates_with_free) == (0, 0)


def test_the_grid_finds_the_last_poll_of_its_date_behind_many_polls_of_other_dates():
    club = make_club(courts=1)
    start = local(club, SAT, "08:00") - 3 * DAYS
    stored = poll(club, start, [SAT])
    for k in range(1, 25):  # later polls that stored another day only
        poll(club, start + k * HOURS, [MON])
    poll(club, start + 30 * HOURS, [SAT], outcome="failed")

    assert selectors.availability_grid(club=club, local_date=SAT).last_poll == stored
    assert selectors.availability_grid(club=club, local_date=MON).last_poll is not None
    assert selectors.availability_grid(club=club, local_date=date(2030, 1, 1)).last_poll is None


def test_availability_at_reconstructs_the_grid_as_it_was_known_then():
    club = make_club(courts=1)
    a = court(club)
    cell(club, a, SAT, "08:00", [(2 * DAYS, FREE), (DAYS, TAKEN)], price="24")
    cell(club, a, SAT, "08:30", [(DAYS, NOT_RELEASED), (HOURS * 12, FREE)])
    ok = poll(club, local(club, SAT, "08:00") - 2 * DAYS, [SAT])
    poll(club, local(club, SAT, "08:00") - DAYS - HOURS, [SAT], outcome="failed")

    then = selectors.availability_at(
        club=club, at=local(club, SAT, "08:00") - DAYS - HOURS, local_date=SAT
    )
    later = selectors.availability_at(club=club, at=local(club, SAT, "07:00"), local_date=SAT)
    now = selectors.availability_grid(club=club, local_date=SAT)

    assert then.local_times == ["08:00", "08:30", "09:00", "09:30"]
    assert then.rows[0].cells == ["free", "unknown", "unknown", "unknown"]
    assert then.rows[0].prices[0] == Decimal("24")
    assert then.last_poll == ok
    assert later.rows[0].cells == ["taken", "free", "unknown", "unknown"]
    assert now.rows[0].cells == later.rows[0].cells
    assert now.count("taken") == 1


def test_the_grid_marks_cells_outside_opening_hours_as_closed():
    club = make_club(courts=2)
    cell(club, court(club, 0), SAT, "07:00", [(DAYS, FREE)])  # the hours changed since

    grid = selectors.availability_grid(club=club, local_date=SAT)
    monday = selectors.availability_grid(club=club, local_date=MON)
    club.opening_hours = {}
    unknown_hours = selectors.availability_grid(club=club, local_date=SAT)

    assert grid.local_times == ["07:00", "08:00", "08:30", "09:00", "09:30"]
    assert grid.rows[0].cells == ["free", "unknown", "unknown", "unknown", "unknown"]
    assert grid.rows[1].cells == ["closed", "unknown", "unknown", "unknown", "unknown"]
    assert monday.rows[1].cells == ["unknown"] * 4
    assert unknown_hours.local_times == ["07:00"]
    assert unknown_hours.rows[1].cells == ["unknown"]


def test_club_statuses_show_last_poll_and_recent_failures():
    club = make_club()
    now = local(club, SAT, "09:00")
    poll(club, now - 3 * HOURS, [SAT])
    poll(club, now - HOURS, [SAT], outcome="failed")
    poll(club, now - 30 * HOURS, [SAT], outcome="failed")
    cell(club, court(club), SAT, "08:00", [(DAYS, TAKEN)])

    [status] = selectors.club_statuses(now=now)

    assert status.failing
    assert status.recent_failures == 1
    assert status.last_ok_at == now - 3 * HOURS
    assert status.today.so_far.taken == 1
    assert len(status.trend) == 15
    assert not status.monitoring_enabled


def test_slot_changes_filter_by_date_kind_and_court():
    club = make_club()
    a, b = court(club, 0), court(club, 1)
    cell(club, a, SAT, "08:00", [(DAYS, FREE), (HOURS, TAKEN)])
    cell(club, b, MON, "08:00", [(DAYS, FREE), (HOURS, TAKEN)])

    assert selectors.slot_changes(club=club).count() == 4
    assert selectors.slot_changes(club=club, kinds=["taken"]).count() == 2
    assert selectors.slot_changes(club=club, date_from=MON).count() == 2
    assert selectors.slot_changes(club=club, court_id=a.id, date_to=SAT).count() == 2
    first = selectors.slot_changes(club=club).first()
    assert first is not None and first.observed_at == local(club, MON, "07:00")
