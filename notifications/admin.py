from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from availability.admin import ReadOnlyAdmin
from notifications.models import (
    Channel,
    Delivery,
    Notification,
    NotificationPreference,
    Subscription,
)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    list_display = ["__str__", "user", "enabled", "freed", "released", "starts_within_minutes"]
    list_filter = ["enabled", "freed", "released", "surface"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["clubs", "courts"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


class DeliveryInline(admin.TabularInline[Delivery, Notification]):
    model = Delivery
    fk_name = "notification"
    extra = 0
    can_delete = False
    fields = ["channel", "state", "attempts", "sent_at", "duration_ms", "error"]
    readonly_fields = ["channel", "state", "attempts", "sent_at", "duration_ms", "error"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    """The secret (bot token, signing secret, push subscription, apprise URL) is never shown
    or edited here: owners type it on their channels page."""

    list_display = ["__str__", "user", "kind", "enabled", "disabled_reason", "created_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "user__username", "address"]
    autocomplete_fields = ["user"]
    exclude = ["secret"]
    readonly_fields = ["disabled_at", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin[Notification]):
    list_display = ["created_at", "user", "kind", "subject"]
    list_filter = ["kind", "deliveries__state"]
    search_fields = ["user__username", "subject", "dedupe_key"]
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin[Delivery]):
    """The delivery log: every message on every channel, with its outcome."""

    list_display = ["created_at", "channel", "state", "attempts", "sent_at", "duration_ms", "error"]
    list_filter = ["state", "channel__kind"]
    list_select_related = ["channel", "notification"]
    search_fields = ["channel__user__username", "channel__name", "error"]
    date_hierarchy = "created_at"
    raw_id_fields = ["notification", "channel", "summary"]
    exclude = ["claim_token"]
