"""A real beat and a real worker, as separate processes, on the configured backends."""

from __future__ import annotations

import pytest
from django.db.models import F

from playtomic_monitor.models import Heartbeat
from tests.support.processes import start_beat, start_worker, stop, subprocess_env, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _log_tail(path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"


def test_a_beat_scheduled_heartbeat_runs_on_the_worker_and_lands_in_the_database(tmp_path):
    env = subprocess_env(tmp_path)
    worker = start_worker(["poll", "booking", "notify"], env, log_path=tmp_path / "worker.log")
    beat = start_beat(env, log_path=tmp_path / "beat.log", var_dir=tmp_path)
    try:

        def all_queues_ran() -> bool:
            # Ran after it was last sent: beat may send the next one (at start-up and then each
            # minute) between the worker running one and this check.
            rows = Heartbeat.objects.filter(sent_at__isnull=False, ran_at__gte=F("sent_at"))
            return rows.count() == 3

        try:
            wait_for(all_queues_ran, timeout=90)
        except AssertionError:
            pytest.fail(
                "heartbeats did not complete\n--- beat ---\n"
                + _log_tail(tmp_path / "beat.log")
                + "\n--- worker ---\n"
                + _log_tail(tmp_path / "worker.log")
            )
        assert Heartbeat.objects.count() == 3
        for heartbeat in Heartbeat.objects.all():
            assert heartbeat.worker.startswith("testworker@")
    finally:
        stop(beat)
        stop(worker)


def test_health_turns_green_once_beat_and_worker_run(tmp_path, client):
    assert client.get("/health/").status_code == 503
    env = subprocess_env(tmp_path)
    worker = start_worker(["poll", "booking", "notify"], env, log_path=tmp_path / "worker.log")
    beat = start_beat(env, log_path=tmp_path / "beat.log", var_dir=tmp_path)
    try:
        wait_for(lambda: client.get("/health/").status_code == 200, timeout=90)
    finally:
        stop(beat)
        stop(worker)
