"""The sandbox's random 5xx fault fires at the asked rate, repeatably for a given seed."""

from __future__ import annotations

from datetime import UTC, datetime

from playtomic.sandbox import SandboxServer
from tests.support.sandbox import EMAIL, PASSWORD, logged_in_session

NOW = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
REQUESTS = 200


def _statuses_under_half_error_rate(seed: int) -> list[int]:
    with SandboxServer(
        seed=seed, accounts=[(EMAIL, PASSWORD)], now=NOW, frozen=True, demand=False
    ) as sandbox:
        http = logged_in_session(sandbox)
        rule = {"endpoint": "tenants", "error_rate": 0.5, "error_status": 503}
        assert http.post(f"{sandbox.url}/_sandbox/faults", json=rule).status_code == 200
        return [http.get(f"{sandbox.url}/v1/tenants").status_code for _ in range(REQUESTS)]


def test_an_error_rate_of_one_half_fails_about_half_the_requests_with_a_5xx():
    statuses = _statuses_under_half_error_rate(seed=5)
    assert set(statuses) == {200, 503}
    failures = statuses.count(503)
    # Binomial(200, 0.5) has a standard deviation of about 7: +-30 is over four of them.
    assert 70 <= failures <= 130, failures


def test_the_same_seed_fails_the_same_requests():
    assert _statuses_under_half_error_rate(seed=9) == _statuses_under_half_error_rate(seed=9)
