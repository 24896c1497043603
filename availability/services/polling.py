"""Polling: one poll asks for today plus `days_ahead` club-local days, one request per day
and sport (the 25-hour rule), through the shared rate limiter and breaker, and ingests each
day's answer. The PollRun says what happened; nothing here raises for Playtomic trouble.

A manual fetch does not poll in the web request: `poll_request` stores a `queued` run and
sends the `poll_club_now` task, whose worker fills the run (`poll_run_execute`) and saves its
progress day by day.

A poll holds its run and its club's poll lock on a lease (`_PollLease`, POLL_LEASE_SECONDS)
that it renews as it goes; `poll_runs_settle`, the sweep beat runs every minute, fails the runs
of workers that died (their leases ran out) and re-sends or fails manual fetches nobody
claimed. So a killed worker leaves nothing stuck."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time as monotonic_time
from datetime import date, datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.client import account_client
from accounts.models import PlaytomicAccount
from availability.models import PollRun
from availability.services.ingest import ingest_day
from clubs.models import Club, Court, MonitoringConfig
from clubs.selectors import club_horizon_days, default_sports_for
from clubs.services import MAX_DAYS_AHEAD, NoReaderAccount, reader_account
from playtomic.client import PlaytomicClient
from playtomic.errors import PlaytomicError, Unauthorized
from playtomic.types import CourtAvailability
from playtomic_monitor.ratelimit import HostGuard, poll_guard

logger = logging.getLogger(__name__)

# The task that runs a queued manual poll, on the poll workers' queue.
POLL_TASK = "availability.tasks.poll_club_now"
# Messages a queued manual fetch gets before the sweep gives it up: poll_request's and one more.
POLL_DISPATCHES = 2
BROKER_UNAVAILABLE = (
    "The fetch could not be queued: the task broker did not answer, so no poll worker will "
    "run it. Try again in a minute; the system health page shows the broker's state."
)
OVERLAP = "Another poll of this club was still running (or its worker died less than a lease ago)."
CACHE_UNAVAILABLE = (
    "The club was not polled: the cache (Redis), which holds the poll locks, did not answer. "
    "The next tick tries again; the system health page shows the cache's state."
)
WORKER_LOST = (
    "The worker running this poll stopped renewing its lease for over {seconds} s (it was "
    "killed, restarted or stalled), so the poll was given up with the days it had stored. The "
    "club is polled again at its next tick."
)
NOT_PICKED_UP = (
    "No poll worker took this fetch in {minutes} minutes, although it was sent twice: the poll "
    "worker is down, or died holding it. Ask again; the system health page shows the workers."
)
LEASE_LOST = (
    "This poll stalled for over {seconds} s without renewing its lease and another poll of "
    "the club took its lock, so it stopped."
)


class _LeaseLost(Exception):
    """The poll no longer holds its run or its club's lock: it must stop at once."""


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _lease_end() -> datetime:
    return timezone.now() + timedelta(seconds=settings.POLL_LEASE_SECONDS)


class _PollLease:
    """One poll's hold on its PollRun (`lease_expires_at`) and on its club's lock in the cache
    (a key holding the poll's token), each for POLL_LEASE_SECONDS from the last renewal. The
    poll renews both as it goes; a killed worker renews neither, so its lock lapses by itself
    and the settle sweep fails its run, both within about a lease."""

    def __init__(self, run: PollRun, club: Club) -> None:
        self.run = run
        self.key = f"poll-lock:club:{club.pk}"
        self.token = secrets.token_hex(8)
        self.seconds = settings.POLL_LEASE_SECONDS
        self._renewed = monotonic_time.monotonic()

    def acquire(self) -> bool:
        """Take the club's lock; raises whatever the cache raises when it is down."""
        return bool(cache.add(self.key, self.token, timeout=self.seconds))

    def renew(self, **progress: Any) -> None:
        """Extend the run's lease (with `progress` fields, in the same UPDATE) and the lock.
        Raises _LeaseLost when the sweep has already failed the run, or another poll took the
        lock after ours lapsed."""
        expires = _lease_end()
        # Conditional: a run the sweep has failed stays failed, and its poll stops.
        if not PollRun.objects.filter(pk=self.run.pk, outcome=PollRun.Outcome.RUNNING).update(
            lease_expires_at=expires, **progress
        ):
            if progress:  # the days this poll stored are stored, whatever the verdict
                PollRun.objects.filter(pk=self.run.pk).update(**progress)
            raise _LeaseLost(WORKER_LOST.format(seconds=self.seconds))
        self.run.lease_expires_at = expires
        self._renewed = monotonic_time.monotonic()
        try:
            holder = cache.get(self.key)
            # Not atomic: the lock could lapse between get and touch and be taken by another
            # poll, whose lock we would then extend by one lease. Harmless; they renew too.
            renewed = holder == self.token and cache.touch(self.key, self.seconds)
            if not renewed and holder in (None, self.token):  # lapsed: take it back if free
                renewed = cache.add(self.key, self.token, timeout=self.seconds)
        except Exception as exc:  # the cache is down: the lock lapses on its own
            logger.warning("Could not renew the poll lock of run %s: %r", self.run.pk, exc)
            return
        if not renewed:
            raise _LeaseLost(LEASE_LOST.format(seconds=self.seconds))

    def renew_if_due(self) -> None:
        """Renew when a third of the lease has gone by: one small UPDATE every 30 s or so."""
        if monotonic_time.monotonic() - self._renewed >= self.seconds / 3:
            self.renew()

    def release(self) -> None:
        try:
            if cache.get(self.key) == self.token:
                cache.delete(self.key)
        except Exception as exc:  # the cache is down: the lock lapses within the lease
            logger.warning("Could not release the poll lock of run %s: %r", self.run.pk, exc)


