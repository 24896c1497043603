"""Admin: secrets are never displayed or editable here (encrypted fields are excluded)."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from accounts.models import PlaytomicAccount
from booking.forms import fallback_clubs_by_reference
from booking.models import AttemptEvent, BookingAttempt, BookingRule, CalendarFeed
from booking.selectors import rule_account_choices
from booking.services.rules import (
    RULE_FIELDS,
    rule_delete,
    rule_set_fallback_clubs,
    rule_validate,
)
from booking.services.schedule import rule_schedule_sync
from clubs.models import Club
from groups.models import LentAccount
from groups.selectors import groups_for
from playtomic_monitor.comma_separated import CommaSeparatedField


class BookingRuleAdminForm(forms.ModelForm[BookingRule]):
    """The same checks as the booking pages and the API (rule_validate). The creator is never
    chosen here: a new rule is made by the staff member who makes it, for one of their own
    groups, so the admin cannot be used to book with a Playtomic login that neither they nor
    that group may use."""

    # Set by BookingRuleAdmin.get_form: the staff member saving the form.
    acting_user: Any = None
    fallback_clubs = CommaSeparatedField(
        label=gettext_lazy("Fallback clubs (in order)"),
        help_text=gettext_lazy("Tried after the club above: club ids or slugs separated by commas"),
    )

    class Meta:
        model = BookingRule
        fields = [*RULE_FIELDS, "group", "accounts"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["fallback_clubs"] = [
                link.club_id for link in self.instance.fallback_links.all()
            ]

    def clean_fallback_clubs(self) -> list[Club]:
        return fallback_clubs_by_reference(self.cleaned_data["fallback_clubs"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "accounts" not in cleaned or "fallback_clubs" not in cleaned:
            return cleaned
        rule = copy.copy(self.instance)
        if rule.owner_id is None:
            rule.owner = self.acting_user
        for name, value in cleaned.items():
            if name not in ("accounts", "fallback_clubs"):
                setattr(rule, name, value)
        if rule.group_id is None:
            self.add_error("group", "Choose one of your groups.")
            return cleaned
        players = [link.user for link in rule.player_links.all()] if rule.pk else []
        try:
            rule_validate(
                rule=rule,
                accounts=list(cleaned["accounts"]),
                fallback_clubs=cleaned["fallback_clubs"],
                players=players,
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return cleaned


@admin.register(BookingRule)
class BookingRuleAdmin(admin.ModelAdmin[BookingRule]):
    """Saves and deletes go through the booking services, so an edit here moves (or cancels)
    the scheduled attempt and its beat entry like an edit on the booking pages does."""

    form = BookingRuleAdminForm
    # The form's own `fallback_clubs` field (ordered text) is saved by save_related through
    # the service; excluded here so the model form never `set()`s the ordered through rows.
    exclude = ["fallback_clubs"]
    list_display = ["name", "group", "owner", "club", "enabled", "dry_run", "next_release_at"]
    list_filter = ["enabled", "dry_run", "release_policy"]
    readonly_fields = ["owner", "next_release_at", "next_target_date", "periodic_task"]
    filter_horizontal = ["accounts"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: BookingRule | None = None
    ) -> list[str]:
        # A rule stays in the group it was made in.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "group"] if obj is not None else fields

    def get_form(
        self,
        request: HttpRequest,
        obj: BookingRule | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        assert issubclass(form, BookingRuleAdminForm)
        form.acting_user = request.user
        accounts = form.base_fields.get("accounts")
        if isinstance(accounts, forms.ModelMultipleChoiceField):
            # Only accounts the rule's group may use through its creator (the form's check
            # says so too): for a new rule, the staff member's own and those lent to their
            # groups.
            if obj is not None:
                accounts.queryset = rule_account_choices(obj.group, obj.owner)
            else:
                lent = LentAccount.objects.filter(group__in=groups_for(request.user).values("pk"))
                accounts.queryset = PlaytomicAccount.objects.filter(
                    Q(owner_id=request.user.pk) | Q(pk__in=lent.values("account_id"))
                )
        group = form.base_fields.get("group")
        if isinstance(group, forms.ModelChoiceField):
            group.queryset = groups_for(request.user)
        return form

    def save_model(self, request: HttpRequest, obj: BookingRule, form: Any, change: bool) -> None:
        if not change:
            obj.owner = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The accounts (m2m) are saved here, after save_model: sync once they are in place.
        super().save_related(request, form, formsets, change)
        rule_set_fallback_clubs(rule=form.instance, clubs=form.cleaned_data["fallback_clubs"])
        rule_schedule_sync(rule=form.instance)

    def delete_model(self, request: HttpRequest, obj: BookingRule) -> None:
        rule_delete(rule=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BookingRule]) -> None:
        for rule in queryset:
            rule_delete(rule=rule)


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


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin[CalendarFeed]):
    """Who has a calendar link; its secret is never stored, only its digest (not shown)."""

    list_display = ["user", "prefix", "created_at"]
    fields = ["user", "prefix", "created_at"]
    readonly_fields = ["user", "prefix", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
