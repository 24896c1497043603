"""Write paths of the booking app. Accounts first: every Playtomic client that acts for an
account is built here, so rotated tokens always land in the database before they are used."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, PeriodicTask

from availability.models import AvailabilityEvent
from booking import conf, selectors
from booking.models import AttemptEvent, BookingAttempt, BookingRule, PlaytomicAccount
from booking.racer import Race, Timeline, wait_until
from clubs.models import Court
from playtomic.client import PlaytomicClient
from playtomic.errors import PlaytomicError, Unauthorized
from playtomic.types import Match as PlaytomicMatch
from playtomic.types import Tokens

logger = logging.getLogger(__name__)


def email_lookup_hash(email: str) -> str:
    """Keyed hash of the normalised email: lets us enforce one account per owner and email
    without storing the email in the clear."""
    normalised = email.strip().lower().encode()
    return hmac.new(settings.SECRET_KEY.encode(), normalised, hashlib.sha256).hexdigest()


def account_create(*, owner: User, email: str, password: str, label: str = "") -> PlaytomicAccount:
    email = email.strip()
    errors: dict[str, str] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = "Enter the email address of the Playtomic account."
    if not password:
        errors["password"] = "Enter the password of the Playtomic account."  # noqa: S105
    if errors:
        raise ValidationError(errors)
    account = PlaytomicAccount(
        owner=owner,
        label=label.strip()[:100],
        email=email,
        email_hash=email_lookup_hash(email),
        password=password,
    )
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationError({"email": "You have added this Playtomic account already."}) from exc
    return account


def account_store_tokens(*, account: PlaytomicAccount, tokens: Tokens) -> None:
    """Persist a token pair the moment Playtomic hands it out. Refresh tokens are single-use:
    losing the new one locks the account out, so this commits on its own, before the client
    uses the tokens."""
    now = timezone.now()
    fields = {
        "access_token": tokens.access_token,
        "access_token_expires_at": tokens.access_expires_at,
        "refresh_token": tokens.refresh_token,
        "refresh_token_expires_at": tokens.refresh_expires_at,
        "playtomic_user_id": tokens.user_id or account.playtomic_user_id,
        "tokens_rotated_at": now,
        "status": PlaytomicAccount.Status.OK,
        "last_error": "",
    }
    with transaction.atomic():
        PlaytomicAccount.objects.filter(pk=account.pk).update(**fields)
    for name, value in fields.items():
        setattr(account, name, value)


def account_record_failure(*, account: PlaytomicAccount, error: PlaytomicError) -> None:
    message = f"{error.kind}: {error}"[:500]
    PlaytomicAccount.objects.filter(pk=account.pk).update(
        status=PlaytomicAccount.Status.FAILED, last_error=message
    )
    account.status = PlaytomicAccount.Status.FAILED
    account.last_error = message


def account_tokens(account: PlaytomicAccount) -> Tokens | None:
    if not account.refresh_token and not account.access_token:
        return None
    return Tokens(
        access_token=account.access_token,
        access_expires_at=account.access_token_expires_at or timezone.now(),
        refresh_token=account.refresh_token,
        refresh_expires_at=account.refresh_token_expires_at,
        user_id=account.playtomic_user_id,
    )


def account_client(
    *,
    account: PlaytomicAccount,
    before_request: Callable[[str], None] | None = None,
    read_timeout: float = 10.0,
    fresh: bool = False,
) -> PlaytomicClient:
    """A client acting as `account`, logged in (or refreshed) and ready to call. `fresh`
    ignores the stored tokens and logs in with the password."""
    tokens = None if fresh else account_tokens(account)
    client = PlaytomicClient(
        settings.PLAYTOMIC_BASE_URL,
        tokens=tokens,
        token_store=lambda tokens: account_store_tokens(account=account, tokens=tokens),
        user_agent=settings.PLAYTOMIC_USER_AGENT,
        read_timeout=read_timeout,
        before_request=before_request,
    )
    if tokens is None:
        client.login(account.email, account.password)
        PlaytomicAccount.objects.filter(pk=account.pk).update(last_login_at=timezone.now())
    return client


def account_test_login(*, account: PlaytomicAccount) -> bool:
    """The "test login" action: a fresh login with the stored password."""
    client = PlaytomicClient(
        settings.PLAYTOMIC_BASE_URL,
        token_store=lambda tokens: account_store_tokens(account=account, tokens=tokens),
        user_agent=settings.PLAYTOMIC_USER_AGENT,
    )
    try:
        client.login(account.email, account.password)
    except PlaytomicError as exc:
        account_record_failure(account=account, error=exc)
        return False
    PlaytomicAccount.objects.filter(pk=account.pk).update(last_login_at=timezone.now())
    return True


# ------------------------------------------------------------------------------- accounts


def account_update(
    *,
    account: PlaytomicAccount,
    label: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> PlaytomicAccount:
    """Change the label or credentials. New credentials drop the stored tokens: they belong
    to the old login."""
    if label is not None:
        account.label = label.strip()[:100]
    if email:
        email = email.strip()
        if "@" not in email or len(email) > 254:
            raise ValidationError({"email": "Enter the email address of the Playtomic account."})
        account.email = email
        account.email_hash = email_lookup_hash(email)
    if password:
        account.password = password
    if email or password:
        account.access_token = ""
        account.refresh_token = ""
        account.access_token_expires_at = None
        account.refresh_token_expires_at = None
        account.status = PlaytomicAccount.Status.NEW
        account.last_error = ""
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationError({"email": "You have added this Playtomic account already."}) from exc
    return account


# ------------------------------------------------------------------------------- rules

MAX_BURST_SECONDS = 60.0
# Bounds that keep every value inside its column and the release arithmetic inside the
# calendar; far beyond anything a club offers.
MAX_NAME_LENGTH = 100
MAX_DURATION_MINUTES = 6 * 60
MAX_RELEASE_DAYS_BEFORE = 365
MAX_SNIPE_NOTICE_MINUTES = 30 * 24 * 60
MAX_PRICE = Decimal(1_000_000)
RULE_FIELDS = (
    "name",
    "club",
    "weekdays",
    "earliest_start",
    "latest_start",
    "durations",
    "court_preference",
    "only_listed_courts",
    "surface",
    "max_price",
    "number_of_players",
    "payment_methods",
    "rotate_accounts",
    "release_policy",
    "release_days_before",
    "release_local_time",
    "burst_seconds",
    "dry_run",
    "snipe_cancellations",
    "snipe_min_notice_minutes",
    "snipe_inside_cancellation_window",
    "enabled",
)


def rule_validate(*, rule: BookingRule, accounts: Sequence[PlaytomicAccount]) -> None:
    """Every check with a message a member can act on; raises one ValidationError listing all."""
    errors: dict[str, str] = {}
    if not rule.name or not rule.name.strip():
        errors["name"] = "Give the rule a name."
    elif len(rule.name) > MAX_NAME_LENGTH:
        errors["name"] = f"Keep the name to {MAX_NAME_LENGTH} characters."
    elif "\x00" in rule.name:
        errors["name"] = "The name cannot contain NUL characters."
    weekdays = rule.weekdays
    if (
        not isinstance(weekdays, list)
        or not weekdays
        or any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays)
        or len(set(weekdays)) != len(weekdays)
    ):
        errors["weekdays"] = "Pick at least one weekday (0 = Monday ... 6 = Sunday), each once."
    if rule.earliest_start and rule.latest_start:
        if rule.latest_start < rule.earliest_start:
            errors["latest_start"] = "The latest start must not be before the earliest start."
        for name in ("earliest_start", "latest_start"):
            value: time = getattr(rule, name)
            if value.minute not in (0, 30) or value.second or value.microsecond:
                errors[name] = "Starts are on the hour or the half hour (for example 18:00, 21:30)."
    durations = rule.durations
    if (
        not isinstance(durations, list)
        or not durations
        or any(
            not isinstance(d, int)
            or isinstance(d, bool)
            or not 0 < d <= MAX_DURATION_MINUTES
            or d % 30
            for d in durations
        )
        or len(set(durations)) != len(durations)
    ):
        errors["durations"] = (
            "List the acceptable durations in minutes, multiples of 30 up to "
            f"{MAX_DURATION_MINUTES}, each once."
        )
    if rule.club_id is not None:
        court_ids = set(Court.objects.filter(club_id=rule.club_id).values_list("pk", flat=True))
        prefs = rule.court_preference
        if not isinstance(prefs, list) or any(p not in court_ids for p in prefs):
            errors["court_preference"] = "Courts must be courts of the rule's club."
        elif rule.only_listed_courts and not prefs:
            errors["court_preference"] = "List at least one court, or allow any court."
        if (
            rule.release_policy == BookingRule.ReleasePolicy.ROLLING
            and rule.club.booking_ahead_limit_minutes is None
        ):
            errors["release_policy"] = (
                "This club publishes no booking_ahead_limit: use a fixed release time."
            )
    methods = rule.payment_methods
    if (
        not isinstance(methods, list)
        or not methods
        or any(m not in BookingRule.PAYMENT_METHODS for m in methods)
        or len(set(methods)) != len(methods)
    ):
        errors["payment_methods"] = "Choose payment methods among club, wallet and card, in order."
    if not 1 <= rule.number_of_players <= 4:
        errors["number_of_players"] = "Between 1 and 4 players."
    price = rule.max_price
    # NaN first: comparing a NaN Decimal raises instead of answering.
    if price is not None and (
        not isinstance(price, Decimal)
        or not price.is_finite()
        or not 0 < price < MAX_PRICE
        or price != price.quantize(Decimal("0.01"))
    ):
        errors["max_price"] = (
            f"The maximum price must be positive, below {MAX_PRICE}, with at most two "
            "decimals (or left empty)."
        )
    days_before = rule.release_days_before
    if days_before is not None and (
        not isinstance(days_before, int)
        or isinstance(days_before, bool)
        or not 0 <= days_before <= MAX_RELEASE_DAYS_BEFORE
    ):
        errors["release_days_before"] = (
            f"Release days before: a whole number from 0 to {MAX_RELEASE_DAYS_BEFORE}."
        )
    notice = rule.snipe_min_notice_minutes
    if (
        not isinstance(notice, int)
        or isinstance(notice, bool)
        or not 0 <= notice <= MAX_SNIPE_NOTICE_MINUTES
    ):
        errors["snipe_min_notice_minutes"] = (
            f"The minimum notice is a whole number of minutes from 0 to {MAX_SNIPE_NOTICE_MINUTES}."
        )
    if rule.release_policy == BookingRule.ReleasePolicy.FIXED:
        if rule.release_days_before is None:
            errors["release_days_before"] = "A fixed release needs the number of days before."
        if rule.release_local_time is None:
            errors["release_local_time"] = "A fixed release needs the club-local release time."
    if not 0.5 <= rule.burst_seconds <= MAX_BURST_SECONDS:
        errors["burst_seconds"] = f"The burst lasts between 0.5 and {MAX_BURST_SECONDS:.0f} s."
    if not accounts:
        errors["accounts"] = "Choose at least one Playtomic account."
    elif any(a.owner_id != rule.owner_id for a in accounts):
        errors["accounts"] = "Use your own Playtomic accounts only."
    if errors:
        raise ValidationError(errors)


def rule_save(
    *,
    owner: User,
    rule: BookingRule | None = None,
    accounts: Sequence[PlaytomicAccount],
    **fields: Any,
) -> BookingRule:
    """Create (rule=None) or update a rule, then bring its beat entry in step."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({"non_field_errors": f"Unknown rule fields: {sorted(unknown)}"})
    if rule is None:
        rule = BookingRule(owner=owner)
    for name, value in fields.items():
        setattr(rule, name, value)
    if isinstance(rule.name, str):
        rule.name = rule.name.strip()
    rule_validate(rule=rule, accounts=accounts)
    try:
        with transaction.atomic():
            rule.save()
            rule.accounts.set(accounts)
    except IntegrityError as exc:
        raise ValidationError({"name": "You already have a rule with this name."}) from exc
    rule_schedule_sync(rule=rule)
    return rule


