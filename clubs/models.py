from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django_celery_beat.models import PeriodicTask

from playtomic_monitor.timestamps import TimestampedModel

# The sport polled when nobody chose one, and the fallback of clubs.selectors.default_sports_for.
DEFAULT_SPORT = "PADEL"


def default_sports() -> list[str]:
    return [DEFAULT_SPORT]


class Club(TimestampedModel):
    """A Playtomic tenant, imported from the API and refreshed daily."""

    playtomic_id = models.CharField("Playtomic tenant id", max_length=64, unique=True)
    slug = models.CharField(max_length=200, blank=True, db_index=True)
    name = models.CharField(max_length=200)
    street = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    timezone = models.CharField("IANA time zone", max_length=64, default="UTC")
    # {"MONDAY": {"opening_time": "08:00", "closing_time": "23:00"}, ...}; "00:00" closing is
    # midnight at the end of the day.
    opening_hours = models.JSONField(default=dict, blank=True)
    booking_ahead_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    cancellation_policy_hours = models.PositiveIntegerField(null=True, blank=True)
    sport_ids = models.JSONField(default=list, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    allows_onsite_payment = models.BooleanField(default=False)
    playtomic_status = models.CharField(max_length=20, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    metadata_refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Court(TimestampedModel):
    """A Playtomic resource. Courts that vanish from Playtomic are deactivated, never deleted,
    so their history stays."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="courts")
    playtomic_id = models.CharField("Playtomic resource id", max_length=64)
    name = models.CharField(max_length=200)
    sport_id = models.CharField(max_length=20, db_index=True)
    indoor = models.BooleanField(null=True, blank=True)
    size = models.CharField(max_length=10, blank=True)  # "single" / "double"
    feature = models.CharField(max_length=40, blank=True)
    durations = models.JSONField(default=list, blank=True)  # allowed durations in minutes
    reservation_priority = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["club", "reservation_priority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["club", "playtomic_id"], name="court_unique_per_club")
        ]

    def __str__(self) -> str:
        return f"{self.club.name} / {self.name}"


class MonitoringConfig(TimestampedModel):
    """How and when one club is polled. Owns a django-celery-beat PeriodicTask (crontab in the
    club's zone) kept in sync by clubs.services, never by signals."""

    club = models.OneToOneField(Club, on_delete=models.CASCADE, related_name="monitoring")
    enabled = models.BooleanField(default=True)
    frequency_minutes = models.PositiveIntegerField(default=15)
    start_time_local = models.TimeField(default=time(8, 0))
    end_time_local = models.TimeField(default=time(23, 0))
    days_ahead = models.PositiveIntegerField(default=7)
    sports = models.JSONField(default=default_sports, blank=True)
    # Playtomic needs a token for every read since July 2026: polls read as this account.
    account = models.ForeignKey(
        "accounts.PlaytomicAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitoring_configs",
    )
    periodic_task = models.OneToOneField(
        PeriodicTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Monitoring of {self.club}"
