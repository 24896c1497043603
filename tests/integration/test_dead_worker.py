"""Issue 15: `kill -9` of a poll worker mid-poll leaves nothing stuck.

A real poll worker polls a slow sandbox; while its PollRun is running, the settle sweep leaves
it alone (the poll renews its lease); then the worker's whole process group (main process and
pool child) is killed. A new worker runs the settle sweep, which fails the run as
`worker_lost` once its lease has run out; the club's lock has lapsed with it, and the next
poll of the club runs instead of being skipped as an overlap.

Real processes on the test database and the configured broker. The lease and, on Redis, the
visibility timeout are shortened for the child processes through their environment, so the
story takes well under a minute instead of a few. On Redis the workers get a database of their
own for the broker (so workers of other test runs cannot take the messages) and share the
test's cache, where the lock lives."""

# Fixtures imported from tests/clubs are requested by name, which ruff reads as a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from availability.models import PollRun
from availability.services.polling import poll_runs_settle
from clubs.models import Club
from clubs.services import MonitoringSettings, monitoring_configure

# The monitoring fixtures: the staff member's Playtomic account and the sandbox's Madrid club.
from tests.clubs.conftest import madrid, reader  # noqa: F401
from tests.support.processes import (
    ROOT,
    descendants,
    kill_survivors,
    start_worker,
    stop,
    subprocess_env,
    wait_for,
    wait_for_text,
    wait_until_gone,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 4
# Longer than the killed poll's last renewal plus its lease, so the message Redis hands back
# finds the dead poll's lock gone (as in production: a poll's time limit plus a lease).
VISIBILITY_TIMEOUT = 20
# Each day's request takes this long: a poll of 8 days lasts about 8 s, two leases.
LATENCY_MS = 1000
# A Redis database no other test uses for its broker (tests/integration/test_shutdown.py: 11).
PRIVATE_REDIS_DB = 12
FINISHED = (PollRun.Outcome.OK, PollRun.Outcome.PARTIAL, PollRun.Outcome.FAILED)
TASK_RECEIVED = re.compile(
    r"Task availability\.tasks\.poll_club_scheduled\[([0-9a-f-]+)\] received"
)


def redelivers() -> bool:
    """Whether the broker hands a killed worker's unacknowledged message to another worker.
    Redis does, after the visibility timeout. kombu's filesystem transport (the embedded
    default) has no acknowledgements: a message is gone from the folder once a worker has read
    it, so a killed worker's poll is not run again and the next tick polls the club instead."""
    return bool(settings.REDIS_URL)


def child_env(tmp_path: Path) -> dict[str, str]:
    env = subprocess_env(
        tmp_path,
        {
            "POLL_LEASE_SECONDS": str(LEASE_SECONDS),
            "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "PLAYTOMIC_RATE_PER_SECOND": "0",
        },
    )
    if settings.REDIS_URL:
        broker = urlsplit(settings.REDIS_URL)._replace(path=f"/{PRIVATE_REDIS_DB}").geturl()
        redis.Redis.from_url(broker).flushdb()
        env["REDIS_URL"] = broker
        env["CACHE_URL"] = settings.CACHES["default"]["LOCATION"]
    return env


def celery_call(env: dict[str, str], task: str, *args: Any) -> None:
    """Send a task as beat would, to the workers' broker, with the workers' settings."""
    call = ["call", task, "--args", json.dumps(list(args)), "--queue", "poll"]
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "playtomic_monitor", *call],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def logs(tmp_path: Path) -> str:
    return "\n".join(
        f"--- {p.name} ---\n{p.read_text(errors='replace')[-4000:]}"
        for p in sorted(tmp_path.glob("*.log"))
    )


@pytest.fixture
def started() -> Iterator[set[int]]:
    """The pids a test starts; whichever still runs at the end is killed."""
    pids: set[int] = set()
    yield pids
    kill_survivors(pids)


def a_worker(env: dict[str, str], tmp_path: Path, name: str, started: set[int]) -> Any:
    log = tmp_path / f"{name}.log"
    worker = start_worker(["poll"], env, log_path=log, pool="prefork", concurrency=1, name=name)
    started.add(worker.pid)
    try:
        wait_for_text(log, "ready.", timeout=60)
    except AssertionError:
        pytest.fail(f"worker {name} did not start\n" + logs(log.parent))
    return worker


