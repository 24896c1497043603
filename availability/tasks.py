"""Celery tasks of the availability app: thin, they take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from availability.models import PollRun
from availability.outbox import deliveries_relay_stale
from availability.services.polling import poll_club, poll_run_execute, poll_runs_settle
from availability.services.summaries import summaries_refresh_due
from clubs.models import MonitoringConfig
from clubs.selectors import monitoring_is_due

logger = logging.getLogger(__name__)


# Polls ack late and go back to the queue if their pool process dies (reject_on_worker_lost);
# the message of a killed worker comes back from Redis after its visibility timeout. So a poll
# cut short runs again while its message is fresh (beat's `expires`). A repeat is harmless: a
# manual fetch is claimed queued -> running once, and a scheduled poll that meets the lock of
# a live poll, or of one that died less than a lease ago, ends `skipped`.
@shared_task(
    name="availability.tasks.poll_club_scheduled",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def poll_club_scheduled(club_id: int) -> int | None:
    """The beat entry of one club. Re-checks the window in the club's own zone (beat is not
    trusted with DST) and polls only when due; returns the PollRun id, or None if skipped."""
    config = MonitoringConfig.objects.select_related("club").filter(club_id=club_id).first()
    if config is None or not config.enabled:
        logger.info("Club %s has no enabled monitoring; scheduled poll dropped", club_id)
        return None
    now = timezone.now()
    if not monitoring_is_due(config=config, now=now):
        logger.info("Club %s: %s is outside its polling window; skipped", club_id, now)
        return None
    run = poll_club(club=config.club, trigger=PollRun.Trigger.SCHEDULE)
    return run.pk


@shared_task(
    name="availability.tasks.poll_club_now",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def poll_club_now(run_id: int) -> None:
    """A manual fetch queued by `poll_request`: fill its PollRun. A repeated delivery finds
    the run already claimed and does nothing."""
    poll_run_execute(run_id=run_id)


@shared_task(name="availability.tasks.relay_events", ignore_result=True)
def relay_events() -> int:
    """The outbox sweep (beat, every minute): events a broker or worker failure left behind
    are handed to their consumers again; returns the messages sent."""
    return deliveries_relay_stale()


@shared_task(name="availability.tasks.settle_poll_runs", ignore_result=True)
def settle_poll_runs() -> dict[str, list[int]]:
    """The settle sweep (beat, every minute): fail the poll runs of dead workers and re-send
    or fail the manual fetches nobody claimed; returns the run ids per action."""
    return poll_runs_settle()


@shared_task(name="availability.tasks.summarize_closed_days", ignore_result=True)
def summarize_closed_days() -> int:
    """Beat, every 15 minutes: summarize the days that closed since, for every club whose
    SummaryMark is behind its own zone's calendar (polls never summarize); returns the
    clubs summarized. Costs one query when every club is up to date."""
    return summaries_refresh_due()
