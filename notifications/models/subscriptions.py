"""What a member wants to be told of free courts: a subscription with its filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clubs.models import Club, Court
from playtomic_monitor.timestamps import TimestampedModel


class Subscription(TimestampedModel):
    """A member's alert on free courts: slots freed by a cancellation and/or newly released,
    narrowed by filters read in each club's own zone (notifications/matching.py). No clubs:
    every club the member's groups play at (the clubs of their groups' booking rules)."""

    class Surface(models.TextChoices):
        ANY = "", _("Indoor or outdoor")
        INDOOR = "indoor", _("Indoor")
        OUTDOOR = "outdoor", _("Outdoor")

    class StartsWithin(models.IntegerChoices):
        HOURS_2 = 120, _("Within 2 hours")
        HOURS_6 = 360, _("Within 6 hours")
        HOURS_12 = 720, _("Within 12 hours")
        DAY_1 = 1440, _("Within a day")
        DAYS_2 = 2880, _("Within 2 days")
        DAYS_3 = 4320, _("Within 3 days")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    freed = models.BooleanField(_("slots freed by a cancellation"), default=True)
    released = models.BooleanField(_("newly released slots"), default=False)
    clubs = models.ManyToManyField(Club, blank=True, related_name="+", verbose_name=_("clubs"))
    # ISO weekdays, 1 = Monday ... 7 = Sunday (as the API says them); empty: every day.
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)
    # Club-local start times, both inclusive; an end before the start spans midnight.
    time_from = models.TimeField(_("from"), null=True, blank=True)
    time_to = models.TimeField(_("until"), null=True, blank=True)
    min_duration_minutes = models.PositiveSmallIntegerField(
        _("minimum duration (minutes)"), null=True, blank=True
    )
    courts = models.ManyToManyField(Court, blank=True, related_name="+", verbose_name=_("courts"))
    surface = models.CharField(
        _("indoor or outdoor"), max_length=10, choices=Surface.choices, blank=True, default=""
    )
    max_hourly_price = models.DecimalField(
        _("maximum price per hour"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    starts_within_minutes = models.PositiveIntegerField(
        _("starts"), choices=StartsWithin.choices, null=True, blank=True
    )

    class Meta:
        ordering = ["user", "created_at", "id"]
        indexes = [models.Index(fields=["enabled", "user"], name="subscription_enabled_user")]

    def __str__(self) -> str:
        return self.name or f"Subscription #{self.pk}"


class NotificationPreference(models.Model):
    """A member's settings for what they are told: the language of the messages and the
    utilization digest. A member without a row reads English and gets no digest."""

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Español"

    class Digest(models.TextChoices):
        OFF = "", _("No digest")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly, on Mondays")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    # A summary of the utilization of the clubs the member's groups book at.
    digest = models.CharField(
        _("digest"), max_length=10, choices=Digest.choices, blank=True, default=""
    )

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
