"""The sandbox clock's modes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from playtomic.sandbox.clock import SandboxClock


def test_real_mode_follows_time_machine() -> None:
    clock = SandboxClock()
    with time_machine.travel(datetime(2030, 6, 1, 9, 0, tzinfo=UTC), tick=False):
        assert clock.now() == datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
        assert clock.mode == "real"


def test_an_offset_clock_runs_at_real_speed() -> None:
    clock = SandboxClock()
    with time_machine.travel(datetime(2030, 6, 1, 9, 0, tzinfo=UTC), tick=False) as traveller:
        clock.set_offset(timedelta(hours=2))
        assert clock.now() == datetime(2030, 6, 1, 11, 0, tzinfo=UTC)
        traveller.shift(timedelta(seconds=30))
        assert clock.now() == datetime(2030, 6, 1, 11, 0, 30, tzinfo=UTC)


def test_an_accelerated_clock_runs_speed_times_faster_from_its_anchor() -> None:
    clock = SandboxClock()
    with time_machine.travel(datetime(2030, 6, 1, 9, 0, tzinfo=UTC), tick=False) as traveller:
        clock.set(datetime(2027, 1, 1, tzinfo=UTC), speed=60)
        traveller.shift(timedelta(seconds=10))
        assert clock.now() == datetime(2027, 1, 1, 0, 10, tzinfo=UTC)
        assert clock.real_time_at(datetime(2027, 1, 1, 0, 20, tzinfo=UTC)) == pytest.approx(
            time.time() + 10
        )


def test_a_frozen_clock_stands_still_until_advanced_or_unfrozen() -> None:
    clock = SandboxClock()
    clock.set(datetime(2027, 1, 1, tzinfo=UTC), frozen=True)
    time.sleep(0.01)
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)
    assert clock.real_time_at(datetime(2027, 1, 2, tzinfo=UTC)) is None
    clock.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    clock.unfreeze()
    time.sleep(0.01)
    assert clock.now() > datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    clock.reset()
    assert abs(clock.timestamp() - time.time()) < 0.01


def test_it_refuses_naive_datetimes_and_non_positive_speeds() -> None:
    clock = SandboxClock()
    with pytest.raises(ValueError):
        clock.set(datetime(2027, 1, 1))
    with pytest.raises(ValueError):
        clock.set_speed(0)
