"""Polling and ingest: Playtomic availability in, change-only history out.

A poll asks for today plus `days_ahead` club-local days, one request per day and sport (the
25-hour rule), through the shared rate limiter and breaker. Each day's answer is ingested in
its own transaction: cells are classified (availability/cells.py), diffed against SlotState,
and only transitions are appended to SlotChange, together with the AvailabilityEvent outbox
rows they cause. A day that fails leaves nothing behind; the PollRun says what happened.
"""

from __future__ import annotations

import logging
import secrets
import time as monotonic_time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, Max, Min, Q, Sum
from django.utils import timezone

from availability.cells import CELL, Cell, cell_starts, classify_court, open_intervals
from availability.models import (
    LEADS,
    AvailabilityEvent,
    CellState,
    PollRun,
    SlotChange,
    SlotState,
    StartSummary,
    SummaryMark,
)
from availability.selectors import fill_rows
from booking.models import PlaytomicAccount
from booking.services import account_client
from clubs.models import Club, Court, MonitoringConfig
from clubs.selectors import club_horizon_days, club_sports
from clubs.services import MAX_DAYS_AHEAD, NoReaderAccount, reader_account
from playtomic.client import PlaytomicClient
from playtomic.errors import PlaytomicError, Unauthorized
from playtomic.types import CourtAvailability
from playtomic_monitor.ratelimit import CircuitOpen, HostGuard, poll_guard

logger = logging.getLogger(__name__)

# Longer than the task's hard time limit, so a crashed poll's lock frees itself in time for
# a later tick, and never held by two live polls of one club.
POLL_LOCK_SECONDS = 600
SNIPE_TASK = "booking.tasks.snipe_freed_cells"
# A local day is summarized once it ended this many days ago: no poll can still be writing
# it (ingest never touches a started cell, and a poll that began before midnight is long over).
SUMMARY_LAG_DAYS = 2
# Days summarized by one poll at most, so a club with a long unsummarized history catches up
# over a few polls instead of slowing one down (`manage.py rebuild_summaries` does it at once).
SUMMARY_CATCH_UP_DAYS = 31
# Failures after which the remaining days of a poll are not even tried.
_STOP_KINDS = frozenset({"blocked", "unauthorized", "forbidden", "circuit_open", "rate_limit_wait"})


@dataclass
class DayIngest:
    """What one club-day's ingest wrote."""

    cells_seen: int = 0
    changes_written: int = 0
    event_ids: list[int] = field(default_factory=list)


def _transition_kind(old: str, new: str) -> str:
    if old == CellState.NOT_RELEASED:
        return SlotChange.Kind.RELEASED
    if new == CellState.NOT_RELEASED:
        return SlotChange.Kind.WITHDRAWN
    if new == CellState.TAKEN:
        return SlotChange.Kind.TAKEN
    return SlotChange.Kind.FREED


def _runs(starts: list[datetime]) -> list[tuple[datetime, datetime]]:
    """Contiguous runs of 30-minute cells as (first start, last end)."""
    runs: list[tuple[datetime, datetime]] = []
    for start in sorted(starts):
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], start + CELL)
        else:
            runs.append((start, start + CELL))
    return runs


def _dispatch_sniping(event_ids: list[int]) -> None:
    current_app.send_task(SNIPE_TASK, args=[event_ids], queue="booking")


