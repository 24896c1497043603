"""Are notifications going out? The /health/ check wired in settings (`HEALTH_CHECKS`): due
deliveries nobody has sent for longer than a few sweeps, and sends whose lease ran out
without the sweep settling them (no notify worker, or no beat)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from notifications.models import Delivery

# A due delivery still pending this long is late: a retry waits its backoff first (due_at),
# and a broken broker is retried by the sweep every 10 s.
LATE_AFTER = timedelta(minutes=5)


def delivery_health(*, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    late = Delivery.objects.filter(state=Delivery.State.PENDING, due_at__lt=now - LATE_AFTER)
    oldest = late.aggregate(oldest=Min("due_at"))["oldest"]
    lease_slack = timedelta(seconds=settings.NOTIFY_LEASE_SECONDS) + LATE_AFTER
    stuck = Delivery.objects.filter(
        state=Delivery.State.SENDING, lease_until__lt=now - lease_slack
    ).count()
    late_count = late.count()
    return {
        "ok": late_count == 0 and stuck == 0,
        "late": late_count,
        "oldest_late_age_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "stuck_sending": stuck,
    }
