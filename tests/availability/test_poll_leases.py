"""Issue 15: a killed worker leaves nothing stuck. A poll holds its run and its club's lock on
a lease it renews as it goes; the settle sweep fails the runs whose lease ran out and sends
again, then fails, the manual fetches nobody claimed; a tick that finds the cache down is
recorded. The real `kill -9` of a worker is in tests/integration/test_dead_worker.py."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from availability.health import monitoring_health
from availability.models import PollRun
from availability.services import polling
from availability.services.polling import (
    POLL_TASK,
    poll_club,
    poll_request,
    poll_run_execute,
    poll_runs_settle,
)
from availability.tasks import poll_club_now, poll_club_scheduled
from clubs.models import Club, MonitoringConfig
from clubs.services import MonitoringSettings, monitoring_configure
from playtomic_monitor.celery import app as celery_app
from tests.availability.analytics_history import make_club

pytestmark = pytest.mark.django_db

# A Monday morning in Madrid (UTC+1).
T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
AVAILABILITY = "/v1/availability"


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cache_down(settings: Any) -> None:
    """The cache is a Redis nobody answers on (a loopback port just found free)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }


def running_run(club: Club, *, lease_seconds: int = 90) -> PollRun:
    """A run as a poll leaves it when its worker is killed: running, its lease not renewed."""
    now = timezone.now()
    return PollRun.objects.create(
        club=club,
        trigger=PollRun.Trigger.SCHEDULE,
        outcome=PollRun.Outcome.RUNNING,
        started_at=now,
        days=["2026-02-02", "2026-02-03"],
        days_ok=["2026-02-02"],
        owner="poll-worker:4242",
        lease_expires_at=now + timedelta(seconds=lease_seconds),
    )


def lock_key(club: Club) -> str:
    return f"poll-lock:club:{club.pk}"


def test_a_running_poll_is_left_alone_until_its_lease_runs_out_then_failed_as_worker_lost(
    clock: Any,
):
    run = running_run(make_club())

    clock.shift(timedelta(seconds=89))
    assert poll_runs_settle()["worker_lost"] == []
    run.refresh_from_db()
    assert run.outcome == PollRun.Outcome.RUNNING

    clock.shift(timedelta(seconds=2))
    assert poll_runs_settle()["worker_lost"] == [run.pk]
    run.refresh_from_db()
    assert (run.outcome, run.error_kind) == (PollRun.Outcome.FAILED, "worker_lost")
    assert "stopped renewing its lease for over 90 s" in run.error_message
    assert run.finished_at == T0 + timedelta(seconds=91)
    assert run.days_ok == ["2026-02-02"]  # what it stored is kept

    clock.shift(timedelta(minutes=1))
    assert poll_runs_settle() == {"worker_lost": [], "not_picked_up": [], "resent": []}
    run.refresh_from_db()
    assert run.finished_at == T0 + timedelta(seconds=91)


def test_the_sweep_never_touches_finished_runs(clock: Any):
    club = make_club()
    finished = [
        PollRun.objects.create(
            club=club,
            outcome=outcome,
            started_at=T0,
            finished_at=T0,
            lease_expires_at=T0 + timedelta(seconds=90),
        )
        for outcome in (PollRun.Outcome.OK, PollRun.Outcome.PARTIAL, PollRun.Outcome.SKIPPED)
    ]

    clock.shift(timedelta(hours=1))
    poll_runs_settle()

    assert [PollRun.objects.get(pk=r.pk).outcome for r in finished] == [r.outcome for r in finished]


def test_a_poll_records_its_owner_and_lease_and_frees_the_lock_when_it_ends(
    madrid: Club, clock: Any
):
    run = poll_club(club=madrid, days_ahead=1)

    assert run.outcome == PollRun.Outcome.OK, run.error_message
    stored = PollRun.objects.get(pk=run.pk)
    assert stored.owner == f"{socket.gethostname()}:{os.getpid()}"
    assert stored.lease_expires_at == T0 + timedelta(seconds=90)
    assert cache.get(lock_key(madrid)) is None


def test_a_lock_left_by_a_killed_poll_lapses_one_lease_later_and_the_next_poll_runs(
    madrid: Club, clock: Any, settings: Any
):
    settings.POLL_LEASE_SECONDS = 60
    # What a poll killed right after its last renewal leaves: its token, for one lease.
    cache.add(lock_key(madrid), "token-of-a-dead-poll", timeout=60)

    clock.shift(timedelta(seconds=59))
    blocked = poll_club(club=madrid, days_ahead=0)
    clock.shift(timedelta(seconds=2))
    next_poll = poll_club(club=madrid, days_ahead=0)

    assert (blocked.outcome, blocked.error_kind) == (PollRun.Outcome.SKIPPED, "overlap")
    assert "died less than a lease ago" in blocked.error_message
    assert next_poll.outcome == PollRun.Outcome.OK, next_poll.error_message


