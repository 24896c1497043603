"""An attempt's outcome, handed to higher apps: when an attempt ends booked, failed or missed,
each dotted path in `settings.BOOKING_OUTCOME_HOOKS` is called with its id inside the
transaction that records the outcome (so what a hook writes, such as a notification, exists
exactly when the outcome does; a hook that fails is logged and rolled back alone, never the
outcome). Booking never names the apps it tells."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from booking.models import BookingAttempt

logger = logging.getLogger(__name__)

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
        try:
            # A savepoint: a hook that fails rolls back only what it wrote. The outcome itself
            # must stand (booking correctness lives in this row), so the failure is logged.
            with transaction.atomic():
                hook(attempt_id=attempt_id)
        except Exception:
            logger.exception("booking outcome hook %r failed for attempt %s", hook, attempt_id)
