"""The /_sandbox/ control API: faults, request log, clock, rivals, state, reset, and the CLI."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from playtomic.sandbox import SandboxServer
from tests.support.sandbox import (
    EMAIL,
    PASSWORD,
    frozen_sandbox,
    logged_in_session,
    sandbox_command,
)

NOW = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)

# Module-level session: keep-alive to the sandbox, no per-call timeout noise.
http = requests.Session()


sandbox = frozen_sandbox(now=NOW, seed=5)


def fault(sandbox: SandboxServer, **rule: Any) -> None:
    assert http.post(f"{sandbox.url}/_sandbox/faults", json=rule).status_code == 200


def test_a_latency_fault_delays_only_its_endpoint(sandbox: SandboxServer) -> None:
    s = logged_in_session(sandbox)
    fault(sandbox, endpoint="tenant", latency_ms=150)
    started = time.perf_counter()
    s.get(f"{sandbox.url}/v1/tenants")
    assert time.perf_counter() - started < 0.1
    started = time.perf_counter()
    s.get(f"{sandbox.url}/v1/tenants/{sandbox.world.clubs[0].tenant_id}")
    assert time.perf_counter() - started >= 0.15


def test_an_error_fault_with_a_count_hits_the_next_n_requests_only(sandbox: SandboxServer) -> None:
    s = logged_in_session(sandbox)
    fault(sandbox, endpoint="*", error_rate=1.0, error_status=502, count=2)
    statuses = [s.get(f"{sandbox.url}/v1/tenants").status_code for _ in range(3)]
    assert statuses == [502, 502, 200]
    assert http.get(f"{sandbox.url}/_sandbox/faults").json() == []


def test_a_rate_limit_fault_answers_429_with_retry_after(sandbox: SandboxServer) -> None:
    s = logged_in_session(sandbox)
    fault(sandbox, endpoint="tenants", rate_limit=True, retry_after=7, count=1)
    answer = s.get(f"{sandbox.url}/v1/tenants")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"
    assert answer.json()["status"] == "TOO_MANY_REQUESTS"


def test_an_edge_block_fault_answers_the_cloudfront_html_403(sandbox: SandboxServer) -> None:
    fault(sandbox, endpoint="login", edge_block=True)
    answer = http.post(f"{sandbox.url}/v3/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert answer.status_code == 403
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["Server"] == "CloudFront"
    assert "Request blocked" in answer.text


def test_a_malformed_json_fault_corrupts_the_body(sandbox: SandboxServer) -> None:
    s = logged_in_session(sandbox)
    fault(sandbox, endpoint="tenants", malformed_json=True, count=1)
    answer = s.get(f"{sandbox.url}/v1/tenants")
    assert answer.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        answer.json()


def test_a_drop_fault_closes_the_connection_without_a_response(sandbox: SandboxServer) -> None:
    s = logged_in_session(sandbox)
    fault(sandbox, endpoint="tenants", drop_connection="before", count=1)
    with pytest.raises(requests.ConnectionError):
        s.get(f"{sandbox.url}/v1/tenants")
    assert s.get(f"{sandbox.url}/v1/tenants").status_code == 200
    [dropped, _] = sandbox.requests(path="/v1/tenants")
    assert dropped["status"] is None and dropped["faults"] == ["drop_before"]


def test_deleting_faults_clears_them(sandbox: SandboxServer) -> None:
    s = logged_in_session(sandbox)
    fault(sandbox, error_rate=1.0)
    assert s.get(f"{sandbox.url}/v1/tenants").status_code == 503
    http.delete(f"{sandbox.url}/_sandbox/faults")
    assert s.get(f"{sandbox.url}/v1/tenants").status_code == 200
    bad = http.post(f"{sandbox.url}/_sandbox/faults", json={"endpoint": "nope", "error_rate": 1})
    assert bad.status_code == 400


def test_the_request_log_records_every_api_request(sandbox: SandboxServer) -> None:
    s = logged_in_session(sandbox)
    before = time.time()
    s.get(
        f"{sandbox.url}/v1/availability",
        params={
            "tenant_id": sandbox.world.clubs[0].tenant_id,
            "start_min": "2027-01-07T00:00:00",
            "start_max": "2027-01-07T23:00:00",
        },
    )
    log = http.get(f"{sandbox.url}/_sandbox/requests").json()
    assert [e["path"] for e in log] == ["/v3/auth/login", "/v1/availability"]
    entry = log[1]
    assert entry["method"] == "GET" and entry["status"] == 200 and entry["email"] == EMAIL
    assert entry["endpoint"] == "availability" and "tenant_id=" in entry["query"]
    assert entry["received_at"] == "2027-01-05T12:00:00.000000+00:00"
    assert before <= entry["received_unix"] <= time.time()
    assert log[0]["email"] is None
    since = http.get(
        f"{sandbox.url}/_sandbox/requests", params={"since": str(entry["received_unix"])}
    ).json()
    assert [e["path"] for e in since] == ["/v1/availability"]
    assert [
        e["path"]
        for e in http.get(f"{sandbox.url}/_sandbox/requests", params={"path": "/v3/"}).json()
    ] == ["/v3/auth/login"]
    http.delete(f"{sandbox.url}/_sandbox/requests")
    assert sandbox.requests() == []


def test_the_clock_endpoint_sets_freezes_offsets_and_accelerates(sandbox: SandboxServer) -> None:
    url = f"{sandbox.url}/_sandbox/clock"
    assert http.get(url).json()["mode"] == "frozen"
    answer = http.post(url, json={"now": "2027-03-01T08:00:00", "frozen": True}).json()
    assert answer["now"] == "2027-03-01T08:00:00.000000+00:00"
    assert http.get(f"{sandbox.url}/v1/tenants").headers["Date"] == "Mon, 01 Mar 2027 08:00:00 GMT"
    http.post(url, json={"advance_seconds": 90})
    assert sandbox.clock.now() == datetime(2027, 3, 1, 8, 1, 30, tzinfo=UTC)
    http.post(url, json={"offset_seconds": -3600})
    assert http.get(url).json()["mode"] == "offset"
    assert abs(sandbox.clock.now().timestamp() - (time.time() - 3600)) < 1
    http.post(url, json={"now": "2027-03-01T08:00:00", "speed": 600})
    time.sleep(0.1)
    assert sandbox.clock.now() >= datetime(2027, 3, 1, 8, 0, 55, tzinfo=UTC)
    http.post(url, json={"real": True})
    assert http.get(url).json()["mode"] == "real"


def test_rivals_book_at_release_plus_delay_on_a_frozen_clock(sandbox: SandboxServer) -> None:
    madrid = sandbox.world.club_by_slug("sandbox-padel-madrid")
    court = madrid.courts[0].resource_id
    http.post(
        f"{sandbox.url}/_sandbox/releases",
        json={
            "tenant_id": madrid.tenant_id,
            "local_date": "2027-01-30",
            "release_at": "2027-01-05T12:00:05",
        },
    )
    slot = {
        "tenant_id": madrid.tenant_id,
        "resource_id": court,
        "start": "2027-01-30T17:00:00",
        "duration": 90,
    }
    [rival] = http.post(
        f"{sandbox.url}/_sandbox/rivals",
        json={"slots": [slot], "delay_ms_min": 50, "delay_ms_max": 500},
    ).json()
    due = datetime.fromisoformat(rival["due_at"])
    assert (
        timedelta(milliseconds=50)
        <= due - datetime(2027, 1, 5, 12, 0, 5, tzinfo=UTC)
        <= timedelta(milliseconds=500)
    )
    sandbox.advance(timedelta(seconds=5.6))
    s = logged_in_session(sandbox)
    answer = s.post(
        f"{sandbox.url}/v1/payment_intents",
        json={"cart": {"requested_item": {"cart_item_data": slot}}},
    )
    assert answer.status_code == 409
    [state] = http.get(f"{sandbox.url}/_sandbox/rivals").json()
    assert state["status"] == "BOOKED"


def test_a_rival_loses_to_an_account_that_booked_first_in_real_time() -> None:
    with SandboxServer(seed=5, accounts=[(EMAIL, PASSWORD)], demand=False) as sandbox:
        madrid = sandbox.world.club_by_slug("sandbox-padel-madrid")
        s = logged_in_session(sandbox)
        day = (sandbox.clock.now() + timedelta(days=20)).astimezone(madrid.zone).date()
        release = sandbox.clock.now() + timedelta(milliseconds=300)
        sandbox.set_release(madrid.tenant_id, day, release)
        start = madrid.local_instant(day, 18 * 60).strftime("%Y-%m-%dT%H:%M:%S")
        mine = {
            "tenant_id": madrid.tenant_id,
            "resource_id": madrid.courts[0].resource_id,
            "start": start,
            "duration": 90,
        }
        theirs = {**mine, "resource_id": madrid.courts[1].resource_id}
        sandbox.add_rivals([mine, theirs], delay_ms_min=100, delay_ms_max=150)
        time.sleep(max(0.0, release.timestamp() - sandbox.clock.timestamp()) + 0.02)
        assert (
            s.post(
                f"{sandbox.url}/v1/payment_intents",
                json={"cart": {"requested_item": {"cart_item_data": mine}}},
            ).status_code
            == 200
        )
        time.sleep(0.4)
        # The timer thread ran the rivals without any API request.
        assert [r["status"] for r in sandbox.state()["rivals"]] == ["LOST", "BOOKED"]


def test_state_lists_clubs_accounts_and_bookings_and_reset_restores_the_seed(
    sandbox: SandboxServer,
) -> None:
    http.post(
        f"{sandbox.url}/_sandbox/accounts",
        json={"email": "new@sandbox.test", "password": "pw", "wallet_balance": 20},
    )
    state = http.get(f"{sandbox.url}/_sandbox/state").json()
    assert {a["email"] for a in state["accounts"]} == {EMAIL, "new@sandbox.test"}
    assert "password" not in str(state["accounts"])
    assert len(state["clubs"]) == 6 and state["bookings"] == []
    antwerp = next(c for c in state["clubs"] if c["slug"] == "sandbox-padel-antwerpen")
    assert antwerp["release"] == {"kind": "fixed", "days_ahead": 14, "local_time": "08:30"}
    fault(sandbox, error_rate=1.0)
    assert http.post(f"{sandbox.url}/_sandbox/reset").status_code == 200
    state = http.get(f"{sandbox.url}/_sandbox/state").json()
    assert [a["email"] for a in state["accounts"]] == [EMAIL]
    assert state["faults"] == []


def test_the_command_line_prints_the_url_and_the_accounts() -> None:
    args = ("--seed", "2", "--account", "cli@sandbox.test:pw", "--speed", "2")
    with sandbox_command(*args) as (url, output):
        second = output.readline()
        assert "cli@sandbox.test" in second and "pw" not in second.replace("cli@sandbox.test", "")
        assert http.get(f"{url}/_sandbox/clock").json()["mode"] == "accelerated"
