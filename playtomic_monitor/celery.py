"""The Celery app: JSON only, explicit time limits, three queues, database-backed beat."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init
from kombu import Queue

from playtomic_monitor.gc_tuning import gc_freeze_startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playtomic_monitor.settings")

app = Celery("playtomic_monitor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue("poll"), Queue("booking"), Queue("notify")]
# One heartbeat per queue so /health/ can tell which kind of worker is missing. The scheduler
# stores these entries in the database on start-up, so they show in the admin like any other.
app.conf.beat_schedule = {
    f"heartbeat-{queue}": {
        "task": "playtomic_monitor.tasks.heartbeat",
        "schedule": 60.0,
        "args": (queue,),
        "options": {"queue": queue, "expires": 55},
    }
    for queue in ("poll", "booking", "notify")
}


def _beat(
    name: str, task: str, schedule: float | crontab, queue: str, expires: float | None = None
) -> None:
    """A beat entry: `task` on `queue` every `schedule`; a message no worker took within
    `expires` seconds is dropped (the next one is on its way)."""
    options: dict[str, Any] = {"queue": queue}
    if expires is not None:
        options["expires"] = expires
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule, "options": options}


# Club metadata (opening hours, courts, booking horizon) changes rarely: refresh it nightly.
_beat(
    "clubs-refresh-metadata",
    "clubs.tasks.refresh_all_clubs_metadata",
    crontab(hour=4, minute=17),
    "poll",
)
# The outbox sweep: re-send availability events a broker or worker failure left behind.
_beat("availability-relay-events", "availability.tasks.relay_events", 60.0, "poll", expires=55)
# The settle sweep: fail the poll runs of dead workers (leases run out), re-send or fail
# manual fetches nobody claimed. /health/'s stuck check counts on it running every minute.
_beat(
    "availability-settle-poll-runs", "availability.tasks.settle_poll_runs", 60.0, "poll", expires=55
)
# Summaries of closed days (analytics): built here once a club's day closes, never by a poll.
_beat(
    "availability-summarize-closed-days",
    "availability.tasks.summarize_closed_days",
    crontab(minute="7,22,37,52"),
    "poll",
    expires=600,
)
# Monitoring failing or stale: each club's watchers are told once per episode.
_beat(
    "notifications-monitoring-trouble",
    "notifications.tasks.notify_monitoring_trouble",
    60.0,
    "notify",
    expires=55,
)
# Utilization digests (daily, or weekly on Mondays), written once each from 06:00 UTC on.
_beat("notifications-digests", "notifications.tasks.send_digests", crontab(minute=5), "notify")
# The notify sweep: retries after their backoff, held-back summaries, dead workers' leases.
# Every 10 s so the shortest backoff (10 s) is kept roughly.
_beat("notifications-sweep", "notifications.tasks.sweep_deliveries", 10.0, "notify", expires=9)
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_startup_objects(**_: Any) -> None:
    """Each pool child, before its first task: what it inherited from the worker stays out of
    full collections (a release burst or a poll is not paused by a walk over all of Django)."""
    gc_freeze_startup()
