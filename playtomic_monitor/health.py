"""What /health/ reports: database, broker, beat and workers, the Playtomic circuit breaker,
and the checks of higher apps wired in settings (`HEALTH_CHECKS`, dotted paths of functions
returning a dict with "ok"), such as whether each club's monitoring is keeping up.

Status: "fail" when a process is missing (database, broker, beat, a worker queue), "degraded"
when every process is alive but the work is not getting done (a stale club, a stuck poll, an
open breaker); both answer HTTP 503 so monitoring tools alert on either."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from playtomic_monitor.models import Heartbeat
from playtomic_monitor.ratelimit import poll_guard


def _check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _check_broker() -> dict[str, Any]:
    from playtomic_monitor.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "transport": str(transport)}


def _age_seconds(value: datetime | None) -> float | None:
    if value is None:
        return None
    return round((timezone.now() - value).total_seconds(), 1)


def system_health() -> dict[str, Any]:
    max_age = settings.HEARTBEAT_MAX_AGE_SECONDS
    database = _check_database()
    broker = _check_broker()
    beats: dict[str, Heartbeat] = {}
    if database["ok"]:
        beats = {hb.queue: hb for hb in Heartbeat.objects.all()}

    sent_ages = [_age_seconds(hb.sent_at) for hb in beats.values() if hb.sent_at]
    beat_age = min((a for a in sent_ages if a is not None), default=None)
    beat = {"ok": beat_age is not None and beat_age <= max_age, "last_sent_age_seconds": beat_age}

    queues: dict[str, dict[str, Any]] = {}
    for queue in settings.CELERY_QUEUES_ALL:
        hb = beats.get(queue)
        age = _age_seconds(hb.ran_at) if hb else None
        queues[queue] = {
            "ok": age is not None and age <= max_age,
            "last_run_age_seconds": age,
            "worker": hb.worker if hb else "",
        }
    workers = {"ok": all(q["ok"] for q in queues.values()), "queues": queues}

    checks = {"database": database, "broker": broker, "beat": beat, "workers": workers}
    alive = all(check["ok"] for check in checks.values())
    work = {"playtomic": _check_breaker()}
    if database["ok"]:
        for name, path in settings.HEALTH_CHECKS.items():
            try:
                work[name] = import_string(path)()
            except Exception as exc:  # a broken check is a failing check, not a 500
                work[name] = {"ok": False, "error": type(exc).__name__}
    checks.update(work)
    working = all(check["ok"] for check in work.values())
    status = "fail" if not alive else "ok" if working else "degraded"
    return {"status": status, "time": timezone.now().isoformat(), "checks": checks}


def _check_breaker() -> dict[str, Any]:
    """The circuit breaker of the Playtomic host that monitoring reads from."""
    host = urlsplit(settings.PLAYTOMIC_BASE_URL).netloc
    try:
        state = poll_guard().describe(host)
    except Exception as exc:  # the cache is down: say so instead of failing the page
        return {"ok": False, "host": host, "error": type(exc).__name__}
    return {"ok": state["state"] != "open", "host": host, **state}
