"""Poll runs and the state of every club for the home page."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from availability.models import CourtDaySummary, PollRun, SlotState
from availability.selectors.common import DateRange, club_courts, local_dates, local_today
from availability.selectors.history import court_day_sums, split_at_mark
from availability.selectors.utilization import (
    CurrentUtilization,
    DayUtilization,
    current_from_counts,
    daily_from_rows,
    split_counts,
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
    """Every club with today's utilization, its monitoring state and a short daily trend, in
    a fixed number of queries whatever the number of clubs: the clubs with their last runs
    (subqueries), their courts, the closed days of the trends from the per-court summaries,
    and today with the other recent days from the raw cells."""
    now = now or timezone.now()
    runs = PollRun.objects.filter(club=OuterRef("pk")).exclude(outcome=PollRun.Outcome.SKIPPED)
    failures = (
        runs.filter(outcome=PollRun.Outcome.FAILED, started_at__gte=now - RECENT_FAILURES)
        .values("club")
        .annotate(n=Count("pk"))
        .values("n")
    )
    clubs = list(
        Club.objects.select_related("monitoring", "summary_mark")
        .prefetch_related("courts")
        .annotate(
            last_poll_id=Subquery(runs.order_by("-started_at").values("pk")[:1]),
            last_ok_at=Subquery(
                runs.filter(outcome__in=[PollRun.Outcome.OK, PollRun.Outcome.PARTIAL])
                .order_by("-started_at")
                .values("started_at")[:1]
            ),
            recent_failures=Coalesce(Subquery(failures), 0),
        )
        .order_by("name")
    )
    last_runs = PollRun.objects.in_bulk([c.last_poll_id for c in clubs if c.last_poll_id])
    # Per club: its today, and the trend's days split at its SummaryMark.
    todays = {club.pk: local_today(club, now) for club in clubs}
    closed: dict[DateRange, list[int]] = defaultdict(list)
    raw: dict[DateRange, list[int]] = defaultdict(list)
    for club in clubs:
        today = todays[club.pk]
        summarized, recent = split_at_mark(club, today - timedelta(days=trend_days), today)
        if summarized:
            closed[summarized].append(club.pk)
        if recent:
            raw[recent].append(club.pk)
    counts: dict[tuple[int, date], dict[str, int]] = {}
    if closed:
        summed = (
            CourtDaySummary.objects.filter(
                _any_of(Q(club_id__in=ids, local_date__range=days) for days, ids in closed.items())
            )
            .values_list("club_id", "local_date")
            .annotate(**court_day_sums())
            .order_by()
        )
        for club_id, day, taken, free, not_released, courts in summed:
            counts[(club_id, day)] = {
                "taken": taken,
                "free": free,
                "not_released": not_released,
                "courts": courts,
            }
    if raw:
        names = [*split_counts(now), "courts"]
        cells = (
            SlotState.objects.filter(
                _any_of(
                    Q(court__club_id__in=ids, local_date__range=days) for days, ids in raw.items()
                )
            )
            .values_list("court__club_id", "local_date")
            .annotate(**split_counts(now), courts=Count("court", distinct=True))
            .order_by()
        )
        for club_id, day, *values in cells:
            row = dict(zip(names, values, strict=True))
            for name in ("taken", "free", "not_released"):
                row[name] = row[f"so_far_{name}"] + row[f"rest_{name}"]
            counts[(club_id, day)] = row
    # Per club and day: the courts with cells seen (a partly seen day has no figure).
    courts_seen: dict[int, dict[date, int]] = defaultdict(dict)
    for (club_id, day), counted in counts.items():
        courts_seen[club_id][day] = counted["courts"]
    result = []
    for club in clubs:
        today = todays[club.pk]
        trend_from = today - timedelta(days=trend_days)
        trend = daily_from_rows(
            club,
            trend_from,
            today,
            None,
            (
                (day, found["taken"], found["free"], found["not_released"])
                for day in local_dates(trend_from, today)
                if (found := counts.get((club.pk, day))) is not None
            ),
            courts_seen=courts_seen[club.pk],
        )
        courts = len(club_courts(club=club))
        config = getattr(club, "monitoring", None)
        result.append(
            ClubStatus(
                club=club,
                today=current_from_counts(
                    club, today, now, courts, counts.get((club.pk, today), {})
                ),
                last_poll=last_runs.get(club.last_poll_id),
                last_ok_at=club.last_ok_at,
                recent_failures=club.recent_failures,
                monitoring_enabled=bool(config and config.enabled),
                trend=trend,
            )
        )
    return result


def _any_of(conditions: Iterable[Q]) -> Q:
    return reduce(operator.or_, conditions)
