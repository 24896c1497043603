import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from playtomic_monitor import health
from playtomic_monitor.celery import app
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


def _failing_check() -> dict[str, object]:
    return {"ok": False, "error": "OperationalError"}


def test_a_broken_database_gives_503_and_names_the_database(client, monkeypatch):
    _beat_all()
    monkeypatch.setattr(health, "_check_database", _failing_check)
    response = client.get("/health/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": False, "error": "OperationalError"}
    assert checks["broker"]["ok"] is True


def test_an_unreachable_broker_gives_503_and_names_the_broker(client, settings):
    _beat_all()
    # A loopback port nothing listens on: the broker check must fail fast, not hang.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    # The embedded broker names its own transport class, which would win over the URL's.
    transport = app.conf.broker_transport
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port}/0"
    app.conf.broker_transport = None
    try:
        response = client.get("/health/")
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
        app.conf.broker_transport = transport
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"]["ok"] is False
    assert checks["broker"]["error"]
    assert checks["database"]["ok"] is True
    assert checks["beat"]["ok"] is True
    assert checks["workers"]["ok"] is True


def test_a_stale_beat_alone_gives_503_and_names_beat(client):
    _beat_all()
    stale = timezone.now() - timedelta(minutes=10)
    for queue in ("poll", "booking", "notify"):
        heartbeat_mark_sent(queue=queue, at=stale)
    response = client.get("/health/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["beat"]["ok"] is False
    assert checks["beat"]["last_sent_age_seconds"] >= 590
    assert checks["workers"]["ok"] is True
    assert checks["database"]["ok"] is True
    assert checks["broker"]["ok"] is True
