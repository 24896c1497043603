"""Admin: secrets are never displayed or editable here (encrypted fields are excluded)."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from booking import services
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


class BookingRuleAdminForm(forms.ModelForm[BookingRule]):
    """The same checks as the booking pages and the API (services.rule_validate)."""

    class Meta:
        model = BookingRule
        fields = ["owner", *services.RULE_FIELDS, "accounts"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "accounts" not in cleaned:
            return cleaned
        rule = copy.copy(self.instance)
        for name, value in cleaned.items():
            if name != "accounts":
                setattr(rule, name, value)
        try:
            services.rule_validate(rule=rule, accounts=list(cleaned["accounts"]))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return cleaned


@admin.register(BookingRule)
class BookingRuleAdmin(admin.ModelAdmin[BookingRule]):
    """Saves and deletes go through the booking services, so an edit here moves (or cancels)
    the scheduled attempt and its beat entry like an edit on the booking pages does."""

    form = BookingRuleAdminForm
    list_display = ["name", "owner", "club", "enabled", "dry_run", "next_release_at"]
    list_filter = ["enabled", "dry_run", "release_policy"]
    readonly_fields = ["next_release_at", "next_target_date", "periodic_task"]
    filter_horizontal = ["accounts"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The accounts (m2m) are saved here, after save_model: sync once they are in place.
        super().save_related(request, form, formsets, change)
        services.rule_schedule_sync(rule=form.instance)

    def delete_model(self, request: HttpRequest, obj: BookingRule) -> None:
        services.rule_delete(rule=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BookingRule]) -> None:
        for rule in queryset:
            services.rule_delete(rule=rule)


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
