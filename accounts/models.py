"""A member's Playtomic login, with its secrets encrypted at rest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from playtomic_monitor.crypto import EncryptedTextField
from playtomic_monitor.timestamps import TimestampedModel


class PlaytomicAccount(TimestampedModel):
    """A member's Playtomic login. Email, password and tokens are encrypted at rest; the
    email's keyed hash is the only searchable trace of who it is."""

    class Status(models.TextChoices):
        NEW = "new", _("Not yet verified")
        OK = "ok", _("Working")
        FAILED = "failed", _("Login failing")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playtomic_accounts"
    )
    label = models.CharField(max_length=100, blank=True)
    email = EncryptedTextField()
    email_hash = models.CharField(max_length=64, db_index=True, editable=False)
    password = EncryptedTextField()
    access_token = EncryptedTextField(blank=True, default="")
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token = EncryptedTextField(blank=True, default="")
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    playtomic_user_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    last_error = models.TextField(blank=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    tokens_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table predates this app (it was booking's); the name stays so no data moves.
        db_table = "booking_playtomicaccount"
        ordering = ["owner", "label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "email_hash"], name="playtomic_account_unique_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.label or masked_email(self.email)


def masked_email(email: str) -> str:
    """Enough of an address for its owner to recognise it, too little for anyone else to use:
    "olga@gmail.com" -> "o•••@g•••.com"."""
    local, _, domain = email.partition("@")
    host, dot, top = domain.rpartition(".")
    if not host:
        host, dot, top = domain, "", ""
    return f"{local[:1]}•••@{host[:1]}•••{dot}{top}"
