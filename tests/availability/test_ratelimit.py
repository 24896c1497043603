from __future__ import annotations

import time
from typing import Any

import pytest

from playtomic.errors import NotFound, RateLimited, ServerError
from playtomic_monitor.ratelimit import CircuitOpen, HostGuard, RateLimitWait

HOST = "api.example.test"


def test_it_spaces_requests_to_one_host_by_the_rate():
    guard = HostGuard(rate_per_second=20)
    started = time.monotonic()
    for _ in range(6):
        guard.before_request(HOST)
    assert time.monotonic() - started >= 0.2


def test_it_gives_up_rather_than_wait_past_its_limit():
    guard = HostGuard(rate_per_second=0.01, max_wait_seconds=1)
    guard.before_request(HOST)
    with pytest.raises(RateLimitWait):
        guard.before_request(HOST)


def test_it_opens_after_consecutive_host_failures_and_ignores_business_errors():
    guard = HostGuard(rate_per_second=0, threshold=2)
    guard.record_failure(HOST, NotFound("404"))
    guard.record_failure(HOST, NotFound("404"))
    guard.before_request(HOST)
    guard.record_failure(HOST, ServerError("503"))
    guard.before_request(HOST)
    guard.record_failure(HOST, ServerError("503"))
    with pytest.raises(CircuitOpen):
        guard.before_request(HOST)
    assert guard.is_open(HOST)
    assert not guard.is_open("other.host")


def test_a_success_closes_it_again():
    guard = HostGuard(rate_per_second=0, threshold=2)
    guard.record_failure(HOST, ServerError("503"))
    guard.record_success(HOST)
    guard.record_failure(HOST, ServerError("503"))
    guard.before_request(HOST)


def test_after_the_pause_only_one_probe_goes_through(monkeypatch: Any):
    guard = HostGuard(rate_per_second=0, threshold=1, reset_seconds=30)
    guard.record_failure(HOST, ServerError("503"))
    later = time.time() + 31
    monkeypatch.setattr("playtomic_monitor.ratelimit._now", lambda: later)
    guard.before_request(HOST)
    with pytest.raises(CircuitOpen, match="probing"):
        guard.before_request(HOST)


def test_retry_after_pauses_the_host_for_every_caller():
    slept: list[float] = []
    guard = HostGuard(rate_per_second=0, threshold=10, sleep=slept.append)
    guard.record_failure(HOST, RateLimited("429", retry_after=2))
    guard.before_request(HOST)
    assert slept and 1.5 < slept[0] <= 2