def ingest_day(
    *,
    club: Club,
    local_date: date,
    availability: Iterable[CourtAvailability],
    observed_at: datetime,
    courts: Sequence[Court] | None = None,
    poll_run: PollRun | None = None,
) -> DayIngest:
    """Store one club-local day's availability (the answer for every polled sport) in ONE
    transaction: new cells, transitions, current state and the events they raise.

    `courts` are the courts the answer covers (default: the club's active courts); slots of
    courts we do not know yet are ignored until the daily metadata refresh imports them.
    """
    zone = club.zone
    if courts is None:
        courts = list(club.courts.filter(is_active=True))
    by_resource: dict[str, list[CourtAvailability]] = {}
    for entry in availability:
        by_resource.setdefault(entry.resource_id, []).append(entry)
    starts = cell_starts(open_intervals(club.opening_hours, local_date, zone))
    horizon = (
        timedelta(minutes=club.booking_ahead_limit_minutes)
        if club.booking_ahead_limit_minutes is not None
        else None
    )
    today = observed_at.astimezone(zone).date()
    if local_date == today:
        # Once per poll, outside the day's transaction: summaries are derived data.
        _summaries_catch_up(club=club, now=observed_at)
    # A future day with nothing listed anywhere is not yet released (see cells.py).
    day_released = local_date <= today or any(
        entry.slots for entries in by_resource.values() for entry in entries
    )
    observed: dict[int, list[Cell]] = {
        court.pk: classify_court(
            starts,
            by_resource.get(court.playtomic_id, ()),
            now=observed_at,
            horizon=horizon,
            day_released=day_released,
        )
        for court in courts
    }
    result = DayIngest(cells_seen=sum(len(cells) for cells in observed.values()))
    if not result.cells_seen:
        return result

    with transaction.atomic():
        current = {
            (state.court_id, state.start): state
            for state in SlotState.objects.filter(
                local_date=local_date, court_id__in=list(observed), start__gt=observed_at
            )
        }
        new_states: list[SlotState] = []
        changed_states: list[SlotState] = []
        changes: list[SlotChange] = []
        freed: dict[int, list[datetime]] = {}
        released: dict[int, list[datetime]] = {}
        for court_id, cells in observed.items():
            for cell in cells:
                lead = int((cell.start - observed_at).total_seconds() // 60)
                state = current.get((court_id, cell.start))
                if state is None:
                    new_states.append(
                        SlotState(
                            court_id=court_id,
                            start=cell.start,
                            local_date=local_date,
                            state=cell.state,
                            price=cell.price,
                            currency=cell.currency,
                            first_seen_at=observed_at,
                            changed_at=observed_at,
                            observed_at=observed_at,
                        )
                    )
                    changes.append(
                        SlotChange(
                            club_id=club.pk,
                            court_id=court_id,
                            poll_run=poll_run,
                            start=cell.start,
                            local_date=local_date,
                            kind=SlotChange.Kind.FIRST_SEEN,
                            old_state="",
                            new_state=cell.state,
                            observed_at=observed_at,
                            lead_minutes=lead,
                            price=cell.price,
                        )
                    )
                    continue
                if state.state != cell.state:
                    kind = _transition_kind(state.state, cell.state)
                    # A cell that stops being offered keeps its last offered price, so booked
                    # cells can still be valued.
                    price = cell.price if cell.price is not None else state.price
                    changes.append(
                        SlotChange(
                            club_id=club.pk,
                            court_id=court_id,
                            poll_run=poll_run,
                            start=cell.start,
                            local_date=local_date,
                            kind=kind,
                            old_state=state.state,
                            new_state=cell.state,
                            observed_at=observed_at,
                            lead_minutes=lead,
                            price=price,
                        )
                    )
                    if kind == SlotChange.Kind.FREED:
                        freed.setdefault(court_id, []).append(cell.start)
                    elif kind == SlotChange.Kind.RELEASED:
                        released.setdefault(court_id, []).append(cell.start)
                    state.state = cell.state
                    state.price = price
                    state.currency = cell.currency or state.currency
                    state.changed_at = observed_at
                    state.observed_at = observed_at
                    changed_states.append(state)
                elif cell.price is not None and (
                    cell.price != state.price or cell.currency != state.currency
                ):
                    state.price = cell.price
                    state.currency = cell.currency
                    state.observed_at = observed_at
                    changed_states.append(state)

        SlotState.objects.bulk_create(new_states, batch_size=500)
        if changed_states:
            SlotState.objects.bulk_update(
                changed_states,
                ["state", "price", "currency", "changed_at", "observed_at"],
                batch_size=500,
            )
        # Every other observed cell was seen unchanged: one statement marks them all.
        SlotState.objects.filter(
            local_date=local_date, court_id__in=list(observed), start__gt=observed_at
        ).exclude(observed_at=observed_at).update(observed_at=observed_at)
        SlotChange.objects.bulk_create(changes, batch_size=500)
        result.changes_written = len(changes)

        events = _events(
            club=club,
            local_date=local_date,
            poll_run=poll_run,
            freed=freed,
            released=released,
            observed_at=observed_at,
            observed=observed,
        )
        for event in events:
            event.save()
        result.event_ids = [event.pk for event in events]
        freed_ids = [e.pk for e in events if e.kind == AvailabilityEvent.Kind.SLOT_FREED]
        if freed_ids and settings.BOOKING_SNIPING_DISPATCH:
            # After commit only: the sniper must find the events it is told about, and a
            # rolled-back day must not send anyone after cells that were never stored.
            transaction.on_commit(lambda: _dispatch_sniping(freed_ids), robust=True)
    return result


def _events(
    *,
    club: Club,
    local_date: date,
    poll_run: PollRun | None,
    freed: dict[int, list[datetime]],
    released: dict[int, list[datetime]],
    observed_at: datetime,
    observed: dict[int, list[Cell]],
) -> list[AvailabilityEvent]:
    """Outbox rows: one slot_freed per court and run of contiguous freed cells, one
    slots_released per club-day. A first observation has no transitions, so a club's
    baseline raises nothing."""
    events: list[AvailabilityEvent] = []
    prices = {
        (court_id, cell.start): cell for court_id, cells in observed.items() for cell in cells
    }
    for court_id, starts in sorted(freed.items()):
        for first, end in _runs(starts):
            run = [s for s in sorted(starts) if first <= s < end]
            rates = [prices[(court_id, s)].price for s in run]
            offered = [r for r in rates if r is not None]
            events.append(
                AvailabilityEvent(
                    club=club,
                    court_id=court_id,
                    poll_run=poll_run,
                    kind=AvailabilityEvent.Kind.SLOT_FREED,
                    local_date=local_date,
                    start=first,
                    end=end,
                    payload={
                        "cells": [s.isoformat() for s in run],
                        "observed_at": observed_at.isoformat(),
                        "lead_minutes": int((first - observed_at).total_seconds() // 60),
                        "min_hourly_price": str(min(offered)) if offered else None,
                        "currency": prices[(court_id, first)].currency,
                    },
                )
            )
    if released:
        all_starts = [s for starts in released.values() for s in starts]
        free = sum(
            1
            for court_id, starts in released.items()
            for s in starts
            if prices[(court_id, s)].state == CellState.FREE
        )
        events.append(
            AvailabilityEvent(
                club=club,
                court=None,
                poll_run=poll_run,
                kind=AvailabilityEvent.Kind.SLOTS_RELEASED,
                local_date=local_date,
                start=min(all_starts),
                end=max(all_starts) + CELL,
                payload={
                    "cells": len(all_starts),
                    "free": free,
                    "courts": {str(k): len(v) for k, v in sorted(released.items())},
                    "observed_at": observed_at.isoformat(),
                },
            )
        )
    return events


# ------------------------------------------------------------------------------ summaries

_MONEY = DecimalField(max_digits=12, decimal_places=2)


def summary_build(*, club: Club, date_from: date, date_to: date) -> int:
    """(Re)write the StartSummary rows of the club's local dates in the range from SlotState
    and SlotChange, counted exactly as the selectors count the raw rows; returns the rows
    written. Only meaningful for closed days: a summary is never updated by ingest."""
    zone = club.zone
    days = (date_from, date_to)
    by_sport: dict[str, list[int]] = {}
    for court_id, sport_id in Court.objects.filter(club=club).values_list("id", "sport_id"):
        by_sport.setdefault(sport_id, []).append(court_id)
    rows: list[StartSummary] = []
    for sport_id, court_ids in sorted(by_sport.items()):
        summaries: dict[datetime, StartSummary] = {}

        def summary(
            start: datetime,
            day: date,
            sport_id: str = sport_id,
            summaries: dict[datetime, StartSummary] = summaries,
        ) -> StartSummary:
            row = summaries.get(start)
            if row is None:
                local = start.astimezone(zone)
                row = summaries[start] = StartSummary(
                    club=club,
                    sport_id=sport_id,
                    start=start,
                    local_date=day,
                    weekday=local.isoweekday(),
                    hour=local.hour,
                )
            return row

        states = (
            SlotState.objects.filter(court_id__in=court_ids, local_date__range=days)
            .values("start", "local_date")
            .annotate(
                taken=Count("id", filter=Q(state=CellState.TAKEN)),
                free=Count("id", filter=Q(state=CellState.FREE)),
                not_released=Count("id", filter=Q(state=CellState.NOT_RELEASED)),
                last_change=Max(
                    "changed_at", filter=Q(state__in=[CellState.FREE, CellState.TAKEN])
                ),
                price_count=Count("price"),
                price_sum=Sum("price", output_field=_MONEY),
                price_min=Min("price"),
                price_max=Max("price"),
            )
            .order_by()
        )
        for r in states:
            row = summary(r["start"], r["local_date"])
            for name in (
                "taken",
                "free",
                "not_released",
                "last_change",
                "price_count",
                "price_sum",
                "price_min",
                "price_max",
            ):
                setattr(row, name, r[name])
        for start, day, changes, per_lead in fill_rows(club, days, court_ids):
            row = summary(start, day)
            row.changes = changes
            for lead, (taken, known) in zip(LEADS, per_lead, strict=True):
                setattr(row, f"taken_{lead}", taken)
                setattr(row, f"known_{lead}", known)
        rows += summaries.values()
    with transaction.atomic():
        StartSummary.objects.filter(club=club, local_date__range=days).delete()
        StartSummary.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def summary_refresh(
    *, club: Club, now: datetime | None = None, max_days: int | None = None
) -> date:
    """Summarize the club's closed days that are not yet, oldest first (at most `max_days`
    of them), and move its SummaryMark; returns the date summarized through."""
    now = now or timezone.now()
    last_closed = now.astimezone(club.zone).date() - timedelta(days=SUMMARY_LAG_DAYS)
    with transaction.atomic():
        mark = SummaryMark.objects.select_for_update().filter(club=club).first()
        if mark is not None and mark.through >= last_closed:
            return mark.through
        if mark is not None:
            date_from = mark.through + timedelta(days=1)
        else:
            firsts = [
                SlotChange.objects.filter(club=club).aggregate(first=Min("local_date"))["first"],
                SlotState.objects.filter(court__club=club).aggregate(first=Min("local_date"))[
                    "first"
                ],
            ]
            known = [d for d in firsts if d is not None]
            date_from = min(known) if known else last_closed + timedelta(days=1)
        date_to = last_closed
        if max_days is not None:
            date_to = min(date_to, date_from + timedelta(days=max_days - 1))
        if date_from <= date_to:
            summary_build(club=club, date_from=date_from, date_to=date_to)
        # With nothing to build (no history before the last closed day) the mark still
        # moves: those days have no cells to count.
        SummaryMark.objects.update_or_create(club=club, defaults={"through": date_to})
    return date_to


def summary_rebuild(*, club: Club, now: datetime | None = None) -> date:
    """Throw the club's summaries away and summarize every closed day again from the raw
    history (after history was written or repaired directly)."""
    with transaction.atomic():
        SummaryMark.objects.filter(club=club).delete()
        StartSummary.objects.filter(club=club).delete()
        return summary_refresh(club=club, now=now)


def _summaries_catch_up(*, club: Club, now: datetime) -> None:
    if SummaryMark.objects.filter(
        club=club, through__gte=now.astimezone(club.zone).date() - timedelta(days=SUMMARY_LAG_DAYS)
    ).exists():
        return
    try:
        summary_refresh(club=club, now=now, max_days=SUMMARY_CATCH_UP_DAYS)
    except Exception:  # derived data: the day's ingest must go on; the next poll retries
        logger.exception("Summarizing closed days of club %s failed", club.pk)


# ------------------------------------------------------------------------------ polling


class _CountingGuard:
    """The shared guard, plus a count of the requests this poll sent (retries included)."""

    def __init__(self, guard: HostGuard) -> None:
        self.guard = guard
        self.requests = 0

    def before_request(self, host: str) -> None:
        self.guard.before_request(host)
        self.requests += 1


def _poll_days(*, club: Club, days_ahead: int | None, config: MonitoringConfig | None) -> int:
    if days_ahead is None:
        return config.days_ahead if config is not None else 7
    horizon = min(club_horizon_days(club=club), MAX_DAYS_AHEAD)
    if not 0 <= days_ahead <= horizon:
        raise ValidationError({"days_ahead": f"Choose between 0 and {horizon} days ahead."})
    return days_ahead


def _poll_sports(*, club: Club, config: MonitoringConfig | None) -> list[str]:
    if config is not None and config.sports:
        return [str(s) for s in config.sports]
    offered = club_sports(club=club)
    return ["PADEL"] if "PADEL" in offered or not offered else offered[:1]


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
    days = _poll_days(club=club, days_ahead=days_ahead, config=config)
    started = now or timezone.now()
    today = started.astimezone(club.zone).date()
    local_dates = [today + timedelta(days=i) for i in range(days + 1)]
    run = PollRun(
        club=club, trigger=trigger, started_at=started, days=[d.isoformat() for d in local_dates]
    )

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
        _poll_into(run, club=club, config=config, local_dates=local_dates, observed_at=started)
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


def _poll_into(
    run: PollRun,
    *,
    club: Club,
    config: MonitoringConfig | None,
    local_dates: list[date],
    observed_at: datetime,
) -> None:
    sports = _poll_sports(club=club, config=config)
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
            before_request=counter.before_request,
            read_timeout=settings.PLAYTOMIC_READ_TIMEOUT,
        )
    except PlaytomicError as exc:
        errors.append(("login", exc))
    if client is not None:
        try:
            _poll_days_into(
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


def _poll_days_into(
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
            if not isinstance(exc, CircuitOpen):
                guard.record_failure(client.host, exc)
            errors.append((local_date.isoformat(), exc))
            if exc.kind in _STOP_KINDS or guard.is_open(client.host):
                break
            continue
        guard.record_success(client.host)
        try:
            day = ingest_day(
                club=club,
                local_date=local_date,
                availability=entries,
                observed_at=observed_at,
                courts=courts,
                poll_run=run,
            )
        except Exception as exc:
            logger.exception("Ingest of club %s day %s failed", club.pk, local_date)
            errors.append((local_date.isoformat(), _IngestFailed(f"{type(exc).__name__}: {exc}")))
            continue
        run.cells_seen += day.cells_seen
        run.changes_written += day.changes_written
        run.days_ok = [*run.days_ok, local_date.isoformat()]


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
