"""Who may open which booking page and call which booking endpoint: the group's owner, an
admin, a plain member (who did not make the rule), an outsider (404: the group's things do not
exist for them) and an anonymous visitor (the login page, or 401 from the API). The rule here
was made by the admin."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.test import Client

from booking.models import BookingAttempt, BookingRule
from groups.models import Group
from tests.booking.conftest import lent_group_rule
from tests.groups.conftest import each_of_the_cast
from tests.support.api import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(group: Group, admin: Any, member: Any, account: Any, club: Any) -> BookingRule:
    court = club.courts.filter(size="double").first()
    return lent_group_rule(
        group,
        account,
        club,
        owner=admin,
        lender=member,
        name="Admin's evenings",
        weekdays=[1, 3],
        earliest_start=time(18, 0),
        latest_start=time(20, 0),
        court_preference=[court.pk],
    )


@pytest.fixture
def attempt(rule: BookingRule) -> BookingAttempt:
    return BookingAttempt.objects.get(rule=rule)


def browser(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pages(group: Group, rule: BookingRule, attempt: BookingAttempt) -> dict[str, tuple[str, str]]:
    return {
        "overview": ("get", "/booking/"),
        "rule-add": ("get", "/booking/rules/add/"),
        "rule-add-for-group": ("get", f"/booking/rules/add/?group={group.pk}"),
        "rule": ("get", f"/booking/rules/{rule.pk}/"),
        "rule-edit": ("get", f"/booking/rules/{rule.pk}/edit/"),
        "rule-delete": ("post", f"/booking/rules/{rule.pk}/delete/"),
        "attempt": ("get", f"/booking/attempts/{attempt.pk}/"),
        "games": ("get", "/booking/games/"),
        "play": ("get", f"/booking/play/?group={group.pk}"),
        "calendar": ("get", "/booking/calendar/"),
        "calendar-rotate": ("post", "/booking/calendar/"),
    }


# Who gets a 200: everyone signed in, the group's members, its rules' editors (the rule's
# maker, here the admin, and the group's owner and admins).
ALL = {"owner": 200, "admin": 200, "member": 200, "outsider": 200}
MEMBERS = {"owner": 200, "admin": 200, "member": 200, "outsider": 404}
EDITORS = {"owner": 200, "admin": 200, "member": 403, "outsider": 404}
PAGE_EXPECTED = {
    "overview": ALL,
    "rule-add": ALL,
    "rule-add-for-group": MEMBERS,
    "rule": MEMBERS,
    "rule-edit": EDITORS,
    "rule-delete": {"owner": 302, "admin": 302, "member": 403, "outsider": 404},
    "attempt": MEMBERS,
    "games": ALL,
    "play": MEMBERS,
    "calendar": ALL,
    "calendar-rotate": {"owner": 302, "admin": 302, "member": 302, "outsider": 302},
}


@each_of_the_cast("page", PAGE_EXPECTED)
def test_each_page_answers_each_of_the_cast_as_their_role_allows(
    cast, group, rule, attempt, who, page
):
    method, url = pages(group, rule, attempt)[page]

    response = getattr(browser(cast.get(who)), method)(url)

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == PAGE_EXPECTED[page][who], response.content[:300]


def calls(
    group: Group, rule: BookingRule, attempt: BookingAttempt
) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        "rules": ("get", "/api/booking/rules/", {}),
        "rule": ("get", f"/api/booking/rules/{rule.pk}/", {}),
        "rule-patch": ("patch", f"/api/booking/rules/{rule.pk}/", {"enabled": False}),
        "rule-put": (
            "put",
            f"/api/booking/rules/{rule.pk}/",
            {
                "name": rule.name,
                "club": rule.club_id,
                "weekdays": [1],
                "earliest_start": "18:00",
                "latest_start": "20:00",
                "durations": [90],
                "court_preference": rule.court_preference,
                "payment_methods": ["club"],
                "accounts": [a.pk for a in rule.accounts.all()],
                "release_policy": "fixed",
                "release_days_before": 7,
                "release_local_time": "08:00",
            },
        ),
        "rule-delete": ("delete", f"/api/booking/rules/{rule.pk}/", {}),
        "attempts": ("get", "/api/booking/attempts/", {}),
        "attempt": ("get", f"/api/booking/attempts/{attempt.pk}/", {}),
        "stats": ("get", "/api/booking/stats/", {}),
        "games": ("get", "/api/booking/games/", {}),
        "group-games": ("get", f"/api/booking/games/?group={group.pk}", {}),
        "play": ("get", f"/api/booking/play/?group={group.pk}", {}),
    }


API_EXPECTED = {
    "rules": ALL,
    "rule": MEMBERS,
    "rule-patch": EDITORS,
    "rule-put": EDITORS,
    "rule-delete": {"owner": 204, "admin": 204, "member": 403, "outsider": 404},
    "attempts": ALL,
    "attempt": MEMBERS,
    "stats": ALL,
    "games": ALL,
    "group-games": MEMBERS,
    "play": MEMBERS,
}


@each_of_the_cast("call", API_EXPECTED)
def test_each_endpoint_answers_each_of_the_cast_as_their_role_allows(
    cast, group, rule, attempt, who, call
):
    method, url, data = calls(group, rule, attempt)[call]

    response = getattr(api_client(cast.get(who)), method)(url, data, format="json")

    expected = 401 if who == "anonymous" else API_EXPECTED[call][who]
    assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("who", ["owner", "admin", "member"])
def test_every_member_lists_the_groups_rule_and_attempt_and_an_outsider_neither(
    cast, rule, attempt, outsider, who
):
    api = api_client(cast[who])

    assert [r["id"] for r in api.get("/api/booking/rules/").json()["results"]] == [rule.pk]
    attempts = api.get("/api/booking/attempts/").json()["results"]
    assert [a["id"] for a in attempts] == [attempt.pk]
    assert [r["id"] for r in api.get("/api/booking/stats/").json()["by_rule"]] == [rule.pk]
    outside = api_client(outsider)
    assert outside.get("/api/booking/rules/").json()["results"] == []
    assert outside.get("/api/booking/attempts/").json()["results"] == []


@pytest.mark.parametrize("who", ["owner", "admin", "member"])
def test_every_member_makes_a_rule_for_the_group(cast, group, rule, account, who):
    data = {
        "group": group.pk,
        "name": f"{who}'s rule",
        "club": rule.club_id,
        "weekdays": [2],
        "earliest_start": "18:00",
        "latest_start": "20:00",
        "durations": [90],
        "court_preference": rule.court_preference,
        "payment_methods": ["club"],
        "accounts": [account.pk],
        "players": [cast["member"].pk],
        "release_policy": "fixed",
        "release_days_before": 7,
        "release_local_time": "08:00",
    }

    response = api_client(cast[who]).post("/api/booking/rules/", data, format="json")

    assert response.status_code == 201, response.content[:300]
    body = response.json()
    assert (body["group"], body["group_name"], body["can_edit"]) == (group.pk, group.name, True)
    assert [p["user"] for p in body["players"]] == [cast["member"].pk]
    assert body["open_seats"] == 3


def test_an_outsider_cannot_make_a_rule_for_the_group(group, rule, outsider, account):
    response = api_client(outsider).post(
        "/api/booking/rules/",
        {"group": group.pk, "name": "Mine", "club": rule.club_id, "accounts": [account.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["group"] == ["Unknown group."]
    assert response.json()["accounts"] == ["Unknown account."]
