"""Write paths for the beat/worker heartbeats (the services of the System app)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from playtomic_monitor.models import Heartbeat


def heartbeat_mark_sent(*, queue: str, at: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(queue=queue, defaults={"sent_at": at or timezone.now()})


def heartbeat_mark_ran(*, queue: str, worker: str, at: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(
        queue=queue, defaults={"ran_at": at or timezone.now(), "worker": worker[:200]}
    )
