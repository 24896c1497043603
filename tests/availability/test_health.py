"""/health/ tells the truth about monitoring: a club that stopped being polled, a poll left
running, and an open circuit breaker make it "degraded" (HTTP 503) although every process is
alive."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from availability.models import PollRun
from clubs.models import MonitoringConfig
from playtomic.errors import ServerError
from playtomic_monitor.heartbeats import heartbeat_mark_ran, heartbeat_mark_sent
from playtomic_monitor.ratelimit import poll_guard
from tests.availability.analytics_history import make_club

pytestmark = pytest.mark.django_db

# Tuesday 19:00 in Madrid (CET): inside a 08:00-23:00 window.
EVENING = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
# Wednesday 03:00 in Madrid: outside it.
NIGHT = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def processes_alive(at: datetime) -> None:
    for queue in ("poll", "booking", "notify"):
        heartbeat_mark_sent(queue=queue, at=at)
        heartbeat_mark_ran(queue=queue, worker="w@test", at=at)


def monitored(name: str = "Norte") -> MonitoringConfig:
    club = make_club(name=name, opens="08:00", closes="23:00")
    return MonitoringConfig.objects.create(
        club=club, frequency_minutes=15, start_time_local=time(8), end_time_local=time(23)
    )


def poll(config: MonitoringConfig, at: datetime, outcome: str = PollRun.Outcome.OK) -> PollRun:
    return PollRun.objects.create(
        club=config.club, started_at=at, finished_at=at, outcome=outcome, error_kind=""
    )


def health(client: Any, at: datetime) -> tuple[int, dict[str, Any]]:
    with time_machine.travel(at, tick=False):
        processes_alive(at)
        response = client.get("/health/")
    return response.status_code, response.json()


def test_a_club_polled_on_schedule_is_healthy(client):
    config = monitored()
    poll(config, EVENING - timedelta(minutes=14))

    status, body = health(client, EVENING)

    assert status == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["monitoring"]["stale_clubs"] == []


def test_a_club_whose_polls_keep_failing_makes_health_degraded_and_names_it(client):
    config = monitored()
    monitored("Sur")  # polled fine
    poll(config, EVENING - timedelta(hours=2))
    for minutes in (45, 30, 15):
        poll(config, EVENING - timedelta(minutes=minutes), PollRun.Outcome.FAILED)
    poll(MonitoringConfig.objects.get(club__name="Sur"), EVENING - timedelta(minutes=10))

    status, body = health(client, EVENING)

    assert status == 503
    assert body["status"] == "degraded"
    monitoring = body["checks"]["monitoring"]
    assert [c["club"] for c in monitoring["stale_clubs"]] == ["Norte"]
    assert monitoring["stale_clubs"][0]["last_success_age_seconds"] == 7200
    assert [c["club"] for c in monitoring["failing_clubs"]] == ["Norte"]


def test_a_club_is_not_stale_at_night_outside_its_window(client):
    config = monitored()
    poll(config, NIGHT - timedelta(hours=4))

    status, body = health(client, NIGHT)

    assert status == 200, body


def test_a_poll_left_running_by_a_dead_worker_makes_health_degraded(client):
    config = monitored()
    poll(config, EVENING - timedelta(minutes=5))
    stuck = poll(config, EVENING - timedelta(minutes=20), PollRun.Outcome.RUNNING)

    status, body = health(client, EVENING)

    assert status == 503
    assert body["checks"]["monitoring"]["stuck_poll_runs"] == [stuck.pk]


def test_an_open_breaker_makes_health_degraded_and_shows_its_state(client, settings):
    settings.PLAYTOMIC_BREAKER_THRESHOLD = 2
    guard = poll_guard()
    host = settings.PLAYTOMIC_BASE_URL.split("://", 1)[1].rstrip("/")
    with time_machine.travel(EVENING, tick=False):
        for _ in range(2):
            guard.on_outcome(host, ServerError("502", http_status=502))

    status, body = health(client, EVENING + timedelta(seconds=1))

    assert status == 503
    assert body["status"] == "degraded"
    assert body["checks"]["playtomic"]["state"] == "open"
    assert body["checks"]["playtomic"]["last_error"] == "server_error"
