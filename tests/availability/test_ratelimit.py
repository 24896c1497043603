"""The per-host rate limiter and circuit breaker (`HostGuard`) as the client's observer: fed
one outcome per HTTP exchange, with time moved by time_machine. The cache is a private locmem
one (tests/clubs/conftest.py); tests/foundation/test_breaker_recovery.py runs the breaker on
the configured cache (the database cache, or Redis in CI) against the sandbox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from playtomic.errors import (
    CircuitOpen,
    ConnectionFailed,
    NotFound,
    RateLimited,
    RateLimitWait,
    ServerError,
    SlotUnavailable,
    Timeout,
    Unauthorized,
    WindowTooLarge,
)
from playtomic_monitor.ratelimit import HostGuard

HOST = "api.example.test"
# On a probe-period boundary (a multiple of 30 s and of the 50 s failure buckets), so the
# tests know exactly which period and bucket each instant falls in.
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def guard(
    *, threshold: int = 3, window_seconds: float = 300, probe_seconds: float = 30
) -> HostGuard:
    """One process's guard (each has its own probe-permit owner)."""
    return HostGuard(
        rate_per_second=0,
        threshold=threshold,
        reset_seconds=60,
        window_seconds=window_seconds,
        probe_seconds=probe_seconds,
    )


def server_error() -> ServerError:
    return ServerError("GET /v1/availability -> 503", http_status=503)


def open_breaker(g: HostGuard) -> None:
    for _ in range(g.threshold):
        g.on_outcome(HOST, server_error())
    assert g.is_open(HOST)


def pause_over(clock: Any, **options: Any) -> None:
    """Open the breaker and move the clock 60 s on, past its pause: the next request probes."""
    open_breaker(guard(**options))
    clock.shift(timedelta(seconds=60))


# ------------------------------------------------------------------------------ rate limit


def test_it_spaces_requests_to_one_host_by_the_rate():
    g = HostGuard(rate_per_second=20)
    started = time.monotonic()
    for _ in range(6):
        g.before_request(HOST)
    assert time.monotonic() - started >= 0.2


def test_it_does_not_take_a_slot_so_late_that_the_request_would_arrive_in_the_next(
    clock: time_machine.Traveller,
):
    # 10 a second: the slot of T0 + 0.09 s ends at T0 + 0.1 s, inside its 0.05 s tail.
    clock.move_to(T0 + timedelta(seconds=0.09))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.shift(timedelta(seconds=seconds))

    HostGuard(rate_per_second=10, sleep=sleep).before_request(HOST)

    assert slept
    assert time.time() >= T0.timestamp() + 0.1  # sent in the next slot, early in it
    assert time.time() <= T0.timestamp() + 0.15


def test_it_gives_up_rather_than_wait_past_its_limit():
    g = HostGuard(rate_per_second=0.01, max_wait_seconds=1)
    g.before_request(HOST)
    with pytest.raises(RateLimitWait):
        g.before_request(HOST)


def test_retry_after_pauses_the_host_for_every_caller():
    slept: list[float] = []
    HostGuard(rate_per_second=0).on_outcome(
        HOST, RateLimited("429", retry_after=2, http_status=429)
    )
    HostGuard(rate_per_second=0, sleep=slept.append).before_request(HOST)
    assert slept and 1.5 < slept[0] <= 2


# ------------------------------------------------------------------------------ counting


def test_it_opens_after_threshold_host_failures_and_refuses_every_process(clock):
    g = guard()
    for error in (server_error(), Timeout("timeout"), ConnectionFailed("refused")):
        g.before_request(HOST)
        g.on_outcome(HOST, error)

    with pytest.raises(CircuitOpen, match=r"after 3 failures \(last: connection\)"):
        guard().before_request(HOST)
    assert g.is_open(HOST)
    assert not g.is_open("other.host")


def test_business_answers_never_open_it(clock):
    g = guard(threshold=2)
    for error in (
        NotFound("404", http_status=404),
        SlotUnavailable("409", http_status=409),
        Unauthorized("401", http_status=401),
    ):
        g.on_outcome(HOST, error)
        g.on_outcome(HOST, error)

    g.before_request(HOST)
    assert not g.is_open(HOST)


