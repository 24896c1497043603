"""Reads of the clubs app: the questions the poller, the schedule and the pages ask."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, time

from django.db.models import Q, QuerySet

from accounts.models import PlaytomicAccount
from clubs.models import DEFAULT_SPORT, Club, MonitoringConfig


def club_find(*, key: str) -> Club | None:
    """A club by primary key, Playtomic tenant id or slug (what commands accept)."""
    query = Q(playtomic_id=key) | Q(slug=key)
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if key.isdecimal():
        query |= Q(pk=int(key))
    return Club.objects.filter(query).first()


def club_horizon_days(*, club: Club) -> int:
    """Whole days ahead the club lets anyone book (its booking-ahead limit), at least 0."""
    if club.booking_ahead_limit_minutes is None:
        return 30
    return max(0, math.ceil(club.booking_ahead_limit_minutes / (24 * 60)))


def club_sports(*, club: Club) -> list[str]:
    """Sports the club offers: Playtomic's list, or failing that its courts' sports."""
    sports = [str(s) for s in club.sport_ids or []]
    if not sports:
        sports = sorted(set(club.courts.values_list("sport_id", flat=True)))
    return sports


def default_sports_for(*, club: Club) -> list[str]:
    """The sports polled when nobody chose: padel where the club offers it (or is not known to
    offer anything yet), else the first sport it offers."""
    offered = club_sports(club=club)
    return [DEFAULT_SPORT] if DEFAULT_SPORT in offered or not offered else offered[:1]


def reader_account_default() -> PlaytomicAccount | None:
    """The account monitoring reads with when neither the caller nor the club's config names
    one: the oldest working (or not yet tried) account of an active staff user."""
    accounts = PlaytomicAccount.objects.filter(owner__is_staff=True, owner__is_active=True).exclude(
        status=PlaytomicAccount.Status.FAILED
    )
    working = accounts.filter(status=PlaytomicAccount.Status.OK).order_by("id").first()
    return working or accounts.order_by("id").first()


def schedule_step_minutes(frequency_minutes: int) -> int:
    """The crontab's minute step for a frequency: the largest step that divides both the
    frequency and the hour, so crontab ticks always land on every due moment."""
    return math.gcd(frequency_minutes, 60)


def schedule_offset_minutes(*, config: MonitoringConfig) -> int:
    """How long after the window opens the club's polls begin: a stable per-club phase,
    derived from the club id, below the frequency and never past the window's end. Without
    it every club would be due on the quarter hour at once, and with one shared rate limit
    the last of them would start minutes late (docs/monitoring.md, "How many clubs")."""
    window = _minutes(config.end_time_local) - _minutes(config.start_time_local)
    span = max(1, min(config.frequency_minutes, window + 1))
    digest = hashlib.blake2b(str(config.club_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % span


def schedule_first_minute(*, config: MonitoringConfig) -> int:
    """The club-local minute of the day of the window's first poll (start + the offset)."""
    return _minutes(config.start_time_local) + schedule_offset_minutes(config=config)


def monitoring_is_due(*, config: MonitoringConfig, now: datetime) -> bool:
    """Whether a scheduled poll should run at `now`: inside the window in the club's zone,
    from its first poll (start + the club's offset) to its end included, on the frequency's
    grid counted from that first poll.

    Checked by the task itself because beat is not trusted with DST. A delivery up to one
    crontab step late still counts for its own tick, never for the next one.
    """
    local = now.astimezone(config.club.zone)
    minute_of_day = local.hour * 60 + local.minute
    first = schedule_first_minute(config=config)
    if not first <= minute_of_day <= _minutes(config.end_time_local):
        return False
    step = schedule_step_minutes(config.frequency_minutes)
    tick = (minute_of_day - first) // step * step
    return tick % config.frequency_minutes == 0


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def monitoring_configs_enabled() -> QuerySet[MonitoringConfig]:
    return MonitoringConfig.objects.filter(enabled=True).select_related("club", "account")
