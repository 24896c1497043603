"""Polling: one poll asks for today plus `days_ahead` club-local days, one request per day
and sport (the 25-hour rule), through the shared rate limiter and breaker, and ingests each
day's answer. The PollRun says what happened; nothing here raises for Playtomic trouble.

A manual fetch does not poll in the web request: `poll_request` stores a `queued` run and
sends the `poll_club_now` task, whose worker fills the run (`poll_run_execute`) and saves its
progress day by day."""

from __future__ import annotations

import logging
import secrets
import time as monotonic_time
from datetime import date, datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.client import account_client
from accounts.models import PlaytomicAccount
from availability.models import PollRun
from availability.services.ingest import ingest_day
from clubs.models import Club, Court, MonitoringConfig
from clubs.selectors import club_horizon_days, club_sports
from clubs.services import MAX_DAYS_AHEAD, NoReaderAccount, reader_account
from playtomic.client import PlaytomicClient
from playtomic.errors import PlaytomicError, Unauthorized
from playtomic.types import CourtAvailability
from playtomic_monitor.ratelimit import HostGuard, poll_guard

logger = logging.getLogger(__name__)

# Longer than the task's hard time limit, so a crashed poll's lock frees itself in time for
# a later tick, and never held by two live polls of one club.
POLL_LOCK_SECONDS = 600
# The task that runs a queued manual poll, on the poll workers' queue.
POLL_TASK = "availability.tasks.poll_club_now"
BROKER_UNAVAILABLE = (
    "The fetch could not be queued: the task broker did not answer, so no poll worker will "
    "run it. Try again in a minute; the system health page shows the broker's state."
)


class _CountingGuard:
    """The client's observer for one poll: the shared guard (rate limit and breaker), plus a
    count of the requests this poll sent (retries, refreshes and logins included)."""

    def __init__(self, guard: HostGuard) -> None:
        self.guard = guard
        self.requests = 0

    def before_request(self, host: str) -> None:
        self.guard.before_request(host)
        self.requests += 1

    def on_outcome(self, host: str, error: PlaytomicError | None) -> None:
        self.guard.on_outcome(host, error)


def _days_ahead_to_poll(
    *, club: Club, days_ahead: int | None, config: MonitoringConfig | None
) -> int:
    if days_ahead is None:
        return config.days_ahead if config is not None else 7
    horizon = min(club_horizon_days(club=club), MAX_DAYS_AHEAD)
    if not 0 <= days_ahead <= horizon:
        raise ValidationError({"days_ahead": f"Choose between 0 and {horizon} days ahead."})
    return days_ahead


def _sports_to_poll(*, club: Club, config: MonitoringConfig | None) -> list[str]:
    if config is not None and config.sports:
        return [str(s) for s in config.sports]
    offered = club_sports(club=club)
    return ["PADEL"] if "PADEL" in offered or not offered else offered[:1]


def _local_dates(*, club: Club, at: datetime, days_ahead: int) -> list[date]:
    today = at.astimezone(club.zone).date()
    return [today + timedelta(days=i) for i in range(days_ahead + 1)]


def poll_club(
    *,
    club: Club,
    days_ahead: int | None = None,
    trigger: str = PollRun.Trigger.MANUAL,
    now: datetime | None = None,
) -> PollRun:
    """Poll one club now and store what changed. Never raises for Playtomic or storage
    trouble: the returned PollRun carries the outcome and the error kind. Raises
    ValidationError only for bad input (days_ahead)."""
    config = MonitoringConfig.objects.filter(club=club).select_related("account").first()
    days = _days_ahead_to_poll(club=club, days_ahead=days_ahead, config=config)
    started = now or timezone.now()
    local_dates = _local_dates(club=club, at=started, days_ahead=days)
    run = PollRun(
        club=club, trigger=trigger, started_at=started, days=[d.isoformat() for d in local_dates]
    )
    return _poll(run, club=club, config=config, local_dates=local_dates, now=now)


