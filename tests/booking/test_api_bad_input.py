"""Bad input on the booking API: 400 with field messages, never a 500."""

from __future__ import annotations

import pytest

from tests.support.api import api_client

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.mark.parametrize("rule", [HUGE, "%C2%B2", "x", "0"])
def test_the_attempt_list_rejects_a_rule_filter_that_is_no_id(member, rule):
    response = api_client(member).get(f"/api/booking/attempts/?rule={rule}")

    assert response.status_code == 400
    assert "rule" in response.json()


def test_the_attempt_list_filters_by_a_rule_id(make_rule, member):
    rule, _, _ = make_rule(seconds=600)

    mine = api_client(member).get(f"/api/booking/attempts/?rule={rule.pk}").json()
    other = api_client(member).get(f"/api/booking/attempts/?rule={rule.pk + 1}").json()

    assert [a["rule_name"] for a in mine["results"]] == [rule.name]
    assert other["results"] == []


def test_the_api_rejects_rule_values_beyond_what_a_club_offers(member, club, account):
    response = api_client(member).post(
        "/api/booking/rules/",
        {
            "name": "Far",
            "club": club.pk,
            "earliest_start": "18:00",
            "latest_start": "19:00",
            "durations": [30 * 10**9],
            "accounts": [account.pk],
            "release_policy": "fixed",
            "release_days_before": 20000,
            "release_local_time": "08:30",
        },
        format="json",
    )

    assert response.status_code == 400
    assert {"durations", "release_days_before"} <= set(response.json())
