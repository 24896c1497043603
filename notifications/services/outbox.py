"""The notification outbox: a notification is written in the same transaction as its cause,
with one Delivery per enabled channel of the member; on commit the deliveries are relayed to
the notify worker (notifications.tasks.deliver). A broker error there is logged and the rows
stay pending for the sweep (services/sweep.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from celery import current_app
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Channel, Delivery, Notification

logger = logging.getLogger(__name__)

DELIVER_TASK = "notifications.tasks.deliver"
# Delivery ids per relayed message: small, so two workers share a burst.
RELAY_BATCH = 20


def notification_create(
    *,
    user: User,
    kind: str,
    dedupe_key: str,
    subject: str,
    body: str,
    link: str = "",
    attachments: Sequence[dict[str, str]] = (),
    channels: Sequence[Channel] | None = None,
) -> Notification | None:
    """Write the notification and a delivery per enabled channel of `user` that carries
    `kind` (or per channel of `channels`), inside the caller's transaction; relay them on
    commit. Returns None, without touching the caller's transaction, when the member already
    has a notification with this dedupe key."""
    notification = Notification(
        user=user,
        kind=kind,
        dedupe_key=dedupe_key[:200],
        subject=subject[:200],
        body=body,
        link=link,
        attachments=[dict(a) for a in attachments],
    )
    try:
        # A savepoint: a duplicate rolls back only itself, never the caller's transaction
        # (which on PostgreSQL an IntegrityError would otherwise poison).
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return None
    if channels is None:
        channels = list(Channel.objects.filter(user=user, enabled=True))
    deliveries = [
        Delivery(notification=notification, channel=channel, due_at=notification.created_at)
        for channel in channels
        if channel.carries(kind)
    ]
    Delivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in deliveries if d.pk is not None]
    if len(ids) < len(deliveries):  # a backend that does not return keys from bulk inserts
        ids = list(notification.deliveries.values_list("pk", flat=True))
    if ids:
        transaction.on_commit(lambda: deliveries_relay(ids), robust=True)
    return notification


def deliveries_relay(delivery_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Send the pending ones of `delivery_ids` to the notify worker; returns messages sent.
    Stamps each row first, so the sweep leaves freshly relayed rows alone for RELAY_GRACE."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(
            pk__in=list(delivery_ids), state=Delivery.State.PENDING
        ).values_list("pk", flat=True)
    )
    sent = 0
    for start in range(0, len(ids), RELAY_BATCH):
        batch = ids[start : start + RELAY_BATCH]
        try:
            current_app.send_task(DELIVER_TASK, args=[batch], queue="notify")
        except Exception:  # broker down: the rows stay pending for the sweep
            logger.warning("Could not relay %d deliveries; the sweep will retry", len(batch))
            return sent
        Delivery.objects.filter(pk__in=batch).update(relayed_at=now)
        sent += 1
    return sent
