"""The home page and the club page ask the database a fixed number of times: twice the clubs,
courts or days of history (and twice the range shown) cost no extra query, and closed days
are read from their summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from availability.models import PollRun, SlotChange, SlotState
from availability.services.summaries import summary_rebuild
from bench.history import ClubPlan, create_club, fill
from clubs.models import Club, MonitoringConfig

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC)
ZONES = ("Europe/Madrid", "America/Los_Angeles", "Australia/Sydney")


def _world(*, clubs: int, courts: int, days: int) -> list[Club]:
    """Clubs with `days` of simulated history, summarized as the periodic task leaves them,
    some monitored and one with a failed poll."""
    made = []
    for i in range(clubs):
        club = create_club(ClubPlan(f"Club {i}", ZONES[i % len(ZONES)], courts), i)
        fill(club, days_back=days, days_ahead=3, now=NOW)
        summary_rebuild(club=club, now=NOW)
        if i % 2:
            MonitoringConfig.objects.create(club=club)
        made.append(club)
    PollRun.objects.create(
        club=made[0], started_at=NOW - timedelta(hours=1), outcome=PollRun.Outcome.FAILED
    )
    return made


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    return len(captured)


def _club_url(club: Club, days: int) -> str:
    # The chance chart's weekday pinned to today's: it skips its recent-days query when the
    # recent days hold no such weekday, and the peak it defaults to depends on the data.
    today = NOW.astimezone(club.zone).date()
    return (
        f"/clubs/{club.pk}/?from={today - timedelta(days=days - 1)}&to={today}"
        f"&weekday={today.isoweekday()}&time=19:00"
    )


def test_the_home_and_club_pages_ask_as_often_for_twice_the_clubs_courts_and_days(
    client: Any, member: Any
):
    client.force_login(member)
    small = _world(clubs=2, courts=2, days=12)
    home_small = _queries(client, "/")
    club_small = _queries(client, _club_url(small[0], 10))

    Club.objects.all().delete()
    large = _world(clubs=4, courts=4, days=24)
    home_large = _queries(client, "/")
    club_large = _queries(client, _club_url(large[0], 20))

    assert home_large == home_small
    assert club_large == club_small
    # Today's ceilings: a figure that starts asking per club, court or day breaks them.
    assert home_small <= 10
    assert club_small <= 24


def test_the_pages_read_closed_days_from_summaries_only(client: Any, member: Any):
    client.force_login(member)
    (club,) = _world(clubs=1, courts=2, days=20)
    url = _club_url(club, 20)
    figures = ("total", "heat_rows", "court_rows", "sellout_rows", "cancellations")
    charts = ("daily_chart", "fill_chart", "prices_chart", "chance_chart")
    before = client.get(url).context
    home_before = client.get("/").context["cards"]

    # The raw history of the summarized days goes: the pages must not notice.
    through = Club.objects.get(pk=club.pk).summary_mark.through
    SlotChange.objects.filter(local_date__lte=through).delete()
    SlotState.objects.filter(local_date__lte=through).delete()
    after = client.get(url).context
    home_after = client.get("/").context["cards"]

    for name in (*figures, *charts):
        assert after[name] == before[name], name
    assert [c["trend"] for c in home_after] == [c["trend"] for c in home_before]


def test_the_club_page_reads_the_recent_cells_and_transitions_once(client: Any, member: Any):
    client.force_login(member)
    (club,) = _world(clubs=1, courts=2, days=12)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_club_url(club, 10)).status_code == 200

    queries = [query["sql"] for query in captured.captured_queries]
    assert sum('FROM "availability_slotstate"' in sql for sql in queries) == 1
    assert sum('FROM "availability_slotchange"' in sql for sql in queries) == 1
