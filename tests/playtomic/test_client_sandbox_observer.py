"""The client's one hook (`observer`) and what its errors mean, against the sandbox over real
HTTP: the observer is asked before every attempt and told the outcome of each exactly once,
and each fault ends in an error whose class says whether it stops a poll, trips the breaker or
leaves a write unclear."""

from datetime import UTC, date, datetime, timedelta

import pytest

from playtomic import (
    Blocked,
    ConnectionFailed,
    PlaytomicClient,
    PlaytomicError,
    RateLimited,
    SchemaError,
    ServerError,
    SlotUnavailable,
    Unauthorized,
    WindowTooLarge,
)
from playtomic.errors import CircuitOpen, RateLimitWait
from playtomic.sandbox import SandboxServer
from tests.support.sandbox import first_slot, frozen_sandbox, hold, logged_in_client

NOW = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)
DAY = date(2027, 3, 30)


sandbox = frozen_sandbox(now=NOW)


class Recorder:
    """An observer that writes down what it is told, and can refuse or break on demand."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.refuse: PlaytomicError | None = None
        self.broken = False

    def before_request(self, host: str) -> None:
        self.events.append("before")
        if self.refuse is not None:
            raise self.refuse

    def on_outcome(self, host: str, error: PlaytomicError | None) -> None:
        self.events.append("ok" if error is None else error.kind)
        if self.broken:
            raise RuntimeError("the cache is down")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(sandbox: SandboxServer, recorder: Recorder) -> PlaytomicClient:
    client = logged_in_client(sandbox, observer=recorder)
    recorder.events.clear()
    sandbox.clear_requests()
    return client


def madrid(client: PlaytomicClient) -> str:
    return client.search_tenants(slug="sandbox-padel-madrid")[0].tenant_id


def hold_first_slot(client: PlaytomicClient) -> str:
    tenant, slot = first_slot(client, "sandbox-padel-madrid", DAY)
    intent = hold(client, tenant.tenant_id, slot)
    cash = intent.method("CASH")
    assert cash is not None
    client.select_payment_method(intent.payment_intent_id, cash.payment_method_id)
    return intent.payment_intent_id


# ------------------------------------------------------------------------------ the hook


def test_the_observer_is_asked_before_and_told_after_every_attempt_of_a_retried_read(
    sandbox, client, recorder
):
    tid = madrid(client)
    sandbox.add_fault(endpoint="tenant", error_rate=1.0, error_status=503, count=2)
    recorder.events.clear()

    client.get_tenant(tid)

    assert recorder.events == ["before", "server_error", "before", "server_error", "before", "ok"]


def test_the_refresh_after_a_401_is_an_exchange_of_its_own(sandbox, client, recorder):
    sandbox.expire_tokens()

    client.list_matches()

    assert recorder.events == ["before", "unauthorized", "before", "ok", "before", "ok"]
    assert [r["path"] for r in sandbox.requests()] == [
        "/v1/matches",
        "/v3/auth/token",
        "/v1/matches",
    ]


def test_an_unreadable_2xx_is_reported_once_as_a_schema_error(sandbox, client, recorder):
    sandbox.add_fault(endpoint="tenants", malformed_json=True)

    with pytest.raises(SchemaError):
        client.search_tenants()

    assert recorder.events == ["before", "schema"]


def test_a_refusing_observer_stops_the_request_before_it_is_sent(sandbox, client, recorder):
    recorder.refuse = CircuitOpen("circuit open for the sandbox")

    with pytest.raises(CircuitOpen):
        client.list_matches()

    assert sandbox.requests() == []
    assert recorder.events == ["before"]


def test_a_request_refused_locally_is_never_reported(sandbox, client, recorder):
    with pytest.raises(WindowTooLarge):
        client.get_availability("t", start_min=NOW, start_max=NOW + timedelta(hours=26))

    assert recorder.events == []


def test_a_broken_observer_never_hides_a_booking_that_went_through(client, recorder):
    intent_id = hold_first_slot(client)
    recorder.broken = True

    confirmed = client.confirm_payment_intent(intent_id)

    assert confirmed.status == "SUCCEEDED"
    assert recorder.events[-1] == "ok"


# ------------------------------------------------------------------------------ error meanings


def test_a_confirmation_whose_connection_dropped_after_the_server_acted_is_unclear(sandbox, client):
    intent_id = hold_first_slot(client)
    sandbox.add_fault(endpoint="confirm_payment_intent", drop_connection="after", count=1)

    with pytest.raises(ConnectionFailed) as caught:
        client.confirm_payment_intent(intent_id)

    assert caught.value.outcome_unclear and caught.value.trips_breaker
    assert not caught.value.stops_poll
    # It was right to call it unclear: the court is booked.
    assert client.get_payment_intent(intent_id).status == "SUCCEEDED"
    assert len(client.list_matches()) == 1


def test_a_5xx_on_a_booking_post_is_unclear_and_counts_against_the_host(sandbox, client):
    sandbox.add_fault(endpoint="create_payment_intent", error_rate=1.0, error_status=502)

    with pytest.raises(ServerError) as caught:
        hold_first_slot(client)

    assert caught.value.outcome_unclear and caught.value.trips_breaker
    assert not caught.value.stops_poll


def test_a_taken_slot_is_a_clear_answer_from_a_healthy_host(sandbox, client):
    tid = madrid(client)
    slot = client.availability_for_local_day(tid, DAY, "Europe/Madrid")[0].slots[0]
    hold(client, tid, slot)

    with pytest.raises(SlotUnavailable) as caught:
        hold(client, tid, slot)

    error = caught.value
    assert not (error.outcome_unclear or error.trips_breaker or error.stops_poll)


def test_a_rate_limit_trips_the_breaker_but_was_never_acted_on(sandbox, client):
    sandbox.add_fault(endpoint="matches", rate_limit=True, retry_after=120)

    with pytest.raises(RateLimited) as caught:
        client.list_matches()

    assert caught.value.trips_breaker
    assert not (caught.value.outcome_unclear or caught.value.stops_poll)


def test_an_edge_block_stops_the_poll_and_trips_the_breaker(sandbox, client):
    sandbox.add_fault(endpoint="availability", edge_block=True)

    with pytest.raises(Blocked) as caught:
        client.get_availability("t", start_min=NOW, start_max=NOW + timedelta(hours=1))

    assert caught.value.stops_poll and caught.value.trips_breaker
    assert not caught.value.outcome_unclear


def test_revoked_tokens_stop_the_poll_but_prove_the_host_alive(sandbox, client, recorder):
    sandbox.expire_tokens(refresh_tokens=True)

    with pytest.raises(Unauthorized) as caught:
        client.list_matches()

    assert caught.value.stops_poll
    assert not (caught.value.trips_breaker or caught.value.outcome_unclear)
    assert recorder.events == ["before", "unauthorized", "before", "unauthorized"]


def test_a_refusal_by_the_guard_stops_the_poll_and_says_nothing_about_the_host():
    for refusal in (CircuitOpen("open"), RateLimitWait("no slot")):
        assert refusal.stops_poll
        assert not (refusal.trips_breaker or refusal.outcome_unclear)
