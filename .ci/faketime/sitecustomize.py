"""Loaded (via PYTHONPATH) by every Python process of the CI run under faketime.

Debian's libfaketime 0.9.10 turns the absolute CLOCK_MONOTONIC deadline that Python 3.11's
time.sleep() passes to clock_nanosleep() into a negative one when FAKETIME_DONT_FAKE_MONOTONIC=1
(fixed upstream after 0.9.10, wolfcw/libfaketime#426), so every sleep fails with EINVAL. Faking
the monotonic clock instead is worse: lock, Event and Queue timeouts (sem_clockwait, which 0.9.10
does not intercept) never expire. So the monotonic clock stays real and sleeps wait in select(),
whose timeout is relative.
"""

import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


time.sleep = _sleep
