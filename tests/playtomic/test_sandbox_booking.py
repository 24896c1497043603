"""Holds, payment methods, confirmation, matches, cancellation and release policies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests

from playtomic.sandbox import SandboxServer
from tests.support.sandbox import EMAIL, PASSWORD, frozen_sandbox, logged_in_session

OTHER, OTHER_PASSWORD = "other@sandbox.test", "secret-2"
NOW = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
MATCH_KEYS = {
    "match_id",
    "owner_id",
    "status",
    "start_date",
    "end_date",
    "tenant",
    "resource_id",
    "sport_id",
    "price",
    "resource_properties",
    "created_at",
    "number_of_players",
    "min_players_per_team",
    "max_players_per_team",
    "teams",
    "registration_info",
}

# Module-level session: keep-alive to the sandbox, no per-call timeout noise.
http = requests.Session()


sandbox = frozen_sandbox(now=NOW, seed=11, accounts=[(EMAIL, PASSWORD), (OTHER, OTHER_PASSWORD)])


def club(sandbox: SandboxServer, slug: str) -> tuple[str, str]:
    found = sandbox.world.club_by_slug(slug)
    return found.tenant_id, found.courts[2].resource_id


def body(tenant_id: str, resource_id: str, start: str, duration: int = 90) -> dict[str, Any]:
    data = {
        "tenant_id": tenant_id,
        "resource_id": resource_id,
        "start": start,
        "duration": duration,
    }
    return {
        "user_id": "me",
        "cart": {"requested_item": {"cart_item_type": "CUSTOMER_MATCH", "cart_item_data": data}},
    }


def intend(
    s: requests.Session,
    sandbox: SandboxServer,
    tenant_id: str,
    resource_id: str,
    start: str,
    duration: int = 90,
) -> requests.Response:
    """Ask for a payment intent (a hold) on the slot."""
    return s.post(
        f"{sandbox.url}/v1/payment_intents", json=body(tenant_id, resource_id, start, duration)
    )


def slots(
    s: requests.Session, sandbox: SandboxServer, tenant_id: str, resource_id: str, day: str
) -> set[tuple[str, int]]:
    params = {
        "tenant_id": tenant_id,
        "start_min": f"{day}T00:00:00",
        "start_max": f"{day}T23:59:59",
    }
    entries = s.get(f"{sandbox.url}/v1/availability", params=params).json()
    return {
        (x["start_time"], x["duration"])
        for e in entries
        if e["resource_id"] == resource_id
        for x in e["slots"]
    }


def test_a_booking_goes_from_intent_to_match_and_back_to_free(sandbox: SandboxServer) -> None:
    tenant_id, court = club(sandbox, "sandbox-padel-madrid")
    s, other = logged_in_session(sandbox), logged_in_session(sandbox, OTHER, OTHER_PASSWORD)
    assert ("18:00:00", 90) in slots(s, sandbox, tenant_id, court, "2027-01-07")

    created = intend(s, sandbox, tenant_id, court, "2027-01-07T18:00:00")
    assert created.status_code == 200
    intent = created.json()
    assert intent["status"] == "REQUIRES_PAYMENT_METHOD"
    assert intent["price"] == "48 EUR"
    item = intent["cart"]["item"]
    assert item["cart_item_id"] == item["cart_item_data"]["match_id"]
    assert item["cart_item_data"]["start"] == "2027-01-07T18:00:00"
    assert item["cart_item_data"]["zone_id"] == "Europe/Madrid"
    cash = {
        "payment_method_id": "CASH",
        "name": "Pay at the club",
        "method_type": "CASH",
        "data": None,
    }
    assert cash in intent["available_payment_methods"]

    # The hold hides the slot from everyone and blocks a second intent.
    assert ("18:00:00", 90) not in slots(other, sandbox, tenant_id, court, "2027-01-07")
    taken = intend(other, sandbox, tenant_id, court, "2027-01-07T18:00:00")
    assert taken.status_code == 409
    assert taken.json()["status"] == "SLOT_NOT_AVAILABLE"

    url = f"{sandbox.url}/v1/payment_intents/{intent['payment_intent_id']}"
    assert s.post(f"{url}/confirmation", json={}).status_code == 422
    assert (
        s.patch(
            url, json={"selected_payment_method_id": "NOPE", "selected_payment_method_data": None}
        ).status_code
        == 400
    )
    patched = s.patch(
        url, json={"selected_payment_method_id": "CASH", "selected_payment_method_data": None}
    )
    assert patched.json()["status"] == "PENDING"
    confirmed = s.post(f"{url}/confirmation", json={})
    assert confirmed.json()["status"] == "SUCCEEDED"
    again = s.post(f"{url}/confirmation", json={})
    assert again.status_code == 422
    assert again.json()["status"] == "PAYMENT_INTENT_STATUS_INVALID"
    assert s.get(url).json()["status"] == "SUCCEEDED"
    assert other.get(url).status_code == 404

    matches = s.get(
        f"{sandbox.url}/v1/matches", params={"owner_id": "me", "sort": "start_date,desc"}
    ).json()
    [match] = matches
    assert set(match) == MATCH_KEYS
    assert match["match_id"] == item["cart_item_id"]
    assert (match["status"], match["start_date"], match["end_date"]) == (
        "PENDING",
        "2027-01-07T18:00:00",
        "2027-01-07T19:30:00",
    )
    assert match["tenant"] == {"tenant_id": tenant_id, "tenant_name": "Sandbox Padel Madrid"}
    assert s.get(f"{sandbox.url}/v1/matches/{match['match_id']}").json() == match

    cancel_url = f"{sandbox.url}/v1/matches/{match['match_id']}/cancellation"
    assert (
        other.post(cancel_url, json={"cancellation_reason_code": "CANCELED_BY_OWNER"}).status_code
        == 403
    )
    canceled = s.post(cancel_url, json={"cancellation_reason_code": "CANCELED_BY_OWNER"})
    assert canceled.json()["status"] == "CANCELED"
    assert ("18:00:00", 90) in slots(other, sandbox, tenant_id, court, "2027-01-07")


def test_a_hold_lasts_five_minutes_then_the_slot_reappears(sandbox: SandboxServer) -> None:
    tenant_id, court = club(sandbox, "sandbox-padel-madrid")
    s = logged_in_session(sandbox)
    intent = intend(s, sandbox, tenant_id, court, "2027-01-07T10:00:00").json()
    url = f"{sandbox.url}/v1/payment_intents/{intent['payment_intent_id']}"
    s.patch(url, json={"selected_payment_method_id": "CASH"})
    sandbox.advance(timedelta(minutes=4, seconds=59))
    assert ("10:00:00", 90) not in slots(s, sandbox, tenant_id, court, "2027-01-07")
    sandbox.advance(timedelta(seconds=1))
    assert ("10:00:00", 90) in slots(s, sandbox, tenant_id, court, "2027-01-07")
    expired = s.post(f"{url}/confirmation", json={})
    assert expired.status_code == 409
    assert expired.json()["status"] == "SLOT_NOT_AVAILABLE"


def test_payment_methods_depend_on_the_club_and_the_account(sandbox: SandboxServer) -> None:
    sandbox.add_account("wallet@sandbox.test", "pw-3", wallet_balance=50, saved_card=False)
    tenant_id, court = club(sandbox, "sandbox-racquets-london")
    s = logged_in_session(sandbox, "wallet@sandbox.test", "pw-3")
    intent = intend(s, sandbox, tenant_id, court, "2027-01-07T10:00:00", 60).json()
    [wallet] = intent["available_payment_methods"]
    assert wallet["method_type"] == "MERCHANT_WALLET"
    assert wallet["payment_method_id"].startswith("MERCHANT_WALLET-")
    assert wallet["data"] == {"balance": "50 GBP"}
    url = f"{sandbox.url}/v1/payment_intents/{intent['payment_intent_id']}"
    s.patch(url, json={"selected_payment_method_id": wallet["payment_method_id"]})
    assert s.post(f"{url}/confirmation", json={}).json()["status"] == "SUCCEEDED"
    assert sandbox.world.accounts["wallet@sandbox.test"].wallet_balance == 2  # 50 - 48 GBP

    card_only = intend(
        logged_in_session(sandbox), sandbox, tenant_id, court, "2027-01-07T12:00:00", 60
    )
    assert [m["method_type"] for m in card_only.json()["available_payment_methods"]] == [
        "CREDIT_CARD"
    ]


def test_invalid_slots_are_refused_with_409(sandbox: SandboxServer) -> None:
    tenant_id, court = club(sandbox, "sandbox-padel-madrid")
    s = logged_in_session(sandbox)
    for start, duration in (
        ("2027-01-07T10:15:00", 90),
        ("2027-01-07T10:00:00", 45),
        ("2027-01-07T03:00:00", 60),
    ):
        answer = intend(s, sandbox, tenant_id, court, start, duration)
        assert answer.status_code == 409
    assert s.post(f"{sandbox.url}/v1/payment_intents", json={"cart": {}}).status_code == 400


def test_a_rolling_window_releases_each_slot_at_its_booking_ahead_limit(
    sandbox: SandboxServer,
) -> None:
    # Madrid: 20160 minutes (14 days). A slot at 2027-01-19T10:00Z opens at 2027-01-05T10:00Z.
    tenant_id, court = club(sandbox, "sandbox-padel-madrid")
    s = logged_in_session(sandbox)
    offered = slots(s, sandbox, tenant_id, court, "2027-01-19")
    assert ("11:30:00", 90) in offered and ("12:30:00", 90) not in offered
    late = intend(s, sandbox, tenant_id, court, "2027-01-19T12:30:00")
    assert late.status_code == 409
    # A member with a 30-day window sees and books it now.
    http.post(
        f"{sandbox.url}/_sandbox/accounts",
        json={"email": "member@sandbox.test", "password": "pw-4", "booking_ahead_limit": 43200},
    )
    member = logged_in_session(sandbox, "member@sandbox.test", "pw-4")
    assert ("12:30:00", 90) in slots(member, sandbox, tenant_id, court, "2027-01-19")
    assert intend(member, sandbox, tenant_id, court, "2027-01-19T12:30:00").status_code == 200


def test_a_fixed_time_club_releases_whole_days_at_0830_local(sandbox: SandboxServer) -> None:
    # Antwerp: day D opens at 08:30 Brussels (07:30 UTC in winter) on D - 14.
    tenant_id, court = club(sandbox, "sandbox-padel-antwerpen")
    sandbox.set_clock(now="2027-01-06T07:29:59", frozen=True)
    s = logged_in_session(sandbox)
    assert slots(s, sandbox, tenant_id, court, "2027-01-20") == set()
    assert intend(s, sandbox, tenant_id, court, "2027-01-20T18:00:00").status_code == 409
    assert slots(s, sandbox, tenant_id, court, "2027-01-19")
    sandbox.set_clock(now="2027-01-06T07:30:00", frozen=True)
    offered = slots(s, sandbox, tenant_id, court, "2027-01-20")
    assert ("07:00:00", 60) in offered and ("21:00:00", 60) in offered
    assert intend(s, sandbox, tenant_id, court, "2027-01-20T18:00:00").status_code == 200


def test_a_release_override_opens_one_date_at_the_given_instant(sandbox: SandboxServer) -> None:
    tenant_id, court = club(sandbox, "sandbox-padel-antwerpen")
    s = logged_in_session(sandbox)
    answer = http.post(
        f"{sandbox.url}/_sandbox/releases",
        json={
            "tenant_id": tenant_id,
            "local_date": "2027-01-25",
            "release_at": "2027-01-05T12:00:10",
        },
    )
    assert answer.status_code == 200
    assert slots(s, sandbox, tenant_id, court, "2027-01-25") == set()
    sandbox.advance(timedelta(seconds=10))
    assert ("18:00:00", 90) in slots(s, sandbox, tenant_id, court, "2027-01-25")
    sandbox.set_release(tenant_id, date(2027, 1, 26), datetime(2027, 1, 5, 13, tzinfo=UTC))
    assert slots(s, sandbox, tenant_id, court, "2027-01-26") == set()


def test_matches_filter_by_start_date_and_page(sandbox: SandboxServer) -> None:
    tenant_id, court = club(sandbox, "sandbox-padel-madrid")
    s = logged_in_session(sandbox)
    for start in ("2027-01-07T09:00:00", "2027-01-08T09:00:00", "2027-01-09T10:00:00"):
        intent = intend(s, sandbox, tenant_id, court, start).json()
        url = f"{sandbox.url}/v1/payment_intents/{intent['payment_intent_id']}"
        s.patch(url, json={"selected_payment_method_id": "CASH"})
        s.post(f"{url}/confirmation")
    url = f"{sandbox.url}/v1/matches"
    later = s.get(
        url,
        params={
            "owner_id": "me",
            "from_start_date": "2027-01-08T00:00:00",
            "sort": "start_date,ASC",
        },
    ).json()
    assert [m["start_date"] for m in later] == ["2027-01-08T09:00:00", "2027-01-09T10:00:00"]
    page = s.get(url, params={"size": "1", "page": "1", "sort": "start_date,desc"}).json()
    assert [m["start_date"] for m in page] == ["2027-01-08T09:00:00"]
    assert (
        logged_in_session(sandbox, OTHER, OTHER_PASSWORD).get(url, params={"owner_id": "me"}).json()
        == []
    )
