"""django-celery-beat's DatabaseScheduler, plus heartbeat bookkeeping.

Beat records the moment it sends each heartbeat, so /health/ can tell "beat is down" apart
from "no worker is consuming". Heartbeats are made due at start-up so a fresh system turns
green within seconds rather than after the first full interval.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from playtomic_monitor.heartbeats import heartbeat_mark_sent

HEARTBEAT_TASK = "playtomic_monitor.tasks.heartbeat"


class HeartbeatDatabaseScheduler(DatabaseScheduler):
    def setup_schedule(self) -> None:
        super().setup_schedule()
        overdue = timezone.now() - timedelta(minutes=5)
        for entry in self.schedule.values():
            if entry.task == HEARTBEAT_TASK:
                entry.last_run_at = overdue

    def apply_async(
        self, entry: Any, producer: Any = None, advance: bool = True, **kwargs: Any
    ) -> Any:
        sending_at = timezone.now()  # before the send: a fast worker may run it at once
        result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        if entry.task == HEARTBEAT_TASK and entry.args:
            heartbeat_mark_sent(queue=str(entry.args[0]), at=sending_at)
        return result
