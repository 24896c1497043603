"""Token rotation, error kinds from injected faults, retries and the clock probe, against the
sandbox over real HTTP."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from playtomic import (
    Blocked,
    ConnectionFailed,
    PlaytomicClient,
    RateLimited,
    SchemaError,
    ServerError,
    Timeout,
    Unauthorized,
)
from tests.support.observers import HostRecorder
from tests.support.sandbox import EMAIL, PASSWORD, frozen_sandbox, logged_in_client

NOW = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)


sandbox = frozen_sandbox(now=NOW)


class Store:
    def __init__(self):
        self.pairs = []

    def __call__(self, tokens):
        self.pairs.append(tokens)

    @property
    def newest(self):
        return self.pairs[-1]


def tenant_id(client):
    return client.search_tenants(slug="sandbox-padel-madrid")[0].tenant_id


def paths(sandbox):
    return [(r["method"], r["path"]) for r in sandbox.requests()]


def test_it_rotates_refresh_tokens_and_the_store_always_holds_the_newest(sandbox):
    store = Store()
    client = logged_in_client(sandbox, token_store=store)
    first = store.newest

    second = client.refresh()
    third = client.refresh()

    assert [t.refresh_token for t in store.pairs] == [
        first.refresh_token,
        second.refresh_token,
        third.refresh_token,
    ]
    assert len({t.refresh_token for t in store.pairs}) == 3
    assert client.tokens == store.newest == third
    assert third.user_id == first.user_id
    with pytest.raises(Unauthorized) as caught:
        client.refresh(first.refresh_token)
    assert caught.value.status_code == "USER_NOT_FOUND"
    assert first.refresh_token not in str(caught.value)
    assert client.tokens == third


def test_it_refreshes_before_the_access_token_expires(sandbox):
    store = Store()
    client = logged_in_client(sandbox, token_store=store)
    tid = tenant_id(client)
    sandbox.advance(timedelta(minutes=59, seconds=30))
    sandbox.clear_requests()

    client.get_tenant(tid)

    assert paths(sandbox) == [("POST", "/v3/auth/token"), ("GET", f"/v1/tenants/{tid}")]
    assert len(store.pairs) == 2


def test_it_refreshes_and_retries_once_when_the_server_expires_the_token(sandbox):
    store = Store()
    client = logged_in_client(sandbox, token_store=store)
    tid = tenant_id(client)
    sandbox.expire_tokens()
    sandbox.clear_requests()

    assert client.get_tenant(tid).tenant_id == tid

    assert paths(sandbox) == [
        ("GET", f"/v1/tenants/{tid}"),
        ("POST", "/v3/auth/token"),
        ("GET", f"/v1/tenants/{tid}"),
    ]
    assert [r["status"] for r in sandbox.requests()] == [401, 200, 200]
    assert client.tokens == store.newest


def test_it_raises_unauthorized_when_refresh_tokens_are_revoked(sandbox):
    client = logged_in_client(sandbox)
    sandbox.expire_tokens(refresh_tokens=True)

    with pytest.raises(Unauthorized) as caught:
        client.list_matches()

    assert caught.value.kind == "unauthorized"


def test_it_rejects_bad_credentials(sandbox):
    with pytest.raises(Unauthorized):
        PlaytomicClient(sandbox.url).login(EMAIL, "wrong")


def test_it_retries_reads_through_server_errors_calling_the_hook_each_time(sandbox):
    hosts: list[str] = []
    client = logged_in_client(sandbox, observer=HostRecorder(hosts))
    tid = tenant_id(client)
    sandbox.add_fault(endpoint="tenant", error_rate=1.0, error_status=503, count=2)
    sandbox.clear_requests()
    hosts.clear()

    assert client.get_tenant(tid).tenant_id == tid

    assert [r["status"] for r in sandbox.requests()] == [503, 503, 200]
    assert hosts == [sandbox.url.removeprefix("http://")] * 3


def test_it_gives_up_on_persistent_server_errors(sandbox):
    client = logged_in_client(sandbox, max_retries=2)
    sandbox.add_fault(endpoint="matches", error_rate=1.0, error_status=500)
    sandbox.clear_requests()

    with pytest.raises(ServerError) as caught:
        client.list_matches()

    assert caught.value.kind == "server_error"
    assert len(sandbox.requests()) == 3


def test_it_never_retries_a_payment_intent_post(sandbox):
    client = logged_in_client(sandbox)
    tid = tenant_id(client)
    sandbox.add_fault(endpoint="create_payment_intent", error_rate=1.0, error_status=503)
    sandbox.clear_requests()

    with pytest.raises(ServerError):
        client.create_payment_intent(
            tenant_id=tid,
            resource_id="r",
            start=NOW + timedelta(days=2),
            duration_minutes=60,
        )

    assert len(sandbox.requests()) == 1


def test_it_honours_retry_after_on_reads(sandbox):
    sleeps: list[float] = []
    client = logged_in_client(sandbox, sleep=sleeps.append)
    sandbox.add_fault(endpoint="matches", rate_limit=True, retry_after=1, count=1)

    assert client.list_matches() == []
    assert sleeps == [1.0]


def test_it_gives_up_at_once_when_retry_after_exceeds_the_cap(sandbox):
    client = logged_in_client(sandbox, retry_after_cap=0.5)
    sandbox.add_fault(endpoint="matches", rate_limit=True, retry_after=5)
    sandbox.clear_requests()

    with pytest.raises(RateLimited) as caught:
        client.list_matches()

    assert caught.value.retry_after == 5
    assert caught.value.kind == "rate_limited"
    assert len(sandbox.requests()) == 1


def test_it_reports_an_edge_block_without_retrying(sandbox):
    client = logged_in_client(sandbox)
    sandbox.add_fault(endpoint="availability", edge_block=True)
    sandbox.clear_requests()

    with pytest.raises(Blocked) as caught:
        client.get_availability("t", start_min=NOW, start_max=NOW + timedelta(hours=1))

    assert caught.value.kind == "blocked" and caught.value.retryable is False
    assert caught.value.http_status == 403
    assert len(sandbox.requests()) == 1


def test_it_reports_malformed_json_as_a_schema_error(sandbox):
    client = logged_in_client(sandbox)
    sandbox.add_fault(endpoint="tenants", malformed_json=True)

    with pytest.raises(SchemaError) as caught:
        client.search_tenants()

    assert caught.value.kind == "schema"
    assert caught.value.http_status == 200


def test_it_retries_a_read_after_a_dropped_connection(sandbox):
    client = logged_in_client(sandbox)
    sandbox.add_fault(endpoint="matches", drop_connection="before", count=1)

    assert client.list_matches() == []


def test_it_reports_a_dropped_connection_on_a_post_without_retrying(sandbox):
    client = logged_in_client(sandbox)
    sandbox.add_fault(endpoint="cancel_match", drop_connection="after")
    sandbox.clear_requests()

    with pytest.raises(ConnectionFailed) as caught:
        client.cancel_match("m-1")

    assert caught.value.kind == "connection"
    assert len(sandbox.requests()) == 1


def test_it_times_out_a_slow_read(sandbox):
    client = logged_in_client(sandbox, read_timeout=0.05, max_retries=1)
    sandbox.add_fault(endpoint="matches", latency_ms=200)
    sandbox.clear_requests()

    with pytest.raises(Timeout) as caught:
        client.list_matches()

    assert caught.value.kind == "timeout"
    # The sandbox logs a request once its injected latency is over.
    time.sleep(0.3)
    assert len(sandbox.requests(path="/v1/matches")) == 2


def test_it_estimates_the_sandbox_clock_offset(sandbox):
    sandbox.set_clock(real=True, offset_seconds=12.345)
    client = PlaytomicClient(sandbox.url)
    client.login(EMAIL, PASSWORD)

    estimate = client.probe_clock(max_seconds=1.5, min_interval=0.005)

    assert abs(estimate.offset_ms - 12345) <= estimate.uncertainty_ms + 2
    assert estimate.uncertainty_ms < 25
    assert estimate.samples >= 2
