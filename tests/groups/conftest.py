"""The group tests' own fixtures: invites, and a Playtomic account the member lends to the
group. The cast (an owner, an admin and the shared `member` in one group, an `outsider` in none)
comes from tests/support/group_cast.py; anonymous visitors are a client not logged in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

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
