"""No member can stall the site: calls a person waits on (club search, import, test login) spend
their own small Playtomic budget and fail fast with 429 or 503 and Retry-After, searches are
cached and throttled per user, and an unreachable Redis is a 503, never a 500."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts.models import PlaytomicAccount
from accounts.services import account_create, account_test_login
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD

SEARCH = "/api/clubs/search"
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on port 1: every cache call is refused at once.
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def searches_seen(sandbox: Any) -> int:
    return len(sandbox.requests(path="/v1/tenants"))


@pytest.fixture
def interactive_budget(settings: Any) -> Any:
    """The production budget (the monitoring fixtures turn rates off for speed)."""
    settings.PLAYTOMIC_INTERACTIVE_RATE_PER_SECOND = 2
    settings.PLAYTOMIC_INTERACTIVE_MAX_WAIT_SECONDS = 2
    return settings


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_searches_by_one_member_fail_fast_and_the_site_stays_fast(
    use_sandbox, reader, member, outsider, interactive_budget
):
    assert account_test_login(account=reader)  # the reader's tokens, as in production
    use_sandbox.clear_requests()
    results: list[tuple[int, float, str | None]] = []
    lock = threading.Lock()
    start = threading.Barrier(21, timeout=30)

    def search(i: int) -> None:
        try:
            client = api(member)
            start.wait()
            began = time.monotonic()
            # Different queries, so the cache answers none of them.
            response = client.get(SEARCH, {"query": f"club {i}"})
            with lock:
                results.append(
                    (response.status_code, time.monotonic() - began, response.get("Retry-After"))
                )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=search, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    other = api(outsider)
    page_times: list[float] = []
    start.wait()
    began = time.monotonic()
    while any(t.is_alive() for t in threads) and time.monotonic() - began < 30:
        t0 = time.monotonic()
        assert other.get("/api/clubs/").status_code == 200
        page_times.append(time.monotonic() - t0)
        time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=30)

    statuses = [status for status, _, _ in results]
    assert len(results) == 20
    assert set(statuses) <= {200, 429, 503}, statuses
    assert 200 in statuses and 429 in statuses
    assert max(elapsed for _, elapsed, _ in results) < 4
    for status, _, retry_after in results:
        if status != 200:
            assert retry_after is not None and int(retry_after) >= 1
    # The budget held: about 2 requests a second over the burst, not 20 at once.
    assert searches_seen(use_sandbox) <= 2 * (time.monotonic() - began) + 2
    assert len(page_times) >= 3
    assert statistics.quantiles(page_times, n=20)[-1] < 1.0


def test_a_repeated_search_is_answered_from_the_cache(use_sandbox, reader, member):
    use_sandbox.clear_requests()
    client = api(member)

    first = client.get(SEARCH, {"query": "madrid"})
    again = client.get(SEARCH, {"query": "  MADRID "})

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert [t["name"] for t in first.json()] == ["Sandbox Padel Madrid"]
    assert searches_seen(use_sandbox) == 1


def test_the_search_endpoint_is_throttled_per_user(use_sandbox, reader, member, staff, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "playtomic_search": "2/minute",
        },
    }
    client = api(member)

    statuses = [client.get(SEARCH, {"query": q}).status_code for q in ("madrid", "london")]
    throttled = client.get(SEARCH, {"query": "padel"})

    assert statuses == [200, 200]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert client.get("/api/clubs/").status_code == 200  # other endpoints keep their rate
    assert api(staff).get(SEARCH, {"query": "padel"}).status_code == 200  # per user


def test_an_open_circuit_is_a_503_with_retry_after_and_sends_nothing(use_sandbox, reader, member):
    use_sandbox.add_fault(endpoint="tenants", error_rate=1.0, error_status=503)
    client = api(member)

    failing = client.get(SEARCH, {"query": "madrid"})
    tripping = client.get(SEARCH, {"query": "london"})
    use_sandbox.clear_requests()
    refused = client.get(SEARCH, {"query": "padel"})

    assert failing.status_code == 503 and failing.json()["kind"] == "server_error"
    assert tripping.status_code == 503
    assert refused.status_code == 503
    assert refused.json()["kind"] == "circuit_open"
    assert "paused" in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert searches_seen(use_sandbox) == 0


def test_a_slow_playtomic_is_a_503_within_a_few_seconds(use_sandbox, reader, member, settings):
    settings.PLAYTOMIC_INTERACTIVE_READ_TIMEOUT = 1.0
    use_sandbox.add_fault(endpoint="tenants", latency_ms=3000)

    began = time.monotonic()
    response = api(member).get(SEARCH, {"query": "madrid"})

    assert response.status_code == 503
    assert response.json()["kind"] == "timeout"
    assert int(response["Retry-After"]) >= 1
    assert time.monotonic() - began < 4


def test_the_add_page_shows_playtomic_trouble_beside_the_search_box(
    client, use_sandbox, reader, staff, interactive_budget
):
    # One request per 100 s: the reader's login takes it, so the search finds no slot.
    interactive_budget.PLAYTOMIC_INTERACTIVE_RATE_PER_SECOND = 0.01
    interactive_budget.PLAYTOMIC_INTERACTIVE_MAX_WAIT_SECONDS = 0.5
    client.force_login(staff)

    began = time.monotonic()
    refused = client.get("/clubs/add/", {"q": "madrid"})

    assert refused.status_code == 200
    assert b"msg-error" in refused.content
    assert b"Too many requests to Playtomic right now" in refused.content
    assert searches_seen(use_sandbox) == 0
    assert time.monotonic() - began < 2


def test_a_redis_outage_is_a_503_on_the_api_search_and_the_add_page(
    client, use_sandbox, reader, member, staff, settings
):
    client.force_login(staff)
    settings.CACHES = REDIS_DOWN

    searched = api(member).get(SEARCH, {"query": "madrid"})
    page = client.get("/clubs/add/", {"q": "madrid"})

    assert searched.status_code == 503
    assert searched.json()["detail"] == "A backing service is unavailable; try again shortly."
    assert int(searched["Retry-After"]) >= 1
    assert page.status_code == 503
    assert int(page["Retry-After"]) >= 1
    assert b"A backing service is unavailable" in page.content


def test_a_test_login_without_an_answer_is_a_503_and_leaves_the_account_alone(use_sandbox, member):
    account = account_create(owner=member, email=SANDBOX_EMAIL, password=SANDBOX_PASSWORD)
    use_sandbox.add_fault(endpoint="login", error_rate=1.0, error_status=502)

    response = api(member).post(f"/api/booking/accounts/{account.pk}/test-login/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    account.refresh_from_db()
    assert account.status != PlaytomicAccount.Status.FAILED
