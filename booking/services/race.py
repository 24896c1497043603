"""One attempt from claim to verdict, in three phases:

1. `_prepare`: log in (accounts in turn), renew the token so it cannot expire mid-burst, probe
   the server's clock, stop if the account already holds a court in the window, and list the
   candidate slots.
2. `_race`: sleep to T on the corrected clock and run the framework-free `Race`.
3. `_record`: turn the race's result into the attempt's final state.

Only the caller whose conditional UPDATE claims the row does any of this."""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.client import account_client
from accounts.models import PlaytomicAccount
from accounts.services import account_record_failure
from booking import conf, selectors
from booking.models import BookingAttempt, BookingRule
from booking.racer import Race, RaceResult, Timeline, wait_until
from booking.selectors import Candidate
from booking.services.attempts import attempt_finish, rule_find_match, timeline_flush
from booking.services.sniping import snipe_earliest_start
from playtomic.client import PlaytomicClient
from playtomic.errors import PlaytomicError, Unauthorized

logger = logging.getLogger(__name__)


@dataclass
class Prepared:
    """What the race needs, ready before T."""

    client: PlaytomicClient
    account: PlaytomicAccount
    candidates: list[Candidate]
    offset_s: float


def attempt_race(*, attempt_id: int, probe_clock: bool = True) -> BookingAttempt:
    """Claim the attempt, prepare, race, record. Safe to call twice: only the caller whose
    conditional UPDATE claims the row does anything."""
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
        prepared = _prepare(attempt, rule, token, timeline, probe_clock=probe_clock)
        if prepared is not None:
            timeline_flush(attempt, timeline)
            result = _race(attempt, rule, token, timeline, prepared)
            _record(attempt, token, result)
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
        BookingAttempt.objects.filter(pk=attempt.pk, state=BookingAttempt.State.SCHEDULED).update(
            state=BookingAttempt.State.MISSED,
            reason=f"armed too late ({(now - attempt.release_at).total_seconds():.1f} s after T)",
            finished_at=now,
        )
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
    accounts = list(rule.accounts.order_by("pk"))
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


def _prepare(
    attempt: BookingAttempt,
    rule: BookingRule,
    token: str,
    timeline: Timeline,
    *,
    probe_clock: bool,
) -> Prepared | None:
    """Everything that can be done before T. None when the attempt was settled here."""
    failed = BookingAttempt.State.FAILED
    client: PlaytomicClient | None = None
    account: PlaytomicAccount | None = None
    errors: list[str] = []
    for candidate_account in _accounts_in_turn(rule):
        try:
            client = _login(candidate_account, timeline)
        except PlaytomicError as exc:
            account_record_failure(account=candidate_account, error=exc)
            errors.append(f"{candidate_account}: {exc.kind}")
            timeline.add("login_failed", f"{candidate_account}: {exc.kind}")
            continue
        account = candidate_account
        break
    if client is None or account is None:
        attempt_finish(
            attempt,
            token,
            state=failed,
            reason="no account could log in (" + "; ".join(errors) + ")",
        )
        return None
    BookingAttempt.objects.filter(pk=attempt.pk).update(account=account)
    timeline.add("logged_in", str(account))
    tokens = client.tokens
    if tokens is not None and tokens.access_expires_at < attempt.deadline_at + timedelta(minutes=5):
        # Never let the client refresh in the middle of the burst.
        client.refresh()
        timeline.add("token_refreshed", "access token renewed before T")
    offset_s = _probe_clock(attempt, client, timeline) if probe_clock else 0.0
    try:
        existing = rule_find_match(client, rule, attempt.target_date)
    except PlaytomicError as exc:
        attempt_finish(
            attempt,
            token,
            state=failed,
            reason=f"could not read the account's matches ({exc.kind})",
        )
        return None
    if existing is not None:
        timeline.add("already_booked", existing.match_id)
        attempt_finish(
            attempt,
            token,
            state=BookingAttempt.State.BOOKED,
            reason="the account already holds a court in this window",
            match_id=existing.match_id,
            slot_start=existing.start,
        )
        return None
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
    )
    timeline.add(
        "candidates", f"{len(candidates)} candidates", first=[c.describe() for c in candidates[:5]]
    )
    if not candidates:
        attempt_finish(attempt, token, state=failed, reason="no candidate slot matches the rule")
        return None
    return Prepared(client=client, account=account, candidates=candidates, offset_s=offset_s)


def _probe_clock(attempt: BookingAttempt, client: PlaytomicClient, timeline: Timeline) -> float:
    """Seconds to add to our clock to read the server's, when the gap is worth correcting."""
    if attempt.release_at - timezone.now() <= timedelta(seconds=3):
        return 0.0
    try:
        estimate = client.probe_clock()
    except PlaytomicError as exc:
        timeline.add("clock_unknown", exc.kind)
        return 0.0
    offset_s = 0.0
    if abs(estimate.offset_ms) > conf.clock_trust_ms():
        offset_s = estimate.offset_ms / 1000
    timeline.add(
        "clock",
        f"server - local = {estimate.offset_ms:+.1f} ms "
        f"(±{estimate.uncertainty_ms:.1f}), rtt {estimate.rtt_ms:.1f} ms",
        offset_ms=round(estimate.offset_ms, 2),
        uncertainty_ms=round(estimate.uncertainty_ms, 2),
        rtt_ms=round(estimate.rtt_ms, 2),
        applied=offset_s != 0.0,
    )
    BookingAttempt.objects.filter(pk=attempt.pk).update(
        clock_offset_ms=estimate.offset_ms, rtt_ms=estimate.rtt_ms
    )
    return offset_s


def _race(
    attempt: BookingAttempt,
    rule: BookingRule,
    token: str,
    timeline: Timeline,
    prepared: Prepared,
) -> RaceResult:
    """Sleep to T on the corrected clock, then run the burst."""
    client, offset_s = prepared.client, prepared.offset_s
    # Keep-alive connections idle for a minute may be closed by the server: touch it again.
    rewarm_at = attempt.release_at - timedelta(seconds=2)
    if rewarm_at - timezone.now() > timedelta(seconds=1):
        wait_until(rewarm_at, offset_s=offset_s)
        with contextlib.suppress(PlaytomicError):
            client.list_matches(size=1)
        timeline.add("rewarmed")
    wait_until(attempt.release_at - timedelta(milliseconds=300), offset_s=offset_s)
    BookingAttempt.objects.filter(pk=attempt.pk, claim_token=token).update(
        state=BookingAttempt.State.FIRING
    )
    race = Race(
        client=client,
        tenant_id=rule.club.playtomic_id,
        candidates=prepared.candidates,
        release_at=attempt.release_at,
        deadline=attempt.deadline_at,
        payment_methods=list(rule.payment_methods),
        number_of_players=rule.number_of_players,
        timeline=timeline,
        window=selectors.rule_window_utc(rule, attempt.target_date),
        credentials=(prepared.account.email, prepared.account.password),
        max_price=rule.max_price,
        dry_run=attempt.dry_run,
        offset_s=offset_s,
        rate_per_second=conf.burst_rate_per_second(),
    )
    wait_until(attempt.release_at, offset_s=offset_s)
    timeline.add("fire")
    return race.run()


def _record(attempt: BookingAttempt, token: str, result: RaceResult) -> None:
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
    attempt_finish(attempt, token, state=state, reason=result.reason, **fields)
    logger.info(
        "booking attempt %s: %s (%s), %d requests",
        attempt.pk,
        state,
        result.reason,
        result.requests_sent,
    )
