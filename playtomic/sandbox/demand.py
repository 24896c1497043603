"""Other players: simulated bookings and cancellations per (court, club-local date).

Each court-day gets a deterministic list of non-overlapping bookings derived from (seed, tenant,
court, date). Every booking carries the instant it was made and, for some, the instant it was
cancelled, so the occupancy at any clock time is a pure function of the list: an accelerated or
jumping clock costs nothing. Popular times (weekday evenings, weekend mornings) are booked more
often and soon after release; off-peak times later or never.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from playtomic.sandbox.catalog import Club, Court

# A simulated player never books in the first seconds after release: an account firing at the
# release instant races the configured rivals, not the background demand.
MIN_LEAD_SECONDS = 2.0
LAST_MINUTE_SECONDS = 600.0
CANCEL_PROBABILITY = 0.12
_DURATION_WEIGHTS = {60: 0.25, 90: 0.55, 120: 0.2}


@dataclass(frozen=True)
class SimBooking:
    start: float  # Unix seconds (UTC)
    end: float
    booked_at: float
    cancelled_at: float | None
    popular: bool

    def active_at(self, t: float) -> bool:
        return self.booked_at <= t and (self.cancelled_at is None or t < self.cancelled_at)


def popularity(weekday: int, minute: int) -> float:
    """Chance that a free court at this local start gets booked at all (before club demand)."""
    hour = minute / 60
    if weekday >= 5:
        if 9 <= hour < 13:
            return 0.9
        if 13 <= hour < 17:
            return 0.5
        return 0.3
    if 18 <= hour < 22:
        return 0.9
    if 17 <= hour < 18:
        return 0.7
    if hour < 9 or hour >= 22:
        return 0.3
    return 0.2


def simulate_court_day(
    *,
    seed: int,
    club: Club,
    court: Court,
    day: date,
    release_of: Callable[[datetime], datetime],
) -> list[SimBooking]:
    hours = club.opening.get(day.weekday())
    if hours is None or club.demand <= 0:
        return []
    rng = random.Random(f"demand:{seed}:{club.tenant_id}:{court.resource_id}:{day.isoformat()}")
    opening, closing = hours
    bookings: list[SimBooking] = []
    minute = opening
    while minute + court.min_duration <= closing:
        chance = min(0.97, popularity(day.weekday(), minute) * club.demand)
        if rng.random() >= chance:
            minute += 30
            continue
        fitting = [d for d in court.durations if minute + d <= closing]
        duration = rng.choices(fitting, weights=[_DURATION_WEIGHTS.get(d, 0.2) for d in fitting])[0]
        start = club.local_instant(day, minute)
        end = club.local_instant(day, minute + duration)
        released = release_of(start).timestamp()
        window = max(0.0, start.timestamp() - LAST_MINUTE_SECONDS - released)
        popular = chance >= 0.6
        u = rng.random()
        # Popular slots go early (fraction skewed toward 0), off-peak late (toward 1).
        fraction = 0.5 * u**4 if popular else 1.0 - 0.5 * u**2
        booked_at = released + max(MIN_LEAD_SECONDS, fraction * window)
        cancelled_at = None
        if rng.random() < CANCEL_PROBABILITY:
            cancelled_at = booked_at + (start.timestamp() - booked_at) * rng.uniform(0.1, 0.95)
        bookings.append(
            SimBooking(start.timestamp(), end.timestamp(), booked_at, cancelled_at, popular)
        )
        minute += duration
    return bookings
