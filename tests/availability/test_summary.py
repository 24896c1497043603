"""The summaries of closed days give the same figures as the raw history they are built from."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from availability import selectors
from availability.models import StartSummary, SummaryMark
from availability.services import summaries
from availability.services.ingest import ingest_day
from availability.services.summaries import (
    SUMMARY_LAG_DAYS,
    summaries_refresh_due,
    summary_rebuild,
    summary_refresh,
)
from availability.tasks import summarize_closed_days
from clubs.models import Club, Court
from playtomic_monitor.celery import app
from tests.availability.analytics_history import cell, court, make_club
from tests.availability.dst_week import DAYS, FREE, HOURS, MON, NOT_RELEASED, SAT, TAKEN

pytestmark = pytest.mark.django_db

LATER = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)  # every day above is closed by then


def _figures(club: Club, date_from: date, date_to: date, sport_id: str | None = None) -> Any:
    # A fresh instance: the club caches its SummaryMark.
    club = Club.objects.get(pk=club.pk)
    span: dict[str, Any] = {"date_from": date_from, "date_to": date_to, "sport_id": sport_id}
    return {
        "daily": selectors.utilization_daily(club=club, **span),
        "heatmap": selectors.utilization_heatmap(club=club, **span).cells,
        "per_court": [
            (c.court.pk, c.figures) for c in selectors.utilization_per_court(club=club, **span)
        ],
        "fill_counts": selectors.fill_counts(club, date_from, date_to, sport_id),
        "fill_curve": selectors.fill_curve(club=club, **span),
        "weekend_fill": selectors.fill_curve(club=club, weekdays=[6, 7], hours=[20], **span),
        "sellout": selectors.sellout_lead_times(club=club, **span),
        "prices": selectors.prices_by_hour(club=club, **span),
        "cancellations": selectors.cancellation_rate(club=club, **span),
        "chance": [
            selectors.chance_free(club=club, weekday=weekday, start_time=time(hour), **span)
            for weekday, hour in ((6, 19), (1, 20), (2, 9))
        ],
        "comparison": [
            (s.total, s.daily, s.by_hour) for s in selectors.club_comparison(clubs=[club], **span)
        ],
    }


def _madrid_dst_week() -> Club:
    """A week across Madrid's spring-forward, two sports, cancellations, cells not yet
    released, prices and a start whose courts sell out at different times."""
    club = make_club(opens="18:00", closes="22:00", courts=2)
    a, b = court(club, 0), court(club, 1)
    tennis = Court.objects.create(
        club=club, playtomic_id="tennis", name="Tennis", sport_id="TENNIS", reservation_priority=9
    )
    for offset in range(7):
        day = SAT + offset * DAYS
        cell(club, a, day, "19:00", [(3 * DAYS, FREE), (DAYS, TAKEN)], price="30")
        cell(club, b, day, "19:00", [(2 * DAYS, FREE), (5 * HOURS, TAKEN)], price="30")
        cell(club, a, day, "20:00", [(5 * DAYS, NOT_RELEASED), (2 * DAYS, FREE)], price="36.50")
        cell(club, b, day, "20:00", [(DAYS, FREE), (HOURS * 20, TAKEN), (HOURS * 3, FREE)])
        cell(club, a, day, "21:30", [(DAYS, NOT_RELEASED)])
        cell(club, tennis, day, "19:00", [(4 * DAYS, TAKEN)], price="12.35")
        cell(club, tennis, day, "18:00", [(2 * DAYS, FREE), (HOURS, TAKEN)], price="11")
    return club


def _los_angeles_days() -> Club:
    """Local days that span two UTC dates (08:00-23:00 in Los Angeles)."""
    club = make_club("LA", tz="America/Los_Angeles", opens="08:00", closes="23:00", courts=1)
    a = court(club)
    for offset in range(3):
        day = date(2026, 1, 10) + offset * DAYS
        cell(club, a, day, "09:00", [(2 * DAYS, FREE), (DAYS, TAKEN)], price="20")
        cell(club, a, day, "20:00", [(DAYS, TAKEN)])
        cell(club, a, day, "22:30", [(DAYS, FREE)], price="25")
    return club


@pytest.mark.parametrize("sport_id", [None, "PADEL", "TENNIS"])
def test_summaries_give_the_raw_figures_across_a_dst_week(sport_id):
    club = _madrid_dst_week()
    raw = _figures(club, SAT, SAT + 6 * DAYS, sport_id)

    summary_rebuild(club=club, now=LATER)

    assert SummaryMark.objects.get(club=club).through == LATER.date() - SUMMARY_LAG_DAYS * DAYS
    assert StartSummary.objects.filter(club=club).exists()
    assert _figures(club, SAT, SAT + 6 * DAYS, sport_id) == raw


def test_summaries_count_a_day_spanning_two_utc_dates_on_its_local_day():
    club = _los_angeles_days()
    day = date(2026, 1, 10)
    raw = _figures(club, day, day + 2 * DAYS)

    summary_rebuild(club=club, now=LATER)

    summarized = _figures(club, day, day + 2 * DAYS)
    assert summarized == raw
    assert [(d.local_date, d.figures.taken) for d in summarized["daily"]] == [
        (day, 2),
        (day + DAYS, 2),
        (day + 2 * DAYS, 2),
    ]


def test_a_range_half_summarized_adds_summaries_and_recent_days_up_to_the_raw_figures():
    club = _madrid_dst_week()
    raw = _figures(club, SAT, SAT + 6 * DAYS)
    # Closed through Monday only: Tuesday to Friday are still read from the raw history.
    now = datetime.combine(MON + SUMMARY_LAG_DAYS * DAYS, time(12), tzinfo=UTC)

    assert summary_refresh(club=club, now=now) == MON

    assert set(StartSummary.objects.values_list("local_date", flat=True)) == {
        SAT,
        SAT + DAYS,
        MON,
    }
    assert _figures(club, SAT, SAT + 6 * DAYS) == raw
    assert _figures(club, SAT + DAYS, SAT + 4 * DAYS) == _raw_only(club, SAT + DAYS, SAT + 4 * DAYS)


def _raw_only(club: Club, date_from: date, date_to: date) -> Any:
    mark = SummaryMark.objects.get(club=club)
    mark.delete()
    try:
        return _figures(club, date_from, date_to)
    finally:
        SummaryMark.objects.create(club=club, through=mark.through)


def test_refresh_catches_up_a_bounded_number_of_days_at_a_time():
    club = _madrid_dst_week()

    assert summary_refresh(club=club, now=LATER, max_days=2) == SAT + DAYS
    assert summary_refresh(club=club, now=LATER, max_days=2) == MON + DAYS
    assert summary_refresh(club=club, now=LATER) == LATER.date() - SUMMARY_LAG_DAYS * DAYS
    assert StartSummary.objects.filter(club=club).count() == 7 * 5
    # The running totals carried on from one batch to the next.
    for date_from, date_to in ((SAT, SAT + 6 * DAYS), (SAT + DAYS, SAT + 3 * DAYS), (MON, MON)):
        assert _figures(club, date_from, date_to) == _raw_only(club, date_from, date_to)


def _three_weeks() -> Club:
    """Three weeks across Madrid's spring-forward, each weekday three times, with cells
    that vary from week to week (and a gap day), so running totals have to carry on."""
    club = make_club(opens="18:00", closes="22:00", courts=2)
    a, b = court(club, 0), court(club, 1)
    first = date(2026, 3, 16)
    for offset in range(21):
        day = first + offset * DAYS
        if offset == 9:
            continue  # not polled that day
        cell(club, a, day, "19:00", [(3 * DAYS, FREE), ((offset % 3 + 1) * HOURS, TAKEN)], "30")
        if offset % 2:
            cell(club, b, day, "20:30", [(DAYS, FREE), (HOURS * 20, TAKEN), (HOURS, FREE)])
        if offset % 5 == 0:
            cell(club, b, day, "18:00", [(2 * DAYS, NOT_RELEASED), (DAYS, TAKEN)])
    return club


def test_running_totals_carry_on_from_batch_to_batch_over_weeks():
    club = _three_weeks()
    first = date(2026, 3, 16)

    while summary_refresh(club=club, now=LATER, max_days=4) < first + 20 * DAYS:
        pass

    for offset, length in ((0, 21), (3, 9), (7, 7), (8, 1), (2, 16), (13, 8)):
        date_from, date_to = first + offset * DAYS, first + (offset + length - 1) * DAYS
        assert _figures(club, date_from, date_to) == _raw_only(club, date_from, date_to)


def test_rebuilding_a_few_days_in_the_middle_keeps_the_later_totals_right():
    club = _three_weeks()
    first = date(2026, 3, 16)
    summary_refresh(club=club, now=LATER)
    expected = _raw_only(club, first, first + 20 * DAYS)

    summaries.summary_build(club=club, date_from=first + 4 * DAYS, date_to=first + 6 * DAYS)

    assert _figures(club, first, first + 20 * DAYS) == expected
    later = (first + 12 * DAYS, first + 20 * DAYS)
    assert _figures(club, *later) == _raw_only(club, *later)


def test_a_club_without_closed_history_is_marked_without_summaries():
    club = make_club()

    assert summary_refresh(club=club, now=LATER) == LATER.date() - SUMMARY_LAG_DAYS * DAYS
    assert not StartSummary.objects.exists()


def test_ingesting_never_summarizes():
    club = _madrid_dst_week()
    now = datetime.combine(MON + 3 * DAYS, time(9), tzinfo=club.zone)

    # Nothing listed today: its cells from now on are stored taken, raw as ever.
    ingest_day(club=club, local_date=now.date(), availability=[], observed_at=now)
    ingest_day(club=club, local_date=now.date() + DAYS, availability=[], observed_at=now)

    assert not SummaryMark.objects.exists()
    assert not StartSummary.objects.exists()


def test_the_periodic_task_summarizes_the_days_that_closed_in_each_clubs_zone():
    club = _madrid_dst_week()
    other = _los_angeles_days()
    now = datetime.combine(MON + 3 * DAYS, time(9), tzinfo=club.zone)

    assert summaries_refresh_due(now=now) == 2

    assert SummaryMark.objects.get(club=club).through == MON + DAYS
    assert set(StartSummary.objects.filter(club=club).values_list("local_date", flat=True)) == {
        SAT,
        SAT + DAYS,
        MON,
        MON + DAYS,
    }
    assert _figures(club, SAT, SAT + 6 * DAYS) == _raw_only(club, SAT, SAT + 6 * DAYS)
    # The other club's long gap is caught up a bounded number of days per run.
    assert SummaryMark.objects.get(club=other).through < MON + DAYS
    while summaries_refresh_due(now=now):
        pass
    assert SummaryMark.objects.get(club=other).through == MON + DAYS
    # Up to date: a run costs one query and summarizes nobody.
    with CaptureQueriesContext(connection) as queries:
        assert summaries_refresh_due(now=now) == 0
    assert len(queries) == 1


def test_beat_summarizes_closed_days_every_quarter_hour_on_the_poll_queue():
    entry = app.conf.beat_schedule["availability-summarize-closed-days"]
    assert entry["task"] == "availability.tasks.summarize_closed_days"
    assert entry["task"] in app.tasks
    assert sorted(entry["schedule"].minute) == [7, 22, 37, 52]
    assert entry["options"]["queue"] == "poll"

    club = _madrid_dst_week()
    with time_machine.travel(LATER, tick=False):
        assert summarize_closed_days() == 1
    assert SummaryMark.objects.get(club=club).through == LATER.date() - SUMMARY_LAG_DAYS * DAYS


def test_the_periodic_task_goes_on_after_a_club_fails(monkeypatch):
    club = _madrid_dst_week()
    other = _los_angeles_days()
    real = summaries.summary_build

    def broken(*, club: Club, **kwargs: Any) -> int:
        if club.name == "Club Uno":
            raise RuntimeError("disk full")
        return real(club=club, **kwargs)

    monkeypatch.setattr(summaries, "summary_build", broken)

    assert summaries_refresh_due(now=LATER) == 1
    assert not SummaryMark.objects.filter(club=club).exists()
    assert SummaryMark.objects.filter(club=other).exists()


def test_the_rebuild_command_summarizes_every_club_again(capsys):
    club = _madrid_dst_week()
    other = _los_angeles_days()
    summary_refresh(club=club, now=LATER)
    StartSummary.objects.filter(club=club).update(taken=99)  # damaged

    call_command("rebuild_summaries")

    assert not StartSummary.objects.filter(taken=99).exists()
    assert SummaryMark.objects.filter(club__in=[club, other]).count() == 2
    assert _figures(club, SAT, SAT + 6 * DAYS) == _raw_only(club, SAT, SAT + 6 * DAYS)
    assert "Club Uno" in capsys.readouterr().out
