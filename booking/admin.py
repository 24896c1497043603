"""Admin: secrets are never displayed or editable here (encrypted fields are excluded)."""

from __future__ import annotations

from django.contrib import admin

from booking.models import AttemptEvent, BookingAttempt, BookingRule, PlaytomicAccount


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


@admin.register(BookingRule)
class BookingRuleAdmin(admin.ModelAdmin[BookingRule]):
    list_display = ["name", "owner", "club", "enabled", "dry_run", "next_release_at"]
    list_filter = ["enabled", "dry_run", "release_policy"]
    readonly_fields = ["next_release_at", "next_target_date", "periodic_task"]
    filter_horizontal = ["accounts"]


class AttemptEventInline(admin.TabularInline[AttemptEvent, BookingAttempt]):
    model = AttemptEvent
    extra = 0
    can_delete = False
    readonly_fields = ["round", "at", "ms_from_release", "kind", "message", "data"]


@admin.register(BookingAttempt)
class BookingAttemptAdmin(admin.ModelAdmin[BookingAttempt]):
    list_display = ["rule", "target_date", "trigger", "state", "release_at", "court", "reason"]
    list_filter = ["state", "trigger"]
    exclude = ["claim_token"]
    inlines = [AttemptEventInline]