def rule_delete(*, rule: BookingRule) -> None:
    with transaction.atomic():
        _rule_unschedule(rule, reason="rule deleted")
        rule.delete()


def _task_name(rule: BookingRule, target_date: date) -> str:
    return f"booking: rule {rule.pk} for {target_date.isoformat()}"


def _rule_unschedule(rule: BookingRule, *, reason: str) -> None:
    rule.attempts.filter(state=BookingAttempt.State.SCHEDULED).update(
        state=BookingAttempt.State.CANCELLED, reason=reason, finished_at=timezone.now()
    )
    PeriodicTask.objects.filter(name__startswith=f"booking: rule {rule.pk} for ").filter(
        enabled=True, total_run_count=0
    ).delete()
    BookingRule.objects.filter(pk=rule.pk).update(
        next_release_at=None, next_target_date=None, periodic_task=None
    )
    rule.next_release_at = None
    rule.next_target_date = None
    rule.periodic_task = None


def rule_schedule_sync(
    *, rule: BookingRule, after: datetime | None = None
) -> BookingAttempt | None:
    """Give an enabled rule its next release: a SCHEDULED attempt and a one-off clocked beat
    entry that delivers the arm task on the `booking` queue ARM_LEAD before T.

    One PeriodicTask (and ClockedSchedule) per release, never reused: beat disables a one-off
    entry after it ran, and re-enabling the same row races with beat's own lazy writes."""
    now = timezone.now()
    after = after or now
    if not rule.enabled:
        with transaction.atomic():
            _rule_unschedule(rule, reason="rule disabled")
        return None
    taken = set(
        rule.attempts.exclude(state=BookingAttempt.State.SCHEDULED).values_list(
            "target_date", flat=True
        )
    )
    found = selectors.rule_next_release(rule, after=max(after, now), skip_dates=taken)
    with transaction.atomic():
        # Attempts at or before `after` are being (or about to be) raced: not stale.
        stale = rule.attempts.filter(
            state=BookingAttempt.State.SCHEDULED, trigger="release", release_at__gt=after
        )
        if found is None:
            _rule_unschedule(rule, reason="no release ahead")
            return None
        target_date, release_at = found
        for attempt in stale.exclude(target_date=target_date):
            attempt.state = BookingAttempt.State.CANCELLED
            attempt.reason = "rule changed: no longer the next release"
            attempt.finished_at = now
            attempt.save(update_fields=["state", "reason", "finished_at", "updated_at"])
            PeriodicTask.objects.filter(
                name=_task_name(rule, attempt.target_date), total_run_count=0
            ).delete()
        deadline = release_at + timedelta(seconds=rule.burst_seconds)
        attempt, created = BookingAttempt.objects.get_or_create(
            rule=rule,
            target_date=target_date,
            defaults={
                "release_at": release_at,
                "deadline_at": deadline,
                "dry_run": rule.dry_run,
                "trigger": BookingAttempt.Trigger.RELEASE,
            },
        )
        if not created and attempt.state == BookingAttempt.State.SCHEDULED:
            attempt.release_at = release_at
            attempt.deadline_at = deadline
            attempt.dry_run = rule.dry_run
            attempt.save(update_fields=["release_at", "deadline_at", "dry_run", "updated_at"])
        arm_at = max(release_at - timedelta(seconds=conf.arm_lead_seconds()), now)
        expires = release_at + timedelta(seconds=conf.expire_after_release_seconds())
        clocked = ClockedSchedule.objects.create(clocked_time=arm_at)
        task, _ = PeriodicTask.objects.update_or_create(
            name=_task_name(rule, target_date),
            defaults={
                "task": "booking.tasks.arm_attempt",
                "clocked": clocked,
                "one_off": True,
                "enabled": True,
                "kwargs": json.dumps({"attempt_id": attempt.pk}),
                "queue": "booking",
                # Both the schedule's end and the message's expiry: a delivery after T + 30 s
                # is revoked by the worker instead of being run after the race is lost.
                "expires": expires,
                "description": f"Arms {rule.name} at T-{conf.arm_lead_seconds():.0f}s",
            },
        )
        # Clocked rows of earlier versions of this entry are orphans now.
        ClockedSchedule.objects.filter(periodictask__isnull=True).exclude(pk=clocked.pk).delete()
        BookingRule.objects.filter(pk=rule.pk).update(
            next_release_at=release_at, next_target_date=target_date, periodic_task=task
        )
        rule.next_release_at = release_at
        rule.next_target_date = target_date
        rule.periodic_task = task
    return attempt


