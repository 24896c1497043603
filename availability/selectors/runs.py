"""Poll runs and the state of every club for the home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from availability.models import PollRun
from availability.selectors.common import local_today
from availability.selectors.utilization import (
    CurrentUtilization,
    DayUtilization,
    utilization_current,
    utilization_daily,
)
from clubs.models import Club

# A failed poll within this long makes a club show as failing on the home page.
RECENT_FAILURES = timedelta(hours=24)


def poll_runs(*, club: Club, outcome: str | None = None) -> QuerySet[PollRun]:
    runs = PollRun.objects.filter(club=club)
    if outcome:
        runs = runs.filter(outcome=outcome)
    return runs.order_by("-started_at", "-id")


@dataclass(frozen=True)
class ClubStatus:
    club: Club
    today: CurrentUtilization
    last_poll: PollRun | None
    last_ok_at: datetime | None
    recent_failures: int
    monitoring_enabled: bool
    trend: list[DayUtilization]

    @property
    def failing(self) -> bool:
        return self.last_poll is not None and self.last_poll.outcome == PollRun.Outcome.FAILED


def club_statuses(*, now: datetime | None = None, trend_days: int = 14) -> list[ClubStatus]:
    """Every club with today's utilization, its monitoring state and a short daily trend."""
    now = now or timezone.now()
    result = []
    for club in Club.objects.select_related("monitoring").order_by("name"):
        runs = PollRun.objects.filter(club=club).exclude(outcome=PollRun.Outcome.SKIPPED)
        last = runs.order_by("-started_at").first()
        last_ok = (
            runs.filter(outcome__in=[PollRun.Outcome.OK, PollRun.Outcome.PARTIAL])
            .order_by("-started_at")
            .values_list("started_at", flat=True)
            .first()
        )
        failures = runs.filter(
            outcome=PollRun.Outcome.FAILED, started_at__gte=now - RECENT_FAILURES
        ).count()
        today = local_today(club, now)
        config = getattr(club, "monitoring", None)
        result.append(
            ClubStatus(
                club=club,
                today=utilization_current(club=club, now=now),
                last_poll=last,
                last_ok_at=last_ok,
                recent_failures=failures,
                monitoring_enabled=bool(config and config.enabled),
                trend=utilization_daily(
                    club=club, date_from=today - timedelta(days=trend_days), date_to=today
                ),
            )
        )
    return result
