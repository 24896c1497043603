"""Every sandbox fault ends in a PollRun with its kind, never in an exception, and never in a
half-written day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from availability.models import PollRun, SlotChange, SlotState
from availability.services.polling import poll_club
from clubs.models import Club
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Iterator[Any]:
    from playtomic.sandbox.server import SandboxServer

    with SandboxServer(seed=1, accounts=[(SANDBOX_EMAIL, SANDBOX_PASSWORD)], demand=False) as sb:
        yield sb


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def assert_only_whole_days_stored(run: PollRun) -> None:
    stored = {d.isoformat() for d in SlotState.objects.values_list("local_date", flat=True)}
    assert stored == set(run.days_ok)
    changed = {d.isoformat() for d in SlotChange.objects.values_list("local_date", flat=True)}
    assert changed == set(run.days_ok)


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ({"latency_ms": 1500, "count": 3}, "timeout"),
        ({"error_rate": 1.0, "error_status": 502, "count": 3}, "server_error"),
        ({"rate_limit": True, "retry_after": 0, "count": 3}, "rate_limited"),
        ({"malformed_json": True, "count": 1}, "schema"),
        ({"drop_connection": "before", "count": 3}, "connection"),
    ],
)
def test_a_failing_day_is_recorded_and_the_other_days_are_stored(
    madrid: Club, use_sandbox: Any, settings: Any, fault: dict[str, Any], kind: str
):
    settings.PLAYTOMIC_READ_TIMEOUT = 0.5
    # This is about one day failing, not about the breaker (which counts every attempt).
    settings.PLAYTOMIC_BREAKER_THRESHOLD = 10
    use_sandbox.add_fault(endpoint="availability", **fault)

    run = poll_club(club=madrid, days_ahead=2)

    assert run.outcome == PollRun.Outcome.PARTIAL
    assert run.error_kind == kind
    assert run.error_message.startswith("2026-02-02: ")
    assert run.days_ok == ["2026-02-03", "2026-02-04"]
    assert_only_whole_days_stored(run)


def test_an_edge_block_stops_the_poll_at_once(madrid: Club, use_sandbox: Any):
    use_sandbox.add_fault(endpoint="availability", edge_block=True)
    run = poll_club(club=madrid, days_ahead=3)
    assert run.outcome == PollRun.Outcome.FAILED
    assert run.error_kind == "blocked"
    assert len(use_sandbox.requests(path="/v1/availability")) == 1
    assert not SlotState.objects.exists()


def test_expired_access_tokens_are_refreshed_transparently(madrid: Club, use_sandbox: Any):
    poll_club(club=madrid, days_ahead=0)
    use_sandbox.expire_tokens()
    run = poll_club(club=madrid, days_ahead=0)
    assert run.outcome == PollRun.Outcome.OK, run.error_message


def test_dead_refresh_tokens_lead_to_one_fresh_login(madrid: Club, use_sandbox: Any):
    poll_club(club=madrid, days_ahead=0)
    use_sandbox.expire_tokens(refresh_tokens=True)
    use_sandbox.clear_requests()
    run = poll_club(club=madrid, days_ahead=1)
    assert run.outcome == PollRun.Outcome.OK, run.error_message
    assert len(use_sandbox.requests(path="/v3/auth/login")) == 1


def test_a_wrong_password_fails_the_poll_with_its_kind(madrid: Club, use_sandbox: Any):
    from accounts.models import PlaytomicAccount

    PlaytomicAccount.objects.update(password="wrong", access_token="", refresh_token="")
    run = poll_club(club=madrid, days_ahead=1)
    assert run.outcome == PollRun.Outcome.FAILED
    assert run.error_kind == "unauthorized"
    assert not SlotState.objects.exists()


def test_the_breaker_stops_requests_to_a_failing_host(madrid: Club, use_sandbox: Any):
    use_sandbox.add_fault(endpoint="availability", error_rate=1.0)

    first = poll_club(club=madrid, days_ahead=7)

    # Threshold 3 (tests): the first day's three failed attempts open it; no more requests.
    assert first.outcome == PollRun.Outcome.FAILED
    assert first.error_kind == "server_error"
    assert len(use_sandbox.requests(path="/v1/availability")) == 3
    assert first.requests_made == 3

    second = poll_club(club=madrid, days_ahead=7)

    assert second.outcome == PollRun.Outcome.FAILED
    assert second.error_kind == "circuit_open"
    assert second.requests_made == 0
    assert len(use_sandbox.requests(path="/v1/availability")) == 3
    assert not SlotState.objects.exists()


def test_the_breaker_lets_one_probe_through_after_its_pause(
    madrid: Club, use_sandbox: Any, clock: Any
):
    use_sandbox.add_fault(endpoint="availability", error_rate=1.0, count=3)
    poll_club(club=madrid, days_ahead=7)
    clock.shift(61)
    run = poll_club(club=madrid, days_ahead=1)
    assert run.outcome == PollRun.Outcome.OK, run.error_message
