"""Pages and API: owner scoping (404 for others), secrets write-only and never shown."""

from __future__ import annotations

import logging

import pytest

from accounts.models import PlaytomicAccount
from booking.services.race import attempt_race
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD
from tests.support.api import api_client

pytestmark = pytest.mark.django_db


def test_the_api_creates_an_account_without_echoing_its_secrets(member, use_sandbox):
    response = api_client(member).post(
        "/api/booking/accounts/",
        {"label": "Mine", "email": SANDBOX_EMAIL, "password": SANDBOX_PASSWORD},
        format="json",
    )
    assert response.status_code == 201
    body = response.content.decode()
    assert SANDBOX_EMAIL not in body and SANDBOX_PASSWORD not in body
    account_id = response.json()["id"]
    tested = api_client(member).post(f"/api/booking/accounts/{account_id}/test-login/")
    assert tested.json()["ok"] is True
    account = PlaytomicAccount.objects.get()
    assert account.refresh_token
    assert account.refresh_token not in tested.content.decode()
    assert account.access_token not in tested.content.decode()


def test_another_member_gets_404_for_someone_elses_account_rule_and_attempt(
    make_rule, outsider, member
):
    rule, _, _ = make_rule(seconds=600)
    attempt = rule.attempts.get()
    account = rule.accounts.get()
    other = api_client(outsider)
    for url in (
        f"/api/booking/accounts/{account.pk}/",
        f"/api/booking/rules/{rule.pk}/",
        f"/api/booking/attempts/{attempt.pk}/",
    ):
        assert other.get(url).status_code == 404
        assert api_client(member).get(url).status_code == 200
    assert other.post(f"/api/booking/accounts/{account.pk}/test-login/").status_code == 404
    assert other.delete(f"/api/booking/rules/{rule.pk}/").status_code == 404
    assert other.get("/api/booking/rules/").json()["results"] == []
    # Nor can they point their own rule at it.
    created = other.post(
        "/api/booking/rules/",
        {
            "name": "Steal",
            "club": rule.club_id,
            "earliest_start": "18:00",
            "latest_start": "19:00",
            "accounts": [account.pk],
        },
        format="json",
    )
    assert created.status_code == 400
    assert "accounts" in created.json()
    from django.test import Client

    web = Client()
    web.force_login(outsider)
    assert web.get(f"/booking/rules/{rule.pk}/").status_code == 404
    assert web.get(f"/booking/attempts/{attempt.pk}/").status_code == 404
    assert web.post(f"/booking/accounts/{account.pk}/test/").status_code == 404


def test_the_api_rejects_an_invalid_rule_with_clear_messages(member, club, account):
    response = api_client(member).post(
        "/api/booking/rules/",
        {
            "name": "Bad",
            "club": club.pk,
            "weekdays": [7],
            "earliest_start": "21:00",
            "latest_start": "18:15",
            "durations": [45],
            "payment_methods": ["bitcoin"],
            "accounts": [account.pk],
            "release_policy": "fixed",
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    for field in (
        "weekdays",
        "latest_start",
        "durations",
        "payment_methods",
        "release_days_before",
    ):
        assert field in errors, errors


def test_pages_show_rules_countdown_attempt_timeline_and_rates(make_rule, member, use_sandbox):
    from django.test import Client

    rule, target, _ = make_rule(seconds=2)
    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)
    web = Client()
    web.force_login(member)
    overview = web.get("/booking/").content.decode()
    assert rule.name in overview and "countdown" in overview and "100%" in overview
    detail = web.get(f"/booking/attempts/{attempt.pk}/").content.decode()
    assert "confirm_ok" in detail and "intent_sent" in detail
    rule_page = web.get(f"/booking/rules/{rule.pk}/").content.decode()
    assert "Europe/Madrid" in rule_page
    stats = api_client(member).get("/api/booking/stats/").json()
    assert stats["by_rule"][0]["success_rate"] == 1.0
    assert stats["by_account"][0]["booked"] == 1


def test_no_secret_appears_in_api_admin_or_logs_during_a_full_run(
    make_rule, member, staff, use_sandbox, caplog
):
    from django.test import Client

    caplog.set_level(logging.DEBUG)
    rule, target, _ = make_rule(seconds=2)
    attempt = attempt_race(attempt_id=rule.attempts.get(target_date=target).pk)
    assert attempt.state == "booked"
    account = PlaytomicAccount.objects.get()
    secrets = [SANDBOX_PASSWORD, SANDBOX_EMAIL, account.access_token, account.refresh_token]
    texts = [caplog.text]
    client = api_client(member)
    for url in (
        "/api/booking/accounts/",
        f"/api/booking/accounts/{account.pk}/",
        "/api/booking/rules/",
        "/api/booking/attempts/",
        "/api/booking/stats/",
    ):
        texts.append(client.get(url).content.decode())
    admin = Client()
    admin.force_login(staff)
    staff.is_superuser = True
    staff.save()
    for url in (
        "/admin/accounts/playtomicaccount/",
        f"/admin/accounts/playtomicaccount/{account.pk}/change/",
        f"/admin/booking/bookingattempt/{attempt.pk}/change/",
        f"/admin/booking/bookingrule/{rule.pk}/change/",
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    texts.extend(f"{e.kind} {e.message} {e.data}" for e in attempt.events.all())
    joined = "\n".join(texts)
    for secret in secrets:
        assert secret not in joined
