"""Tenants and availability as served by the sandbox, over real HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import requests

from playtomic.sandbox import SandboxServer
from tests.support.sandbox import frozen_sandbox, intent_body, logged_in_session

NOW = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)  # a Tuesday in winter: London = UTC, Madrid = UTC+1
# Thursday 7 January 2027 as the bounds of an availability request: in UTC, and club-local.
JAN_7 = {"start_min": "2027-01-07T00:00:00", "start_max": "2027-01-07T23:59:59"}
JAN_7_LOCAL = {"local_start_min": "2027-01-07T00:00:00", "local_start_max": "2027-01-07T23:59:59"}

TENANT_KEYS = {
    "tenant_id",
    "tenant_uid",
    "slug",
    "tenant_name",
    "tenant_type",
    "tenant_status",
    "playtomic_status",
    "tenant_hostname",
    "url",
    "default_currency",
    "address",
    "images",
    "image_data",
    "properties",
    "resources",
    "booking_type",
    "is_playtomic_partner",
    "default_cancelation_policy",
    "cancelation_policies",
    "opening_hours",
    "booking_settings",
    "communications_language",
    "onboarding_status",
    "created_at",
    "sport_ids",
    "vat_rate",
}
ADDRESS_KEYS = {
    "street",
    "postal_code",
    "city",
    "sub_administrative_area",
    "administrative_area",
    "country",
    "country_code",
    "coordinate",
    "timezone",
}
RESOURCE_KEYS = {
    "resource_id",
    "name",
    "description",
    "sport_id",
    "reservation_priority",
    "is_active",
    "merchant_resource_id",
    "properties",
    "booking_settings",
}

# Module-level session: keep-alive to the sandbox, no per-call timeout noise.
http = requests.Session()


sandbox = frozen_sandbox(now=NOW, seed=7)


def tenant(sandbox: SandboxServer, slug: str) -> dict[str, Any]:
    answer = logged_in_session(sandbox).get(
        f"{sandbox.url}/v1/tenants", params={"tenant_uid": slug}
    )
    [found] = answer.json()
    assert isinstance(found, dict)
    return found


def availability(sandbox: SandboxServer, tenant_id: str, **params: str) -> list[dict[str, Any]]:
    answer = logged_in_session(sandbox).get(
        f"{sandbox.url}/v1/availability", params={"tenant_id": tenant_id, **params}
    )
    assert answer.status_code == 200, answer.text
    entries = answer.json()
    assert isinstance(entries, list)
    return entries


def offered(entries: list[dict[str, Any]], resource_id: str, day: str) -> dict[str, set[int]]:
    """start_time -> durations offered for one court on one UTC date."""
    result: dict[str, set[int]] = {}
    for entry in entries:
        if entry["resource_id"] == resource_id and entry["start_date"] == day:
            for slot in entry["slots"]:
                result.setdefault(slot["start_time"][:5], set()).add(slot["duration"])
    return result


def test_tenant_objects_have_exactly_the_documented_fields(sandbox: SandboxServer) -> None:
    answer = logged_in_session(sandbox).get(f"{sandbox.url}/v1/tenants")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    tenants = answer.json()
    assert len(tenants) >= 5
    for found in tenants:
        assert set(found) == TENANT_KEYS
        assert set(found["address"]) == ADDRESS_KEYS
        assert set(found["address"]["coordinate"]) == {"lat", "lon"}
        assert isinstance(found["booking_settings"]["booking_ahead_limit"], int)
        assert found["default_cancelation_policy"]["unit"] == "HOURS"
        assert set(found["opening_hours"]) <= {
            "MONDAY",
            "TUESDAY",
            "WEDNESDAY",
            "THURSDAY",
            "FRIDAY",
            "SATURDAY",
            "SUNDAY",
        }
        assert 2 <= len(found["resources"]) <= 12
        for resource in found["resources"]:
            assert set(resource) == RESOURCE_KEYS
            assert resource["properties"]["resource_type"] in ("indoor", "outdoor")
            assert resource["properties"]["resource_size"] in ("single", "double")
            assert set(resource["booking_settings"]["allowed_duration_increments"]) <= {60, 90, 120}


def test_the_world_has_clubs_in_four_zones_and_a_ten_court_madrid_club(
    sandbox: SandboxServer,
) -> None:
    tenants = logged_in_session(sandbox).get(f"{sandbox.url}/v1/tenants").json()
    zones = {t["address"]["timezone"] for t in tenants}
    assert {"Europe/Madrid", "Europe/London", "America/Mexico_City", "Australia/Sydney"} <= zones
    madrid = tenant(sandbox, "sandbox-padel-madrid")
    assert len(madrid["resources"]) == 10
    assert madrid["opening_hours"]["FRIDAY"]["closing_time"] == "00:00"
    london = tenant(sandbox, "sandbox-racquets-london")
    assert set(london["sport_ids"]) == {"PADEL", "TENNIS"}
    assert "PICKLEBALL" in tenant(sandbox, "sandbox-padel-pickleball-cdmx")["sport_ids"]


def test_it_filters_clubs_by_name_coordinate_sport_and_status(sandbox: SandboxServer) -> None:
    s = logged_in_session(sandbox)
    url = f"{sandbox.url}/v1/tenants"
    assert [t["slug"] for t in s.get(url, params={"tenant_name": "SYDNEY"}).json()] == [
        "sandbox-padel-sydney"
    ]
    near_madrid = s.get(url, params={"coordinate": "40.42,-3.70", "radius": "50000"}).json()
    assert [t["slug"] for t in near_madrid] == ["sandbox-padel-madrid"]
    tennis = s.get(url, params={"sport_id": "TENNIS"}).json()
    assert [t["slug"] for t in tennis] == ["sandbox-racquets-london"]
    statuses = {t["playtomic_status"] for t in s.get(url).json()}
    assert statuses == {"ACTIVE", "INACTIVE"}
    active = s.get(url, params={"playtomic_status": "ACTIVE"}).json()
    assert {t["playtomic_status"] for t in active} == {"ACTIVE"}
    assert len(s.get(url, params={"size": "2", "page": "1"}).json()) == 2


def test_it_answers_an_unknown_tenant_with_the_error_body(sandbox: SandboxServer) -> None:
    answer = logged_in_session(sandbox).get(
        f"{sandbox.url}/v1/tenants/00000000-0000-4000-8000-000000000000"
    )
    assert answer.status_code == 404
    assert answer.json() == {"status": "NOT_FOUND", "localized_message": "Tenant not found"}


def test_it_requires_a_bearer_token_on_reads(sandbox: SandboxServer) -> None:
    answer = http.get(f"{sandbox.url}/v1/tenants")
    assert answer.status_code == 401
    assert answer.json()["status"] == "UNAUTHORIZED"
    assert isinstance(answer.json()["localized_message"], str)


def test_every_response_carries_a_date_header_from_the_sandbox_clock(
    sandbox: SandboxServer,
) -> None:
    answer = http.get(f"{sandbox.url}/v1/tenants")
    assert answer.headers["Date"] == "Tue, 05 Jan 2027 12:00:00 GMT"


def test_availability_entries_have_exactly_the_documented_fields(sandbox: SandboxServer) -> None:
    madrid = tenant(sandbox, "sandbox-padel-madrid")
    entries = availability(sandbox, madrid["tenant_id"], sport_id="PADEL", **JAN_7)
    assert len(entries) == 10
    for entry in entries:
        assert set(entry) == {"resource_id", "start_date", "slots"}
        assert entry["start_date"] == "2027-01-07"
        keys = [(s["start_time"], s["duration"]) for s in entry["slots"]]
        assert keys == sorted(keys)
        for slot in entry["slots"]:
            assert set(slot) == {"start_time", "duration", "price"}
            assert slot["start_time"][3:] in ("00:00", "30:00")
            assert slot["duration"] in (60, 90, 120)
            amount, currency = slot["price"].split(" ")
            assert currency == "EUR"
            assert re.fullmatch(r"\d+(\.\d?[1-9])?", amount)


def test_it_rejects_a_window_longer_than_25_hours(sandbox: SandboxServer) -> None:
    madrid = tenant(sandbox, "sandbox-padel-madrid")
    answer = logged_in_session(sandbox).get(
        f"{sandbox.url}/v1/availability",
        params={
            "tenant_id": madrid["tenant_id"],
            "start_min": "2027-01-07T00:00:00",
            "start_max": "2027-01-08T01:00:01",
        },
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "status": "INCORRECT_PARAMETERS",
        "localized_message": "Not allowed to request more than 25h",
    }
    exactly = availability(
        sandbox,
        madrid["tenant_id"],
        start_min="2027-01-07T00:00:00",
        start_max="2027-01-08T01:00:00",
    )
    assert exactly


def test_it_reproduces_the_orphan_gap_examples_of_the_notes(sandbox: SandboxServer) -> None:
    # London on a winter Thursday: 08:00-21:00 local = UTC, the hours of the notes' fixtures.
    london = tenant(sandbox, "sandbox-racquets-london")
    court = london["resources"][0]["resource_id"]
    slots = offered(availability(sandbox, london["tenant_id"], **JAN_7), court, "2027-01-07")
    assert slots["19:00"] == {60, 120}
    assert slots["19:30"] == {90}
    assert 120 not in slots["18:30"]
    assert "08:00" in slots and "08:30" not in slots and "09:00" in slots

    s = logged_in_session(sandbox)
    intent = s.post(
        f"{sandbox.url}/v1/payment_intents",
        json=intent_body(london["tenant_id"], court, "2027-01-07T17:00:00", duration=120),
    )
    assert intent.status_code == 200, intent.text
    card = next(
        m for m in intent.json()["available_payment_methods"] if m["method_type"] == "CREDIT_CARD"
    )
    intent_id = intent.json()["payment_intent_id"]
    s.patch(
        f"{sandbox.url}/v1/payment_intents/{intent_id}",
        json={"selected_payment_method_id": card["payment_method_id"]},
    )
    assert (
        s.post(f"{sandbox.url}/v1/payment_intents/{intent_id}/confirmation", json={}).json()[
            "status"
        ]
        == "SUCCEEDED"
    )

    slots = offered(availability(sandbox, london["tenant_id"], **JAN_7), court, "2027-01-07")
    assert 120 in slots["15:00"] and 90 in slots["15:30"] and slots["16:00"] == {60}
    assert "16:30" not in slots and "17:00" not in slots and "18:30" not in slots
    assert slots["19:00"] == {60, 120}
    assert "19:30" not in slots


def test_prices_are_prorated_by_minutes_across_the_peak_band(sandbox: SandboxServer) -> None:
    # Madrid single courts: 90 min = 35 EUR off-peak, 45 EUR peak; peak from 16:00 local
    # (15:00 UTC in winter).
    madrid = tenant(sandbox, "sandbox-padel-madrid")
    single = next(r for r in madrid["resources"] if r["properties"]["resource_size"] == "single")
    entries = availability(sandbox, madrid["tenant_id"], **JAN_7)
    [entry] = [e for e in entries if e["resource_id"] == single["resource_id"]]
    prices = {(s["start_time"], s["duration"]): s["price"] for s in entry["slots"]}
    assert prices[("10:00:00", 90)] == "35 EUR"
    assert prices[("14:00:00", 90)] == "38.33 EUR"
    assert prices[("14:30:00", 90)] == "41.67 EUR"
    assert prices[("14:30:00", 60)] == "25 EUR"
    assert prices[("17:00:00", 90)] == "45 EUR"


def test_a_sydney_local_day_spans_two_utc_dates(sandbox: SandboxServer) -> None:
    sydney = tenant(sandbox, "sandbox-padel-sydney")
    entries = availability(sandbox, sydney["tenant_id"], **JAN_7_LOCAL)
    court = sydney["resources"][0]["resource_id"]
    dates = [e["start_date"] for e in entries if e["resource_id"] == court]
    assert dates == ["2027-01-06", "2027-01-07"]
    # 06:00 in Sydney (UTC+11 in January) is 19:00 UTC the day before.
    first = next(e for e in entries if e["resource_id"] == court)
    assert first["slots"][0]["start_time"] == "19:00:00"


def test_local_bounds_are_club_local_while_answers_stay_utc(sandbox: SandboxServer) -> None:
    madrid = tenant(sandbox, "sandbox-padel-madrid")
    entries = availability(
        sandbox,
        madrid["tenant_id"],
        local_start_min="2027-01-07T10:00:00",
        local_start_max="2027-01-07T12:00:00",
    )
    starts = {s["start_time"] for e in entries for s in e["slots"]}
    assert min(starts) == "09:00:00" and max(starts) == "11:00:00"
