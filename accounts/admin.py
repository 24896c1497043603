"""Admin: secrets are never displayed or editable here (encrypted fields are excluded)."""

from __future__ import annotations

from django.contrib import admin

from accounts.models import PlaytomicAccount


@admin.register(PlaytomicAccount)
class PlaytomicAccountAdmin(admin.ModelAdmin[PlaytomicAccount]):
    list_display = ["__str__", "owner", "status", "last_login_at", "tokens_rotated_at"]
    list_filter = ["status"]
    exclude = ["email", "password", "access_token", "refresh_token", "email_hash"]
    readonly_fields = [
        "owner",
        "playtomic_user_id",
        "status",
        "last_error",
        "last_login_at",
        "access_token_expires_at",
        "refresh_token_expires_at",
        "tokens_rotated_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        # Accounts are added by their owner on the booking pages (the password is typed once).
        return False
