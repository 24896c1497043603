"""The notification outbox: one Notification per (member, cause), one Delivery per channel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models.channels import Channel


class Notification(models.Model):
    """Something a member is told, written in the same transaction as its cause. The
    (user, dedupe_key) pair is unique, so the same cause never makes two notifications."""

    class Kind(models.TextChoices):
        SLOT_FREED = "slot_freed", _("Slot freed")
        SLOTS_RELEASED = "slots_released", _("Slots released")
        BOOKING_SUCCEEDED = "booking_succeeded", _("Booking succeeded")
        BOOKING_FAILED = "booking_failed", _("Booking failed")
        BOOKING_MISSED = "booking_missed", _("Booking missed")
        MONITORING_FAILING = "monitoring_failing", _("Monitoring failing")
        MONITORING_STALE = "monitoring_stale", _("Monitoring stale")
        ACCOUNT_LOGIN_FAILING = "account_login_failing", _("Account login failing")
        DIGEST = "digest", _("Digest")
        CHANNEL_DISABLED = "channel_disabled", _("Channel disabled")
        TEST = "test", _("Test")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.URLField(max_length=1000, blank=True)
    # [{"filename": ..., "content_type": ..., "content": ...}] (text, e.g. a calendar .ics).
    attachments = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"


class Delivery(models.Model):
    """One notification on one channel (or, with no notification, a summary of the ones held
    back by quiet hours or the rate limit). The notify worker claims it with a conditional
    UPDATE (pending -> sending, a token and a lease) and settles it (docs/notifications.md)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        HELD = "held", _("Held back")
        SUMMARIZED = "summarized", _("Sent in a summary")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNCLEAR = "unclear", _("Unclear")
        CANCELLED = "cancelled", _("Cancelled")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    # Not before this instant: the backoff of a retry, or the end of quiet hours for a held one.
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    relayed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The summary delivery that carried this held one.
    summary = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="summarized"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                name="delivery_once_per_channel",
                condition=models.Q(notification__isnull=False),
            )
        ]
        indexes = [
            # The sweep reads only the open rows.
            models.Index(
                fields=["state", "due_at"],
                name="delivery_open",
                condition=models.Q(state__in=["pending", "sending", "held"]),
            ),
            models.Index(fields=["channel", "-created_at"], name="delivery_channel_log"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} on {self.channel_id} ({self.state})"
