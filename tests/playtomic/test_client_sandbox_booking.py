"""Booking through the client against the sandbox over real HTTP."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from playtomic import BadRequest, Money, PlaytomicClient, SlotUnavailable
from tests.support.sandbox import first_slot, frozen_sandbox, hold, logged_in_client

NOW = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)
DAY = date(2027, 3, 30)


sandbox = frozen_sandbox(now=NOW)


@pytest.fixture
def client(sandbox) -> PlaytomicClient:
    return logged_in_client(sandbox)


def test_it_books_pays_at_the_club_lists_and_cancels(client):
    tenant, slot = first_slot(client, "sandbox-padel-madrid", DAY)

    intent = client.create_payment_intent(
        tenant_id=tenant.tenant_id,
        resource_id=slot.resource_id,
        start=slot.start.astimezone(tenant.zone),  # any aware zone is converted to UTC
        duration_minutes=slot.duration_minutes,
    )
    assert intent.status == "REQUIRES_PAYMENT_METHOD"
    assert intent.price is not None and intent.price.currency == "EUR"
    assert intent.price.amount >= slot.price.amount
    assert intent.start == slot.start
    cash = intent.method("CASH")
    assert cash is not None and cash.name == "Pay at the club"

    selected = client.select_payment_method(intent.payment_intent_id, cash.payment_method_id)
    assert selected.status == "PENDING"
    assert selected.selected_payment_method_id == "CASH"

    confirmed = client.confirm_payment_intent(intent.payment_intent_id)
    assert confirmed.status == "SUCCEEDED"
    assert confirmed.match_id is not None
    assert client.get_payment_intent(intent.payment_intent_id).status == "SUCCEEDED"

    match = client.get_match(confirmed.match_id)
    assert match.start == slot.start
    assert match.end == slot.end
    assert match.tenant_id == tenant.tenant_id
    assert match.owner_id == client.tokens.user_id
    assert not match.is_cancelled
    listed = client.list_matches(from_start=NOW)
    assert [m.match_id for m in listed] == [match.match_id]
    assert client.list_matches(from_start=slot.end + timedelta(hours=1)) == []

    still_free = client.availability_for_local_day(tenant.tenant_id, DAY, tenant.timezone)
    assert all(
        (s.resource_id, s.start) != (slot.resource_id, slot.start)
        for e in still_free
        for s in e.slots
    )

    cancelled = client.cancel_match(match.match_id)
    assert cancelled.is_cancelled
    assert client.get_match(match.match_id).is_cancelled


def test_it_reports_a_taken_slot_as_unavailable(client):
    tenant, slot = first_slot(client, "sandbox-padel-madrid", DAY)
    hold(client, tenant.tenant_id, slot)

    with pytest.raises(SlotUnavailable) as caught:
        hold(client, tenant.tenant_id, slot)

    assert caught.value.kind == "slot_unavailable"
    assert caught.value.status_code == "SLOT_NOT_AVAILABLE"


def test_it_reports_a_second_confirmation_as_a_bad_request(client):
    tenant, slot = first_slot(client, "sandbox-padel-madrid", DAY)
    intent = hold(client, tenant.tenant_id, slot)
    client.select_payment_method(intent.payment_intent_id, "CASH")
    client.confirm_payment_intent(intent.payment_intent_id)

    with pytest.raises(BadRequest) as caught:
        client.confirm_payment_intent(intent.payment_intent_id)

    assert caught.value.http_status == 422
    assert caught.value.status_code == "PAYMENT_INTENT_STATUS_INVALID"


def test_it_reports_an_unknown_payment_method_as_a_bad_request(client):
    tenant, slot = first_slot(client, "sandbox-padel-madrid", DAY)
    intent = hold(client, tenant.tenant_id, slot)

    with pytest.raises(BadRequest) as caught:
        client.select_payment_method(intent.payment_intent_id, "BITCOIN")

    assert caught.value.status_code == "INCORRECT_PARAMETERS"


def test_it_reads_wallet_balance_and_offers_no_cash_where_the_club_refuses_it(sandbox):
    sandbox.add_account("w@x.test", "pw2", wallet_balance="50")
    client = PlaytomicClient(sandbox.url, clock=sandbox.clock.now)
    client.login("w@x.test", "pw2")
    tenant, slot = first_slot(client, "sandbox-racquets-london", DAY)

    intent = hold(client, tenant.tenant_id, slot)

    assert intent.method("CASH") is None
    wallet = intent.method("MERCHANT_WALLET")
    assert wallet is not None
    assert wallet.balance == Money(Decimal(50), "GBP")
    assert intent.method("CREDIT_CARD") is not None


def test_it_refuses_a_naive_start_before_sending(sandbox, client):
    sandbox.clear_requests()

    with pytest.raises(ValueError, match="aware"):
        client.create_payment_intent(
            tenant_id="t", resource_id="r", start=datetime(2027, 3, 30, 9), duration_minutes=60
        )

    assert sandbox.requests(path="/v1/payment_intents") == []