def poll_request(*, club: Club, days_ahead: int | None = None) -> PollRun:
    """Queue a manual poll of one club for the poll workers and return its PollRun at once,
    `queued`, with the club-local days it will fetch. The task is sent after commit; if the
    broker refuses it the run ends `failed` with error_kind "broker_unavailable", on the
    returned instance too when the caller is outside a transaction (a web request). Raises
    ValidationError only for bad input (days_ahead)."""
    config = MonitoringConfig.objects.filter(club=club).first()
    days = _days_ahead_to_poll(club=club, days_ahead=days_ahead, config=config)
    now = timezone.now()
    run = PollRun.objects.create(
        club=club,
        trigger=PollRun.Trigger.MANUAL,
        outcome=PollRun.Outcome.QUEUED,
        started_at=now,
        days=[d.isoformat() for d in _local_dates(club=club, at=now, days_ahead=days)],
    )
    # After commit only: the worker must find the run it is told about.
    transaction.on_commit(lambda: _poll_dispatch(run))
    return run


def _poll_dispatch(run: PollRun) -> None:
    try:
        current_app.send_task(POLL_TASK, args=[run.pk], queue="poll")
    except Exception as exc:  # each transport raises its own errors for "broker down"
        logger.warning("Could not queue poll run %s of club %s: %r", run.pk, run.club_id, exc)
        failed = {
            "outcome": PollRun.Outcome.FAILED,
            "error_kind": "broker_unavailable",
            "error_message": BROKER_UNAVAILABLE,
            "finished_at": timezone.now(),
            "duration_ms": 0,
        }
        # Conditional: if the message got through after all and a worker claimed the run,
        # leave it be.
        if PollRun.objects.filter(pk=run.pk, outcome=PollRun.Outcome.QUEUED).update(**failed):
            for name, value in failed.items():
                setattr(run, name, value)


def poll_run_execute(*, run_id: int) -> PollRun | None:
    """Run a queued manual poll (the `poll_club_now` task). The run is claimed with a
    conditional UPDATE queued -> running, so a second delivery of the same message, or a run
    already failed at dispatch, does nothing: None. Otherwise as `poll_club`."""
    started = timezone.now()
    # started_at becomes the poll's own start: cells are observed then, not when it was asked.
    claimed = PollRun.objects.filter(pk=run_id, outcome=PollRun.Outcome.QUEUED).update(
        outcome=PollRun.Outcome.RUNNING, started_at=started
    )
    if not claimed:
        logger.info("Poll run %s is not queued (a repeated delivery?); nothing to do", run_id)
        return None
    run = PollRun.objects.select_related("club").get(pk=run_id)
    club = run.club
    config = MonitoringConfig.objects.filter(club=club).select_related("account").first()
    # As many days as were asked for, from the club's today now: a run that waited past the
    # club's midnight never asks for a day already over.
    local_dates = _local_dates(club=club, at=started, days_ahead=max(len(run.days) - 1, 0))
    run.days = [d.isoformat() for d in local_dates]
    return _poll(run, club=club, config=config, local_dates=local_dates, now=None)


def _poll(
    run: PollRun,
    *,
    club: Club,
    config: MonitoringConfig | None,
    local_dates: list[date],
    now: datetime | None,
) -> PollRun:
    started = run.started_at
    lock_key = f"poll-lock:club:{club.pk}"
    token = secrets.token_hex(8)
    if not cache.add(lock_key, token, timeout=POLL_LOCK_SECONDS):
        run.outcome = PollRun.Outcome.SKIPPED
        run.error_kind = "overlap"
        run.error_message = "Another poll of this club was still running."
        run.finished_at = run.started_at
        run.duration_ms = 0
        run.save()
        return run

    clock = monotonic_time.monotonic()
    run.save()
    try:
        _run_poll(run, club=club, config=config, local_dates=local_dates, observed_at=started)
    except Exception as exc:  # the worker must survive anything, and say what it was
        logger.exception("Poll of club %s failed unexpectedly", club.pk)
        run.outcome = PollRun.Outcome.FAILED
        run.error_kind = run.error_kind or "internal"
        run.error_message = run.error_message or f"{type(exc).__name__}: {exc}"[:1000]
    finally:
        if cache.get(lock_key) == token:
            cache.delete(lock_key)
    run.duration_ms = int((monotonic_time.monotonic() - clock) * 1000)
    # With an explicit `now` (tests, backfills) the run ends on that clock too.
    run.finished_at = (
        timezone.now() if now is None else started + timedelta(milliseconds=run.duration_ms)
    )
    run.save()
    if config is not None:
        MonitoringConfig.objects.filter(pk=config.pk).update(last_run_at=started)
    return run


