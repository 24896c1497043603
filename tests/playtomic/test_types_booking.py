from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from playtomic import (
    Money,
    SchemaError,
    Tokens,
    parse_match,
    parse_matches,
    parse_payment_intent,
    parse_tokens,
)
from tests.playtomic.captured import load, refused_field


def test_it_parses_the_captured_mxn_payment_intent():
    intent = parse_payment_intent(load("payment_intent_mxn.json"))

    assert intent.payment_intent_id == "5c0e4a3e-7d0e-4c5e-9f5a-3b3c2f1e0a01"
    assert intent.status == "REQUIRES_PAYMENT_METHOD"
    assert intent.price == Money(Decimal("454.9"), "MXN")
    assert [m.payment_method_id for m in intent.available_payment_methods] == [
        "CREDIT_CARD-STRIPE_0b5f1f7e-2d7f-4f0b-8a0d-7b6f1e2d3c4b",
        "QUICK_PAY",
    ]
    assert intent.available_payment_methods[0].method_type == "CREDIT_CARD"
    assert intent.available_payment_methods[1].balance is None
    assert intent.selected_payment_method_id is None
    assert intent.match_id == "8d6a1c0e-3b4f-4a2e-9c1d-2f3e4a5b6c7d"
    assert intent.tenant_id == "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
    assert intent.start == datetime(2022, 8, 23, 16, tzinfo=UTC)
    assert intent.duration_minutes == 60
    assert intent.method("QUICK_PAY") is intent.available_payment_methods[1]
    assert intent.method("CASH") is None


def test_it_reads_a_wallet_balance_and_falls_back_to_the_cart_item_id_for_the_match():
    raw = load("payment_intent_mxn.json")
    raw["available_payment_methods"] = [
        {
            "payment_method_id": "MERCHANT_WALLET-6f1d",
            "method_type": "MERCHANT_WALLET",
            "name": "Club wallet",
            "data": {"balance": "50 EUR"},
        },
        {"payment_method_id": "CASH", "name": "Pay at the club", "method_type": "CASH"},
    ]
    del raw["cart"]["item"]["cart_item_data"]["match_id"]

    intent = parse_payment_intent(raw)

    wallet, cash = intent.method("MERCHANT_WALLET"), intent.method("CASH")
    assert wallet is not None and wallet.balance == Money(Decimal(50), "EUR")
    assert cash is not None and cash.name == "Pay at the club"
    assert intent.match_id == "8d6a1c0e-3b4f-4a2e-9c1d-2f3e4a5b6c7d"


def test_it_accepts_a_minimal_intent():
    intent = parse_payment_intent({"payment_intent_id": "pi", "status": "SUCCEEDED"})

    assert intent.price is None
    assert intent.available_payment_methods == ()
    assert intent.match_id is None


def test_it_names_a_missing_payment_method_id():
    raw = load("payment_intent_mxn.json")
    del raw["available_payment_methods"][1]["payment_method_id"]

    assert (
        refused_field(parse_payment_intent, raw) == "available_payment_methods[1].payment_method_id"
    )


def test_it_parses_matches_with_tenant_or_location_info():
    upcoming, cancelled = parse_matches(load("matches.json"))

    assert upcoming.match_id == "b1f0c2d3-0000-4000-8000-000000000001"
    assert upcoming.owner_id == "0123456"
    assert upcoming.start == datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
    assert upcoming.end == datetime(2026, 3, 2, 19, tzinfo=UTC)
    assert upcoming.tenant_id == "53dbecb5-218f-4517-9b92-30dcac52a261"
    assert upcoming.resource_id == "1238fd02-0000-4000-8000-000000000002"
    assert upcoming.price == Money(Decimal(60), "EUR")
    assert upcoming.is_cancelled is False
    assert cancelled.tenant_id == "53dbecb5-218f-4517-9b92-30dcac52a261"
    assert cancelled.resource_id is None
    assert cancelled.is_cancelled is True


def test_it_accepts_matches_in_a_content_envelope():
    assert len(parse_matches({"content": load("matches.json")})) == 2


@pytest.mark.parametrize("status", ["CANCELED", "CANCELLED", "CANCELED_BY_OWNER"])
def test_it_treats_every_cancel_status_as_cancelled(status):
    match = parse_match({"match_id": "m", "status": status, "start_date": "2026-03-02T17:30:00"})

    assert match.is_cancelled


def test_it_names_a_malformed_match_start():
    raw = load("matches.json")
    raw[1]["start_date"] = "next tuesday"

    assert refused_field(parse_matches, raw) == "[1].start_date"


def test_it_parses_tokens_as_aware_utc():
    now = datetime(2026, 7, 18, 5, 4, 9, tzinfo=UTC)
    tokens = parse_tokens(
        {
            "access_token": "eyJ.access.sig",
            "access_token_expiration": "2026-07-18T06:04:09",
            "refresh_token": "eyJ.refresh.sig",
            "refresh_token_expiration": "2026-09-16T05:04:09",
            "user_id": "0123456",
        },
        now=now,
    )

    assert tokens.access_expires_at == datetime(2026, 7, 18, 6, 4, 9, tzinfo=UTC)
    assert tokens.refresh_expires_at == datetime(2026, 9, 16, 5, 4, 9, tzinfo=UTC)
    assert tokens.user_id == "0123456"


def test_it_falls_back_to_expires_in_for_the_access_expiry():
    now = datetime(2026, 7, 18, 5, tzinfo=UTC)
    tokens = parse_tokens({"access_token": "a", "expires_in": 1800}, now=now)

    assert tokens.access_expires_at == now + timedelta(minutes=30)
    assert tokens.refresh_token is None


def test_it_refuses_a_token_response_without_an_access_token():
    with pytest.raises(SchemaError) as caught:
        parse_tokens({"refresh_token": "r"}, now=datetime.now(UTC))

    assert caught.value.field == "access_token"


def test_it_never_shows_tokens_in_repr_or_str():
    tokens = Tokens(
        access_token="SECRET-ACCESS",
        access_expires_at=datetime(2026, 1, 1, tzinfo=UTC),
        refresh_token="SECRET-REFRESH",
        refresh_expires_at=None,
        user_id="42",
    )

    for text in (repr(tokens), str(tokens), f"{tokens}", repr([tokens])):
        assert "SECRET" not in text
    assert "42" in repr(tokens)
