"""The admin changelists of clubs and availability: their query count does not grow with their
rows (no N+1), and every list filter answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from accounts.models import PlaytomicAccount
from availability.models import AvailabilityEvent, CellState, PollRun, SlotChange, SlotState
from clubs.models import Club, Court, MonitoringConfig

CHANGELISTS = [
    "/admin/clubs/club/",
    "/admin/clubs/court/",
    "/admin/clubs/monitoringconfig/",
    "/admin/availability/pollrun/",
    "/admin/availability/slotstate/",
    "/admin/availability/slotchange/",
    "/admin/availability/availabilityevent/",
]

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("url", CHANGELISTS)]

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def add_club_with_history(owner: Any, index: int) -> None:
    """One club with its own court, account, schedule, config, poll run, state, change and
    event: every row of every changelist points at objects no other row shares, so a missing
    select_related shows as one more query per row."""
    club = Club.objects.create(
        playtomic_id=f"tenant-{index}",
        name=f"Club {index}",
        timezone="Europe/Madrid",
        country_code="ES",
        playtomic_status="ACTIVE",
    )
    court = Court.objects.create(
        club=club, playtomic_id=f"court-{index}", name=f"Court {index}", sport_id="PADEL"
    )
    account = PlaytomicAccount.objects.create(
        owner=owner,
        label=f"Reader {index}",
        email=f"reader{index}@example.org",
        email_hash=f"hash-{index}",
        password="not-a-real-password",
    )
    crontab = CrontabSchedule.objects.create(minute=str(index % 60), timezone="Europe/Madrid")
    task = PeriodicTask.objects.create(
        name=f"poll-club-{index}", task="availability.tasks.poll_club", crontab=crontab
    )
    MonitoringConfig.objects.create(club=club, account=account, periodic_task=task)
    run = PollRun.objects.create(
        club=club, started_at=START, outcome=PollRun.Outcome.OK, error_kind=f"kind{index % 3}"
    )
    start = START + timedelta(minutes=30 * index)
    SlotState.objects.create(
        court=court,
        start=start,
        local_date=date(2027, 3, 1),
        state=CellState.FREE,
        price=Decimal("20.00"),
        currency="EUR",
        first_seen_at=START,
        changed_at=START,
        observed_at=START,
    )
    SlotChange.objects.create(
        club=club,
        court=court,
        poll_run=run,
        start=start,
        local_date=date(2027, 3, 1),
        kind=SlotChange.Kind.FIRST_SEEN,
        new_state=CellState.FREE,
        observed_at=START,
        lead_minutes=30 * index,
    )
    AvailabilityEvent.objects.create(
        club=club,
        court=court,
        poll_run=run,
        kind=AvailabilityEvent.Kind.values[0],
        local_date=date(2027, 3, 1),
        start=start,
        end=start + timedelta(minutes=30),
    )


def changelist_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_changelist_costs_as_many_queries_for_twenty_rows_as_for_one(
    admin_client: Any, admin_user: Any, url: str
) -> None:
    add_club_with_history(admin_user, 0)
    admin_client.get(url)  # warm the session and content-type caches
    with_one = changelist_queries(admin_client, url)
    for index in range(1, 20):
        add_club_with_history(admin_user, index)
    with_twenty = changelist_queries(admin_client, url)
    assert with_twenty <= with_one, f"{url}: {with_one} queries for 1 row, {with_twenty} for 20"


def test_every_list_filter_of_a_changelist_answers(
    admin_client: Any, admin_user: Any, url: str
) -> None:
    for index in range(3):
        add_club_with_history(admin_user, index)
    changelist = admin_client.get(url).context["cl"]
    assert changelist.filter_specs, f"{url} has no list filters"
    for spec in changelist.filter_specs:
        choices = [c for c in spec.choices(changelist) if c["query_string"] != "?"]
        choice = next((c for c in choices if not c.get("selected")), choices[0])
        response = admin_client.get(url + choice["query_string"])
        assert response.status_code == 200, (spec.title, choice["query_string"])
        assert "errornote" not in response.content.decode()