class _CountingGuard:
    """The client's observer for one poll: the shared guard (rate limit and breaker), plus a
    count of the requests this poll sent (retries, refreshes and logins included). It renews
    the poll's lease around the guard's wait for a rate slot, the longest a poll stays silent."""

    def __init__(self, guard: HostGuard, lease: _PollLease) -> None:
        self.guard = guard
        self.lease = lease
        self.requests = 0

    def before_request(self, host: str) -> None:
        self.lease.renew_if_due()
        self.guard.before_request(host)
        self.lease.renew_if_due()
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
        raise ValidationError(
            {"days_ahead": _("Choose between 0 and %(horizon)s days ahead.") % {"horizon": horizon}}
        )
    return days_ahead


def _sports_to_poll(*, club: Club, config: MonitoringConfig | None) -> list[str]:
    if config is not None and config.sports:
        return [str(s) for s in config.sports]
    return default_sports_for(club=club)


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
        # Unclaimed by then, the settle sweep sends it once more (its message may be lost).
        lease_expires_at=now + timedelta(seconds=settings.POLL_QUEUE_WAIT_SECONDS),
        dispatches=1,
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
    # The lease starts with the claim, so a worker that dies before it takes the lock is
    # settled too.
    claimed = PollRun.objects.filter(pk=run_id, outcome=PollRun.Outcome.QUEUED).update(
        outcome=PollRun.Outcome.RUNNING,
        started_at=started,
        owner=_owner(),
        lease_expires_at=_lease_end(),
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


def poll_runs_settle(*, now: datetime | None = None) -> dict[str, list[int]]:
    """The settle sweep (`availability.tasks.settle_poll_runs`, beat, every minute, on the
    poll queue): end what dead workers left. A running run whose lease ran out is failed as
    `worker_lost`; a queued manual fetch that no worker claimed in POLL_QUEUE_WAIT_SECONDS is
    sent once more, and failed as `not_picked_up` after another wait. Every change is a
    conditional UPDATE on the state read, so a run claimed or finished meanwhile is left alone
    and two sweeps at once are harmless. Returns the run ids per action."""
    now = now or timezone.now()
    expired = PollRun.objects.filter(lease_expires_at__lt=now)
    running = expired.filter(outcome=PollRun.Outcome.RUNNING)
    lost = list(running.values_list("pk", flat=True)[:500])
    if lost:
        running.filter(pk__in=lost).update(
            outcome=PollRun.Outcome.FAILED,
            error_kind="worker_lost",
            error_message=WORKER_LOST.format(seconds=settings.POLL_LEASE_SECONDS),
            finished_at=now,
        )
        logger.warning("Poll runs %s failed: their workers stopped renewing their leases", lost)
    queued = expired.filter(outcome=PollRun.Outcome.QUEUED)
    given_up = list(queued.filter(dispatches__gte=POLL_DISPATCHES).values_list("pk", flat=True))
    if given_up:
        minutes = POLL_DISPATCHES * settings.POLL_QUEUE_WAIT_SECONDS // 60
        queued.filter(pk__in=given_up, dispatches__gte=POLL_DISPATCHES).update(
            outcome=PollRun.Outcome.FAILED,
            error_kind="not_picked_up",
            error_message=NOT_PICKED_UP.format(minutes=minutes),
            finished_at=now,
            duration_ms=0,
        )
        logger.warning("Queued poll runs %s failed: no worker took them", given_up)
    resent = []
    wait = timedelta(seconds=settings.POLL_QUEUE_WAIT_SECONDS)
    for run in queued.filter(dispatches__lt=POLL_DISPATCHES).select_related("club")[:100]:
        # Claim the resend first, so two sweeps send one message; a second delivery of the
        # first message is harmless anyway (the claim queued -> running happens once).
        if PollRun.objects.filter(
            pk=run.pk, outcome=PollRun.Outcome.QUEUED, dispatches=run.dispatches
        ).update(dispatches=run.dispatches + 1, lease_expires_at=now + wait):
            _poll_dispatch(run)
            resent.append(run.pk)
    if resent:
        logger.warning("Queued poll runs %s were not claimed in time: sent again", resent)
    return {"worker_lost": lost, "not_picked_up": given_up, "resent": resent}


def _poll(
    run: PollRun,
    *,
    club: Club,
    config: MonitoringConfig | None,
    local_dates: list[date],
    now: datetime | None,
) -> PollRun:
    started = run.started_at
    lease = _PollLease(run, club)
    try:
        acquired = lease.acquire()
    except Exception as exc:  # each cache backend raises its own errors for "down"
        logger.warning("Poll of club %s not run: the cache did not answer: %r", club.pk, exc)
        return _poll_refused(run, PollRun.Outcome.FAILED, "cache_unavailable", CACHE_UNAVAILABLE)
    if not acquired:
        return _poll_refused(run, PollRun.Outcome.SKIPPED, "overlap", OVERLAP)

    clock = monotonic_time.monotonic()
    run.outcome = PollRun.Outcome.RUNNING
    run.owner = _owner()
    run.lease_expires_at = _lease_end()
    run.save()
    try:
        _run_poll(
            run, club=club, config=config, local_dates=local_dates, observed_at=started, lease=lease
        )
    except _LeaseLost as exc:
        logger.warning("Poll of club %s (run %s) stopped: %s", club.pk, run.pk, exc)
        run.outcome = PollRun.Outcome.FAILED
        run.error_kind = "lease_lost"
        run.error_message = str(exc)
    except Exception as exc:  # the worker must survive anything, and say what it was
        logger.exception("Poll of club %s failed unexpectedly", club.pk)
        run.outcome = PollRun.Outcome.FAILED
        run.error_kind = run.error_kind or "internal"
        run.error_message = run.error_message or f"{type(exc).__name__}: {exc}"[:1000]
    finally:
        lease.release()
    run.duration_ms = int((monotonic_time.monotonic() - clock) * 1000)
    # With an explicit `now` (tests, backfills) the run ends on that clock too.
    run.finished_at = (
        timezone.now() if now is None else started + timedelta(milliseconds=run.duration_ms)
    )
    _poll_finish(run)
    if config is not None:
        MonitoringConfig.objects.filter(pk=config.pk).update(last_run_at=started)
    return run


def _poll_refused(run: PollRun, outcome: str, kind: str, message: str) -> PollRun:
    """End a run that never polled (no lock): a new run is stored, a claimed one updated."""
    run.outcome = outcome
    run.error_kind = kind
    run.error_message = message
    run.finished_at = run.started_at
    run.duration_ms = 0
    run.save()
    return run


_FINAL_FIELDS = (
    "outcome",
    "error_kind",
    "error_message",
    "finished_at",
    "duration_ms",
    "days",
    "days_ok",
    "cells_seen",
    "changes_written",
    "requests_made",
)


def _poll_finish(run: PollRun) -> None:
    """Store the outcome, unless the sweep has failed the run meanwhile (its lease ran out):
    that verdict stands, and is what the caller gets back."""
    fields = {name: getattr(run, name) for name in _FINAL_FIELDS}
    if not PollRun.objects.filter(pk=run.pk, outcome=PollRun.Outcome.RUNNING).update(**fields):
        logger.warning("Poll run %s was settled by the sweep before it ended", run.pk)
        run.refresh_from_db()


def _run_poll(
    run: PollRun,
    *,
    club: Club,
    config: MonitoringConfig | None,
    local_dates: list[date],
    observed_at: datetime,
    lease: _PollLease,
) -> None:
    sports = _sports_to_poll(club=club, config=config)
    courts = list(club.courts.filter(is_active=True, sport_id__in=sports))
    counter = _CountingGuard(poll_guard(), lease)
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
        # Progress for whoever watches the run ("3 of 8 days") and a renewed lease: one small
        # UPDATE per day.
        counter.lease.renew(
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
