"""The sandbox clock: real time, a fixed offset, accelerated, or set/frozen by a test.

The clock is a line `sandbox = anchor_sandbox + (real - anchor_real) * speed` over real
wall-clock seconds. Real mode is the identity line, so it reads `time.time()` at call time
and follows `time_machine` in tests. A frozen clock stays at `anchor_sandbox`.
"""

from __future__ import annotations

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
        self._frozen = False

    def _timestamp(self, real: float) -> float:
        if self._frozen:
            return self._anchor_sandbox
        return self._anchor_sandbox + (real - self._anchor_real) * self._speed

    def timestamp(self) -> float:
        """Sandbox time as a Unix timestamp (seconds)."""
        with self._lock:
            return self._timestamp(time.time())

    def now(self) -> datetime:
        """Sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def real_time_at(self, instant: datetime) -> float | None:
        """Real Unix time at which the sandbox clock will read `instant` (None if frozen)."""
        with self._lock:
            if self._frozen:
                return None
            return self._anchor_real + (instant.timestamp() - self._anchor_sandbox) / self._speed

    def _rebase(self, sandbox_ts: float, *, speed: float, frozen: bool) -> None:
        self._anchor_real = time.time()
        self._anchor_sandbox = sandbox_ts
        self._speed = speed
        self._frozen = frozen

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self._anchor_real = 0.0
            self._anchor_sandbox = 0.0
            self._speed = 1.0
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
        """Real time shifted by `offset`, running at real speed."""
        with self._lock:
            self._anchor_real = 0.0
            self._anchor_sandbox = offset.total_seconds()
            self._speed = 1.0
            self._frozen = False

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
            if self._anchor_real == 0.0 and self._anchor_sandbox == 0.0:
                return "real"
            return "offset"

    def describe(self) -> dict[str, Any]:
        mode = self.mode
        now = self.now()
        with self._lock:
            speed = self._speed
        return {
            "now": now.isoformat(timespec="microseconds"),
            "mode": mode,
            "speed": speed,
            "offset_seconds": round(now.timestamp() - time.time(), 6),
        }
