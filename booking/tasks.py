"""Booking tasks: thin, ids only, early ack (a booking is at-most-once; a redelivered message
must never start a second burst, so no acks_late), on the `booking` queue."""

from __future__ import annotations

from collections.abc import Sequence

from celery import shared_task

from booking import services
from booking.models import BookingAttempt

# Arm at T - 60 s, sleep, burst up to 60 s, confirm: well under these limits.
_SOFT_LIMIT = 240
_HARD_LIMIT = 270


@shared_task(
    name="booking.tasks.arm_attempt",
    acks_late=False,
    ignore_result=True,
    soft_time_limit=_SOFT_LIMIT,
    time_limit=_HARD_LIMIT,
)
def arm_attempt(attempt_id: int) -> None:
    attempt = BookingAttempt.objects.select_related("rule").filter(pk=attempt_id).first()
    if attempt is None:
        return
    # Schedule the following release first, so a crash in this race cannot break the chain.
    services.rule_schedule_sync(rule=attempt.rule, after=attempt.release_at)
    services.attempt_run(attempt_id=attempt_id)


@shared_task(
    name="booking.tasks.run_attempt",
    acks_late=False,
    ignore_result=True,
    soft_time_limit=_SOFT_LIMIT,
    time_limit=_HARD_LIMIT,
)
def run_attempt(attempt_id: int) -> None:
    services.attempt_run(attempt_id=attempt_id, probe_clock=False)


@shared_task(name="booking.tasks.snipe_freed_cells", acks_late=False, ignore_result=True)
def snipe_freed_cells(event_ids: Sequence[int]) -> None:
    for attempt in services.snipe_freed_cells(event_ids=event_ids):
        run_attempt.apply_async(args=(attempt.pk,), queue="booking", expires=60)


@shared_task(name="booking.tasks.reconcile_attempts", acks_late=False, ignore_result=True)
def reconcile_attempts() -> None:
    services.attempts_reconcile()