def test_a_poll_the_sweep_gave_up_on_stops_and_keeps_the_verdict(
    madrid: Club, clock: Any, monkeypatch: Any
):
    ingest_day = polling.ingest_day
    ingested: list[str] = []

    def stall_after_the_first_day(**kwargs: Any) -> Any:
        """The poll stalls past its lease after storing its first day, and the sweep runs."""
        day = ingest_day(**kwargs)
        ingested.append(kwargs["local_date"].isoformat())
        clock.shift(timedelta(seconds=91))
        poll_runs_settle()
        return day

    monkeypatch.setattr(polling, "ingest_day", stall_after_the_first_day)

    run = poll_club(club=madrid, days_ahead=3)

    assert ingested == ["2026-02-02"]  # it stopped at the first renewal after the verdict
    assert (run.outcome, run.error_kind) == (PollRun.Outcome.FAILED, "worker_lost")
    stored = PollRun.objects.get(pk=run.pk)
    assert (stored.outcome, stored.error_kind) == (PollRun.Outcome.FAILED, "worker_lost")
    assert stored.days_ok == ["2026-02-02"]
    assert cache.get(lock_key(madrid)) is None


def test_a_queued_fetch_nobody_claims_is_sent_once_more_then_failed(
    clock: Any, sent: Any, settings: Any, django_capture_on_commit_callbacks: Any
):
    settings.POLL_QUEUE_WAIT_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        run = poll_request(club=make_club(), days_ahead=1)
    assert sent == [(POLL_TASK, [run.pk], "poll")]

    clock.shift(timedelta(seconds=299))
    assert poll_runs_settle()["resent"] == []
    clock.shift(timedelta(seconds=2))
    assert poll_runs_settle()["resent"] == [run.pk]
    assert sent == [(POLL_TASK, [run.pk], "poll")] * 2
    run.refresh_from_db()
    assert (run.outcome, run.dispatches) == (PollRun.Outcome.QUEUED, 2)

    clock.shift(timedelta(seconds=299))
    assert poll_runs_settle()["not_picked_up"] == []
    clock.shift(timedelta(seconds=2))
    assert poll_runs_settle()["not_picked_up"] == [run.pk]
    run.refresh_from_db()
    assert (run.outcome, run.error_kind) == (PollRun.Outcome.FAILED, "not_picked_up")
    assert "No poll worker took this fetch in 10 minutes" in run.error_message
    assert len(sent) == 2
    # Its message turning up after all does nothing.
    assert poll_run_execute(run_id=run.pk) is None


def test_a_fetch_claimed_after_it_was_sent_again_is_never_failed_nor_sent_a_third_time(
    madrid: Club, clock: Any, sent: Any, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks(execute=True):
        run = poll_request(club=madrid, days_ahead=0)
    clock.shift(timedelta(seconds=301))
    poll_runs_settle()

    assert poll_run_execute(run_id=run.pk) is not None
    clock.shift(timedelta(seconds=301))
    poll_runs_settle()

    run.refresh_from_db()
    assert run.outcome == PollRun.Outcome.OK, run.error_message
    assert len(sent) == 2


def test_a_scheduled_tick_that_finds_the_cache_down_is_recorded_as_failed(
    madrid: Club, use_sandbox: Any, cache_down: None
):
    monitoring_configure(
        club=madrid,
        monitoring=MonitoringSettings(start_time_local=time(0), end_time_local=time(23, 59)),
    )

    run_id = poll_club_scheduled(madrid.pk)

    run = PollRun.objects.get(pk=run_id)
    assert (run.outcome, run.trigger) == (PollRun.Outcome.FAILED, PollRun.Trigger.SCHEDULE)
    assert run.error_kind == "cache_unavailable"
    assert "the cache (Redis), which holds the poll locks, did not answer" in run.error_message
    assert run.finished_at is not None
    assert use_sandbox.requests(path=AVAILABILITY) == []


def test_a_manual_fetch_that_finds_the_cache_down_is_failed_not_left_running(
    madrid: Club, sent: Any, cache_down: None, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks(execute=True):
        run = poll_request(club=madrid, days_ahead=0)

    poll_club_now(run.pk)

    run.refresh_from_db()
    assert (run.outcome, run.error_kind) == (PollRun.Outcome.FAILED, "cache_unavailable")


def test_poll_tasks_ack_late_and_go_back_to_the_queue_when_their_worker_dies():
    for task in (poll_club_scheduled, poll_club_now):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True


def test_beat_runs_the_settle_sweep_every_minute_on_the_poll_queue():
    entry = celery_app.conf.beat_schedule["availability-settle-poll-runs"]

    assert entry["task"] == "availability.tasks.settle_poll_runs"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == 60.0
    assert entry["options"] == {"queue": "poll", "expires": 55}


def test_health_calls_stuck_only_the_runs_the_sweep_should_have_ended(clock: Any, settings: Any):
    settings.POLL_QUEUE_WAIT_SECONDS = 900  # a fetch may wait 2 x 15 minutes before failing
    club = make_club(opens="00:00", closes="23:59")
    MonitoringConfig.objects.create(
        club=club, frequency_minutes=15, start_time_local=time(0), end_time_local=time(23, 59)
    )
    waiting = PollRun.objects.create(
        club=club, outcome=PollRun.Outcome.QUEUED, started_at=T0 - timedelta(minutes=25)
    )
    forgotten = PollRun.objects.create(
        club=club, outcome=PollRun.Outcome.QUEUED, started_at=T0 - timedelta(minutes=40)
    )

    stuck = monitoring_health(now=T0)["stuck_poll_runs"]

    assert forgotten.pk in stuck
    assert waiting.pk not in stuck
