"""Admin: groups with their members. Invites show their prefix, expiry and uses (the secret is
not stored, so there is nothing else to show); lent accounts show labels, never credentials."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from groups.models import Group, Invite, LentAccount, Membership


class MembershipInline(admin.TabularInline[Membership, Group]):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "joined_at"]


class LentAccountInline(admin.TabularInline[LentAccount, Group]):
    model = LentAccount
    extra = 0
    fields = ["account", "lent_by", "lent_at"]
    readonly_fields = ["account", "lent_by", "lent_at"]

    def has_add_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        # Only an account's owner lends it, on the group page.
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin[Group]):
    list_display = ["name", "created_by", "created_at", "member_count", "personal_for"]
    list_select_related = ["created_by", "personal_for"]
    list_filter = [("personal_for", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    raw_id_fields = ["created_by", "personal_for"]
    inlines = [MembershipInline, LentAccountInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return super().get_queryset(request).annotate(members=Count("memberships"))

    @admin.display(ordering="members", description="members")
    def member_count(self, group: Group) -> int:
        return int(getattr(group, "members", 0))


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin[Invite]):
    list_display = ["prefix", "group", "created_by", "expires_at", "uses", "max_uses", "revoked_at"]
    list_select_related = ["group", "created_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["prefix", "group__name"]
    exclude = ["digest"]
    readonly_fields = ["group", "created_by", "prefix", "created_at", "max_uses", "uses"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A link's secret is shown once, to whoever makes it: on the group page or the API.
        return False


@admin.register(LentAccount)
class LentAccountAdmin(admin.ModelAdmin[LentAccount]):
    list_display = ["account", "group", "lent_by", "lent_at"]
    list_select_related = ["account", "group", "lent_by"]
    list_filter = ["lent_at"]
    search_fields = ["group__name", "account__label"]
    readonly_fields = ["account", "group", "lent_by", "lent_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