# ------------------------------------------------------------------------------- attempts


def attempt_prepare(
    *,
    rule: BookingRule,
    target_date: date,
    release_at: datetime,
    trigger: str,
    dry_run: bool | None = None,
) -> BookingAttempt | None:
    """The attempt row for (rule, date), ready to be claimed, or None when that date is
    already booked or being raced. A failed or missed attempt is re-opened (a new round) so
    sniping and manual runs can try again; the conditional UPDATE keeps that race-free."""
    deadline = release_at + timedelta(seconds=rule.burst_seconds)
    dry = rule.dry_run if dry_run is None else dry_run
    attempt, created = BookingAttempt.objects.get_or_create(
        rule=rule,
        target_date=target_date,
        defaults={
            "release_at": release_at,
            "deadline_at": deadline,
            "dry_run": dry,
            "trigger": trigger,
        },
    )
    if created:
        return attempt
    reopenable = [
        BookingAttempt.State.SCHEDULED,
        BookingAttempt.State.FAILED,
        BookingAttempt.State.MISSED,
        BookingAttempt.State.CANCELLED,
        BookingAttempt.State.REHEARSED,
    ]
    bump = 0 if attempt.state == BookingAttempt.State.SCHEDULED else 1
    changed = BookingAttempt.objects.filter(pk=attempt.pk, state__in=reopenable).update(
        state=BookingAttempt.State.SCHEDULED,
        release_at=release_at,
        deadline_at=deadline,
        dry_run=dry,
        trigger=trigger,
        round=F("round") + bump,
        claim_token="",
        reason="",
        finished_at=None,
        updated_at=timezone.now(),
    )
    if not changed:
        return None
    attempt.refresh_from_db()
    return attempt


