"""Two people open one single-use link and click Join at the same moment: the conditional
UPDATE on the invite's uses lets one of them in and refuses the other."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from groups import services
from groups.models import Invite, Membership
from tests.support.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_people_accepting_a_single_use_link_at_once_make_one_member(group, owner):
    invite, secret = services.invite_create(group=group, actor=owner)
    users = [
        get_user_model().objects.create_user(username=name, password="racer-pass-123")
        for name in ("racer-a", "racer-b")
    ]

    def accept(user):
        def run() -> str:
            try:
                services.invite_accept(secret=secret, user=user)
            except ValidationError as exc:
                return str(exc.code)
            return "joined"

        return run

    results = at_once([accept(user) for user in users])

    assert sorted(results) == ["joined", "used_up"]
    assert Membership.objects.filter(group=group, user__in=users).count() == 1
    assert Invite.objects.get(pk=invite.pk).uses == 1


def test_two_sign_ups_through_a_single_use_link_at_once_leave_one_user(group, owner):
    _, secret = services.invite_create(group=group, actor=owner)

    def sign_up(email: str):
        def run() -> str:
            try:
                services.invite_sign_up(
                    secret=secret,
                    email=email,
                    password="a-long-enough-password-1",
                    display_name=email.split("@")[0],
                )
            except ValidationError as exc:
                return str(getattr(exc, "code", None) or exc.messages)
            return "joined"

        return run

    results = at_once([sign_up("ana@example.test"), sign_up("bea@example.test")])

    assert sorted(results) == ["joined", "used_up"]
    assert get_user_model().objects.filter(email__endswith="@example.test").count() == 1
