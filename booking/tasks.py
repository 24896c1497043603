"""Booking tasks: thin, ids only, early ack (a booking is at-most-once; a redelivered message
must never start a second burst, so no acks_late), on the `booking` queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from celery import shared_task

from booking.models import BookingAttempt
from booking.services.race import attempt_race
from booking.services.reconcile import attempts_reconcile
from booking.services.schedule import rule_schedule_sync
from booking.services.sniping import snipe_freed_slots

# The options of the racing tasks: early ack, and time limits well above what a race takes
# (arm at T - 60 s, sleep, burst up to 60 s, confirm).
_RACE_OPTIONS: dict[str, Any] = {
    "acks_late": False,
    "ignore_result": True,
    "soft_time_limit": 240,
    "time_limit": 270,
}


@shared_task(name="booking.tasks.race_release", **_RACE_OPTIONS)
def race_release(attempt_id: int) -> None:
    """Delivered by the rule's one-off beat entry shortly before T: schedule the following
    release, then race this one."""
    attempt = BookingAttempt.objects.select_related("rule").filter(pk=attempt_id).first()
    if attempt is None:
        return
    # Schedule the following release first, so a crash in this race cannot break the chain.
    rule_schedule_sync(rule=attempt.rule, after=attempt.release_at)
    attempt_race(attempt_id=attempt_id)


@shared_task(name="booking.tasks.race_now", **_RACE_OPTIONS)
def race_now(attempt_id: int) -> None:
    """Race an attempt whose T is now (a sniped slot): no time for a clock probe."""
    attempt_race(attempt_id=attempt_id, probe_clock=False)


@shared_task(name="booking.tasks.snipe_freed_slots", acks_late=False, ignore_result=True)
def snipe_freed_slots_task(event_ids: Sequence[int]) -> None:
    """The outbox consumer of `slot_freed` events (see availability/outbox.py)."""
    for attempt in snipe_freed_slots(event_ids=event_ids):
        race_now.apply_async(args=(attempt.pk,), queue="booking", expires=60)


@shared_task(name="booking.tasks.reconcile_attempts", acks_late=False, ignore_result=True)
def reconcile_attempts() -> None:
    attempts_reconcile()
