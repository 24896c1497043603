"""Roles: a group has exactly one owner, who can neither leave nor be removed but hands the
group over; the owner promotes and demotes admins; admins remove members; a member who leaves
or is removed takes their lent accounts along."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from groups import selectors, services
from groups.models import Group, LentAccount, Membership
from tests.groups.conftest import membership

pytestmark = pytest.mark.django_db

Role = Membership.Role


def test_making_a_group_makes_its_creator_the_only_owner(member):
    group = services.group_create(name="Evenings", created_by=member)

    assert list(group.memberships.values_list("user", "role")) == [(member.pk, "owner")]
    assert selectors.is_owner(member, group) and selectors.is_admin(member, group)


def test_the_database_refuses_a_second_owner(group, admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(group=group, user=admin).update(role=Role.OWNER)


def test_the_owner_cannot_leave(group, owner):
    with pytest.raises(ValidationError, match="Hand the group over"):
        services.membership_leave(group=group, user=owner)

    assert selectors.is_owner(owner, group)


def test_nobody_removes_the_owner_not_even_the_owner(group, owner, admin):
    for actor in (owner, admin):
        with pytest.raises(ValidationError, match="owner cannot be removed"):
            services.membership_remove(membership=membership(group, owner), actor=actor)

    assert selectors.is_owner(owner, group)


def test_the_owner_hands_over_and_stays_on_as_an_admin(group, owner, member):
    services.group_transfer_ownership(group=group, actor=owner, to=membership(group, member))

    assert membership(group, member).role == Role.OWNER
    assert membership(group, owner).role == Role.ADMIN
    assert group.memberships.filter(role=Role.OWNER).count() == 1
    services.membership_leave(group=group, user=owner)
    assert not selectors.is_member(owner, group)


def test_only_the_owner_hands_over(group, admin, member):
    with pytest.raises(PermissionDenied):
        services.group_transfer_ownership(group=group, actor=admin, to=membership(group, member))


def test_ownership_goes_only_to_another_member_of_the_group(group, owner, outsider):
    elsewhere = services.group_create(name="Elsewhere", created_by=outsider)

    with pytest.raises(ValidationError):
        services.group_transfer_ownership(
            group=group, actor=owner, to=membership(elsewhere, outsider)
        )
    with pytest.raises(ValidationError):
        services.group_transfer_ownership(group=group, actor=owner, to=membership(group, owner))

    assert selectors.is_owner(owner, group) and selectors.is_owner(outsider, elsewhere)


def test_the_owner_promotes_and_demotes_and_nobody_else_does(group, owner, admin, member):
    target = membership(group, member)

    services.membership_set_role(membership=target, actor=owner, role=Role.ADMIN)
    assert selectors.is_admin(member, group)
    with pytest.raises(PermissionDenied):
        services.membership_set_role(
            membership=membership(group, member), actor=admin, role=Role.MEMBER
        )
    with pytest.raises(ValidationError):
        services.membership_set_role(membership=target, actor=owner, role=Role.OWNER)
    with pytest.raises(ValidationError):
        services.membership_set_role(
            membership=membership(group, owner), actor=owner, role=Role.MEMBER
        )
    services.membership_set_role(membership=target, actor=owner, role=Role.MEMBER)
    assert not selectors.is_admin(member, group)


def test_an_admin_removes_a_member_but_not_another_admin(group, owner, admin, member):
    other_admin = membership(group, member)
    services.membership_set_role(membership=other_admin, actor=owner, role=Role.ADMIN)

    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=other_admin, actor=admin)
    services.membership_remove(membership=other_admin, actor=owner)

    assert not selectors.is_member(member, group)


def test_a_member_removes_nobody(group, member, admin):
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=membership(group, admin), actor=member)


def test_leaving_withdraws_the_accounts_you_lent(group, member, loan):
    services.membership_leave(group=group, user=member)

    assert not LentAccount.objects.filter(group=group).exists()
    assert not selectors.is_member(member, group)
    assert loan.account.owner == member  # the account itself stays the member's


def test_being_removed_withdraws_the_accounts_you_lent(group, admin, member, loan):
    services.membership_remove(membership=membership(group, member), actor=admin)

    assert not LentAccount.objects.filter(group=group).exists()


def test_leaving_one_group_keeps_what_you_lent_another(group, owner, member, lent_account):
    other = services.group_create(name="Other", created_by=owner)
    _, secret = services.invite_create(group=other, actor=owner)
    services.invite_accept(secret=secret, user=member)
    services.account_lend(account=lent_account, group=other, user=member)

    services.membership_leave(group=group, user=member)

    assert list(LentAccount.objects.values_list("group", flat=True)) == [other.pk]


def test_a_personal_group_is_made_once_and_cannot_be_left(member):
    first = services.personal_group_for(user=member)
    second = services.personal_group_for(user=member)

    assert first.pk == second.pk and first.is_personal
    assert first.name == "member"
    assert list(selectors.members(first).values_list("user", "role")) == [(member.pk, "owner")]
    with pytest.raises(ValidationError, match="personal group"):
        services.membership_leave(group=first, user=member)
    assert Group.objects.filter(personal_for=member).count() == 1
