"""Booking rules: every check with a message a member can act on, then the write and the
schedule sync."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import PlaytomicAccount
from booking.models import BookingRule
from booking.services.schedule import rule_schedule_sync, rule_unschedule
from clubs.models import Court

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
    """Create (rule=None) or update a rule, then bring its schedule in step, in one
    transaction. An update locks the rule's row and applies `fields` to what is stored now,
    not to the caller's copy, so concurrent edits serialise instead of deadlocking or
    overwriting each other's fields."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({"non_field_errors": f"Unknown rule fields: {sorted(unknown)}"})
    try:
        with transaction.atomic():
            if rule is None:
                target = BookingRule(owner=owner)
            else:
                target = BookingRule.objects.select_for_update().get(pk=rule.pk)
            for name, value in fields.items():
                setattr(target, name, value)
            if isinstance(target.name, str):
                target.name = target.name.strip()
            rule_validate(rule=target, accounts=accounts)
            target.save()
            target.accounts.set(accounts)
            rule_schedule_sync(rule=target)
    except IntegrityError as exc:
        raise ValidationError({"name": "You already have a rule with this name."}) from exc
    if rule is not None:
        rule.refresh_from_db()
    return target


def rule_delete(*, rule: BookingRule) -> None:
    with transaction.atomic():
        rule_unschedule(rule, reason="rule deleted")
        rule.delete()
