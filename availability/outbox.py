"""The availability outbox: events are written in the same transaction as the changes that
raised them, each with one EventDelivery row per interested consumer.

Consumers are wired in settings (`AVAILABILITY_EVENT_CONSUMERS`: name -> task, queue and the
event kinds it wants), so this app never names a higher app. Delivery is at least once and
handling is exactly once per consumer:

- `events_publish` (inside the ingest transaction) writes the events and their deliveries and,
  on commit, relays them: one task per consumer with the event ids. A broker error there is
  logged and forgotten: the rows are still pending.
- `deliveries_relay_stale` (beat, every minute) re-sends deliveries still pending after
  RELAY_GRACE and frees claims older than CLAIM_LEASE (a worker died mid-way).
- A consumer calls `events_claim`: a conditional UPDATE pending -> claimed with its own token;
  it acts only on the events it won, then `claim_done`. Two workers handed the same ids (a
  relay and a sweep, or two sweeps) never both win a row.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from availability.models import AvailabilityEvent, EventDelivery

logger = logging.getLogger(__name__)

# A delivery still pending this long after its last relay is sent again.
RELAY_GRACE = timedelta(seconds=30)
# A claim older than this belongs to a worker that died: it is pending again.
CLAIM_LEASE = timedelta(minutes=5)
# Event ids per relayed message.
RELAY_BATCH = 200


def consumers() -> dict[str, dict[str, Any]]:
    configured: dict[str, dict[str, Any]] = settings.AVAILABILITY_EVENT_CONSUMERS
    return configured


def events_publish(events: Sequence[AvailabilityEvent]) -> list[int]:
    """Save the events and one delivery per consumer that wants each; relay them once the
    surrounding transaction commits. Returns the event ids."""
    for event in events:
        event.save()
    deliveries = [
        EventDelivery(event=event, consumer=name)
        for event in events
        if not event.replay
        for name, spec in consumers().items()
        if event.kind in spec.get("kinds", ())
    ]
    EventDelivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in deliveries if d.pk is not None]
    if not ids:
        # bulk_create does not return keys on every backend: read them back.
        ids = list(
            EventDelivery.objects.filter(event__in=[e.pk for e in events]).values_list(
                "pk", flat=True
            )
        )
    if ids:
        # After commit only: a consumer must find what it is told about, and a rolled-back
        # day must not send anyone after cells that were never stored.
        transaction.on_commit(lambda: deliveries_relay(ids), robust=True)
    return [event.pk for event in events]


def deliveries_relay(delivery_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Hand pending deliveries to their consumers' tasks; returns the messages sent. Stamps
    each delivery first, so the sweep leaves freshly relayed rows alone for RELAY_GRACE."""
    now = now or timezone.now()
    pending = EventDelivery.objects.filter(
        pk__in=list(delivery_ids), state=EventDelivery.State.PENDING
    ).values_list("pk", "consumer", "event_id")
    by_consumer: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pk, consumer, event_id in pending:
        by_consumer[consumer].append((pk, event_id))
    sent = 0
    specs = consumers()
    for consumer, rows in by_consumer.items():
        spec = specs.get(consumer)
        if spec is None:
            continue  # a consumer removed from settings: its rows wait for it to come back
        for start in range(0, len(rows), RELAY_BATCH):
            batch = rows[start : start + RELAY_BATCH]
            try:
                current_app.send_task(
                    spec["task"], args=[[event_id for _, event_id in batch]], queue=spec["queue"]
                )
            except Exception:  # broker down: the rows stay pending for the sweep
                logger.warning(
                    "Could not relay %d events to %s; the sweep will retry", len(batch), consumer
                )
                return sent
            EventDelivery.objects.filter(pk__in=[pk for pk, _ in batch]).update(
                relayed_at=now, relays=F("relays") + 1
            )
            sent += 1
    return sent


def deliveries_relay_stale(*, now: datetime | None = None) -> int:
    """The periodic sweep: free expired claims, then re-send what is pending and was not
    relayed within RELAY_GRACE. Returns the messages sent."""
    now = now or timezone.now()
    EventDelivery.objects.filter(
        state=EventDelivery.State.CLAIMED, claimed_at__lt=now - CLAIM_LEASE
    ).update(state=EventDelivery.State.PENDING, claim_token="", claimed_at=None)
    stale = EventDelivery.objects.filter(state=EventDelivery.State.PENDING).exclude(
        relayed_at__gte=now - RELAY_GRACE
    )
    return deliveries_relay(stale.values_list("pk", flat=True)[:10_000], now=now)


@dataclass
class Claim:
    """The events one consumer won, and the token that proves it."""

    consumer: str
    token: str
    events: list[AvailabilityEvent]


def events_claim(*, consumer: str, event_ids: Sequence[int]) -> Claim:
    """Claim this consumer's pending deliveries of `event_ids` with one conditional UPDATE;
    the returned events are the ones this caller won (possibly none)."""
    token = uuid.uuid4().hex
    EventDelivery.objects.filter(
        consumer=consumer, event_id__in=list(event_ids), state=EventDelivery.State.PENDING
    ).update(state=EventDelivery.State.CLAIMED, claim_token=token, claimed_at=timezone.now())
    events = list(
        AvailabilityEvent.objects.filter(
            deliveries__consumer=consumer, deliveries__claim_token=token
        )
        .select_related("club", "court")
        .order_by("pk")
    )
    return Claim(consumer=consumer, token=token, events=events)


def claim_done(claim: Claim) -> int:
    """Mark the claimed deliveries handled (only while the claim is still ours)."""
    return EventDelivery.objects.filter(
        consumer=claim.consumer, claim_token=claim.token, state=EventDelivery.State.CLAIMED
    ).update(state=EventDelivery.State.DONE, done_at=timezone.now())
