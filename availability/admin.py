from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from availability.models import AvailabilityEvent, EventDelivery, PollRun, SlotChange, SlotState

M = TypeVar("M", bound=Model)


class ReadOnlyAdmin(admin.ModelAdmin[M]):
    """History is written by the poller only; the admin shows it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PollRun)
class PollRunAdmin(ReadOnlyAdmin[PollRun]):
    list_display = [
        "started_at",
        "club",
        "trigger",
        "outcome",
        "error_kind",
        "requests_made",
        "cells_seen",
        "changes_written",
        "duration_ms",
    ]
    list_filter = ["outcome", "trigger", "error_kind", "club"]
    list_select_related = ["club"]
    date_hierarchy = "started_at"
    search_fields = ["club__name", "error_message"]


@admin.register(SlotState)
class SlotStateAdmin(ReadOnlyAdmin[SlotState]):
    list_display = ["start", "local_date", "court", "state", "price", "currency", "changed_at"]
    list_filter = ["state", "court__club", "court__sport_id"]
    list_select_related = ["court__club"]
    date_hierarchy = "local_date"
    search_fields = ["court__name", "court__club__name"]


@admin.register(SlotChange)
class SlotChangeAdmin(ReadOnlyAdmin[SlotChange]):
    list_display = [
        "observed_at",
        "court",
        "start",
        "kind",
        "old_state",
        "new_state",
        "lead_minutes",
        "price",
    ]
    list_filter = ["kind", "club", "court__sport_id"]
    list_select_related = ["court__club"]
    date_hierarchy = "observed_at"
    raw_id_fields = ["club", "court", "poll_run"]
    search_fields = ["court__name", "club__name"]


class EventDeliveryInline(admin.TabularInline[EventDelivery, AvailabilityEvent]):
    model = EventDelivery
    extra = 0
    can_delete = False
    readonly_fields = ["consumer", "state", "relayed_at", "relays", "claimed_at", "done_at"]
    exclude = ["claim_token"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AvailabilityEvent)
class AvailabilityEventAdmin(ReadOnlyAdmin[AvailabilityEvent]):
    list_display = ["created_at", "kind", "club", "court", "start", "end", "replay"]
    list_filter = ["kind", "replay", "deliveries__state", "club"]
    inlines = [EventDeliveryInline]
    list_select_related = ["club", "court__club"]
    date_hierarchy = "created_at"
    raw_id_fields = ["club", "court", "poll_run"]
