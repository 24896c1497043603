"""A rule's next release: one SCHEDULED attempt and one one-off clocked beat entry that
delivers the race task on the `booking` queue shortly before T."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, PeriodicTask

from booking import conf, selectors
from booking.models import BookingAttempt, BookingRule
from booking.services.attempts import attempt_get_or_create

RACE_TASK = "booking.tasks.race_release"


def _task_prefix(rule: BookingRule) -> str:
    return f"booking: rule {rule.pk} for "


def _task_name(rule: BookingRule, target_date: date) -> str:
    return f"{_task_prefix(rule)}{target_date.isoformat()}"


def rule_unschedule(rule: BookingRule, *, reason: str) -> None:
    rule.attempts.filter(state=BookingAttempt.State.SCHEDULED).update(
        state=BookingAttempt.State.CANCELLED, reason=reason, finished_at=timezone.now()
    )
    PeriodicTask.objects.filter(
        name__startswith=_task_prefix(rule), enabled=True, total_run_count=0
    ).delete()
    BookingRule.objects.filter(pk=rule.pk).update(
        next_release_at=None, next_target_date=None, periodic_task=None
    )
    rule.next_release_at = None
    rule.next_target_date = None
    rule.periodic_task = None


def _lock(rule: BookingRule) -> bool:
    """Serialise every write to one rule's schedule on its row (a no-op on SQLite, whose
    IMMEDIATE transactions serialise writers anyway), then read what is stored now: a caller's
    copy may be older than a concurrent edit. False if the rule is gone."""
    locked = list(BookingRule.objects.select_for_update().filter(pk=rule.pk).values_list("pk"))
    if not locked:
        return False
    rule.refresh_from_db()
    return True


def rule_schedule_sync(
    *, rule: BookingRule, after: datetime | None = None
) -> BookingAttempt | None:
    """Give an enabled rule its next release: a SCHEDULED attempt and a one-off clocked beat
    entry that delivers the race task on the `booking` queue ARM_LEAD before T.

    Idempotent under any interleaving: the rule's row is locked first, and afterwards exactly
    one scheduled release attempt and one pending beat entry match the rule's stored state
    (attempts at or before `after` are being raced and are left alone).

    One PeriodicTask (and ClockedSchedule) per release, never reused: beat disables a one-off
    entry after it ran, and re-enabling the same row races with beat's own lazy writes."""
    now = timezone.now()
    after = after or now
    with transaction.atomic():
        if not _lock(rule):
            return None
        if not rule.enabled:
            rule_unschedule(rule, reason="rule disabled")
            return None
        taken = set(
            rule.attempts.exclude(state=BookingAttempt.State.SCHEDULED).values_list(
                "target_date", flat=True
            )
        )
        found = selectors.rule_next_release(rule, after=max(after, now), skip_dates=taken)
        if found is None:
            rule_unschedule(rule, reason="no release ahead")
            return None
        target_date, release_at = found
        # Attempts at or before `after` are being (or about to be) raced: not stale.
        racing = rule.attempts.filter(
            state=BookingAttempt.State.SCHEDULED, trigger="release", release_at__lte=after
        )
        rule.attempts.filter(
            state=BookingAttempt.State.SCHEDULED, trigger="release", release_at__gt=after
        ).exclude(target_date=target_date).update(
            state=BookingAttempt.State.CANCELLED,
            reason="rule changed: no longer the next release",
            finished_at=now,
            updated_at=now,
        )
        keep = {_task_name(rule, target_date)} | {
            _task_name(rule, day) for day in racing.values_list("target_date", flat=True)
        }
        PeriodicTask.objects.filter(
            name__startswith=_task_prefix(rule), enabled=True, total_run_count=0
        ).exclude(name__in=keep).delete()
        deadline = release_at + timedelta(seconds=rule.burst_seconds)
        attempt, created = attempt_get_or_create(
            rule=rule,
            target_date=target_date,
            release_at=release_at,
            dry_run=rule.dry_run,
            trigger=BookingAttempt.Trigger.RELEASE,
        )
        if not created and attempt.state == BookingAttempt.State.SCHEDULED:
            attempt.release_at = release_at
            attempt.deadline_at = deadline
            attempt.dry_run = rule.dry_run
            attempt.save(update_fields=["release_at", "deadline_at", "dry_run", "updated_at"])
        arm_at = max(release_at - timedelta(seconds=conf.arm_lead_seconds()), now)
        expires = release_at + timedelta(seconds=conf.expire_after_release_seconds())
        clocked = ClockedSchedule.objects.create(clocked_time=arm_at)
        task, _ = PeriodicTask.objects.update_or_create(
            name=_task_name(rule, target_date),
            defaults={
                "task": RACE_TASK,
                "clocked": clocked,
                "one_off": True,
                "enabled": True,
                "kwargs": json.dumps({"attempt_id": attempt.pk}),
                "queue": "booking",
                # Both the schedule's end and the message's expiry: a delivery after T + 30 s
                # is revoked by the worker instead of being run after the race is lost.
                "expires": expires,
                "description": f"Races {rule.name} from T-{conf.arm_lead_seconds():.0f}s",
            },
        )
        # Clocked rows of earlier versions of this entry are orphans now.
        ClockedSchedule.objects.filter(periodictask__isnull=True).exclude(pk=clocked.pk).delete()
        BookingRule.objects.filter(pk=rule.pk).update(
            next_release_at=release_at, next_target_date=target_date, periodic_task=task
        )
        rule.next_release_at = release_at
        rule.next_target_date = target_date
        rule.periodic_task = task
    return attempt
