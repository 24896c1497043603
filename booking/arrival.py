"""Aiming at arrival: before T, learn when a request sent now reaches Playtomic, on
Playtomic's clock, from its 1-second `Date` header.

For one request, call X = (server clock when the server stamps its answer) - (our clock when
we sent the request) = clock offset + inbound delay + the server's time to answer. An answer
whose `Date` reads D was stamped in [D, D + 1), so X lies in [D - sent, D + 1 - sent).

Second-boundary technique: to test whether X >= x, send at `N - x` for a server second N
still ahead; the answer's `Date` says on which side of N the stamp fell (D >= N: X >= x,
D < N: X < x). Bisecting x pins X down to the network's jitter in a handful of requests,
one per server second.

What the racer needs is the *fastest* X (a booking request must not arrive before T even when
the network happens to be quick), so each sample bounds X_min:
- above, exactly: X_min <= X_i < D + 1 - sent;
- below, approximately: X_i >= D - sent, and a request whose round trip took `rtt_i` was at
  most `rtt_i - rtt_min` slower than the fastest, so X_min >= D - sent - (rtt_i - rtt_min).
  A slow outlier therefore only weakens the lower bound instead of misleading it.

The estimate is X_min within [low, high]; the racer sends so that even a fastest request
arrives at T + margin + (high - low) / 2. Reported as offset = X - RTT/2 and one-way delay =
RTT/2 (the usual symmetric reading; the aim itself does not depend on that split).

Framework-free, like the racer: the service hands it a probe function and writes the samples
to the attempt's timeline.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playtomic.types import DateProbe

# Stop bisecting when X_min is known to within this (half-width, seconds).
TARGET_HALF_WIDTH_S = 0.0015
MAX_PROBES = 18
# Coarse probes are sent back to back, at least this far apart, until the Date ticks over.
COARSE_SPACING_S = 0.1
MAX_COARSE = 12
# A straddling probe is scheduled at least this far ahead, so the wait for it is exact.
MIN_LEAD_S = 0.03
# Conflicting bounds wider than this mean our clock or the server's jumped: start over.
CONFLICT_RESET_S = 0.25
# The last stretch of a wait is spent spinning on the clock: a sleeper may be woken late by a
# busy scheduler (milliseconds on a loaded machine), a spinning thread is already running.
_SPIN_S = 0.015


@dataclass(frozen=True)
class Sample:
    """One timed probe and the bisection point it tested (None for a coarse probe)."""

    sent: float
    received: float
    server_second: float
    aim: float | None = None

    @property
    def rtt(self) -> float:
        return self.received - self.sent

    @property
    def upper(self) -> float:
        return self.server_second + 1 - self.sent

    def lower(self, rtt_min: float) -> float:
        return self.server_second - self.sent - (self.rtt - rtt_min)

    @property
    def after(self) -> bool | None:
        """For a straddling probe (sent at about boundary - aim): whether its stamp fell on or
        after that boundary, that is X >= aim."""
        if self.aim is None:
            return None
        return self.server_second >= round(self.sent + self.aim)

    def describe(self, release_ts: float) -> dict[str, Any]:
        side = None if self.after is None else "after" if self.after else "before"
        return {
            "sent_ms": round((self.sent - release_ts) * 1000, 2),
            "rtt_ms": round(self.rtt * 1000, 2),
            "date": int(self.server_second),
            "aim_ms": None if self.aim is None else round(self.aim * 1000, 2),
            "side": side,
        }


@dataclass(frozen=True)
class ArrivalEstimate:
    """X_min (seconds) within [low, high], with the round trips it was learned from."""

    low: float
    high: float
    rtt: float  # median round trip
    rtt_min: float
    samples: tuple[Sample, ...] = field(repr=False)
    conflict: bool = False

    @property
    def arrival(self) -> float:
        """Best estimate of X_min: server clock at arrival minus our clock at sending."""
        return (self.low + self.high) / 2

    @property
    def uncertainty(self) -> float:
        return (self.high - self.low) / 2

    @property
    def one_way(self) -> float:
        """Typical one-way delay, read as half the median round trip."""
        return self.rtt / 2

    @property
    def offset(self) -> float:
        """Server clock minus ours, under the symmetric reading: the fastest request's X
        less half the fastest round trip."""
        return self.arrival - self.rtt_min / 2

    @property
    def jitter(self) -> float:
        return self.rtt - self.rtt_min

    def send_at(self, server_instant: float, margin: float) -> float:
        """Our clock time to send so that even the fastest request arrives at
        `server_instant + margin + uncertainty` on the server's clock."""
        return server_instant + margin + self.uncertainty - self.arrival

    def describe(self) -> dict[str, Any]:
        return {
            "offset_ms": round(self.offset * 1000, 2),
            "one_way_ms": round(self.one_way * 1000, 2),
            "arrival_ms": round(self.arrival * 1000, 2),
            "uncertainty_ms": round(self.uncertainty * 1000, 2),
            "rtt_ms": round(self.rtt * 1000, 2),
            "rtt_min_ms": round(self.rtt_min * 1000, 2),
            "jitter_ms": round(self.jitter * 1000, 2),
            "samples": len(self.samples),
            "conflict": self.conflict,
        }


