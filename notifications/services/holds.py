"""When a channel may not send now: quiet hours in the member's zone, and the per-channel
rate limit. What either holds back goes out later as one summary (services/delivery.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Min

from notifications.models import Channel, Delivery

RATE_WINDOW = timedelta(minutes=1)


def quiet_until(channel: Channel, now: datetime) -> datetime | None:
    """The UTC instant the channel's quiet hours end if `now` falls in them, else None.
    Evaluated on the wall clock of the channel's zone, so 22:00-08:00 stays 22:00-08:00
    across a DST change (the night is then an hour shorter or longer)."""
    start, end = channel.quiet_start, channel.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(channel.timezone)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        quiet = start <= clock < end
        end_day = local.date()
    else:  # spans midnight
        quiet = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not quiet:
        return None
    # A wall time skipped by DST (02:30 in spring) resolves to the instant after the gap.
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(ZoneInfo("UTC"))


def rate_limited_until(channel: Channel, now: datetime, *, exclude_pk: int) -> datetime | None:
    """The instant the channel may send again if it used up its messages of the last minute
    (sent, or being sent by another worker), else None. Two workers checking at once may
    each send one more: the limit is a courtesy to the member, not a guarantee."""
    if channel.rate_limit_per_minute <= 0:
        return None
    recent = Delivery.objects.filter(channel=channel).exclude(pk=exclude_pk)
    sent = recent.filter(state=Delivery.State.SENT, sent_at__gt=now - RATE_WINDOW)
    in_flight = recent.filter(state=Delivery.State.SENDING).count()
    if sent.count() + in_flight < channel.rate_limit_per_minute:
        return None
    oldest = sent.aggregate(oldest=Min("sent_at"))["oldest"]
    return (oldest or now) + RATE_WINDOW


def hold_until(channel: Channel, now: datetime, *, delivery_pk: int) -> datetime | None:
    """Quiet hours first (they last longer), then the rate limit."""
    return quiet_until(channel, now) or rate_limited_until(channel, now, exclude_pk=delivery_pk)
