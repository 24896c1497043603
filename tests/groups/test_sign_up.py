"""Signing up through an invite link: a new person gives a name, an email and a password, and
is a member, logged in, in one step; bad input is a message beside its field, never an error
page; sign-ups are throttled per address."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from groups import services
from groups.models import Invite, Membership
from tests.support.web import web

pytestmark = pytest.mark.django_db

PASSWORD = "clay-court-sunset-42"


@pytest.fixture
def secret(group, owner) -> str:
    return services.invite_create(group=group, actor=owner, max_uses=None)[1]


def form(**overrides: Any) -> dict[str, Any]:
    data = {
        "display_name": "Nuria",
        "email": "Nuria.Gil@Example.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_an_anonymous_visitor_sees_the_group_the_inviter_and_a_sign_up_form(secret):
    page = web().get(f"/join/{secret}/").content.decode()

    assert "Join Tuesday padel" in page and "Olga invites you" in page
    assert 'name="email"' in page and 'name="password2"' in page
    assert f"/accounts/login/?next=/join/{secret}/" in page


def test_signing_up_makes_a_member_who_is_logged_in_and_can_log_in_again(group, secret):
    client = web()

    response = client.post(f"/join/{secret}/", form())

    assert response["Location"] == f"/groups/{group.pk}/"
    user = get_user_model().objects.get(email__iexact="nuria.gil@example.test")
    assert user.username == "nuria.gil@example.test" and user.first_name == "Nuria"
    assert Membership.objects.get(group=group, user=user).role == Membership.Role.MEMBER
    assert client.get(f"/groups/{group.pk}/").status_code == 200  # logged in
    again = web()
    logged_in = again.post(
        "/accounts/login/", {"username": "nuria.gil@example.test", "password": PASSWORD}
    )
    assert logged_in.status_code == 302
    assert again.get(f"/groups/{group.pk}/").status_code == 200
    assert Invite.objects.get(group=group, max_uses=None).uses == 1


def test_logging_in_first_brings_a_member_back_to_the_link(group, secret, outsider):
    client = web()
    login = client.get(f"/join/{secret}/").content.decode()
    assert f"/accounts/login/?next=/join/{secret}/" in login

    back = client.post(
        f"/accounts/login/?next=/join/{secret}/",
        {"username": "outsider", "password": "outsider-pass-123", "next": f"/join/{secret}/"},
    )
    joined = client.post(back["Location"])

    assert back["Location"] == f"/join/{secret}/"
    assert joined["Location"] == f"/groups/{group.pk}/"
    assert Membership.objects.filter(group=group, user=outsider).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a" * 300 + "@example.test"}, "email"),
        ({"email": "nu\x00ria@example.test"}, "email"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "N" * 151}, "display_name"),
        ({"display_name": "Nu\x00ria"}, "display_name"),
        ({"password2": "something-else-42"}, "password2"),
        ({"password1": "password", "password2": "password"}, "password1"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"password1": "nuria.gil", "password2": "nuria.gil"}, "password1"),
        ({"password1": "p\x00" * 10, "password2": "p\x00" * 10}, "password1"),
        ({"password1": "x" * 100_000, "password2": "x" * 100_000}, "password1"),
    ],
)
def test_bad_sign_up_input_is_a_message_beside_its_field(group, secret, overrides, field):
    response = web().post(f"/join/{secret}/", form(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not get_user_model().objects.filter(first_name="Nuria").exists()
    assert Membership.objects.filter(group=group).count() == 3


def test_an_email_taken_in_any_case_is_a_field_error(group, secret, outsider):
    outsider.email = "nuria.gil@example.test"
    outsider.save()

    response = web().post(f"/join/{secret}/", form(email="NURIA.GIL@example.TEST"))

    assert response.status_code == 200
    assert "Log in instead" in str(response.context["form"].errors["email"])


def test_a_username_taken_by_someone_else_gets_a_number(group, secret):
    get_user_model().objects.create_user(username="nuria.gil@example.test", password="x")

    web().post(f"/join/{secret}/", form())

    assert get_user_model().objects.filter(username="nuria.gil@example.test-2").exists()


def test_an_email_with_characters_no_username_takes_still_signs_up(group, secret):
    response = web().post(f"/join/{secret}/", form(email="o'brien+padel@example.test"))

    assert response.status_code == 302
    assert get_user_model().objects.filter(username="o_brien+padel@example.test").exists()


def test_a_sign_up_with_a_link_used_up_meanwhile_leaves_no_user_behind(group, owner):
    _, secret = services.invite_create(group=group, actor=owner)
    client = web()
    client.get(f"/join/{secret}/")
    services.invite_sign_up(
        secret=secret, email="first@example.test", password=PASSWORD, display_name="First"
    )

    response = client.post(f"/join/{secret}/", form())

    assert response.status_code == 410
    assert "used already" in response.content.decode()
    assert not get_user_model().objects.filter(first_name="Nuria").exists()


def test_sign_ups_over_the_rate_are_refused_with_a_message(group, secret, settings):
    address = "203.0.113.77"
    key = SimpleRateThrottle.cache_format % {"scope": "signup", "ident": address}
    cache.delete(key)
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "signup": "2/hour"},
    }
    client = web()
    client.defaults["REMOTE_ADDR"] = address
    try:
        tries = [client.post(f"/join/{secret}/", form(password2="typo")) for _ in range(2)]
        refused = client.post(f"/join/{secret}/", form())
    finally:
        cache.delete(key)

    assert [r.status_code for r in tries] == [200, 200]
    assert refused.status_code == 429
    assert "Too many sign-ups from your address" in refused.content.decode()
    assert not get_user_model().objects.filter(first_name="Nuria").exists()
