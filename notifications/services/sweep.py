"""The notify sweep (beat, every 10 s): settle deliveries whose worker died mid-send, release
what quiet hours or the rate limit held back, and relay what is pending and due (retries
after their backoff, and rows a broker outage or a dead worker left behind)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from notifications.models import Channel, Delivery
from notifications.services.delivery import deliveries_release_held, delivery_lease_expired
from notifications.services.outbox import deliveries_relay

# Pending rows handed to the broker again per sweep (beat runs it every 10 s).
RELAY_PER_SWEEP = 500


def deliveries_sweep(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    expired = list(
        Delivery.objects.filter(state=Delivery.State.SENDING, lease_until__lt=now).values_list(
            "pk", flat=True
        )
    )
    for pk in expired:
        delivery_lease_expired(delivery_id=pk, now=now)
    # Rows a channel was disabled under (written while it was being disabled) end here.
    Delivery.objects.filter(
        state__in=[Delivery.State.PENDING, Delivery.State.HELD],
        channel_id__in=Channel.objects.filter(enabled=False).values("pk"),
    ).update(state=Delivery.State.CANCELLED)
    released = deliveries_release_held(now=now)
    # At most RELAY_PER_SWEEP rows, the longest waiting first: rows of a long backlog still
    # sit in the broker, and re-sending all of them every sweep would only multiply messages.
    due = (
        Delivery.objects.filter(state=Delivery.State.PENDING, due_at__lte=now)
        .exclude(relayed_at__gte=now - timedelta(seconds=settings.NOTIFY_RELAY_GRACE_SECONDS))
        .order_by(F("relayed_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:RELAY_PER_SWEEP]
    )
    relayed = deliveries_relay(list(due), now=now)
    return {"expired": len(expired), "released": released, "relayed": relayed}
