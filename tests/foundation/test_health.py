from datetime import timedelta

import pytest
from django.utils import timezone

from playtomic_monitor.heartbeats import heartbeat_mark_ran, heartbeat_mark_sent

pytestmark = pytest.mark.django_db


def _beat_all(age: timedelta = timedelta(seconds=5)) -> None:
    at = timezone.now() - age
    for queue in ("poll", "booking", "notify"):
        heartbeat_mark_sent(queue=queue, at=at)
        heartbeat_mark_ran(queue=queue, worker="w@test", at=at)


def test_it_answers_503_before_any_heartbeat(client):
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["beat"]["ok"] is False
    assert body["checks"]["workers"]["queues"]["poll"]["last_run_age_seconds"] is None


def test_it_answers_200_when_every_part_is_fresh(client):
    _beat_all()
    response = client.get("/health/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["workers"]["queues"]["booking"]["worker"] == "w@test"


def test_it_reports_a_stale_worker_queue(client):
    _beat_all()
    heartbeat_mark_ran(queue="booking", worker="w@test", at=timezone.now() - timedelta(minutes=10))
    body = client.get("/health/").json()
    assert body["checks"]["beat"]["ok"] is True
    assert body["checks"]["workers"]["queues"]["booking"]["ok"] is False
    assert body["checks"]["workers"]["queues"]["poll"]["ok"] is True
    assert body["status"] == "fail"


def test_it_needs_no_login(client):
    _beat_all()
    assert client.get("/health/").status_code == 200
