"""One attempt from claim to verdict, in three phases:

1. `_prepare`: log in (accounts in turn), renew the token so it cannot expire mid-burst, stop
   if the account already holds a court in the rule's windows at one of its clubs, leave out
   the clubs whose booking limits (`booking_settings`, read live) it has reached, and list the
   candidate slots.
2. `_race`: while armed, measure Playtomic's clock and the network delay (`booking.arrival`),
   plan the opening so the first booking request arrives just after T on Playtomic's clock,
   and run the framework-free `Race`.
3. `_record`: turn the race's result into the attempt's final state.

Only the caller whose conditional UPDATE claims the row does any of this."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.client import account_client
from accounts.models import PlaytomicAccount
from accounts.services import account_record_failure
from booking import conf, selectors
from booking.arrival import ArrivalEstimate, Sample, estimate_arrival, sleep_until
from booking.models import BookingAttempt, BookingRule
from booking.racer import Race, RaceResult, Timeline, plan_opening
from booking.selectors import Candidate
from booking.services.attempts import attempt_finish, rule_find_match, timeline_flush
from booking.services.outcomes import attempt_outcome_announce
from booking.services.sniping import snipe_earliest_start
from clubs.models import Club
from playtomic.client import PlaytomicClient
from playtomic.errors import PlaytomicError, Unauthorized
from playtomic.types import Match as PlaytomicMatch

logger = logging.getLogger(__name__)

# An estimate that pins the arrival less tightly than this (no second tick seen yet) is only
# aimed with when it shows our clock off by more than its uncertainty plus OWN_CLOCK_TRUST:
# otherwise our own NTP-disciplined clock is the better guide.
MAX_AIM_UNCERTAINTY_SECONDS = 0.02
OWN_CLOCK_TRUST_SECONDS = 0.1
# The clock estimate starts this long before its budget (the server may be seconds ahead of
# us) and ends this long before T on the server's clock.
SYNC_SLACK_SECONDS = 5.0
SYNC_ENDS_BEFORE_T_SECONDS = 2.5
# Keep-alive connections idle for a while may be closed by the server: touch them again this
# long before the first request leaves.
REWARM_SECONDS = 2.0
# The FIRING write happens this long before the first request leaves; none after it.
FIRING_SECONDS = 0.3


@dataclass
class Prepared:
    """What the race needs, ready before T."""

    client: PlaytomicClient
    account: PlaytomicAccount
    candidates: list[Candidate]
    clubs: list[Club]
    # Who the booking registers on the match, the account's player first.
    registrations: list[selectors.Registration]


def attempt_race(*, attempt_id: int, probe_clock: bool = True) -> BookingAttempt:
    """Claim the attempt, prepare, race, record. Safe to call twice: only the caller whose
    conditional UPDATE claims the row does anything. `probe_clock` measures Playtomic's clock
    and the network before T (off when T is now: sniping, `book --now`)."""
    attempt = BookingAttempt.objects.select_related("rule", "rule__club").get(pk=attempt_id)
    rule = attempt.rule
    token = _claim(attempt, rule)
    if token is None:
        attempt.refresh_from_db()
        return attempt
    attempt.refresh_from_db()
    timeline = Timeline(attempt.release_at, lambda: datetime.now(UTC))
    timeline.add("armed", f"{attempt.get_trigger_display()}, round {attempt.round}")
    try:
        prepared = _prepare(attempt, rule, token, timeline)
        if prepared is not None:
            timeline_flush(attempt, timeline)
            result = _race(attempt, rule, token, timeline, prepared, probe_clock=probe_clock)
            _record(attempt, token, result, prepared.registrations)
    except Exception as exc:
        # Whatever broke, the attempt must not stay in flight looking alive.
        logger.exception("booking attempt %s crashed", attempt.pk)
        attempt_finish(
            attempt,
            token,
            state=BookingAttempt.State.UNKNOWN,
            reason=f"crashed: {type(exc).__name__}",
        )
        timeline.add("crashed", type(exc).__name__)
        raise
    finally:
        timeline_flush(attempt, timeline)
    attempt.refresh_from_db()
    return attempt


def _claim(attempt: BookingAttempt, rule: BookingRule) -> str | None:
    """The claim token when this caller won the SCHEDULED -> ARMED update, else None (and
    an attempt that can no longer be raced is settled on the way)."""
    now = timezone.now()
    if attempt.state != BookingAttempt.State.SCHEDULED:
        return None
    stale = _stale_reason(attempt, rule)
    if stale:
        # The rule changed after this release was scheduled (the beat entry may already be
        # in flight): racing now would book what the member no longer asks for.
        BookingAttempt.objects.filter(pk=attempt.pk, state=BookingAttempt.State.SCHEDULED).update(
            state=BookingAttempt.State.CANCELLED, reason=stale, finished_at=now
        )
        return None
    if now > attempt.deadline_at:
        with transaction.atomic():
            missed = BookingAttempt.objects.filter(
                pk=attempt.pk, state=BookingAttempt.State.SCHEDULED
            ).update(
                state=BookingAttempt.State.MISSED,
                reason=f"armed too late ({(now - attempt.release_at).total_seconds():.1f} s "
                "after T)",
                finished_at=now,
            )
            if missed:
                attempt_outcome_announce(attempt_id=attempt.pk, state=BookingAttempt.State.MISSED)
        return None
    token = uuid.uuid4().hex
    claimed = BookingAttempt.objects.filter(
        pk=attempt.pk, state=BookingAttempt.State.SCHEDULED
    ).update(state=BookingAttempt.State.ARMED, claim_token=token, armed_at=now)
    return token if claimed else None


def _stale_reason(attempt: BookingAttempt, rule: BookingRule) -> str:
    """Why the rule no longer wants this attempt, or "". A manual run is the member asking
    for that rule and date explicitly (`book --date`), so it is never second-guessed."""
    if attempt.trigger == BookingAttempt.Trigger.MANUAL:
        return ""
    if attempt.target_date.weekday() not in rule.weekdays:
        return "cancelled: the target date is no longer on one of the rule's weekdays"
    if not rule.enabled:
        return "cancelled: the rule is disabled"
    if (
        attempt.trigger == BookingAttempt.Trigger.RELEASE
        and selectors.rule_release_instant(rule, attempt.target_date) != attempt.release_at
    ):
        return "cancelled: the rule's release time for this date changed"
    return ""


def _accounts_in_turn(rule: BookingRule) -> list[PlaytomicAccount]:
    # Only those the group may still book with: a withdrawn account is skipped.
    accounts = list(selectors.rule_accounts(rule).order_by("pk"))
    if rule.rotate_accounts and accounts:
        done = rule.attempts.exclude(account=None).count()
        turn = done % len(accounts)
        accounts = accounts[turn:] + accounts[:turn]
    return accounts


def _login(account: PlaytomicAccount, timeline: Timeline) -> PlaytomicClient:
    try:
        client = account_client(account=account, read_timeout=5.0)
        # Touch the API once so an expired refresh token shows up now, not at T.
        client.list_matches(size=1)
        return client
    except Unauthorized:
        timeline.add("token_rejected", "stored tokens rejected; logging in with the password")
    return account_client(account=account, read_timeout=5.0, fresh=True)


# An account ready to race: its client, the account, and the clubs where it has room.
_Account = tuple[PlaytomicClient, PlaytomicAccount, list[Club]]


@dataclass
class _Refusals:
    """Why each account in turn could not race, by kind, for the attempt's reason."""

    logins: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)

    def reason(self) -> str:
        if self.limits:
            return "booking limit reached, not raced: " + "; ".join(self.limits)
        if self.reads:
            return "could not read the account's matches (" + "; ".join(self.reads) + ")"
        if self.logins:
            return "no account could log in (" + "; ".join(self.logins) + ")"
        return "no account to book with: the rule's accounts were withdrawn from the group"