def test_any_answer_from_the_host_even_a_401_clears_the_count(clock):
    g = guard(threshold=2)
    g.on_outcome(HOST, server_error())
    g.on_outcome(HOST, Unauthorized("GET /v1/matches -> 401", http_status=401))
    g.on_outcome(HOST, server_error())

    g.before_request(HOST)
    assert not g.is_open(HOST)


def test_errors_that_never_left_the_process_neither_count_nor_clear(clock):
    g = guard(threshold=2)
    g.on_outcome(HOST, server_error())
    for local in (
        CircuitOpen("open"),
        RateLimitWait("no slot"),
        WindowTooLarge("26 h"),
        Unauthorized("not logged in"),
    ):
        g.on_outcome(HOST, local)
    g.on_outcome(HOST, server_error())

    assert g.is_open(HOST)


def test_failures_older_than_the_window_no_longer_count(clock):
    g = guard(threshold=3, window_seconds=300)
    g.on_outcome(HOST, server_error())
    g.on_outcome(HOST, server_error())
    clock.shift(timedelta(seconds=301))

    g.on_outcome(HOST, server_error())

    assert not g.is_open(HOST)


def test_failures_within_the_window_add_up_across_processes(clock):
    g = guard(threshold=3, window_seconds=300)
    g.on_outcome(HOST, server_error())
    clock.shift(timedelta(seconds=120))
    guard().on_outcome(HOST, server_error())
    clock.shift(timedelta(seconds=120))

    guard().on_outcome(HOST, server_error())

    assert g.is_open(HOST)


def test_the_caller_fed_shims_still_feed_the_breaker(clock):
    g = guard(threshold=2)
    g.on_outcome(HOST, server_error())
    g.on_outcome(HOST, None)
    g.on_outcome(HOST, server_error())
    assert not g.is_open(HOST)

    g.on_outcome(HOST, server_error())
    assert g.is_open(HOST)


# ------------------------------------------------------------------------------ half-open


def test_after_the_pause_only_one_process_probes(clock):
    pause_over(clock)
    prober, other = guard(), guard()

    prober.before_request(HOST)
    with pytest.raises(CircuitOpen, match="probing"):
        other.before_request(HOST)


def test_the_prober_may_send_again_while_it_holds_the_permit(clock):
    # The token refresh and the login that follow a probe's 401 are the prober's own requests.
    pause_over(clock)
    prober = guard()

    prober.before_request(HOST)
    prober.before_request(HOST)
    prober.before_request(HOST)


def test_a_401_to_the_probe_closes_it_for_everyone(clock):
    pause_over(clock)
    prober = guard()
    prober.before_request(HOST)

    prober.on_outcome(HOST, Unauthorized("GET /v1/availability -> 401", http_status=401))

    guard().before_request(HOST)
    assert not prober.is_open(HOST)


def test_a_failed_probe_opens_it_again_for_the_whole_pause(clock):
    pause_over(clock, probe_seconds=300)
    prober = guard(probe_seconds=300)
    prober.before_request(HOST)

    prober.on_outcome(HOST, ConnectionFailed("refused"))

    assert prober.is_open(HOST)
    with pytest.raises(CircuitOpen, match="circuit open"):
        prober.before_request(HOST)
    clock.shift(timedelta(seconds=59))
    with pytest.raises(CircuitOpen, match="circuit open"):
        guard(probe_seconds=300).before_request(HOST)
    clock.shift(timedelta(seconds=1))
    # A new opening has a new permit, although the old probe's period has not ended.
    guard(probe_seconds=300).before_request(HOST)


def test_a_probe_permit_lapses_so_a_dead_prober_blocks_nobody_for_long(clock):
    pause_over(clock, probe_seconds=30)
    guard(probe_seconds=30).before_request(HOST)  # and then the prober dies, telling nobody
    other = guard(probe_seconds=30)
    clock.shift(timedelta(seconds=29))
    with pytest.raises(CircuitOpen, match="probing"):
        other.before_request(HOST)

    clock.shift(timedelta(seconds=1))

    other.before_request(HOST)
