"""A day first polled late (a club added at 22:00, the demo's first replayed poll) has no daily
utilization: the few cells it saw, the last before closing that no slot fits any more, read as
taken and used to draw the day 100% booked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from availability import selectors
from availability.models import PollRun
from availability.selectors.utilization import Utilization
from availability.services.polling import poll_club
from availability.services.summaries import summaries_refresh_due
from clubs.models import Club

pytestmark = pytest.mark.django_db

# Monday 2 February 2026, 22:05 in Madrid (UTC+1): the club closes at 23:00.
LATE = datetime(2026, 2, 2, 21, 5, tzinfo=UTC)
MONDAY = date(2026, 2, 2)


def _daily(club: Club) -> dict[date, Utilization]:
    days = selectors.utilization_daily(
        club=club, date_from=MONDAY, date_to=MONDAY + timedelta(days=1)
    )
    return {d.local_date: d.figures for d in days}


def test_a_first_poll_late_in_the_day_draws_no_figure_for_that_day(madrid: Club) -> None:
    with time_machine.travel(LATE, tick=False):
        run = poll_club(club=madrid, days_ahead=1)
        assert run.outcome == PollRun.Outcome.OK, run.error_message
        daily = _daily(madrid)

    monday, tuesday = daily[MONDAY], daily[MONDAY + timedelta(days=1)]
    # It saw only the 22:30 cell of each court, which no slot fits before closing: all taken.
    assert monday.taken == 10 and monday.free == 0
    assert monday.partial
    assert monday.utilization is None
    # The counts still add up in totals; the next day, seen whole, has its figure.
    assert selectors.utilization_total(list(_as_days(daily))).taken >= monday.taken
    assert not tuesday.partial
    assert tuesday.utilization is not None and 0 < tuesday.utilization < 1


def test_a_day_seen_from_its_start_keeps_its_figure(madrid: Club) -> None:
    with time_machine.travel(LATE - timedelta(hours=14), tick=False):
        poll_club(club=madrid, days_ahead=0)
    with time_machine.travel(LATE, tick=False):
        poll_club(club=madrid, days_ahead=0)
        monday = _daily(madrid)[MONDAY]

    assert not monday.partial
    assert monday.utilization is not None and monday.utilization < 1


def test_a_day_summarized_after_a_late_first_poll_stays_without_a_figure(madrid: Club) -> None:
    with time_machine.travel(LATE, tick=False):
        poll_club(club=madrid, days_ahead=1)
    later = LATE + timedelta(days=5)
    with time_machine.travel(later, tick=False):
        summaries_refresh_due(now=later)
        club = Club.objects.select_related("summary_mark").get(pk=madrid.pk)
        assert club.summary_mark.through >= MONDAY + timedelta(days=1)
        daily = _daily(club)

    assert daily[MONDAY].partial and daily[MONDAY].utilization is None
    assert daily[MONDAY + timedelta(days=1)].utilization is not None


def _as_days(daily: dict[date, Utilization]) -> Any:
    for day, figures in daily.items():
        yield selectors.DayUtilization(local_date=day, figures=figures)


def test_the_home_pages_trend_draws_no_figure_for_a_late_first_poll(madrid: Club) -> None:
    with time_machine.travel(LATE, tick=False):
        poll_club(club=madrid, days_ahead=0)
    next_day = LATE + timedelta(hours=12)
    with time_machine.travel(next_day, tick=False):
        poll_club(club=madrid, days_ahead=0)
        (status,) = selectors.club_statuses(now=next_day)
    later = LATE + timedelta(days=5)
    with time_machine.travel(later, tick=False):
        summaries_refresh_due(now=later)
        (summarized,) = selectors.club_statuses(now=later)

    for trend in (status.trend, summarized.trend):
        by_day = {d.local_date: d.figures for d in trend}
        assert by_day[MONDAY].taken == 10 and by_day[MONDAY].utilization is None
        assert by_day[MONDAY + timedelta(days=1)].utilization is not None