def _account_ready(
    account: PlaytomicAccount,
    rule: BookingRule,
    attempt: BookingAttempt,
    clubs: list[Club],
    refusals: _Refusals,
    timeline: Timeline,
) -> _Account | PlaytomicMatch | None:
    """Log `account` in and see whether it can race: the match it already holds in the
    rule's windows (the attempt is then booked), the clubs where it still has room, or None
    (why is added to `refusals`) so the next account in turn is tried."""
    try:
        client = _login(account, timeline)
    except PlaytomicError as exc:
        account_record_failure(account=account, error=exc)
        refusals.logins.append(f"{account}: {exc.kind}")
        timeline.add("login_failed", f"{account}: {exc.kind}")
        return None
    timeline.add("logged_in", str(account))
    tokens = client.tokens
    if tokens is not None and tokens.access_expires_at < attempt.deadline_at + timedelta(minutes=5):
        # Never let the client refresh in the middle of the burst.
        client.refresh()
        timeline.add("token_refreshed", "access token renewed before T")
    try:
        existing = rule_find_match(client, rule, attempt.target_date)
        if existing is not None:
            return existing
        open_clubs, blocked = _clubs_with_room(client, clubs, attempt.target_date, timeline)
    except PlaytomicError as exc:
        refusals.reads.append(f"{account}: {exc.kind}")
        timeline.add("matches_unreadable", f"{account}: {exc.kind}")
        return None
    if not open_clubs:
        refusals.limits.extend(blocked)
        return None
    return client, account, open_clubs


