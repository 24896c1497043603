"""The attempt row shared by releases, sniping, manual runs and the reconciler: preparing it
for a claim, finishing it (only while the claim is still ours) and writing its timeline."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from booking import selectors
from booking.models import AttemptEvent, BookingAttempt, BookingRule
from booking.racer import Timeline, find_booking
from booking.services.outcomes import attempt_outcome_announce
from playtomic.client import PlaytomicClient
from playtomic.types import Match as PlaytomicMatch


def attempt_get_or_create(
    *, rule: BookingRule, target_date: date, release_at: datetime, dry_run: bool, trigger: str
) -> tuple[BookingAttempt, bool]:
    """The attempt row for (rule, date) and whether it was made now, with this release (and
    the rule's burst after it as the deadline) when it was."""
    return BookingAttempt.objects.get_or_create(
        rule=rule,
        target_date=target_date,
        defaults={
            "release_at": release_at,
            "deadline_at": release_at + timedelta(seconds=rule.burst_seconds),
            "dry_run": dry_run,
            "trigger": trigger,
        },
    )


def attempt_prepare(
    *,
    rule: BookingRule,
    target_date: date,
    release_at: datetime,
    trigger: str,
    dry_run: bool | None = None,
) -> BookingAttempt | None:
    """The attempt row for (rule, date), ready to be claimed, or None when that date is
    already booked or being raced. A failed or missed attempt is re-opened (a new round) so
    sniping and manual runs can try again; the conditional UPDATE keeps that race-free."""
    deadline = release_at + timedelta(seconds=rule.burst_seconds)
    dry = rule.dry_run if dry_run is None else dry_run
    attempt, created = attempt_get_or_create(
        rule=rule, target_date=target_date, release_at=release_at, dry_run=dry, trigger=trigger
    )
    if created:
        return attempt
    reopenable = [
        BookingAttempt.State.SCHEDULED,
        BookingAttempt.State.FAILED,
        BookingAttempt.State.MISSED,
        BookingAttempt.State.CANCELLED,
        BookingAttempt.State.REHEARSED,
    ]
    bump = 0 if attempt.state == BookingAttempt.State.SCHEDULED else 1
    changed = BookingAttempt.objects.filter(pk=attempt.pk, state__in=reopenable).update(
        state=BookingAttempt.State.SCHEDULED,
        release_at=release_at,
        deadline_at=deadline,
        dry_run=dry,
        trigger=trigger,
        round=F("round") + bump,
        claim_token="",
        reason="",
        finished_at=None,
        updated_at=timezone.now(),
    )
    if not changed:
        return None
    attempt.refresh_from_db()
    return attempt


def timeline_flush(attempt: BookingAttempt, timeline: Timeline) -> None:
    entries = timeline.take()
    if not entries:
        return
    AttemptEvent.objects.bulk_create(
        AttemptEvent(
            attempt=attempt,
            round=attempt.round,
            at=entry.at,
            ms_from_release=round((entry.at - attempt.release_at).total_seconds() * 1000, 3),
            kind=entry.kind,
            message=entry.message,
            data=entry.data,
        )
        for entry in entries
    )


def attempt_finish(
    attempt: BookingAttempt, token: str, *, state: str, reason: str, **fields: Any
) -> bool:
    """Conditional on still owning the claim, so a reconciler verdict is never overwritten.
    The outcome's hooks run in the same transaction as the update."""
    with transaction.atomic():
        changed = BookingAttempt.objects.filter(
            pk=attempt.pk, claim_token=token, state__in=BookingAttempt.IN_FLIGHT_STATES
        ).update(state=state, reason=reason[:1000], finished_at=timezone.now(), **fields)
        if changed:
            attempt_outcome_announce(attempt_id=attempt.pk, state=state)
    if changed:
        attempt.state = state
        attempt.reason = reason
    return bool(changed)


def rule_find_match(
    client: PlaytomicClient, rule: BookingRule, target_date: date
) -> PlaytomicMatch | None:
    """A live booking of the account at one of the rule's clubs within one of its windows
    that day: if one exists, the rule must not book another court."""
    clubs = selectors.rule_clubs(rule)
    return find_booking(
        client,
        [club.playtomic_id for club in clubs],
        selectors.rule_windows_utc(rule, target_date, clubs),
    )
