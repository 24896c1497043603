"""Fallback clubs and the fallback window through every door: the booking pages, the API, the
YAML import and export, and the admin; each bad value gets a message on its own field."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from booking import selectors
from booking.models import BookingRule
from tests.booking.conftest import import_club
from tests.booking.test_admin import admin_client, change_form_data
from tests.booking.test_pages_bad_input import rule_form

pytestmark = pytest.mark.django_db

LONDON = "sandbox-racquets-london"
ANTWERPEN = "sandbox-padel-antwerpen"


@pytest.fixture
def others(use_sandbox: Any, club: Any) -> list[Any]:
    return [import_club(use_sandbox, ANTWERPEN), import_club(use_sandbox, LONDON)]


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_rule(club: Any, account: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Any of these",
        "club": club.pk,
        "earliest_start": "18:00",
        "latest_start": "19:00",
        "release_policy": "fixed",
        "release_days_before": 7,
        "release_local_time": "08:30",
        "accounts": [account.pk],
    }
    data.update(overrides)
    return data


def test_the_api_keeps_the_fallback_clubs_in_the_order_given(member, club, account, others):
    antwerpen, london = others
    response = api(member).post(
        "/api/booking/rules/",
        api_rule(
            club,
            account,
            fallback_clubs=[london.pk, antwerpen.pk],
            fallback_earliest_start="20:00",
            fallback_latest_start="21:00",
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["fallback_clubs"] == [london.pk, antwerpen.pk]
    assert (body["fallback_earliest_start"], body["fallback_latest_start"]) == (
        "20:00:00",
        "21:00:00",
    )
    rule = BookingRule.objects.get()
    assert selectors.rule_clubs(rule) == [club, london, antwerpen]
    # A partial update that does not mention them keeps them.
    patched = api(member).patch(f"/api/booking/rules/{rule.pk}/", {"burst_seconds": 5})
    assert patched.json()["fallback_clubs"] == [london.pk, antwerpen.pk]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fallback_clubs": ["own"]}, "fallback_clubs"),
        ({"fallback_clubs": [999999]}, "fallback_clubs"),
        ({"fallback_clubs": ["x"]}, "fallback_clubs"),
        ({"fallback_earliest_start": "20:00"}, "fallback_latest_start"),
        (
            {"fallback_earliest_start": "21:00", "fallback_latest_start": "20:00"},
            "fallback_latest_start",
        ),
        (
            {"fallback_earliest_start": "20:15", "fallback_latest_start": "21:00"},
            "fallback_earliest_start",
        ),
    ],
)
def test_the_api_rejects_a_bad_fallback_on_its_field(member, club, account, overrides, field):
    if overrides.get("fallback_clubs") == ["own"]:
        overrides = {"fallback_clubs": [club.pk]}
    response = api(member).post(
        "/api/booking/rules/", api_rule(club, account, **overrides), format="json"
    )

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not BookingRule.objects.exists()


def test_only_listed_courts_needs_a_court_at_every_club(member, club, account, others):
    court = club.courts.filter(size="double").first()
    response = api(member).post(
        "/api/booking/rules/",
        api_rule(
            club,
            account,
            fallback_clubs=[others[0].pk],
            court_preference=[court.pk],
            only_listed_courts=True,
        ),
        format="json",
    )

    assert response.status_code == 400
    assert "each of the rule's clubs" in str(response.json()["court_preference"])


def test_the_rule_page_form_picks_fallback_clubs_by_name_in_order_and_refuses_unknown_ones(
    member, club, account, others
):
    web = Client()
    web.force_login(member)
    antwerpen, london = others

    form = web.get("/booking/rules/add/").content.decode()
    bad = web.post("/booking/rules/add/", rule_form(club, account, fallback_clubs=["999999"]))
    saved = web.post(
        "/booking/rules/add/",
        rule_form(
            club,
            account,
            fallback_clubs=[str(antwerpen.pk), str(london.pk)],
            **{
                f"fallback_clubs__pos_{antwerpen.pk}": "2",
                f"fallback_clubs__pos_{london.pk}": "1",
            },
            fallback_earliest_start="20:00",
            fallback_latest_start="20:30",
        ),
    )

    assert london.name in form and antwerpen.name in form
    assert bad.status_code == 200
    assert "fallback_clubs" in bad.context["form"].errors
    assert saved.status_code == 302
    rule = BookingRule.objects.get()
    assert selectors.rule_clubs(rule) == [club, london, antwerpen]
    page = web.get(f"/booking/rules/{rule.pk}/").content.decode()
    assert "Clubs, in order" in page and "20:00\u201320:30" in page


def test_yaml_imports_and_exports_the_fallbacks(tmp_path, member, club, account, others):
    path = tmp_path / "rules.yaml"
    path.write_text(
        f"""
rules:
  - name: Anywhere
    owner: member
    club: sandbox-padel-madrid
    weekdays: [mon, fri]
    earliest_start: "18:00"
    latest_start: "19:00"
    accounts: [Mine]
    release: {{policy: fixed, days_before: 7, local_time: "08:30"}}
    fallback: {{clubs: [{LONDON}, {ANTWERPEN}], earliest_start: "20:00", latest_start: "21:00"}}
"""
    )
    call_command("import_booking_config", str(path), stdout=StringIO())
    rule = BookingRule.objects.get()
    exported = StringIO()
    call_command("export_booking_config", stdout=exported)

    assert selectors.rule_clubs(rule)[1:] == others[::-1]
    assert f"clubs:\n    - {LONDON}\n    - {ANTWERPEN}" in exported.getvalue()
    assert "earliest_start: '20:00'" in exported.getvalue()


def test_yaml_names_an_unknown_fallback_club(tmp_path, member, club, account):
    path = tmp_path / "rules.yaml"
    path.write_text(
        """
rules:
  - name: Anywhere
    owner: member
    club: sandbox-padel-madrid
    weekdays: [mon]
    earliest_start: "18:00"
    latest_start: "19:00"
    accounts: [Mine]
    fallback: {clubs: [atlantis]}
"""
    )
    with pytest.raises(Exception, match=r"fallback\.clubs: unknown club 'atlantis'"):
        call_command("import_booking_config", str(path), stdout=StringIO())


def test_the_admin_sets_fallback_clubs_in_order(make_rule, staff, others):
    rule, _, _ = make_rule(seconds=600)
    antwerpen, london = others

    response = admin_client(staff).post(
        f"/admin/booking/bookingrule/{rule.pk}/change/",
        change_form_data(rule, fallback_clubs=f"{london.pk},{antwerpen.pk}"),
    )
    own = admin_client(staff).post(
        f"/admin/booking/bookingrule/{rule.pk}/change/",
        change_form_data(rule, fallback_clubs=str(rule.club_id)),
    )

    assert response.status_code == 302
    assert "already its first choice" in own.content.decode()
    assert selectors.rule_clubs(rule)[1:] == [london, antwerpen]