def _accounts_in_turn(rule: BookingRule) -> list[PlaytomicAccount]:
    accounts = list(rule.accounts.order_by("pk"))
    if rule.rotate_accounts and accounts:
        done = rule.attempts.exclude(account=None).count()
        turn = done % len(accounts)
        accounts = accounts[turn:] + accounts[:turn]
    return accounts


def _flush(attempt: BookingAttempt, timeline: Timeline) -> None:
    entries = timeline.take()
    if not entries:
        return
    AttemptEvent.objects.bulk_create(
        AttemptEvent(
            attempt=attempt,
            round=attempt.round,
            at=entry.at,
            ms_from_release=round((entry.at - attempt.release_at).total_seconds() * 1000, 3),
            kind=entry.kind,
            message=entry.message,
            data=entry.data,
        )
        for entry in entries
    )


def _finish(attempt: BookingAttempt, token: str, *, state: str, reason: str, **fields: Any) -> bool:
    """Conditional on still owning the claim, so a reconciler verdict is never overwritten."""
    changed = BookingAttempt.objects.filter(
        pk=attempt.pk, claim_token=token, state__in=BookingAttempt.IN_FLIGHT_STATES
    ).update(state=state, reason=reason[:1000], finished_at=timezone.now(), **fields)
    if changed:
        attempt.state = state
        attempt.reason = reason
    return bool(changed)


