"""The group cast, a pytest plugin every test folder sees (registered in tests/conftest.py):
an owner, an admin and the shared `member` in one group, and `cast`, who the permission tests
try a page as. Passwords are hashed with MD5, as Django advises for tests: sign-ups and the
cast's users hash passwords, and the real hasher makes a suite of them slow."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from groups import services
from groups.models import Group, Membership


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
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
