"""Invite links: single-use and multi-use, expiry, withdrawal, and what a refused link says.
Through the services, and through /join/ for the page's side of each."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from groups import services
from groups.models import Invite, Membership
from playtomic_monitor.bearer_secrets import secret_digest
from tests.support.web import web

pytestmark = pytest.mark.django_db


def person(name: str):
    return get_user_model().objects.create_user(username=name, password=f"{name}-pass-123")


def test_a_single_use_link_lets_one_person_in(group, owner):
    invite, secret = services.invite_create(group=group, actor=owner)

    services.invite_accept(secret=secret, user=person("first"))
    with pytest.raises(ValidationError, match="used already") as refused:
        services.invite_accept(secret=secret, user=person("second"))

    assert refused.value.code == "used_up"
    invite.refresh_from_db()
    assert invite.uses == 1
    assert not Membership.objects.filter(user__username="second").exists()


def test_a_link_for_three_lets_three_people_in(group, owner):
    invite, secret = services.invite_create(group=group, actor=owner, max_uses=3)

    for name in ("a", "b", "c"):
        services.invite_accept(secret=secret, user=person(name))
    with pytest.raises(ValidationError):
        services.invite_accept(secret=secret, user=person("d"))

    invite.refresh_from_db()
    assert invite.uses == 3


def test_a_link_without_a_limit_lets_everyone_in_until_it_expires(group, owner):
    invite, secret = services.invite_create(group=group, actor=owner, max_uses=None, days=1)

    for index in range(12):
        services.invite_accept(secret=secret, user=person(f"p{index}"))
    late = person("late")
    with (
        time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)),
        pytest.raises(ValidationError, match="expired") as refused,
    ):
        services.invite_accept(secret=secret, user=late)

    assert refused.value.code == "expired"
    invite.refresh_from_db()
    assert invite.uses == 12


def test_a_link_works_until_the_second_it_expires(group, owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        invite, secret = services.invite_create(group=group, actor=owner, max_uses=None, days=7)
    with time_machine.travel(invite.expires_at - timedelta(seconds=1), tick=False):
        services.invite_accept(secret=secret, user=person("just-in-time"))
    too_late = person("too-late")
    with (
        time_machine.travel(invite.expires_at, tick=False),
        pytest.raises(ValidationError, match="expired"),
    ):
        services.invite_accept(secret=secret, user=too_late)


def test_a_withdrawn_link_lets_nobody_in(group, admin):
    invite, secret = services.invite_create(group=group, actor=admin, max_uses=None)

    assert services.invite_revoke(invite=invite, actor=admin) is True
    assert services.invite_revoke(invite=invite, actor=admin) is False
    with pytest.raises(ValidationError, match="withdrawn") as refused:
        services.invite_accept(secret=secret, user=person("late"))

    assert refused.value.code == "revoked"


def test_an_unknown_secret_is_refused(member):
    with pytest.raises(ValidationError, match="not valid"):
        services.invite_accept(secret="no-such-secret", user=member)
    with pytest.raises(ValidationError, match="not valid"):
        services.invite_accept(secret="x" * 10_000, user=member)


def test_someone_already_in_the_group_uses_nothing_up(group, owner, member):
    invite, secret = services.invite_create(group=group, actor=owner)

    joined = services.invite_accept(secret=secret, user=member)

    assert joined.role == Membership.Role.MEMBER
    invite.refresh_from_db()
    assert invite.uses == 0


def test_only_admins_make_and_withdraw_links(group, member, outsider, admin):
    invite, _ = services.invite_create(group=group, actor=admin)

    for user in (member, outsider):
        with pytest.raises(PermissionDenied):
            services.invite_create(group=group, actor=user)
        with pytest.raises(PermissionDenied):
            services.invite_revoke(invite=invite, actor=user)


def test_the_secret_is_stored_only_as_its_digest(group, owner):
    invite, secret = services.invite_create(group=group, actor=owner)

    stored = Invite.objects.filter(pk=invite.pk).values().get()
    assert secret not in str(stored)
    assert stored["digest"] == secret_digest(secret)
    assert stored["prefix"] == secret[:8]


def test_nobody_is_invited_to_a_personal_group(member):
    personal = services.personal_group_for(user=member)

    with pytest.raises(ValidationError, match="personal group"):
        services.invite_create(group=personal, actor=member)


# --- The join page's side ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "status", "text"),
    [
        ("expired", 410, "This invite link has expired."),
        ("revoked", 410, "This invite link was withdrawn."),
        ("used_up", 410, "This invite link has been used already."),
    ],
)
def test_the_join_page_says_why_a_link_lets_nobody_in(group, owner, member, state, status, text):
    invite, secret = services.invite_create(group=group, actor=owner)
    if state == "expired":
        Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now())
    elif state == "revoked":
        services.invite_revoke(invite=invite, actor=owner)
    else:
        services.invite_accept(secret=secret, user=person("first"))

    for client in (web(), web(person("latecomer"))):
        response = client.get(f"/join/{secret}/")
        assert response.status_code == status
        page = response.content.decode()
        assert text in page
        assert "Tuesday padel" not in page  # a dead link names no group


@pytest.mark.parametrize("token", ["nope", "x" * 5000, "%00", "a%00b", "%F0%9F%8E%BE", "a.b"])
def test_a_link_that_is_no_invite_is_a_404_not_an_error(token):
    response = web().get(f"/join/{token}/")

    assert response.status_code == 404


def test_a_member_opening_a_link_again_lands_on_the_group(group, owner, member):
    invite, secret = services.invite_create(group=group, actor=owner)

    response = web(member).get(f"/join/{secret}/")

    assert response["Location"] == f"/groups/{group.pk}/"
    invite.refresh_from_db()
    assert invite.uses == 0


def test_a_logged_in_person_joins_with_one_click(group, owner, outsider):
    _, secret = services.invite_create(group=group, actor=owner)
    client = web(outsider)

    page = client.get(f"/join/{secret}/").content.decode()
    joined = client.post(f"/join/{secret}/")

    assert "Join Tuesday padel" in page and "Olga invites you" in page
    assert joined["Location"] == f"/groups/{group.pk}/"
    assert Membership.objects.get(group=group, user=outsider).role == Membership.Role.MEMBER


def test_a_link_used_up_between_opening_and_clicking_says_so(group, owner, outsider):
    _, secret = services.invite_create(group=group, actor=owner)
    client = web(outsider)
    client.get(f"/join/{secret}/")
    services.invite_accept(secret=secret, user=person("quicker"))

    response = client.post(f"/join/{secret}/")

    assert response.status_code == 410
    assert "used already" in response.content.decode()
    assert not Membership.objects.filter(group=group, user=outsider).exists()