def rule_find_match(
    client: PlaytomicClient, rule: BookingRule, target_date: date
) -> PlaytomicMatch | None:
    """A live booking of the account at the rule's club within the rule's window that day:
    if one exists, the rule must not book another court."""
    window_start, window_end = selectors.rule_window_utc(rule, target_date)
    for match in client.list_matches(from_start=window_start, size=50):
        if match.start > window_end:
            break
        if match.is_cancelled:
            continue
        if match.tenant_id not in (None, rule.club.playtomic_id):
            continue
        if window_start <= match.start <= window_end:
            return match
    return None


def _login(account: PlaytomicAccount, timeline: Timeline) -> PlaytomicClient:
    try:
        client = account_client(account=account, read_timeout=5.0)
        # Touch the API once so an expired refresh token shows up now, not at T.
        client.list_matches(size=1)
        return client
    except Unauthorized:
        timeline.add("token_rejected", "stored tokens rejected; logging in with the password")
    return account_client(account=account, read_timeout=5.0, fresh=True)


def attempt_run(*, attempt_id: int, probe_clock: bool = True) -> BookingAttempt:
    """Claim the attempt, log in, warm up, sleep until T, race, record. Safe to call twice:
    only the caller whose conditional UPDATE claims the row does anything."""
    attempt = BookingAttempt.objects.select_related("rule", "rule__club").get(pk=attempt_id)
    rule = attempt.rule
    now = timezone.now()
    if attempt.state != BookingAttempt.State.SCHEDULED:
        return attempt
    stale = _attempt_stale_reason(attempt, rule)
    if stale:
        # The rule changed after this release was scheduled (the beat entry may already be
        # in flight): racing now would book what the member no longer asks for.
        BookingAttempt.objects.filter(pk=attempt.pk, state=BookingAttempt.State.SCHEDULED).update(
            state=BookingAttempt.State.CANCELLED, reason=stale, finished_at=now
        )
        attempt.refresh_from_db()
        return attempt
    if now > attempt.deadline_at:
        BookingAttempt.objects.filter(pk=attempt.pk, state=BookingAttempt.State.SCHEDULED).update(
            state=BookingAttempt.State.MISSED,
            reason=f"armed too late ({(now - attempt.release_at).total_seconds():.1f} s after T)",
            finished_at=now,
        )
        attempt.refresh_from_db()
        return attempt
    token = uuid.uuid4().hex
    claimed = BookingAttempt.objects.filter(
        pk=attempt.pk, state=BookingAttempt.State.SCHEDULED
    ).update(state=BookingAttempt.State.ARMED, claim_token=token, armed_at=now)
    if not claimed:
        attempt.refresh_from_db()
        return attempt
    attempt.refresh_from_db()
    timeline = Timeline(attempt.release_at, lambda: datetime.now(UTC))
    timeline.add("armed", f"{attempt.get_trigger_display()}, round {attempt.round}")
    try:
        _race(attempt, rule, token, timeline, probe_clock=probe_clock)
    except Exception as exc:
        # Whatever broke, the attempt must not stay in flight looking alive.
        logger.exception("booking attempt %s crashed", attempt.pk)
        _finish(
            attempt,
            token,
            state=BookingAttempt.State.UNKNOWN,
            reason=f"crashed: {type(exc).__name__}",
        )
        timeline.add("crashed", type(exc).__name__)
        raise
    finally:
        _flush(attempt, timeline)
    attempt.refresh_from_db()
    return attempt


