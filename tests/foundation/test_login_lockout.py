"""Login throttling (django-axes): ten failed passwords for one username from one address lock
that pair out for fifteen minutes, on the login page and the admin alike, with a 429 and a
message rather than a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LOCKED = b"Too many failed logins for this username from your address. Try again in 15 minutes."
PASSWORD = "member-pass-123"  # the `member` fixture's


def attempt(client: Client, password: str, url: str = LOGIN, username: str = "member"):
    return client.post(url, {"username": username, "password": password})


def fail_ten_times(client: Client, url: str = LOGIN) -> list[int]:
    return [attempt(client, "wrong-password", url).status_code for _ in range(10)]


def test_the_eleventh_bad_password_is_locked_out_with_a_message_not_a_500(client, member):
    first_nine = [attempt(client, "wrong-password") for _ in range(9)]
    assert [r.status_code for r in first_nine] == [200] * 9
    assert all(b"form-error" in r.content for r in first_nine)

    tenth = attempt(client, "wrong-password")
    eleventh = attempt(client, "wrong-password")

    for response in (tenth, eleventh):
        assert response.status_code == 429
        assert response.content == LOCKED


def test_a_locked_out_pair_cannot_log_in_even_with_the_right_password(client, member):
    fail_ten_times(client)

    response = attempt(client, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_fifteen_minutes(client, member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail_ten_times(client)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert attempt(client, PASSWORD).status_code == 429
    # Each refused attempt restarts the cool-off, so count from the last one.
    with time_machine.travel(start + timedelta(minutes=14 + 15, seconds=1), tick=False):
        response = attempt(client, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_the_lockout_holds_one_username_from_one_address_only(member, outsider):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    fail_ten_times(attacker)

    elsewhere = Client(REMOTE_ADDR="203.0.113.20")
    assert attempt(elsewhere, PASSWORD).status_code == 302
    assert attempt(attacker, "outsider-pass-123", username="outsider").status_code == 302


def test_the_admin_login_is_locked_out_too(client, staff):
    statuses = [
        attempt(client, "wrong-password", ADMIN_LOGIN, username="staff").status_code
        for _ in range(11)
    ]

    assert statuses == [200] * 9 + [429, 429]
    response = attempt(client, "staff-pass-123", ADMIN_LOGIN, username="staff")
    assert response.status_code == 429
    assert response.content == LOCKED


def test_a_successful_login_clears_the_failures(client, member):
    for _ in range(9):
        attempt(client, "wrong-password")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()

    statuses = [attempt(client, "wrong-password").status_code for _ in range(9)]

    assert statuses == [200] * 9