def sleep_until(instant: float) -> None:
    """Sleep until our clock (time.time) reads `instant`: a coarse sleep, then a spin."""
    remaining = instant - time.time()
    if remaining > _SPIN_S:
        time.sleep(remaining - _SPIN_S)
    while time.time() < instant:
        pass


def bounds(samples: list[Sample]) -> tuple[float, float]:
    """(low, high) of X_min from every sample (see the module docstring)."""
    rtt_min = min(s.rtt for s in samples)
    return max(s.lower(rtt_min) for s in samples), min(s.upper for s in samples)


def estimate_arrival(
    probe: Callable[[], DateProbe],
    *,
    until_server: float,
    on_sample: Callable[[Sample], None] | None = None,
    clock: Callable[[], float] = time.time,
    wait: Callable[[float], None] = sleep_until,
) -> ArrivalEstimate:
    """Probe until X_min is pinned to TARGET_HALF_WIDTH_S, MAX_PROBES were sent, or the next
    probe could not be answered before the server's clock reads `until_server` (the first
    probe is always sent: it says where that is on our clock). Errors of `probe` propagate
    (the caller decides what a failed probe means)."""
    samples: list[Sample] = []
    sent = 0

    def until() -> float:
        # Our clock when the server reads `until_server`, at the earliest: the server is at
        # most X ahead of the sender (X >= offset), and X < high.
        return until_server - bounds(samples)[1]

    def take(aim: float | None) -> Sample:
        nonlocal sent
        sent += 1
        answer = probe()
        sample = Sample(answer.sent, answer.received, answer.server_second, aim)
        samples.append(sample)
        if on_sample is not None:
            on_sample(sample)
        return sample

    # Coarse: a few probes back to back until the Date ticks over between two of them.
    first_second: float | None = None
    while sent < MAX_COARSE and (not samples or clock() < until()):
        sample = take(None)
        if first_second is None:
            first_second = sample.server_second
        elif sample.server_second != first_second:
            break
        wait(max(clock(), sample.sent + max(COARSE_SPACING_S, sample.rtt + 0.01)))
    # Straddles: bisect X_min, one probe per server second.
    last: Sample | None = None
    while sent < MAX_PROBES:
        low, high = bounds(samples)
        if low > high + CONFLICT_RESET_S:
            # Our clock (or the server's) stepped: only the latest answer still holds.
            del samples[:-1]
            last = None
            continue
        if high - low <= 2 * TARGET_HALF_WIDTH_S:
            break
        aim = (max(low, high - 1) + high) / 2 if low < high else (low + high) / 2
        if last is not None and last.aim is not None and abs(aim - last.aim) < 1e-4:
            # The last probe moved neither bound (a slow answer only weakly bounds X_min from
            # below): probe further on the side it pointed to instead of repeating it.
            aim = (last.aim + high) / 2 if last.after else (low + last.aim) / 2
        rtt = statistics.median(s.rtt for s in samples)
        boundary = math.ceil(clock() + aim + MIN_LEAD_S)
        send = boundary - aim
        if send + 2 * rtt + MIN_LEAD_S > until():
            break
        wait(send)
        last = take(aim)
    low, high = bounds(samples)
    conflict = low > high
    if conflict:
        # The approximate lower bound overshot (jitter beyond what the round trips showed):
        # the band between the two bounds is what is known.
        low, high = high, low
    return ArrivalEstimate(
        low=low,
        high=high,
        rtt=statistics.median(s.rtt for s in samples),
        rtt_min=min(s.rtt for s in samples),
        samples=tuple(samples),
        conflict=conflict,
    )
