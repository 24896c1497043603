"""Settling attempts that no worker will finish: never armed (beat or worker down) -> missed;
left in flight by a dead worker -> booked or failed after reading the account's matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, PeriodicTask

from accounts.client import account_client
from booking import conf
from booking.models import BookingAttempt, BookingRule
from booking.racer import Timeline
from booking.services.attempts import rule_find_match, timeline_flush
from booking.services.outcomes import attempt_outcome_announce
from booking.services.schedule import rule_schedule_sync
from playtomic.errors import PlaytomicError
from playtomic.types import Match as PlaytomicMatch


def attempts_reconcile(*, now: datetime | None = None, grace: timedelta | None = None) -> int:
    """Resolve attempts nobody will finish: never armed (beat or worker down) -> missed; left
    in flight by a dead worker -> booked or failed after reading the account's matches.
    Returns how many attempts were resolved."""
    now = now or timezone.now()
    grace = timedelta(seconds=conf.reconcile_grace_seconds()) if grace is None else grace
    resolved = 0
    cutoff = now - grace
    never_armed = BookingAttempt.objects.filter(
        state=BookingAttempt.State.SCHEDULED, deadline_at__lt=cutoff
    ).values_list("pk", flat=True)
    for attempt_id in list(never_armed):
        # One row at a time: each outcome is announced in the transaction that records it.
        with transaction.atomic():
            missed = BookingAttempt.objects.filter(
                pk=attempt_id, state=BookingAttempt.State.SCHEDULED
            ).update(
                state=BookingAttempt.State.MISSED,
                reason="never armed: no booking worker picked it up before the deadline",
                finished_at=now,
            )
            if missed:
                attempt_outcome_announce(attempt_id=attempt_id, state=BookingAttempt.State.MISSED)
        resolved += missed
    stuck = BookingAttempt.objects.filter(
        state__in=BookingAttempt.IN_FLIGHT_STATES, deadline_at__lt=cutoff
    ).select_related("rule", "rule__club", "account")
    for attempt in stuck:
        resolved += _attempt_reconcile_one(attempt, now)
    for rule in BookingRule.objects.filter(enabled=True).filter(
        Q(next_release_at__isnull=True) | Q(next_release_at__lt=now)
    ):
        rule_schedule_sync(rule=rule)
    # Beat entries of releases that are over: keep the admin list short.
    PeriodicTask.objects.filter(
        name__startswith="booking: rule ", enabled=False, expires__lt=now - timedelta(hours=1)
    ).delete()
    ClockedSchedule.objects.filter(periodictask__isnull=True).delete()
    return resolved


def _attempt_reconcile_one(attempt: BookingAttempt, now: datetime) -> int:
    timeline = Timeline(attempt.release_at, lambda: datetime.now(UTC))
    state = attempt.state
    token = attempt.claim_token
    found: PlaytomicMatch | None = None
    if attempt.account is not None:
        try:
            client = account_client(account=attempt.account, read_timeout=10.0)
            found = rule_find_match(client, attempt.rule, attempt.target_date)
        except PlaytomicError as exc:
            timeline.add("reconcile_unreadable", exc.kind)
            timeline_flush(attempt, timeline)
            # Leave it unknown rather than guess; the next run tries again.
            BookingAttempt.objects.filter(pk=attempt.pk, state=state).update(
                state=BookingAttempt.State.UNKNOWN,
                reason=f"worker lost; matches unreadable ({exc.kind}), will retry",
            )
            return 0
    if found is not None:
        fields: dict[str, Any] = {
            "state": BookingAttempt.State.BOOKED,
            "reason": "reconciled: the booking is in the account's matches",
            "match_id": found.match_id,
            "slot_start": found.start,
        }
    elif state == BookingAttempt.State.ARMED:
        fields = {
            "state": BookingAttempt.State.MISSED,
            "reason": "reconciled: the worker stopped before firing",
        }
    else:
        fields = {
            "state": BookingAttempt.State.FAILED,
            "reason": "reconciled: the worker stopped mid-burst and no booking was made",
        }
    with transaction.atomic():
        changed = BookingAttempt.objects.filter(
            pk=attempt.pk, state=state, claim_token=token
        ).update(finished_at=now, **fields)
        if changed:
            attempt_outcome_announce(attempt_id=attempt.pk, state=str(fields["state"]))
    if changed:
        timeline.add("reconciled", str(fields["reason"]))
        timeline_flush(attempt, timeline)
    return changed
