"""The Celery app: JSON only, explicit time limits, three queues, database-backed beat."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

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
# Club metadata (opening hours, courts, booking horizon) changes rarely: refresh it nightly.
app.conf.beat_schedule["clubs-refresh-metadata"] = {
    "task": "clubs.tasks.refresh_all_clubs_metadata",
    "schedule": crontab(hour=4, minute=17),
    "options": {"queue": "poll"},
}
# The outbox sweep: re-send availability events a broker or worker failure left behind.
app.conf.beat_schedule["availability-relay-events"] = {
    "task": "availability.tasks.relay_events",
    "schedule": 60.0,
    "options": {"queue": "poll", "expires": 55},
}
# The settle sweep: fail the poll runs of dead workers (leases run out), re-send or fail
# manual fetches nobody claimed. /health/'s stuck check counts on it running every minute.
app.conf.beat_schedule["availability-settle-poll-runs"] = {
    "task": "availability.tasks.settle_poll_runs",
    "schedule": 60.0,
    "options": {"queue": "poll", "expires": 55},
}
# Summaries of closed days (analytics): built here once a club's day closes, never by a poll.
app.conf.beat_schedule["availability-summarize-closed-days"] = {
    "task": "availability.tasks.summarize_closed_days",
    "schedule": crontab(minute="7,22,37,52"),
    "options": {"queue": "poll", "expires": 600},
}
app.autodiscover_tasks()
