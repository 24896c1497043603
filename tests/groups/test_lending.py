"""Lending a Playtomic account to a group: only its owner lends it, only to a group they are
in, and withdraws it at any time; the group's members may then book with it
(`accounts_usable_by`)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import PlaytomicAccount
from accounts.services import account_create
from groups import selectors, services
from groups.models import LentAccount

pytestmark = pytest.mark.django_db


def own_account(user, label: str = "") -> PlaytomicAccount:
    return account_create(
        owner=user, email=f"{user.username}-{label}@example.test", password="pw", label=label
    )


def test_a_member_lends_an_own_account_once(group, member):
    account = own_account(member, "spare")

    first = services.account_lend(account=account, group=group, user=member)
    again = services.account_lend(account=account, group=group, user=member)

    assert first.pk == again.pk and first.lent_by == member
    assert list(selectors.lent_accounts(group)) == [first]


def test_only_the_owner_of_an_account_lends_it(group, admin, member):
    account = own_account(member, "mine")

    with pytest.raises(PermissionDenied):
        services.account_lend(account=account, group=group, user=admin)

    assert not LentAccount.objects.exists()


def test_an_account_is_lent_only_to_a_group_its_owner_is_in(group, outsider):
    with pytest.raises(PermissionDenied):
        services.account_lend(account=own_account(outsider), group=group, user=outsider)


def test_nothing_is_lent_to_a_personal_group(member):
    personal = services.personal_group_for(user=member)

    with pytest.raises(ValidationError):
        services.account_lend(account=own_account(member), group=personal, user=member)


def test_only_the_owner_withdraws_and_may_do_so_at_any_time(group, owner, admin, member, loan):
    for user in (owner, admin):
        with pytest.raises(PermissionDenied):
            services.account_withdraw(loan=loan, user=user)

    services.account_withdraw(loan=loan, user=member)

    assert not LentAccount.objects.exists()
    assert PlaytomicAccount.objects.filter(pk=loan.account_id).exists()


def test_a_member_may_book_with_their_own_accounts_and_those_lent_to_the_group(
    group, owner, admin, member, outsider, lent_account
):
    owners_own = own_account(owner, "owner")
    unlent = own_account(admin, "unlent")

    assert set(selectors.accounts_usable_by(owner, group)) == {owners_own, lent_account}
    assert set(selectors.accounts_usable_by(admin, group)) == {unlent, lent_account}
    assert set(selectors.accounts_usable_by(member, group)) == {lent_account}
    assert list(selectors.accounts_usable_by(outsider, group)) == []


def test_what_a_group_may_book_with_ends_when_the_lender_leaves(group, admin, member, loan):
    services.membership_leave(group=group, user=member)

    assert list(selectors.accounts_usable_by(admin, group)) == []


def test_in_groups_of_scopes_a_queryset_to_the_callers_groups(group, owner, member, outsider):
    from django.contrib.auth.models import AnonymousUser

    theirs = services.group_create(name="Theirs", created_by=outsider)
    services.account_lend(account=own_account(member), group=group, user=member)
    services.account_lend(account=own_account(outsider), group=theirs, user=outsider)
    loans = LentAccount.objects.all()

    assert [loan.group for loan in selectors.in_groups_of(loans, owner)] == [group]
    assert [loan.group for loan in selectors.in_groups_of(loans, outsider)] == [theirs]
    assert list(selectors.in_groups_of(loans, AnonymousUser())) == []