def _prepare(
    attempt: BookingAttempt, rule: BookingRule, token: str, timeline: Timeline
) -> Prepared | None:
    """Everything that can be done before T. None when the attempt was settled here."""
    failed = BookingAttempt.State.FAILED
    clubs = selectors.rule_clubs(rule)
    chosen: _Account | None = None
    refusals = _Refusals()
    for candidate_account in _accounts_in_turn(rule):
        found = _account_ready(candidate_account, rule, attempt, clubs, refusals, timeline)
        if isinstance(found, PlaytomicMatch):
            BookingAttempt.objects.filter(pk=attempt.pk).update(account=candidate_account)
            timeline.add("already_booked", found.match_id)
            attempt_finish(
                attempt,
                token,
                state=BookingAttempt.State.BOOKED,
                reason="the account already holds a court in this window",
                match_id=found.match_id,
                slot_start=found.start,
            )
            return None
        if found is not None:
            chosen = found
            break
    if chosen is None:
        attempt_finish(attempt, token, state=failed, reason=refusals.reason())
        return None
    client, account, open_clubs = chosen
    BookingAttempt.objects.filter(pk=attempt.pk).update(account=account)
    min_start = None
    if attempt.trigger == BookingAttempt.Trigger.SNIPE:
        min_start = snipe_earliest_start(rule, timezone.now())
    candidates = selectors.rule_candidates(
        rule,
        attempt.target_date,
        now=timezone.now(),
        deadline=attempt.deadline_at,
        min_start=min_start,
        require_free=attempt.trigger == BookingAttempt.Trigger.SNIPE,
        clubs=open_clubs,
    )
    timeline.add(
        "candidates", f"{len(candidates)} candidates", first=[c.describe() for c in candidates[:5]]
    )
    if not candidates:
        attempt_finish(attempt, token, state=failed, reason="no candidate slot matches the rule")
        return None
    account.refresh_from_db(fields=["playtomic_user_id"])
    registrations = selectors.rule_registrations(rule, account)
    timeline.add(
        "players",
        ", ".join(r.name for r in registrations),
        number_of_players=rule.number_of_players,
        registered=len(registrations),
    )
    return Prepared(
        client=client,
        account=account,
        candidates=candidates,
        clubs=clubs,
        registrations=registrations,
    )