def _run_poll(
    run: PollRun,
    *,
    club: Club,
    config: MonitoringConfig | None,
    local_dates: list[date],
    observed_at: datetime,
) -> None:
    sports = _sports_to_poll(club=club, config=config)
    courts = list(club.courts.filter(is_active=True, sport_id__in=sports))
    counter = _CountingGuard(poll_guard())
    try:
        account = reader_account(club=club, account=config.account if config else None)
    except NoReaderAccount as exc:
        run.outcome = PollRun.Outcome.FAILED
        run.error_kind = NoReaderAccount.kind
        run.error_message = exc.messages[0]
        return
    errors: list[tuple[str, PlaytomicError]] = []
    client: PlaytomicClient | None = None
    try:
        client = account_client(
            account=account,
            observer=counter,
            read_timeout=settings.PLAYTOMIC_READ_TIMEOUT,
        )
    except PlaytomicError as exc:
        errors.append(("login", exc))
    if client is not None:
        try:
            _fetch_and_ingest_days(
                run,
                club,
                courts,
                sports,
                local_dates,
                observed_at,
                client,
                counter,
                errors,
                account,
            )
        finally:
            client.close()
    run.requests_made = counter.requests
    if not errors:
        run.outcome = PollRun.Outcome.OK
        return
    run.outcome = PollRun.Outcome.PARTIAL if run.days_ok else PollRun.Outcome.FAILED
    first = errors[0][1]
    run.error_kind = first.kind
    lines = [f"{where}: {error.message}" for where, error in errors[:5]]
    if len(errors) > 5:
        lines.append(f"... and {len(errors) - 5} more")
    run.error_message = "\n".join(lines)[:2000]


def _fetch_and_ingest_days(
    run: PollRun,
    club: Club,
    courts: list[Court],
    sports: list[str],
    local_dates: list[date],
    observed_at: datetime,
    client: PlaytomicClient,
    counter: _CountingGuard,
    errors: list[tuple[str, PlaytomicError]],
    account: PlaytomicAccount,
) -> None:
    guard = counter.guard
    relogged = False
    for local_date in local_dates:
        entries: list[CourtAvailability] = []
        try:
            try:
                entries = _fetch_day(client, club, local_date, sports)
            except Unauthorized:
                if relogged:
                    raise
                # Both tokens dead (expired refresh token, or rotated away by another process
                # that crashed before storing it): one fresh login with the stored password.
                relogged = True
                client.login(account.email, account.password)
                entries = _fetch_day(client, club, local_date, sports)
        except PlaytomicError as exc:
            errors.append((local_date.isoformat(), exc))
            if exc.stops_poll or guard.is_open(client.host):
                break
            continue
        try:
            day = ingest_day(
                club=club,
                local_date=local_date,
                availability=entries,
                observed_at=observed_at,
                courts=courts,
                poll_run=run,
                # A backfill replays the past: its events are kept but handed to no one.
                replay=run.trigger == PollRun.Trigger.DEMO,
            )
        except Exception as exc:
            logger.exception("Ingest of club %s day %s failed", club.pk, local_date)
            errors.append((local_date.isoformat(), _IngestFailed(f"{type(exc).__name__}: {exc}")))
            continue
        run.cells_seen += day.cells_seen
        run.changes_written += day.changes_written
        run.days_ok = [*run.days_ok, local_date.isoformat()]
        # Progress for whoever watches the run ("3 of 8 days"): one small UPDATE per day.
        PollRun.objects.filter(pk=run.pk).update(
            days_ok=run.days_ok,
            cells_seen=run.cells_seen,
            changes_written=run.changes_written,
            requests_made=counter.requests,
        )


def _fetch_day(
    client: PlaytomicClient, club: Club, local_date: date, sports: list[str]
) -> list[CourtAvailability]:
    entries: list[CourtAvailability] = []
    for sport in sports:
        entries.extend(
            client.availability_for_local_day(
                club.playtomic_id, local_date, club.zone, sport_id=sport
            )
        )
    return entries


class _IngestFailed(PlaytomicError):
    """Not Playtomic's fault: storing a day failed (logged with its traceback)."""

    kind = "ingest_error"
