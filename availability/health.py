"""Is monitoring keeping up? The /health/ check wired in settings (`HEALTH_CHECKS`): each
enabled club's last successful poll against its schedule, the clubs whose last poll failed,
and poll runs left queued or running longer than the settle sweep lets any run stay open."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from availability.models import PollRun
from clubs.models import MonitoringConfig
from clubs.selectors import monitoring_configs_enabled, monitoring_is_due

# A poll that was due this long ago should have finished by now.
DUE_GRACE = timedelta(minutes=5)
# The shortest "stuck": runs older than this are reported even with the leases set short.
STUCK_AFTER = timedelta(minutes=15)
# Two runs of the settle sweep (beat, every minute: playtomic_monitor/celery.py).
SETTLE_SLACK = timedelta(minutes=2)


def stuck_after() -> timedelta:
    """Longer than any run stays queued or running while the settle sweep works: a queued
    fetch is failed after two queue waits, a running poll a lease after its last renewal (a
    poll task renews for at most its hard time limit), each within a sweep or two. A run still
    open after this means the sweep itself is not running (no poll worker, or no beat)."""
    queued = 2 * settings.POLL_QUEUE_WAIT_SECONDS
    running = settings.CELERY_TASK_TIME_LIMIT + settings.POLL_LEASE_SECONDS
    return max(STUCK_AFTER, timedelta(seconds=max(queued, running)) + SETTLE_SLACK)


def poll_was_due(config: MonitoringConfig, since: datetime, until: datetime) -> bool:
    """Whether the club had a scheduled poll due between `since` and `until` (its window, in
    its own zone, minute by minute: at most a few hundred checks)."""
    minute = since.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while minute <= until:
        if monitoring_is_due(config=config, now=minute):
            return True
        minute += timedelta(minutes=1)
    return False


def _stale(config: MonitoringConfig, last_ok: datetime | None, now: datetime) -> bool:
    """Stale: no successful poll although two scheduled ticks have come and gone. A club
    outside its polling window (at night) is never stale."""
    frequency = timedelta(minutes=config.frequency_minutes)
    since = now - 2 * frequency - DUE_GRACE
    if last_ok is not None and last_ok >= since:
        return False
    return poll_was_due(config, since, now - DUE_GRACE)


def monitoring_health(*, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    configs = list(monitoring_configs_enabled())
    runs = PollRun.objects.filter(club_id__in=[c.club_id for c in configs])
    last_ok = dict(
        runs.filter(outcome__in=[PollRun.Outcome.OK, PollRun.Outcome.PARTIAL])
        .values("club_id")
        .annotate(at=Max("started_at"))
        .values_list("club_id", "at")
    )
    last_run = {
        run.club_id: run
        for run in PollRun.objects.filter(
            pk__in=runs.exclude(outcome=PollRun.Outcome.SKIPPED)
            .values("club_id")
            .annotate(last=Max("pk"))
            .values("last")
        )
    }
    stale = []
    failing = []
    for config in configs:
        ok_at = last_ok.get(config.club_id)
        if _stale(config, ok_at, now):
            stale.append(
                {
                    "club": config.club.name,
                    "club_id": config.club_id,
                    "last_success_age_seconds": (
                        round((now - ok_at).total_seconds()) if ok_at else None
                    ),
                    "frequency_minutes": config.frequency_minutes,
                }
            )
        last = last_run.get(config.club_id)
        if last is not None and last.outcome == PollRun.Outcome.FAILED:
            failing.append(
                {"club": config.club.name, "club_id": config.club_id, "error": last.error_kind}
            )
    stuck = list(
        PollRun.objects.filter(
            Q(outcome__in=[PollRun.Outcome.QUEUED, PollRun.Outcome.RUNNING]),
            started_at__lt=now - stuck_after(),
        ).values_list("pk", flat=True)[:50]
    )
    return {
        "ok": not stale and not stuck,
        "clubs_monitored": len(configs),
        "stale_clubs": stale,
        "failing_clubs": failing,
        "stuck_poll_runs": stuck,
    }
