"""Politeness towards Playtomic, shared by every worker process: a per-host rate limiter and a
per-host circuit breaker, both kept in the Django cache (Redis in production, the database
cache on the embedded defaults), so ten workers behave like one polite client.

The limiter hands out time slots of 1/rate seconds: whoever `cache.add`s the slot's key first
may send, everyone else waits for a later slot. `add` is atomic on Redis and on the database
cache, so no slot is ever given twice, whatever the number of processes.

The breaker counts consecutive failed calls per host (timeouts, 5xx, 429, edge blocks,
unreadable bodies; never business answers such as 404 or 409). After `threshold` of them it
opens for `reset_seconds`: no request to that host leaves any process. Then one process wins
the half-open probe; its success closes the breaker, its failure opens it again.

A 429's `Retry-After` pauses the host for every process, not only the one that was told.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from playtomic.errors import (
    Blocked,
    ConnectionFailed,
    PlaytomicError,
    RateLimited,
    SchemaError,
    ServerError,
    Timeout,
)

logger = logging.getLogger(__name__)

# The error classes that say "this host is unwell", as opposed to "your request was wrong".
HOST_FAILURES: tuple[type[PlaytomicError], ...] = (
    Timeout,
    ConnectionFailed,
    ServerError,
    RateLimited,
    Blocked,
    SchemaError,
)
# A 429 may ask for a long pause; longer than this and we would rather fail the poll.
RETRY_AFTER_CAP_SECONDS = 300.0


class CircuitOpen(PlaytomicError):
    """Raised instead of sending a request to a host whose breaker is open."""

    kind = "circuit_open"


class RateLimitWait(PlaytomicError):
    """Raised when waiting for a slot would take longer than the caller allows."""

    kind = "rate_limit_wait"


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class HostGuard:
    """Rate limiter and breaker for one budget (`name`): "poll" for monitoring reads, so a
    polling backlog can never eat the booking budget."""

    name: str = "poll"
    rate_per_second: float = 1.0
    max_wait_seconds: float = 60.0
    threshold: int = 5
    reset_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def _key(self, host: str, what: str) -> str:
        return f"playtomic:{self.name}:{host}:{what}"

    # ------------------------------------------------------------------ before each request

    def before_request(self, host: str) -> None:
        """Called by the client before every attempt (retries included): fail fast if the
        breaker is open, otherwise wait for the host's pause and for a free rate slot."""
        self._check_breaker(host)
        deadline = _now() + self.max_wait_seconds
        paused_until = cache.get(self._key(host, "paused_until"))
        if paused_until is not None and float(paused_until) > _now():
            if float(paused_until) > deadline:
                raise RateLimitWait(f"{host} asked us to wait until {paused_until:.0f}")
            self.sleep(float(paused_until) - _now())
        self._take_slot(host, deadline)

    def _take_slot(self, host: str, deadline: float) -> None:
        if self.rate_per_second <= 0:
            return
        interval = 1.0 / self.rate_per_second
        while True:
            now = _now()
            slot = int(now / interval)
            # Expiry well past the slot so a slow clock in another process cannot reuse it.
            if cache.add(self._key(host, f"slot:{slot}"), 1, timeout=int(interval) + 10):
                return
            wait = (slot + 1) * interval - now
            if now + wait > deadline:
                raise RateLimitWait(
                    f"no request slot for {host} within {self.max_wait_seconds:.0f} s"
                )
            # A little jitter so the waiters of one slot do not all wake at the same instant.
            self.sleep(wait + random.uniform(0, min(interval, 0.05)))

    def _check_breaker(self, host: str) -> None:
        failures = int(cache.get(self._key(host, "failures"), 0))
        if failures < self.threshold:
            return
        open_until = float(cache.get(self._key(host, "open_until"), 0.0))
        if _now() < open_until:
            raise CircuitOpen(
                f"circuit open for {host} after {failures} consecutive failures; "
                f"retrying in {open_until - _now():.0f} s"
            )
        # Half-open: exactly one probe across all processes until the breaker decides.
        if not cache.add(self._key(host, "probe"), 1, timeout=int(self.reset_seconds) + 1):
            raise CircuitOpen(f"circuit half-open for {host}; another process is probing it")

    # ------------------------------------------------------------------ after each call

    def record_success(self, host: str) -> None:
        cache.delete_many([self._key(host, "failures"), self._key(host, "probe")])

    def record_failure(self, host: str, error: PlaytomicError) -> None:
        """Count a failed call if it says something about the host's health."""
        if isinstance(error, RateLimited) and error.retry_after:
            pause = min(error.retry_after, RETRY_AFTER_CAP_SECONDS)
            cache.set(self._key(host, "paused_until"), _now() + pause, timeout=int(pause) + 1)
        if not isinstance(error, HOST_FAILURES):
            return
        key = self._key(host, "failures")
        cache.add(key, 0, timeout=None)
        try:
            failures = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=None)
            failures = 1
        if failures >= self.threshold:
            cache.set(
                self._key(host, "open_until"),
                _now() + self.reset_seconds,
                timeout=int(self.reset_seconds) * 10,
            )
            cache.delete(self._key(host, "probe"))
            logger.warning(
                "Circuit for %s (%s budget) open for %.0f s after %d failures (last: %s)",
                host,
                self.name,
                self.reset_seconds,
                failures,
                error.kind,
            )

    def is_open(self, host: str) -> bool:
        failures = int(cache.get(self._key(host, "failures"), 0))
        open_until = float(cache.get(self._key(host, "open_until"), 0.0))
        return failures >= self.threshold and _now() < open_until

    def reset(self, host: str) -> None:
        cache.delete_many(
            [self._key(host, what) for what in ("failures", "open_until", "probe", "paused_until")]
        )


def poll_guard() -> HostGuard:
    """The guard for monitoring reads, configured from settings (tests raise the rate)."""
    return HostGuard(
        name="poll",
        rate_per_second=settings.PLAYTOMIC_RATE_PER_SECOND,
        max_wait_seconds=settings.PLAYTOMIC_RATE_MAX_WAIT_SECONDS,
        threshold=settings.PLAYTOMIC_BREAKER_THRESHOLD,
        reset_seconds=settings.PLAYTOMIC_BREAKER_RESET_SECONDS,
    )
