"""Monitoring trouble, told to a club's watchers (notifications/audience.py) once per episode:

- failing: the club's last `NOTIFY_MONITORING_FAILING_POLLS` polls all failed; the episode
  starts at the first failed poll after the last successful one;
- stale: no successful poll for `NOTIFY_MONITORING_STALE_MINUTES` although a scheduled poll
  was due in that time (a club outside its polling window, at night, is never stale); the
  episode is identified by the last successful poll.

A beat task runs the check every minute; the dedupe key carries the episode, so each episode
makes one notification per watcher however often the check runs or how many beats send it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from availability.health import DUE_GRACE, poll_was_due
from availability.models import PollRun
from clubs.models import MonitoringConfig
from clubs.selectors import monitoring_configs_enabled
from notifications.audience import club_watchers
from notifications.models import Notification
from notifications.services.outbox import notification_create
from notifications.wording import in_language_of, page_url
from playtomic_monitor.localtime import local_datetime

SUCCESS = (PollRun.Outcome.OK, PollRun.Outcome.PARTIAL)


@dataclass(frozen=True)
class Episode:
    config: MonitoringConfig
    kind: str  # Notification.Kind.MONITORING_FAILING / MONITORING_STALE
    key: str  # identifies the episode
    since: datetime | None  # the last successful poll (stale) or the first failure (failing)
    error: str = ""


def _failing(config: MonitoringConfig, last_ok: datetime | None) -> Episode | None:
    needed: int = settings.NOTIFY_MONITORING_FAILING_POLLS
    finished = PollRun.objects.filter(club_id=config.club_id).exclude(
        outcome__in=[
            PollRun.Outcome.SKIPPED,
            PollRun.Outcome.QUEUED,
            PollRun.Outcome.RUNNING,
        ]
    )
    latest = list(finished.order_by("-started_at", "-pk")[:needed])
    if len(latest) < needed or any(run.outcome != PollRun.Outcome.FAILED for run in latest):
        return None
    failures = finished.filter(outcome=PollRun.Outcome.FAILED)
    if last_ok is not None:
        failures = failures.filter(started_at__gt=last_ok)
    first = failures.order_by("started_at", "pk").first()
    if first is None:
        return None
    return Episode(
        config=config,
        kind=Notification.Kind.MONITORING_FAILING,
        key=f"monitoring_failing:{config.club_id}:{first.pk}",
        since=first.started_at,
        error=latest[0].error_kind,
    )


def _stale(config: MonitoringConfig, last_ok: datetime | None, now: datetime) -> Episode | None:
    window = timedelta(minutes=settings.NOTIFY_MONITORING_STALE_MINUTES)
    if last_ok is not None and last_ok >= now - window:
        return None
    if not poll_was_due(config, now - window, now - DUE_GRACE):
        return None
    marker = last_ok.isoformat() if last_ok is not None else "never"
    return Episode(
        config=config,
        kind=Notification.Kind.MONITORING_STALE,
        key=f"monitoring_stale:{config.club_id}:{marker}",
        since=last_ok,
    )


def monitoring_episodes(*, now: datetime) -> list[Episode]:
    """The episodes of trouble open now, one kind per club at most (failing wins: it says
    more than stale)."""
    configs = list(monitoring_configs_enabled())
    last_ok = dict(
        PollRun.objects.filter(club_id__in=[c.club_id for c in configs], outcome__in=SUCCESS)
        .values("club_id")
        .annotate(at=Max("started_at"))
        .values_list("club_id", "at")
    )
    episodes = []
    for config in configs:
        ok_at = last_ok.get(config.club_id)
        episode = _failing(config, ok_at) or _stale(config, ok_at, now)
        if episode is not None:
            episodes.append(episode)
    return episodes


def _message(episode: Episode) -> tuple[str, str]:
    club = episode.config.club
    values = {"club": club.name}
    if episode.kind == Notification.Kind.MONITORING_FAILING:
        subject = _("Monitoring of %(club)s is failing") % values
        lines = [
            _("The last %(count)d polls of %(club)s failed (%(error)s).")
            % {
                "count": settings.NOTIFY_MONITORING_FAILING_POLLS,
                "club": club.name,
                "error": episode.error or _("unknown error"),
            }
        ]
    else:
        subject = _("Monitoring of %(club)s is stale") % values
        lines = [
            _("%(club)s has not been polled successfully for %(minutes)d minutes.")
            % {"club": club.name, "minutes": settings.NOTIFY_MONITORING_STALE_MINUTES}
        ]
    if episode.since is not None:
        label = (
            _("Failing since %(when)s.")
            if episode.kind == Notification.Kind.MONITORING_FAILING
            else _("Last successful poll: %(when)s.")
        )
        lines.append(label % {"when": local_datetime(episode.since, club.zone)})
    return subject, "\n".join(lines)


def monitoring_trouble_notify(*, now: datetime | None = None) -> int:
    """Tell the watchers of each club in trouble, once per episode. Returns the notifications
    written."""
    now = now or timezone.now()
    created = 0
    for episode in monitoring_episodes(now=now):
        link = page_url(reverse("club", args=[episode.config.club_id]))
        with transaction.atomic():
            for watcher in club_watchers(episode.config.club_id):
                with in_language_of(watcher):
                    subject, body = _message(episode)
                notification = notification_create(
                    user=watcher,
                    kind=episode.kind,
                    dedupe_key=episode.key,
                    subject=subject,
                    body=body + "\n" + link,
                    link=link,
                )
                created += notification is not None
    return created
