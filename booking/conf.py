"""Booking knobs, read from the Django settings of the same name (which come from the
environment, so worker subprocesses in tests and benchmarks can be tuned)."""

from __future__ import annotations

from django.conf import settings


def _number(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def arm_lead_seconds() -> float:
    """How long before T beat delivers the arm task (recommendation 1: T - 60 s)."""
    return _number("BOOKING_ARM_LEAD_SECONDS", 60)


def expire_after_release_seconds() -> float:
    """A delivery later than T + this is dropped by Celery and reported missed."""
    return _number("BOOKING_EXPIRE_AFTER_RELEASE_SECONDS", 30)


def reconcile_grace_seconds() -> float:
    """How long after an attempt's deadline the reconciler waits before judging it dead."""
    return _number("BOOKING_RECONCILE_GRACE_SECONDS", 60)


def burst_rate_per_second() -> float:
    """Sustained booking request rate inside a burst (its own budget, not the poll limiter)."""
    return _number("PLAYTOMIC_BOOKING_RATE_PER_SECOND", 10)


def arrival_margin_ms() -> float:
    """The first booking request aims to arrive this long after T on Playtomic's clock (plus
    the estimate's uncertainty). It must cover the time the server takes to stamp its `Date`
    after a request arrives, which the clock estimate cannot tell from network delay."""
    return _number("BOOKING_ARRIVAL_MARGIN_MS", 3)


def clock_sync_seconds() -> float:
    """How long before T (our clock, plus 5 s) the clock and delay estimate starts; it ends
    2.5 s before T on the server's clock, or sooner once the arrival is pinned down."""
    return _number("BOOKING_CLOCK_SYNC_SECONDS", 10)
