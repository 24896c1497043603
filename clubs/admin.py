from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from clubs.forms import MonitoringConfigForm
from clubs.models import Club, Court, MonitoringConfig
from clubs.services import (
    MONITORING_FIELDS,
    club_refresh_metadata,
    monitoring_configure,
    monitoring_delete,
)
from playtomic_monitor.bulk_delete import count_dependents


class CourtInline(admin.TabularInline[Court, Club]):
    model = Court
    extra = 0
    can_delete = False
    fields = ("name", "sport_id", "indoor", "size", "feature", "durations", "is_active")
    readonly_fields = fields


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin[Club]):
    list_display = [
        "name",
        "city",
        "country_code",
        "timezone",
        "active_courts",
        "playtomic_status",
        "metadata_refreshed_at",
    ]
    list_filter = ["country_code", "playtomic_status", "timezone"]
    search_fields = ["name", "slug", "playtomic_id", "city"]
    # Every column but the name, the timestamps (inherited, so first in _meta) last.
    readonly_fields = sorted(
        (f.name for f in Club._meta.get_fields() if f.concrete and f.name not in ("id", "name")),
        key=lambda name: name in ("created_at", "updated_at"),
    )
    inlines = [CourtInline]
    actions = ["refresh_metadata"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Club]:
        return (
            super()
            .get_queryset(request)
            .annotate(_active_courts=Count("courts", filter=Q(courts__is_active=True)))
        )

    @admin.display(description="Active courts", ordering="_active_courts")
    def active_courts(self, obj: Club) -> int:
        return int(getattr(obj, "_active_courts", 0))

    @admin.action(description="Refresh metadata from Playtomic")
    def refresh_metadata(self, request: HttpRequest, queryset: QuerySet[Club]) -> None:
        for club in queryset:
            try:
                club_refresh_metadata(club=club)
            except ValidationError as exc:
                self.message_user(request, f"{club}: {'; '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{club}: refreshed.", messages.SUCCESS)

    def get_deleted_objects(
        self, objs: Sequence[Club] | QuerySet[Club], request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """A summary (the clubs, then a count per kind of row) instead of Django's list of
        every object, which for a club with its history was a 1.5 MB page built in most of a
        minute. Permissions are checked per kind of row, as Django does."""
        clubs = Club.objects.filter(pk__in=[club.pk for club in objs])
        counts = count_dependents(clubs)
        model_count = {str(Club._meta.verbose_name_plural): clubs.count()}
        perms_needed = set()
        for model, count in counts.items():
            if not count:
                continue
            opts = model._meta
            model_count[str(opts.verbose_name_plural)] = count
            if model in self.admin_site._registry and not request.user.has_perm(
                f"{opts.app_label}.{get_permission_codename('delete', opts)}"
            ):
                perms_needed.add(str(opts.verbose_name))
        return [str(club) for club in clubs], model_count, perms_needed, []

    def delete_model(self, request: HttpRequest, obj: Club) -> None:
        from clubs.services import club_delete

        club_delete(club=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Club]) -> None:
        from clubs.services import club_delete

        for club in queryset:
            club_delete(club=club)


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin[Court]):
    list_display = ["name", "club", "sport_id", "indoor", "size", "feature", "is_active"]
    list_filter = ["sport_id", "is_active", "indoor", "size", "club"]
    list_select_related = ["club"]
    search_fields = ["name", "playtomic_id", "club__name"]
    readonly_fields = ["club", "playtomic_id", "created_at", "updated_at"]


@admin.register(MonitoringConfig)
class MonitoringConfigAdmin(admin.ModelAdmin[MonitoringConfig]):
    """Saves go through clubs.services so the beat schedule always follows the config."""

    form = MonitoringConfigForm
    list_display = ["club", *MONITORING_FIELDS, "periodic_task", "last_run_at"]
    list_filter = ["enabled", "frequency_minutes"]
    # A PeriodicTask shows its schedule, which lives in one of four tables.
    list_select_related = [
        "club",
        "account",
        "periodic_task__crontab",
        "periodic_task__interval",
        "periodic_task__solar",
        "periodic_task__clocked",
    ]
    search_fields = ["club__name"]
    autocomplete_fields = ["club"]
    readonly_fields = ["periodic_task", "last_run_at", "created_by"]

    def save_model(
        self, request: HttpRequest, obj: MonitoringConfig, form: Any, change: bool
    ) -> None:
        config = monitoring_configure(
            club=form.cleaned_data["club"], monitoring=form.monitoring(), user=request.user
        )
        obj.pk = config.pk

    def delete_model(self, request: HttpRequest, obj: MonitoringConfig) -> None:
        monitoring_delete(club=obj.club)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MonitoringConfig]) -> None:
        for config in queryset.select_related("club"):
            monitoring_delete(club=config.club)
