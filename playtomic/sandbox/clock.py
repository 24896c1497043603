"""The sandbox clock: real time, a fixed offset, accelerated, or set/frozen by a test.

The clock is a line `sandbox = anchor_sandbox + (real - anchor_real) * speed * (1 + drift)`
over real wall-clock seconds, where `drift` is `drift_ppm / 1e6`: a real server's clock is a
little off from ours and runs a little fast or slow. Real mode is the identity line, so it reads
`time.time()` at call time and follows `time_machine` in tests. A frozen clock stays at
`anchor_sandbox`.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any


class SandboxClock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._anchor_real = 0.0
        self._anchor_sandbox = 0.0
        self._speed = 1.0
        self._drift_ppm = 0.0
        self._frozen = False

    @property
    def _rate(self) -> float:
        return self._speed * (1 + self._drift_ppm / 1e6)

    def _timestamp(self, real: float) -> float:
        if self._frozen:
            return self._anchor_sandbox
        return self._anchor_sandbox + (real - self._anchor_real) * self._rate

    def timestamp(self) -> float:
        """Sandbox time as a Unix timestamp (seconds)."""
        with self._lock:
            return self._timestamp(time.time())

    def reading(self) -> tuple[float, float]:
        """(real Unix time, sandbox Unix time) of one instant."""
        with self._lock:
            real = time.time()
            return real, self._timestamp(real)

    def timestamp_at(self, real: float) -> float:
        """Sandbox time (Unix seconds) at real Unix time `real`."""
        with self._lock:
            return self._timestamp(real)

    def now(self) -> datetime:
        """Sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def real_time_at(self, instant: datetime) -> float | None:
        """Real Unix time at which the sandbox clock will read `instant` (None if frozen)."""
        with self._lock:
            if self._frozen:
                return None
            return self._anchor_real + (instant.timestamp() - self._anchor_sandbox) / self._rate

    def _rebase(self, sandbox_ts: float, *, speed: float, frozen: bool) -> None:
        self._anchor_real = time.time()
        self._anchor_sandbox = sandbox_ts
        self._speed = speed
        self._frozen = frozen

    def reset(self) -> None:
        """Back to real time (no offset, no drift)."""
        with self._lock:
            self._anchor_real = 0.0
            self._anchor_sandbox = 0.0
            self._speed = 1.0
            self._drift_ppm = 0.0
            self._frozen = False

    def set(self, now: datetime, *, frozen: bool = False, speed: float | None = None) -> None:
        """Jump to `now`; from there the clock runs at `speed` (kept if None) unless frozen."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        with self._lock:
            self._rebase(
                now.timestamp(), speed=self._speed if speed is None else speed, frozen=frozen
            )

    def set_offset(self, offset: timedelta) -> None:
        """Real time shifted by `offset`, running at real speed (plus any drift from here)."""
        with self._lock:
            self._speed = 1.0
            self._frozen = False
            if self._drift_ppm:
                real = time.time()
                self._anchor_real = real
                self._anchor_sandbox = real + offset.total_seconds()
            else:
                # Anchored at the epoch, so the clock keeps following `time_machine` in tests.
                self._anchor_real = 0.0
                self._anchor_sandbox = offset.total_seconds()

    def set_drift(self, ppm: float) -> None:
        """Keep the current reading and gain `ppm` microseconds per second from here
        (negative: lose them); 1 ms/s is 1000 ppm."""
        if not math.isfinite(ppm) or abs(ppm) >= 1e6:
            raise ValueError("drift_ppm must be a finite number above -1000000 and below 1000000")
        with self._lock:
            if ppm == self._drift_ppm:
                return
            self._rebase(self._timestamp(time.time()), speed=self._speed, frozen=self._frozen)
            self._drift_ppm = ppm

    def set_speed(self, speed: float) -> None:
        """Keep the current reading and run `speed` times faster than real time from here."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        with self._lock:
            self._rebase(self._timestamp(time.time()), speed=speed, frozen=False)

    def freeze(self) -> None:
        with self._lock:
            self._rebase(self._timestamp(time.time()), speed=self._speed, frozen=True)

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen:
                self._rebase(self._anchor_sandbox, speed=self._speed, frozen=False)

    def advance(self, delta: timedelta) -> None:
        """Move the reading by `delta` (works frozen or running)."""
        with self._lock:
            self._rebase(
                self._timestamp(time.time()) + delta.total_seconds(),
                speed=self._speed,
                frozen=self._frozen,
            )

    @property
    def mode(self) -> str:
        with self._lock:
            if self._frozen:
                return "frozen"
            if self._speed != 1.0:
                return "accelerated"
            if self._anchor_real == 0.0 and self._anchor_sandbox == 0.0 and not self._drift_ppm:
                return "real"
            return "offset"

    def describe(self) -> dict[str, Any]:
        mode = self.mode
        real, now = self.reading()
        with self._lock:
            speed = self._speed
            drift_ppm = self._drift_ppm
        return {
            "now": datetime.fromtimestamp(now, UTC).isoformat(timespec="microseconds"),
            "mode": mode,
            "speed": speed,
            "drift_ppm": drift_ppm,
            "offset_seconds": round(now - real, 6),
        }
