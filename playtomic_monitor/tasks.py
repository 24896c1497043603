from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from playtomic_monitor.heartbeats import heartbeat_mark_ran


@shared_task(bind=True, name="playtomic_monitor.tasks.heartbeat", ignore_result=True)
def heartbeat(self: Task[Any, Any], queue: str) -> None:
    heartbeat_mark_ran(queue=queue, worker=self.request.hostname or "")