def _attempt_stale_reason(attempt: BookingAttempt, rule: BookingRule) -> str:
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


def _race(
    attempt: BookingAttempt,
    rule: BookingRule,
    token: str,
    timeline: Timeline,
    *,
    probe_clock: bool,
) -> None:
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
        _finish(
            attempt,
            token,
            state=failed,
            reason="no account could log in (" + "; ".join(errors) + ")",
        )
        return
    BookingAttempt.objects.filter(pk=attempt.pk).update(account=account)
    timeline.add("logged_in", str(account))
    tokens = client.tokens
    if tokens is not None and tokens.access_expires_at < attempt.deadline_at + timedelta(minutes=5):
        # Never let the client refresh in the middle of the burst.
        client.refresh()
        timeline.add("token_refreshed", "access token renewed before T")
    offset_s = 0.0
    if probe_clock and attempt.release_at - timezone.now() > timedelta(seconds=3):
        try:
            estimate = client.probe_clock()
        except PlaytomicError as exc:
            timeline.add("clock_unknown", exc.kind)
        else:
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
    try:
        existing = rule_find_match(client, rule, attempt.target_date)
    except PlaytomicError as exc:
        _finish(
            attempt,
            token,
            state=failed,
            reason=f"could not read the account's matches ({exc.kind})",
        )
        return
    if existing is not None:
        timeline.add("already_booked", existing.match_id)
        _finish(
            attempt,
            token,
            state=BookingAttempt.State.BOOKED,
            reason="the account already holds a court in this window",
            match_id=existing.match_id,
            slot_start=existing.start,
        )
        return
    min_start = None
    if attempt.trigger == BookingAttempt.Trigger.SNIPE:
        min_start = _snipe_earliest_start(rule, timezone.now())
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
        _finish(attempt, token, state=failed, reason="no candidate slot matches the rule")
        return
    _flush(attempt, timeline)
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
        candidates=candidates,
        release_at=attempt.release_at,
        deadline=attempt.deadline_at,
        payment_methods=list(rule.payment_methods),
        number_of_players=rule.number_of_players,
        timeline=timeline,
        find_match=lambda: rule_find_match(race.client, rule, attempt.target_date),
        relogin=lambda: account_client(account=account, read_timeout=5.0, fresh=True),
        max_price=rule.max_price,
        dry_run=attempt.dry_run,
        offset_s=offset_s,
        rate_per_second=conf.burst_rate_per_second(),
    )
    wait_until(attempt.release_at, offset_s=offset_s)
    timeline.add("fire")
    result = race.run()
    state = {
        "booked": BookingAttempt.State.BOOKED,
        "rehearsed": BookingAttempt.State.REHEARSED,
        "unknown": BookingAttempt.State.UNKNOWN,
    }.get(result.outcome, failed)
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
    _finish(attempt, token, state=state, reason=result.reason, **fields)
    logger.info(
        "booking attempt %s: %s (%s), %d requests",
        attempt.pk,
        state,
        result.reason,
        result.requests_sent,
    )


