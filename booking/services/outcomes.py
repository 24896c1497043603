"""An attempt's outcome, handed to higher apps: when an attempt ends booked, failed or missed,
each dotted path in `settings.BOOKING_OUTCOME_HOOKS` is called with its id inside the
transaction that records the outcome (so what a hook writes, such as a notification, exists
exactly when the outcome does). Booking never names the apps it tells."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from booking.models import BookingAttempt

# The outcomes the group is told of (a dry run or a cancelled attempt is nobody's news).
ANNOUNCED = (
    BookingAttempt.State.BOOKED,
    BookingAttempt.State.FAILED,
    BookingAttempt.State.MISSED,
)


def _hooks() -> list[Callable[..., object]]:
    return [import_string(path) for path in getattr(settings, "BOOKING_OUTCOME_HOOKS", ())]


def attempt_outcome_announce(*, attempt_id: int, state: str) -> None:
    """Call the hooks for an attempt that just reached `state`; must run inside the
    transaction of the conditional UPDATE that set it."""
    if state not in ANNOUNCED:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("an attempt's outcome is announced inside its own transaction")
    for hook in _hooks():
        hook(attempt_id=attempt_id)
