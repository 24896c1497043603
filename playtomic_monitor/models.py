from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


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


class ApiToken(models.Model):
    """A bearer secret for the REST API. Only its SHA-256 digest is stored, so a database dump
    holds nothing that authenticates; the secret itself is shown once, when it is created.

    A plain digest (no salt, no slow hash) is enough because the secret is 256 random bits, not
    a password: nobody can guess one to match a leaked digest.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'grafana'.")
    prefix = models.CharField(
        max_length=12, help_text="The secret's first characters, to tell tokens apart."
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