def _clubs_with_room(
    client: PlaytomicClient, clubs: list[Club], target_date: date, timeline: Timeline
) -> tuple[list[Club], list[str]]:
    """The clubs where the account may still book a court on `target_date` by the club's
    `booking_settings` (read live: max_number_of_active_bookings, max_number_of_bookings_per_
    day), and why the others may not. A club whose settings cannot be read stays in:
    Playtomic enforces its limits anyway, the check only spares a hopeless burst."""
    limits: dict[int, tuple[int | None, int | None]] = {}
    for club in clubs:
        try:
            tenant = client.get_tenant(club.playtomic_id)
        except PlaytomicError as exc:
            timeline.add("limits_unknown", f"{club.name}: {exc.kind}")
            continue
        if tenant.max_active_bookings is not None or tenant.max_bookings_per_day is not None:
            limits[club.pk] = (tenant.max_active_bookings, tenant.max_bookings_per_day)
    if not limits:
        return clubs, []
    now = timezone.now()
    upcoming = [m for m in client.list_matches(from_start=now, size=50) if not m.is_cancelled]
    open_clubs: list[Club] = []
    blocked: list[str] = []
    for club in clubs:
        if club.pk not in limits:
            open_clubs.append(club)
            continue
        max_active, max_per_day = limits[club.pk]
        mine = [m for m in upcoming if m.tenant_id == club.playtomic_id]
        active = sum(1 for m in mine if m.start > now)
        that_day = sum(1 for m in mine if m.start.astimezone(club.zone).date() == target_date)
        if max_active is not None and active >= max_active:
            why = f"{club.name}: {active} active bookings, the club allows {max_active}"
        elif max_per_day is not None and that_day >= max_per_day:
            why = (
                f"{club.name}: {that_day} bookings on {target_date}, the club allows {max_per_day}"
            )
        else:
            open_clubs.append(club)
            continue
        blocked.append(why)
        timeline.add("limit_reached", why, club=club.pk, active=active, that_day=that_day)
    return open_clubs, blocked


def _estimate_arrival(
    attempt: BookingAttempt, client: PlaytomicClient, timeline: Timeline
) -> ArrivalEstimate | None:
    """While armed: Playtomic's clock and the one-way delay from timed requests straddling its
    `Date` second (booking.arrival). Every sample and the estimate go to the timeline. None
    (our own clock is used) when there is no time, a probe fails, or the estimate stays coarse
    and agrees with our clock."""
    release_ts = attempt.release_at.timestamp()
    start = release_ts - conf.clock_sync_seconds() - SYNC_SLACK_SECONDS
    if time.time() < start:
        sleep_until(start)
    if release_ts - time.time() < SYNC_ENDS_BEFORE_T_SECONDS - 1:
        timeline.add("clock_skipped", "too close to T to measure the clock")
        return None

    def record(sample: Sample) -> None:
        timeline.add("clock_sample", "", **sample.describe(release_ts))

    try:
        estimate = estimate_arrival(
            client.probe_date,
            until_server=release_ts - SYNC_ENDS_BEFORE_T_SECONDS,
            on_sample=record,
        )
    except PlaytomicError as exc:
        timeline.add("clock_unknown", exc.kind)
        return None
    timeline.add(
        "clock",
        f"server - local = {estimate.offset * 1000:+.1f} ms, one way {estimate.one_way * 1000:.1f}"
        f" ms, arrival known to ±{estimate.uncertainty * 1000:.1f} ms"
        f" ({len(estimate.samples)} samples)",
        **estimate.describe(),
    )
    BookingAttempt.objects.filter(pk=attempt.pk).update(
        clock_offset_ms=estimate.offset * 1000, rtt_ms=estimate.rtt * 1000
    )
    if estimate.uncertainty > MAX_AIM_UNCERTAINTY_SECONDS:
        if abs(estimate.offset) <= estimate.uncertainty + OWN_CLOCK_TRUST_SECONDS:
            timeline.add(
                "clock_coarse", "estimate coarse and consistent with our clock: firing at T by it"
            )
            return None
        timeline.add("clock_coarse", "estimate coarse but our clock is off: aiming late to be safe")
    return estimate


