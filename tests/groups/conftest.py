"""The cast of the group tests: an owner, an admin and a member of one group (the shared
`member` fixture is its member), an `outsider` in none, and anonymous visitors (a client not
logged in). The member has a Playtomic account lent to the group."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from accounts.models import PlaytomicAccount
from accounts.services import account_create
from groups import services
from groups.models import Group, Invite, LentAccount, Membership

LENT_EMAIL = "lent.secret@example.test"
LENT_PASSWORD = "Lent-Secret-Pass-42"

# Who the permission tests try each page and endpoint as: `cast` maps all but "anonymous".
CAST = ["owner", "admin", "member", "outsider", "anonymous"]


def each_of_the_cast(argnames: str | tuple[str, ...], cases: Iterable[Any]) -> pytest.MarkDecorator:
    """Parametrize a permission test by each of `cases` (a page, an endpoint) and `who`, each
    of CAST: `@each_of_the_cast("page", EXPECTED)`, `@each_of_the_cast(("page", "method"), ...)`."""
    names = (argnames,) if isinstance(argnames, str) else argnames
    rows = [(case,) if isinstance(argnames, str) else tuple(case) for case in cases]
    return pytest.mark.parametrize((*names, "who"), [(*row, who) for row in rows for who in CAST])


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Sign-ups and the cast's users hash passwords; the real hasher makes that slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner(db: Any) -> Any:
    return get_user_model().objects.create_user(
        username="owner", password="owner-pass-123", first_name="Olga"
    )


@pytest.fixture
def admin(db: Any) -> Any:
    return get_user_model().objects.create_user(
        username="admin", password="admin-pass-123", first_name="Adrián"
    )


@pytest.fixture
def group(owner: Any, admin: Any, member: Any) -> Group:
    group = services.group_create(name="Tuesday padel", created_by=owner)
    for user in (admin, member):
        _, secret = services.invite_create(group=group, actor=owner)
        services.invite_accept(secret=secret, user=user)
    Membership.objects.filter(group=group, user=admin).update(role=Membership.Role.ADMIN)
    return group


@pytest.fixture
def cast(owner: Any, admin: Any, member: Any, outsider: Any) -> dict[str, Any]:
    return {"owner": owner, "admin": admin, "member": member, "outsider": outsider}


@pytest.fixture
def invite(group: Group, owner: Any) -> Invite:
    invite, _ = services.invite_create(group=group, actor=owner, max_uses=None)
    return invite


def membership(group: Group, user: Any) -> Membership:
    return Membership.objects.get(group=group, user=user)


@pytest.fixture
def lent_account(group: Group, member: Any) -> PlaytomicAccount:
    account = account_create(
        owner=member, email=LENT_EMAIL, password=LENT_PASSWORD, label="Weekend account"
    )
    services.account_lend(account=account, group=group, user=member)
    return account


@pytest.fixture
def loan(lent_account: PlaytomicAccount, group: Group) -> LentAccount:
    return LentAccount.objects.get(group=group, account=lent_account)
