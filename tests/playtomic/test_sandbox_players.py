"""Players on a match: the intent's `match_registrations` register the booker and the other
players, `number_of_players` sets the places, `payment_plan: SPLIT` splits the price where the
club allows it; the match shows them in its teams. Over HTTP, through the client too."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import requests

from playtomic.errors import BadRequest
from playtomic.sandbox import SandboxServer
from tests.support.sandbox import (
    EMAIL,
    PASSWORD,
    frozen_sandbox,
    intent_body,
    logged_in_client,
    logged_in_session,
)

NOW = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
FRIEND, FRIEND_PASSWORD = "friend@sandbox.test", "secret-3"
MADRID = "sandbox-padel-madrid"
LONDON = "sandbox-racquets-london"

sandbox = frozen_sandbox(now=NOW, seed=11, accounts=[(EMAIL, PASSWORD), (FRIEND, FRIEND_PASSWORD)])


def double_court(sandbox: SandboxServer, slug: str) -> tuple[str, str]:
    club = sandbox.world.club_by_slug(slug)
    court = next(c for c in club.courts if c.resource_size == "double" and c.sport_id == "PADEL")
    return club.tenant_id, court.resource_id


def user_id(sandbox: SandboxServer, email: str) -> str:
    return sandbox.world.accounts[email].user_id


def book(s: requests.Session, sandbox: SandboxServer, body: dict[str, Any]) -> dict[str, Any]:
    created = s.post(f"{sandbox.url}/v1/payment_intents", json=body)
    assert created.status_code == 200, created.text
    url = f"{sandbox.url}/v1/payment_intents/{created.json()['payment_intent_id']}"
    s.patch(url, json={"selected_payment_method_id": "CASH", "selected_payment_method_data": None})
    s.post(f"{url}/confirmation", json={})
    return created.json()


def test_the_match_registers_the_booker_and_the_named_players_in_teams(sandbox):
    tenant_id, court = double_court(sandbox, MADRID)
    s = logged_in_session(sandbox)
    me, friend = user_id(sandbox, EMAIL), user_id(sandbox, FRIEND)

    intent = book(
        s,
        sandbox,
        intent_body(
            tenant_id,
            court,
            "2027-01-07T18:00:00",
            number_of_players=4,
            payment_plan="SPLIT",
            match_registrations=[
                {"user_id": "me", "pay_now": True},
                {"user_id": friend, "pay_now": False},
            ],
        ),
    )

    data = intent["cart"]["item"]["cart_item_data"]
    assert [r["user_id"] for r in data["match_registrations"]] == [me, friend]
    assert data["split_payment_parts"] == 4
    assert data["supported_payment_plans"] == ["SPLIT", "SINGLE_PAYER"]
    assert [r["price"] for r in data["match_registrations"]] == ["12 EUR", "12 EUR"]
    match = s.get(f"{sandbox.url}/v1/matches/{data['match_id']}").json()
    assert match["number_of_players"] == 4
    assert match["max_players_per_team"] == 2
    assert [[p["user_id"] for p in team["players"]] for team in match["teams"]] == [
        [me, friend],
        [],
    ]
    assert [p["name"] for p in match["teams"][0]["players"]] == ["player", "friend"]
    assert match["registration_info"]["split_payment_parts"] == 4


def test_a_club_that_does_not_split_charges_the_booker_in_full(sandbox):
    tenant_id, court = double_court(sandbox, LONDON)
    s = logged_in_session(sandbox)

    created = s.post(
        f"{sandbox.url}/v1/payment_intents",
        json=intent_body(tenant_id, court, "2027-01-07T12:00:00", payment_plan="SPLIT"),
    ).json()

    data = created["cart"]["item"]["cart_item_data"]
    assert data["split_payment_allowed"] is False
    assert data["supported_payment_plans"] == ["SINGLE_PAYER"]
    assert data["split_payment_parts"] == 1
    assert data["match_registrations"][0]["price"] == created["price"]


def test_more_registrations_than_places_are_refused(sandbox):
    tenant_id, court = double_court(sandbox, MADRID)
    s = logged_in_session(sandbox)
    friend = user_id(sandbox, FRIEND)

    for data in (
        {"number_of_players": 5},
        {"number_of_players": 1, "match_registrations": [{"user_id": friend}]},
        {"match_registrations": [{"user_id": friend}, {"user_id": friend}]},
    ):
        refused = s.post(
            f"{sandbox.url}/v1/payment_intents",
            json=intent_body(tenant_id, court, "2027-01-07T18:00:00", **data),
        )
        assert refused.status_code == 400
        assert refused.json()["status"] == "INCORRECT_PARAMETERS"


def test_a_split_wallet_payment_takes_only_the_bookers_part(sandbox):
    sandbox.add_account("wallet@sandbox.test", "secret-4", wallet_balance=100)
    tenant_id, court = double_court(sandbox, MADRID)
    s = logged_in_session(sandbox, "wallet@sandbox.test", "secret-4")
    created = s.post(
        f"{sandbox.url}/v1/payment_intents",
        json=intent_body(tenant_id, court, "2027-01-08T18:00:00", payment_plan="SPLIT"),
    ).json()
    wallet = next(
        m["payment_method_id"]
        for m in created["available_payment_methods"]
        if m["method_type"] == "MERCHANT_WALLET"
    )
    url = f"{sandbox.url}/v1/payment_intents/{created['payment_intent_id']}"
    s.patch(url, json={"selected_payment_method_id": wallet, "selected_payment_method_data": None})

    assert s.post(f"{url}/confirmation", json={}).json()["status"] == "SUCCEEDED"

    assert sandbox.world.accounts["wallet@sandbox.test"].wallet_balance == Decimal(100) - Decimal(
        12
    )


def test_the_client_registers_players_and_reads_them_back(sandbox):
    tenant_id, court = double_court(sandbox, MADRID)
    client = logged_in_client(sandbox)
    friend = user_id(sandbox, FRIEND)

    intent = client.create_payment_intent(
        tenant_id=tenant_id,
        resource_id=court,
        start=datetime(2027, 1, 7, 19, 30, tzinfo=UTC),
        duration_minutes=90,
        number_of_players=4,
        players=[friend],
        split_payment=True,
    )
    client.select_payment_method(intent.payment_intent_id, "CASH")
    client.confirm_payment_intent(intent.payment_intent_id)

    assert intent.registered_user_ids == (user_id(sandbox, EMAIL), friend)
    assert (intent.number_of_players, intent.split_payment_parts) == (4, 4)
    match = client.get_match(intent.match_id or "")
    assert [p.user_id for p in match.players] == [user_id(sandbox, EMAIL), friend]
    assert match.number_of_players == 4


def test_five_players_are_a_bad_request_for_the_client_too(sandbox):
    tenant_id, court = double_court(sandbox, MADRID)
    client = logged_in_client(sandbox)

    with pytest.raises(BadRequest):
        client.create_payment_intent(
            tenant_id=tenant_id,
            resource_id=court,
            start=datetime(2027, 1, 7, 19, 30, tzinfo=UTC),
            duration_minutes=90,
            number_of_players=5,
        )
