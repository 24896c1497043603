"""Read paths of groups. Every lookup a member makes goes through `groups_for`, so another
group's page is a 404; `in_groups_of` scopes any queryset with a group foreign key the same
way."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf

from accounts.models import PlaytomicAccount
from groups.models import Group, Invite, LentAccount, Membership
from playtomic_monitor.bearer_secrets import secret_digest, secret_worth_looking_up

AnyUser = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=models.Model)

# Owner first, then admins, then members: the order people are listed in.
ROLE_RANK = Case(
    When(role=Membership.Role.OWNER, then=Value(0)),
    When(role=Membership.Role.ADMIN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _name_of(user_field: str) -> Coalesce:
    """`display_name` of the user behind `user_field`, computed by the database for lists."""
    return Coalesce(NullIf(F(f"{user_field}__first_name"), Value("")), F(f"{user_field}__username"))


def display_name(user: User) -> str:
    """How a person appears to the rest of a group: the name they gave (sign-up asks for it),
    else their username."""
    return user.first_name or user.get_username()


def groups_for(user: AnyUser) -> QuerySet[Group]:
    """The groups `user` belongs to (none for an anonymous visitor). A subquery, not a join,
    so counts annotated on top see every membership."""
    if user.pk is None:
        return Group.objects.none()
    mine = Membership.objects.filter(user_id=user.pk).values("group_id")
    return Group.objects.filter(pk__in=mine)


def group_summaries_for(user: AnyUser) -> QuerySet[Group]:
    """`groups_for(user)` with `role` (theirs) and `member_count`, shared groups first."""
    role = Membership.objects.filter(group=OuterRef("pk"), user=user.pk).values("role")[:1]
    return (
        groups_for(user)
        .annotate(role=Subquery(role), member_count=Count("memberships", distinct=True))
        .order_by(F("personal_for").asc(nulls_first=True), "name", "id")
    )


def in_groups_of(
    queryset: QuerySet[M], user: AnyUser, *, group_field: str = "group"
) -> QuerySet[M]:
    """`queryset` narrowed to rows whose `group_field` is a group `user` belongs to. A subquery
    rather than a join, so a row is never repeated."""
    return queryset.filter(**{f"{group_field}__in": groups_for(user).values("pk")})


def membership_of(user: AnyUser, group: Group) -> Membership | None:
    if user.pk is None:
        return None
    return Membership.objects.filter(group=group, user_id=user.pk).first()


def is_member(user: AnyUser, group: Group) -> bool:
    return user.pk is not None and Membership.objects.filter(group=group, user_id=user.pk).exists()


def is_admin(user: AnyUser, group: Group) -> bool:
    """Admins and the owner: they manage members and invites."""
    return (
        user.pk is not None
        and Membership.objects.filter(
            group=group,
            user_id=user.pk,
            role__in=[Membership.Role.OWNER, Membership.Role.ADMIN],
        ).exists()
    )


def is_owner(user: AnyUser, group: Group) -> bool:
    return (
        user.pk is not None
        and Membership.objects.filter(
            group=group, user_id=user.pk, role=Membership.Role.OWNER
        ).exists()
    )


def members(group: Group) -> QuerySet[Membership]:
    """The group's memberships with their users: owner, admins, then members by joining date."""
    return (
        Membership.objects.filter(group=group)
        .select_related("user")
        .annotate(role_rank=ROLE_RANK, display_name=_name_of("user"))
        .order_by("role_rank", "joined_at", "id")
    )


def invites_of(group: Group) -> QuerySet[Invite]:
    return Invite.objects.filter(group=group).annotate(created_by_name=_name_of("created_by"))


def lent_accounts(group: Group) -> QuerySet[LentAccount]:
    """The accounts lent to the group, with their lenders. Only labels and ids are for display;
    an account's email and password are never shown to anyone."""
    return (
        LentAccount.objects.filter(group=group)
        .select_related("account")
        .annotate(lent_by_name=_name_of("lent_by"))
    )


def invite_by_secret(secret: str) -> Invite | None:
    """The invite whose link carries `secret`, in whatever state (the join page explains an
    expired or revoked one), or None. Found by digest, so the lookup's timing says nothing
    about any stored secret."""
    if not secret_worth_looking_up(secret):
        return None
    return (
        Invite.objects.select_related("group", "created_by")
        .filter(digest=secret_digest(secret))
        .first()
    )


def accounts_usable_by(user: AnyUser, group: Group) -> QuerySet[PlaytomicAccount]:
    """The accounts `user` may book with for `group`: their own, plus those lent to the group.
    Nothing when they are not a member."""
    if not is_member(user, group):
        return PlaytomicAccount.objects.none()
    lent = LentAccount.objects.filter(group=group).values("account_id")
    return PlaytomicAccount.objects.filter(Q(owner_id=user.pk) | Q(pk__in=lent))


def accounts_lendable_by(user: AnyUser, group: Group) -> QuerySet[PlaytomicAccount]:
    """`user`'s own accounts not yet lent to `group`."""
    lent = LentAccount.objects.filter(group=group).values("account_id")
    return PlaytomicAccount.objects.filter(owner_id=user.pk).exclude(pk__in=lent)
