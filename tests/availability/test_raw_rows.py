"""A page reads the raw rows of the recent days once (`read_raw_rows_once`) and every figure it
shows is the one each selector gives on its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from availability import selectors
from availability.services.summaries import summary_rebuild
from bench.history import ClubPlan, create_club, fill
from clubs.models import Club

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC)


@pytest.fixture
def club() -> Club:
    """Twelve days of history and three ahead, the closed days summarized."""
    club = create_club(ClubPlan("Club Raw", "Europe/Madrid", 3), 0)
    fill(club, days_back=12, days_ahead=3, now=NOW)
    summary_rebuild(club=club, now=NOW)
    return club


def _figures(instance: Callable[[], Club]) -> dict[str, Any]:
    """Every figure of the club page, the grid of today first (as the page asks), then the
    grids of a day ahead and of a closed day, each selector called with `instance()`."""
    today = selectors.local_today(instance(), NOW)
    span: dict[str, Any] = {"date_from": today - timedelta(days=9), "date_to": today}
    return {
        "grid": selectors.availability_grid(club=instance(), local_date=today),
        "current": selectors.utilization_current(club=instance(), now=NOW),
        "daily": selectors.utilization_daily(club=instance(), **span),
        "heatmap": selectors.utilization_heatmap(club=instance(), **span).cells,
        "per_court": [
            (c.court.pk, c.figures)
            for c in selectors.utilization_per_court(club=instance(), **span)
        ],
        "fill": selectors.fill_counts(instance(), span["date_from"], today, None),
        "sellout": selectors.sellout_lead_times(club=instance(), **span),
        "cancellations": selectors.cancellation_rate(club=instance(), **span),
        "prices": selectors.prices_by_hour(club=instance(), **span),
        "chance": [
            selectors.chance_free(
                club=instance(), weekday=day.isoweekday(), start_time=hour, **span
            )
            for day, hour in ((today, time(19)), (today - timedelta(days=1), time(9)))
        ],
        "grid_ahead": selectors.availability_grid(
            club=instance(), local_date=today + timedelta(days=2)
        ),
        "grid_closed": selectors.availability_grid(
            club=instance(), local_date=today - timedelta(days=6)
        ),
    }


def _reads(captured: CaptureQueriesContext, table: str) -> int:
    return sum(f'FROM "{table}"' in query["sql"] for query in captured.captured_queries)


def test_figures_from_rows_read_once_are_the_figures_each_selector_reads(club: Club):
    shared = Club.objects.get(pk=club.pk)
    selectors.read_raw_rows_once(shared)
    with CaptureQueriesContext(connection) as captured:
        once = _figures(lambda: shared)

    assert once == _figures(lambda: Club.objects.get(pk=club.pk))
    assert once["daily"][-1].figures.observed
    assert any(row.cells.count("free") for row in once["grid_ahead"].rows)
    # The recent days through today at the first ask, the day ahead when asked, the closed
    # day alone; the transitions once.
    assert _reads(captured, "availability_slotstate") == 3
    assert _reads(captured, "availability_slotchange") == 1


def test_a_club_instance_not_read_once_sees_the_rows_of_each_ask(club: Club):
    instance = Club.objects.get(pk=club.pk)
    today = selectors.local_today(instance, NOW)
    with CaptureQueriesContext(connection) as captured:
        for _ in range(2):
            selectors.utilization_current(club=instance, now=NOW)
            selectors.availability_grid(club=instance, local_date=today)

    assert _reads(captured, "availability_slotstate") == 4
