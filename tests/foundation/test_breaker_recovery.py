"""Monitoring recovers by itself (issue 15): the sandbox goes away while polls run, the breaker
opens, and the sandbox comes back having invalidated every token. The first poll after the
open period must get through, refresh, log in again and read, with no human action.

The breaker lives in the configured cache (the database cache on the embedded defaults, Redis
in CI), as in production; time_machine moves the breaker's clock past the open period, the
sandbox's clock stays frozen so its tokens do not age."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from playtomic.client import PlaytomicClient
from playtomic.errors import CircuitOpen, ConnectionFailed, Unauthorized
from playtomic.sandbox import SandboxServer
from playtomic.types import CourtAvailability, Tokens
from playtomic_monitor.ratelimit import HostGuard
from tests.support.sandbox import EMAIL, PASSWORD, frozen_sandbox

pytestmark = pytest.mark.django_db

SANDBOX_NOW = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)
DAY = date(2027, 3, 30)
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
RESET = 60


sandbox = frozen_sandbox(now=SANDBOX_NOW)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def budget() -> str:
    """A budget name of this test's own: Redis in CI is shared by the whole run."""
    return f"test-{uuid.uuid4().hex[:12]}"


def guard(budget: str) -> HostGuard:
    """One worker process's guard."""
    return HostGuard(name=budget, rate_per_second=0, threshold=3, reset_seconds=RESET)


class Worker:
    """A monitoring worker's reading client, as the poll drives it: the tokens it stores, and
    one fresh login with the stored password when the tokens are dead."""

    def __init__(self, sandbox: SandboxServer, budget: str) -> None:
        self.stored: list[Tokens] = []
        self.guard = guard(budget)
        self.client = PlaytomicClient(
            sandbox.url,
            token_store=self.stored.append,
            clock=sandbox.clock.now,
            sleep=lambda seconds: None,
            read_timeout=2.0,
            observer=self.guard,
        )
        self.client.login(EMAIL, PASSWORD)
        self.tenant_id = self.client.search_tenants(slug="sandbox-padel-madrid")[0].tenant_id

    def poll(self) -> list[CourtAvailability]:
        try:
            return self._read()
        except Unauthorized:
            self.client.login(EMAIL, PASSWORD)
            return self._read()

    def _read(self) -> list[CourtAvailability]:
        return self.client.availability_for_local_day(self.tenant_id, DAY, "Europe/Madrid")


def calls(sandbox: SandboxServer) -> list[tuple[str, str, int | None]]:
    return [(r["method"], r["path"], r["status"]) for r in sandbox.requests()]


def take_the_host_down_then_back_with_every_token_invalidated(
    sandbox: SandboxServer, worker: Worker, clock: Any
) -> None:
    sandbox.add_fault(drop_connection="before")
    with pytest.raises(ConnectionFailed):
        worker.poll()
    assert worker.guard.is_open(worker.client.host)
    sandbox.clear_requests()
    with pytest.raises(CircuitOpen):
        worker.poll()
    assert sandbox.requests() == []

    sandbox.clear_faults()
    sandbox.expire_tokens(refresh_tokens=True)
    clock.shift(timedelta(seconds=RESET - 1))
    with pytest.raises(CircuitOpen):
        worker.poll()
    assert sandbox.requests() == []
    clock.shift(timedelta(seconds=1))


def test_the_first_poll_after_the_open_period_logs_in_again_and_reads(sandbox, clock, budget):
    worker = Worker(sandbox, budget)
    before_outage = worker.stored[-1]
    take_the_host_down_then_back_with_every_token_invalidated(sandbox, worker, clock)

    entries = worker.poll()

    assert entries
    assert calls(sandbox) == [
        ("GET", "/v1/availability", 401),  # the probe: the host is alive
        ("POST", "/v3/auth/token", 401),  # the refresh token died with the outage
        ("POST", "/v3/auth/login", 200),
        ("GET", "/v1/availability", 200),
    ]
    assert worker.client.tokens == worker.stored[-1] != before_outage
    assert not worker.guard.is_open(worker.client.host)


def test_other_workers_wait_for_the_probe_then_read_normally(sandbox, clock, budget):
    prober = Worker(sandbox, budget)
    other = Worker(sandbox, budget)
    take_the_host_down_then_back_with_every_token_invalidated(sandbox, prober, clock)

    prober.guard.before_request(prober.client.host)  # the prober has taken the permit...
    with pytest.raises(CircuitOpen, match="probing"):
        other.poll()
    prober.poll()  # ...and its answer closes the breaker for everyone

    assert other.poll()


def test_a_prober_that_died_blocks_the_others_only_until_its_permit_lapses(sandbox, clock, budget):
    dead = Worker(sandbox, budget)
    other = Worker(sandbox, budget)
    take_the_host_down_then_back_with_every_token_invalidated(sandbox, dead, clock)
    dead.guard.before_request(dead.client.host)  # takes the permit, then never answers
    with pytest.raises(CircuitOpen, match="probing"):
        other.poll()

    clock.shift(timedelta(seconds=dead.guard.probe_seconds))

    assert other.poll()
