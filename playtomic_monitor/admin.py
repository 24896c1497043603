from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from playtomic_monitor.models import ApiToken, Heartbeat
from playtomic_monitor.services import api_token_revoke


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin[Heartbeat]):
    list_display = ("queue", "sent_at", "ran_at", "worker")
    readonly_fields = ("queue", "sent_at", "ran_at", "worker")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Lists and revokes tokens. They are made on the member's API tokens page or with
    `manage.py create_api_token`, the only places their secret is ever shown; the admin holds
    nothing but a digest."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = sum(api_token_revoke(token=token) for token in queryset)
        self.message_user(request, f"Revoked {revoked} token(s).")
