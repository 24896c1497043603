"""Per-account booking limits of a club (`booking_settings.max_number_of_active_bookings`,
`max_number_of_bookings_per_day`): the sandbox publishes and enforces them, the client reads
them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from playtomic.client import PlaytomicClient
from playtomic.errors import BadRequest
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD

MADRID = "sandbox-padel-madrid"
# Which courts the simulated players have taken depends on the day: on this Tuesday morning
# both courts are still free at 11:00 UTC on the Thursday.
TUESDAY_MORNING = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)


def book(client: PlaytomicClient, tenant_id: str, resource_id: str, start: datetime) -> None:
    intent = client.create_payment_intent(
        tenant_id=tenant_id,
        resource_id=resource_id,
        start=start,
        duration_minutes=60,
        number_of_players=4,
    )
    client.select_payment_method(intent.payment_intent_id, "CASH")
    client.confirm_payment_intent(intent.payment_intent_id)


@pytest.fixture
def client(sandbox) -> PlaytomicClient:
    client = PlaytomicClient(sandbox.url)
    client.login(SANDBOX_EMAIL, SANDBOX_PASSWORD)
    return client


def test_a_club_without_limits_reports_none(sandbox, client):
    tenant = client.get_tenant(sandbox.world.club_by_slug(MADRID).tenant_id)

    assert (tenant.max_active_bookings, tenant.max_bookings_per_day) == (None, None)


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_the_active_booking_limit_is_published_and_refuses_one_more(sandbox, client):
    club = sandbox.world.club_by_slug(MADRID)
    sandbox.set_limits(club.tenant_id, max_active_bookings=1, max_bookings_per_day=3)
    courts = [c for c in club.courts if c.sport_id == "PADEL"]
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=11, minute=0, second=0, microsecond=0
    )
    book(client, club.tenant_id, courts[0].resource_id, start)

    tenant = client.get_tenant(club.tenant_id)
    with pytest.raises(BadRequest) as refused:
        book(client, club.tenant_id, courts[1].resource_id, start)

    assert (tenant.max_active_bookings, tenant.max_bookings_per_day) == (1, 3)
    assert refused.value.http_status == 422
    assert refused.value.status_code == "BOOKING_LIMIT_REACHED"
    log = sandbox.requests(path="/v1/payment_intents")
    assert log[-1]["refusal"] == "limit"