# ------------------------------------------------------------------------------- reconciler


def attempts_reconcile(*, now: datetime | None = None, grace: timedelta | None = None) -> int:
    """Resolve attempts nobody will finish: never armed (beat or worker down) -> missed; left
    in flight by a dead worker -> booked or failed after reading the account's matches.
    Returns how many attempts were resolved."""
    now = now or timezone.now()
    grace = timedelta(seconds=conf.reconcile_grace_seconds()) if grace is None else grace
    resolved = 0
    cutoff = now - grace
    resolved += BookingAttempt.objects.filter(
        state=BookingAttempt.State.SCHEDULED, deadline_at__lt=cutoff
    ).update(
        state=BookingAttempt.State.MISSED,
        reason="never armed: no booking worker picked it up before the deadline",
        finished_at=now,
    )
    stuck = BookingAttempt.objects.filter(
        state__in=BookingAttempt.IN_FLIGHT_STATES, deadline_at__lt=cutoff
    ).select_related("rule", "rule__club", "account")
    for attempt in stuck:
        resolved += _attempt_reconcile_one(attempt, now)
    for rule in BookingRule.objects.filter(enabled=True).filter(
        Q(next_release_at__isnull=True) | Q(next_release_at__lt=now)
    ):
        rule_schedule_sync(rule=rule)
    # Beat entries of releases that are over: keep the admin list short.
    PeriodicTask.objects.filter(
        name__startswith="booking: rule ", enabled=False, expires__lt=now - timedelta(hours=1)
    ).delete()
    ClockedSchedule.objects.filter(periodictask__isnull=True).delete()
    return resolved


