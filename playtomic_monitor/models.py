from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """One row per Celery queue: when beat last sent its heartbeat, when a worker last ran it.

    /health/ reads the two ages: a stale `sent_at` means beat is down, a stale `ran_at` with a
    fresh `sent_at` means no worker consumes that queue.
    """

    queue = models.CharField(max_length=32, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"heartbeat {self.queue}"
