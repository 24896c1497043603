"""Cancellation sniping: the consumer of availability's `slot_freed` events. Each batch is
claimed through the outbox (a conditional UPDATE), so a relay and a sweep handing over the
same events start at most one attempt per rule and date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from availability.models import AvailabilityEvent
from availability.outbox import claim_done, events_claim
from booking import selectors
from booking.models import AttemptEvent, BookingAttempt, BookingRule
from booking.services.attempts import attempt_prepare

# The name of this consumer in settings.AVAILABILITY_EVENT_CONSUMERS.
CONSUMER = "booking.sniping"


def snipe_earliest_start(rule: BookingRule, now: datetime) -> datetime:
    notice = timedelta(minutes=rule.snipe_min_notice_minutes)
    policy_hours = rule.club.cancellation_policy_hours
    if policy_hours and not rule.snipe_inside_cancellation_window:
        # A slot inside the club's cancellation window could not be cancelled for free.
        notice = max(notice, timedelta(hours=policy_hours))
    return now + notice


def snipe_freed_slots(*, event_ids: Sequence[int]) -> list[BookingAttempt]:
    """The outbox consumer: claim this consumer's deliveries of `event_ids` and, for each freed
    cell that a sniping rule wants (at any of its clubs, in its main or fallback window),
    prepare an attempt at once (T = now). Returns the attempts
    to race (the caller dispatches them). Events another worker claimed are not touched."""
    now = timezone.now()
    claim = events_claim(consumer=CONSUMER, event_ids=event_ids)
    events = [e for e in claim.events if e.kind == AvailabilityEvent.Kind.SLOT_FREED]
    started: list[BookingAttempt] = []
    seen: set[tuple[int, date]] = set()
    for event in events:
        rules = (
            BookingRule.objects.filter(Q(club=event.club) | Q(fallback_links__club=event.club))
            .filter(enabled=True, snipe_cancellations=True)
            .select_related("club")
            .distinct()
        )
        for rule in rules:
            key = (rule.pk, event.local_date)
            if key in seen or event.local_date.weekday() not in rule.weekdays:
                continue
            windows = selectors.rule_windows_utc(rule, event.local_date, [event.club])
            if not any(event.end > first and event.start <= last for first, last in windows):
                continue
            if (
                event.court_id is not None
                and rule.only_listed_courts
                and event.court_id not in rule.court_preference
            ):
                continue
            # A freed singles court is no game for four (nor a doubles court for two).
            if event.court is not None and not selectors.court_fits(
                event.court, rule.number_of_players
            ):
                continue
            if event.end <= snipe_earliest_start(rule, now):
                continue
            seen.add(key)
            attempt = attempt_prepare(
                rule=rule,
                target_date=event.local_date,
                release_at=now,
                trigger=BookingAttempt.Trigger.SNIPE,
            )
            if attempt is not None:
                AttemptEvent.objects.create(
                    attempt=attempt,
                    round=attempt.round,
                    at=now,
                    ms_from_release=0,
                    kind="freed_cell",
                    message=f"{event.court or event.club} {event.start:%Y-%m-%d %H:%M}Z",
                    data={"event_id": event.pk},
                )
                started.append(attempt)
    claim_done(claim)
    return started
