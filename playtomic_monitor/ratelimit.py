"""Politeness towards Playtomic, shared by every worker process: a per-host rate limiter and a
per-host circuit breaker, both kept in the Django cache (Redis in production, the database
cache on the embedded defaults), so ten workers behave like one polite client.

`HostGuard` is the client's `ExchangeObserver`: pass it as `PlaytomicClient(...,
observer=guard)` and the client asks it before every attempt (`before_request`) and tells it
the outcome after every attempt (`on_outcome`). Nobody else feeds the breaker.

The limiter hands out time slots of 1/rate seconds: whoever `cache.add`s the slot's key first
may send, everyone else waits for a later slot. `add` is atomic on Redis and on the database
cache, so no slot is ever given twice, whatever the number of processes. A request that comes
in a slot's tail (half of it, 0.25 s at most) takes the next slot and waits for its start, so
each request reaches the host within its slot and the host counts at most `rate` in any second
of our clock (bench/bench_fleet.py checks it from the sandbox's request log).

The breaker counts the failures whose class says `trips_breaker` (timeouts, dropped
connections, 5xx, 429, edge blocks, unreadable bodies) in a sliding window of
`window_seconds`; any other answer, a 401 included, proves the host alive and clears the count.
At `threshold` failures within the window it opens for `reset_seconds`: no request to that
host leaves any process. Then it is half-open: one caller at a time holds the probe permit and
may send; the answer closes the breaker (any answer from a live host) or opens it again. The
permit belongs to the guard that took it, so the token refresh and the login that follow a
probe go through; it lapses at the end of its `probe_seconds` period, so a prober that died
blocks the others for at most that long.

Every expiry is decided by comparing timestamps with `_now()`, never by cache timeouts alone
(those only collect garbage): Redis expires keys on its own clock, the database cache on the
process's, and the decisions must not depend on which one is configured.

A 429's `Retry-After` pauses the host for every process, not only the one that was told.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache

from playtomic.errors import CircuitOpen, PlaytomicError, RateLimited, RateLimitWait

logger = logging.getLogger(__name__)

# A 429 may ask for a long pause; longer than this and we would rather fail the poll.
RETRY_AFTER_CAP_SECONDS = 300.0
# The failure window is counted in this many buckets (one cache key each), so a count is
# atomic per bucket on Redis and the window slides by a sixth of its length.
WINDOW_BUCKETS = 6
# The last part of a rate slot, half of it but at most this long, in which a request takes
# the next slot instead: sent then, it could reach the host in the next slot (see _take_slot).
SLOT_TAIL_SECONDS = 0.25
# Cache timeouts for state whose lifetime the timestamps decide; long enough never to cut it
# short, short enough not to litter the cache.
STATE_TIMEOUT_SECONDS = 24 * 3600

__all__ = ["CircuitOpen", "HostGuard", "RateLimitWait", "interactive_guard", "poll_guard"]


def _now() -> float:
    return time.time()


def _new_owner() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class HostGuard:
    """Rate limiter and breaker for one budget (`name`): "poll" for monitoring reads, so a
    polling backlog can never eat the booking budget, and "interactive" for the calls a person
    waits on, so neither delays the other. Give each client its own guard: the
    half-open probe permit is held by the guard (`owner`), so one guard shared by clients in
    several threads would let them all probe."""

    name: str = "poll"
    rate_per_second: float = 1.0
    max_wait_seconds: float = 60.0
    threshold: int = 5
    reset_seconds: float = 60.0
    window_seconds: float = 300.0
    probe_seconds: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    owner: str = field(default_factory=_new_owner)

    def _key(self, host: str, what: str) -> str:
        return f"playtomic:{self.name}:{host}:{what}"

    # ------------------------------------------------------------------ before each request

    def before_request(self, host: str) -> None:
        """Called by the client before every attempt (retries included): fail fast if the
        breaker is open, otherwise wait for the host's pause and for a free rate slot, and in
        the half-open state take the probe permit (or fail if someone else holds it)."""
        state = self._open_state(host)
        if state is not None and _now() < state["until"]:
            raise CircuitOpen(self._open_message(host, state), retry_after=state["until"] - _now())
        deadline = _now() + self.max_wait_seconds
        paused_until = cache.get(self._key(host, "paused_until"))
        if paused_until is not None and float(paused_until) > _now():
            if float(paused_until) > deadline:
                raise RateLimitWait(
                    f"{host} asked us to wait until {paused_until:.0f}",
                    retry_after=float(paused_until) - _now(),
                )
            self.sleep(float(paused_until) - _now())
        self._take_slot(host, deadline)
        if state is not None:
            self._take_probe(host, state)

    def _take_slot(self, host: str, deadline: float) -> None:
        if self.rate_per_second <= 0:
            return
        interval = 1.0 / self.rate_per_second
        tail = min(interval / 2, SLOT_TAIL_SECONDS)
        while True:
            now = _now()
            slot = int(now / interval)
            if (slot + 1) * interval - now < tail:
                # Too late in this slot: a request sent now could reach the host in the next
                # one. Take the next and send at its start, so the host, counting by its own
                # receive time, sees at most `rate` a second too, while network delays vary by
                # less than the tail.
                slot += 1
            # Expiry well past the slot so a slow clock in another process cannot reuse it.
            if cache.add(self._key(host, f"slot:{slot}"), 1, timeout=int(interval) + 10):
                if slot * interval > now:
                    self.sleep(slot * interval - now)
                return
            wait = (slot + 1) * interval - now
            if now + wait > deadline:
                # The queue ahead is unknown; one more wait's worth is an honest guess.
                raise RateLimitWait(
                    f"no request slot for {host} within {self.max_wait_seconds:.0f} s",
                    retry_after=max(self.max_wait_seconds, interval),
                )
            # A little jitter so the waiters of one slot do not all wake at the same instant,
            # well before its tail.
            self.sleep(wait + random.uniform(0, min((interval - tail) / 2, 0.05)))

    def _take_probe(self, host: str, state: dict[str, Any]) -> None:
        # One permit per opening and per `probe_seconds` period: a fresh key for each, taken
        # with the atomic `add`, so a permit lapses with its period whatever the backend.
        period = int(_now() // self.probe_seconds)
        key = self._key(host, f"probe:{state['opened_at']}:{period}")
        if cache.add(key, self.owner, timeout=int(self.probe_seconds) + 10):
            return
        if cache.get(key) == self.owner:
            return  # our own probe's refresh, login or retry
        raise CircuitOpen(f"circuit half-open for {host}; another process is probing it")

    # ------------------------------------------------------------------ after each request

    def on_outcome(self, host: str, error: PlaytomicError | None) -> None:
        """Called by the client once after every attempt it sent: a failure that
        `trips_breaker` counts against the host, any other answer (`http_status` set) proves
        it alive. An error that never left the process (`CircuitOpen`, `RateLimitWait`, the
        25 h guard) says nothing about the host and is ignored."""
        if error is not None and error.trips_breaker:
            if isinstance(error, RateLimited) and error.retry_after:
                pause = min(error.retry_after, RETRY_AFTER_CAP_SECONDS)
                cache.set(self._key(host, "paused_until"), _now() + pause, timeout=int(pause) + 1)
            self._host_failed(host, error)
        elif error is None or error.http_status is not None:
            self._host_alive(host)

    def _host_alive(self, host: str) -> None:
        cache.delete_many([self._key(host, "open"), *self._failure_keys(host)])

    def _host_failed(self, host: str, error: PlaytomicError) -> None:
        now = _now()
        key = self._failure_keys(host)[-1]
        timeout = int(self.window_seconds) + 60
        cache.add(key, 0, timeout=timeout)
        try:
            cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=timeout)
        else:
            # The database cache's incr is a get and a set with the default timeout.
            cache.touch(key, timeout=timeout)
        state = self._open_state(host)
        if state is not None and now < state["until"]:
            return  # already open: a late answer to a request sent before it opened
        failures = sum(int(v) for v in cache.get_many(self._failure_keys(host)).values())
        # Half-open (state set, its pause over): the probe failed, so open again at once.
        if state is None and failures < self.threshold:
            return
        state = {
            "opened_at": int(now * 1000),
            "until": now + self.reset_seconds,
            "failures": failures,
            "last": error.kind,
        }
        cache.set(self._key(host, "open"), state, timeout=STATE_TIMEOUT_SECONDS)
        logger.warning(
            "Circuit for %s (%s budget) open for %.0f s after %d failures (last: %s)",
            host,
            self.name,
            self.reset_seconds,
            failures,
            error.kind,
        )

    def _failure_keys(self, host: str) -> list[str]:
        """The keys of the window's buckets, oldest first; the last is the current one."""
        size = self.window_seconds / WINDOW_BUCKETS
        current = int(_now() // size)
        return [
            self._key(host, f"failures:{bucket}")
            for bucket in range(current - WINDOW_BUCKETS + 1, current + 1)
        ]

    def _open_state(self, host: str) -> dict[str, Any] | None:
        state = cache.get(self._key(host, "open"))
        return state if isinstance(state, dict) else None

    def _open_message(self, host: str, state: dict[str, Any]) -> str:
        return (
            f"circuit open for {host} after {state['failures']} failures "
            f"(last: {state['last']}); retrying in {state['until'] - _now():.0f} s"
        )

    # ------------------------------------------------------------------ state

    def describe(self, host: str) -> dict[str, Any]:
        """The breaker as /health/ shows it: closed, open (until when) or half-open, and the
        failures counted in the current window."""
        failures = sum(int(v) for v in cache.get_many(self._failure_keys(host)).values())
        state = self._open_state(host)
        if state is None:
            return {"state": "closed", "failures": failures}
        if _now() < state["until"]:
            return {
                "state": "open",
                "failures": state["failures"],
                "last_error": state["last"],
                "retry_in_seconds": round(state["until"] - _now(), 1),
            }
        return {"state": "half_open", "failures": state["failures"], "last_error": state["last"]}

    def is_open(self, host: str) -> bool:
        """True while requests to `host` are refused outright (not while half-open)."""
        state = self._open_state(host)
        return state is not None and _now() < state["until"]

    def reset(self, host: str) -> None:
        cache.delete_many(
            [
                self._key(host, "open"),
                self._key(host, "paused_until"),
                *self._failure_keys(host),
            ]
        )


def poll_guard() -> HostGuard:
    """A guard for monitoring reads, configured from settings (tests raise the rate). Make one
    per client: it owns the probe permit it takes."""
    return _guard(
        "poll", settings.PLAYTOMIC_RATE_PER_SECOND, settings.PLAYTOMIC_RATE_MAX_WAIT_SECONDS
    )


def interactive_guard() -> HostGuard:
    """A guard for the calls a person waits on in a web request (club search and import, an
    account's "test login"): a budget of its own, so a burst of searches neither eats the
    pollers' budget nor queues behind it, and a wait of a second or two at most, so a request
    is refused at once (`RateLimitWait`, shown as a 429) instead of holding a web worker. Its
    breaker is its own too, with the poll guard's threshold and pause. Make one per client."""
    return _guard(
        "interactive",
        settings.PLAYTOMIC_INTERACTIVE_RATE_PER_SECOND,
        settings.PLAYTOMIC_INTERACTIVE_MAX_WAIT_SECONDS,
    )


def _guard(name: str, rate_per_second: float, max_wait_seconds: float) -> HostGuard:
    """A guard with a budget of its own and a breaker with the shared threshold and pause."""
    return HostGuard(
        name=name,
        rate_per_second=rate_per_second,
        max_wait_seconds=max_wait_seconds,
        threshold=settings.PLAYTOMIC_BREAKER_THRESHOLD,
        reset_seconds=settings.PLAYTOMIC_BREAKER_RESET_SECONDS,
    )
