"""A member's notification channel: where and how a message reaches them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from playtomic_monitor.crypto import EncryptedTextField
from playtomic_monitor.timestamps import TimestampedModel


class Channel(TimestampedModel):
    """One way to reach a member (an email address, a Telegram chat, a webhook, a browser,
    an apprise URL). `secret` holds what must not leak (bot token, signing secret, push
    subscription, apprise URL), encrypted at rest and never shown again once saved."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        TELEGRAM = "telegram", _("Telegram")
        WEBHOOK = "webhook", _("Webhook")
        WEBPUSH = "webpush", _("Web Push")
        APPRISE = "apprise", _("Apprise URL")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_channels"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100, blank=True)
    # Not secret: the email address, the webhook URL or the Telegram chat id.
    address = models.CharField(max_length=500, blank=True)
    secret = EncryptedTextField(blank=True, default="")
    enabled = models.BooleanField(default=True)
    disabled_reason = models.TextField(blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Notification kinds this channel carries; empty means every kind.
    kinds = models.JSONField(default=list, blank=True)
    # At most this many messages a minute (0: no limit); the rest go out as one summary.
    rate_limit_per_minute = models.PositiveIntegerField(default=20)
    # Quiet hours in the member's own zone (start > end spans midnight); both empty: none.
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="Europe/Madrid")

    class Meta:
        ordering = ["user", "created_at", "id"]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} #{self.pk}"

    def carries(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds
