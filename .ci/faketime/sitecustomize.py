"""Loaded (through PYTHONPATH) by every Python process of the CI run under faketime (.ci/run).

With FAKETIME_DONT_FAKE_MONOTONIC=1, Debian's libfaketime 0.9.10 turns the absolute
CLOCK_MONOTONIC deadline that Python 3.11's time.sleep() hands to clock_nanosleep() into a
negative one, so every sleep fails with EINVAL (fixed upstream after 0.9.10, wolfcw/libfaketime
#426). Faking the monotonic clock instead is worse: lock, Event and Queue timeouts
(sem_clockwait, which 0.9.10 does not intercept) would never expire. So the monotonic clock stays
real, and sleeps wait in select(), whose timeout is relative.
"""

import select
import time
from typing import SupportsIndex


def _sleep(seconds: float | SupportsIndex) -> None:
    delay = float(seconds)
    if delay < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], delay)


time.sleep = _sleep
