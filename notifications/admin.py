from django.contrib import admin

from notifications.models import NotificationPreference, Subscription


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