def _rewarm(client: PlaytomicClient, connections: int) -> None:
    """Touch the API on `connections` connections at once (the staggered opening sends its
    requests in parallel, each needs a warm connection)."""

    def touch(_: int) -> None:
        with contextlib.suppress(PlaytomicError):
            client.list_matches(size=1)

    with ThreadPoolExecutor(max_workers=connections) as pool:
        list(pool.map(touch, range(connections)))


def _race(
    attempt: BookingAttempt,
    rule: BookingRule,
    token: str,
    timeline: Timeline,
    prepared: Prepared,
    *,
    probe_clock: bool,
) -> RaceResult:
    """Measure, aim, then run the burst."""
    client = prepared.client
    estimate = _estimate_arrival(attempt, client, timeline) if probe_clock else None
    opening = plan_opening(
        estimate,
        attempt.release_at,
        margin=conf.arrival_margin_ms() / 1000,
        candidates=len(prepared.candidates),
    )
    fire_at = opening.shots[0]
    if fire_at - REWARM_SECONDS - time.time() > 0.2:
        sleep_until(fire_at - REWARM_SECONDS)
        _rewarm(client, len(opening.shots))
        timeline.add("rewarmed", "", connections=len(opening.shots))
    sleep_until(fire_at - FIRING_SECONDS)
    BookingAttempt.objects.filter(pk=attempt.pk, claim_token=token).update(
        state=BookingAttempt.State.FIRING
    )
    race = Race(
        client=client,
        candidates=prepared.candidates,
        deadline=attempt.deadline_at,
        payment_methods=list(rule.payment_methods),
        number_of_players=rule.number_of_players,
        timeline=timeline,
        opening=opening,
        tenant_ids=[club.playtomic_id for club in prepared.clubs],
        windows=selectors.rule_windows_utc(rule, attempt.target_date, prepared.clubs),
        credentials=(prepared.account.email, prepared.account.password),
        max_price=rule.max_price,
        dry_run=attempt.dry_run,
        rate_per_second=conf.burst_rate_per_second(),
        players=[r.playtomic_user_id for r in prepared.registrations[1:]],
        split_payment=rule.split_payment,
    )
    return race.run()


def _record(
    attempt: BookingAttempt,
    token: str,
    result: RaceResult,
    registrations: list[selectors.Registration],
) -> None:
    state = {
        "booked": BookingAttempt.State.BOOKED,
        "rehearsed": BookingAttempt.State.REHEARSED,
        "unknown": BookingAttempt.State.UNKNOWN,
    }.get(result.outcome, BookingAttempt.State.FAILED)
    fields: dict[str, Any] = {
        "requests_sent": result.requests_sent,
        "fired_at": result.first_sent_at,
        "payment_method": result.payment_method,
        "match_id": result.match_id,
    }
    if result.candidate is not None:
        fields.update(
            court_id=result.candidate.court_id,
            slot_start=result.candidate.start,
            duration_minutes=result.candidate.duration,
        )
    if result.intent is not None:
        fields["payment_intent_id"] = result.intent.payment_intent_id
        fields["price"] = str(result.intent.price or "")
        fields["split_parts"] = result.intent.split_payment_parts
        # The players the match says it registered (all of ours when it does not say).
        registered = set(result.intent.registered_user_ids)
        fields["players"] = [
            r.to_json()
            for r in registrations
            if not registered or r.playtomic_user_id in registered or not r.playtomic_user_id
        ]
    attempt_finish(attempt, token, state=state, reason=result.reason, **fields)
    logger.info(
        "booking attempt %s: %s (%s), %d requests",
        attempt.pk,
        state,
        result.reason,
        result.requests_sent,
    )