def test_a_poll_worker_killed_mid_poll_leaves_a_failed_run_no_lock_and_the_next_poll_runs(
    madrid: Club, use_sandbox: Any, tmp_path: Path, started: set[int]
):
    monitoring_configure(
        club=madrid,
        monitoring=MonitoringSettings(
            start_time_local=time(0), end_time_local=time(23, 59), days_ahead=7
        ),
    )
    use_sandbox.add_fault(endpoint="availability", latency_ms=LATENCY_MS)
    lock_key = f"poll-lock:club:{madrid.pk}"
    env = child_env(tmp_path)
    doomed = a_worker(env, tmp_path, "doomed", started)
    try:
        celery_call(env, "availability.tasks.poll_club_scheduled", madrid.pk)

        def polling_with_progress() -> PollRun | None:
            running = PollRun.objects.filter(club=madrid, outcome=PollRun.Outcome.RUNNING)
            return next((r for r in running if r.days_ok), None)

        try:
            run = wait_for(polling_with_progress, timeout=60)
        except AssertionError:
            pytest.fail("the poll did not start\n" + logs(tmp_path))
        assert isinstance(run, PollRun)

        # Alive and renewing: a sweep after more than a lease leaves the run alone.
        wait_for(
            lambda: (timezone.now() - run.started_at).total_seconds() > LEASE_SECONDS + 1,
            timeout=30,
        )
        assert poll_runs_settle()["worker_lost"] == []
        run.refresh_from_db()
        assert run.outcome == PollRun.Outcome.RUNNING, logs(tmp_path)

        # kill -9 of the process group: the main process and its pool child, mid-poll.
        tree = {doomed.pid} | descendants(doomed.pid)
        assert run.owner in {f"{socket.gethostname()}:{pid}" for pid in tree}
        os.killpg(doomed.pid, signal.SIGKILL)
        wait_until_gone(tree, timeout=10)
        doomed.wait(timeout=10)
    finally:
        stop(doomed, kill=True)
    killed = TASK_RECEIVED.findall((tmp_path / "doomed.log").read_text())
    assert len(killed) == 1
    run.refresh_from_db()
    assert run.outcome == PollRun.Outcome.RUNNING
    assert len(run.days_ok) < len(run.days)  # it really died mid-poll
    assert cache.get(lock_key) is not None  # the dead poll's lock, lapsing by itself

    successor = a_worker(env, tmp_path, "successor", started)
    try:
        # The settle sweep, as beat sends it every minute, once the dead poll's lease is over.
        lease_end = run.lease_expires_at
        assert lease_end is not None
        wait_for(lambda: timezone.now() > lease_end, timeout=LEASE_SECONDS + 5)
        celery_call(env, "availability.tasks.settle_poll_runs")
        try:
            wait_for(
                lambda: PollRun.objects.get(pk=run.pk).outcome == PollRun.Outcome.FAILED,
                timeout=60,
            )
        except AssertionError:
            pytest.fail("the dead worker's run was not settled\n" + logs(tmp_path))
        run.refresh_from_db()
        assert run.error_kind == "worker_lost"
        assert f"stopped renewing its lease for over {LEASE_SECONDS} s" in run.error_message
        assert run.finished_at is not None
        assert cache.get(lock_key) is None

        if redelivers():
            # Nothing is sent: Redis hands the killed worker's message to the successor once
            # the visibility timeout has passed, and the poll runs again.
            timeout = VISIBILITY_TIMEOUT + 40
        else:
            # The next tick, as beat would send it.
            celery_call(env, "availability.tasks.poll_club_scheduled", madrid.pk)
            timeout = 60
        try:
            next_run = wait_for(
                lambda: (
                    PollRun.objects.filter(club=madrid, outcome__in=FINISHED)
                    .exclude(pk=run.pk)
                    .first()
                ),
                timeout=timeout,
            )
        except AssertionError:
            pytest.fail("the club was not polled again\n" + logs(tmp_path))
        assert isinstance(next_run, PollRun)
        assert next_run.outcome == PollRun.Outcome.OK, next_run.error_message
        assert next_run.trigger == PollRun.Trigger.SCHEDULE
        if redelivers():
            assert TASK_RECEIVED.findall((tmp_path / "successor.log").read_text()) == killed
        assert next_run.owner in {
            f"{socket.gethostname()}:{pid}" for pid in descendants(successor.pid)
        }
        # Nothing was skipped as an overlap with the dead poll.
        assert not PollRun.objects.filter(club=madrid, outcome=PollRun.Outcome.SKIPPED).exists()
        assert cache.get(lock_key) is None
    finally:
        stop(successor)