def _attempt_reconcile_one(attempt: BookingAttempt, now: datetime) -> int:
    timeline = Timeline(attempt.release_at, lambda: datetime.now(UTC))
    state = attempt.state
    token = attempt.claim_token
    found: PlaytomicMatch | None = None
    if attempt.account is not None:
        try:
            client = account_client(account=attempt.account, read_timeout=10.0)
            found = rule_find_match(client, attempt.rule, attempt.target_date)
        except PlaytomicError as exc:
            timeline.add("reconcile_unreadable", exc.kind)
            _flush(attempt, timeline)
            # Leave it unknown rather than guess; the next run tries again.
            BookingAttempt.objects.filter(pk=attempt.pk, state=state).update(
                state=BookingAttempt.State.UNKNOWN,
                reason=f"worker lost; matches unreadable ({exc.kind}), will retry",
            )
            return 0
    if found is not None:
        fields: dict[str, Any] = {
            "state": BookingAttempt.State.BOOKED,
            "reason": "reconciled: the booking is in the account's matches",
            "match_id": found.match_id,
            "slot_start": found.start,
        }
    elif state == BookingAttempt.State.ARMED:
        fields = {
            "state": BookingAttempt.State.MISSED,
            "reason": "reconciled: the worker stopped before firing",
        }
    else:
        fields = {
            "state": BookingAttempt.State.FAILED,
            "reason": "reconciled: the worker stopped mid-burst and no booking was made",
        }
    changed = BookingAttempt.objects.filter(pk=attempt.pk, state=state, claim_token=token).update(
        finished_at=now, **fields
    )
    if changed:
        timeline.add("reconciled", str(fields["reason"]))
        _flush(attempt, timeline)
    return changed


# ------------------------------------------------------------------------------- sniping


def _snipe_earliest_start(rule: BookingRule, now: datetime) -> datetime:
    notice = timedelta(minutes=rule.snipe_min_notice_minutes)
    policy_hours = rule.club.cancellation_policy_hours
    if policy_hours and not rule.snipe_inside_cancellation_window:
        # A slot inside the club's cancellation window could not be cancelled for free.
        notice = max(notice, timedelta(hours=policy_hours))
    return now + notice


def snipe_freed_cells(*, event_ids: Sequence[int]) -> list[BookingAttempt]:
    """For each freed cell that a sniping rule wants, start an attempt at once (T = now).
    Returns the attempts that were claimed for racing (the caller dispatches them)."""
    now = timezone.now()
    events = AvailabilityEvent.objects.filter(
        pk__in=list(event_ids), kind=AvailabilityEvent.Kind.SLOT_FREED
    ).select_related("club", "court")
    started: list[BookingAttempt] = []
    seen: set[tuple[int, date]] = set()
    for event in events:
        rules = BookingRule.objects.filter(
            club=event.club, enabled=True, snipe_cancellations=True
        ).select_related("club")
        for rule in rules:
            key = (rule.pk, event.local_date)
            if key in seen or event.local_date.weekday() not in rule.weekdays:
                continue
            window_start, window_end = selectors.rule_window_utc(rule, event.local_date)
            if event.end <= window_start or event.start > window_end:
                continue
            if (
                event.court_id is not None
                and rule.only_listed_courts
                and event.court_id not in rule.court_preference
            ):
                continue
            if event.end <= _snipe_earliest_start(rule, now):
                continue
            seen.add(key)
            attempt = attempt_prepare(
                rule=rule,
                target_date=event.local_date,
                release_at=now,
                trigger=BookingAttempt.Trigger.SNIPE,
            )
            if attempt is not None:
                AttemptEvent.objects.create(
                    attempt=attempt,
                    round=attempt.round,
                    at=now,
                    ms_from_release=0,
                    kind="freed_cell",
                    message=f"{event.court or event.club} {event.start:%Y-%m-%d %H:%M}Z",
                    data={"event_id": event.pk},
                )
                started.append(attempt)
    return started
