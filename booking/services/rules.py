"""Booking rules: every check with a message a member can act on, then the write and the
schedule sync.

A rule belongs to a group. Any member may make one for the group; its creator (while in the
group) and the group's admins change and delete it (`selectors.rule_editable_by`); others get
`PermissionDenied`. It books with the accounts usable by the group through its creator: the
creator's own and those lent to the group (`selectors.rule_account_choices`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Manager
from django.utils.translation import gettext as _

from accounts.models import PlaytomicAccount
from booking import selectors
from booking.models import BookingRule
from booking.services.schedule import rule_schedule_sync, rule_unschedule
from clubs.models import Club, Court
from groups.models import Group
from groups.selectors import groups_for, is_member
from groups.services import personal_group_for

MAX_BURST_SECONDS = 60.0
# Bounds that keep every value inside its column and the release arithmetic inside the
# calendar; far beyond anything a club offers.
MAX_NAME_LENGTH = 100
MAX_DURATION_MINUTES = 6 * 60
MAX_RELEASE_DAYS_BEFORE = 365
MAX_SNIPE_NOTICE_MINUTES = 30 * 24 * 60
MAX_PRICE = Decimal(1_000_000)
MAX_FALLBACK_CLUBS = 5
RULE_FIELDS = (
    "name",
    "club",
    "weekdays",
    "earliest_start",
    "latest_start",
    "fallback_earliest_start",
    "fallback_latest_start",
    "durations",
    "court_preference",
    "only_listed_courts",
    "surface",
    "max_price",
    "number_of_players",
    "split_payment",
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


def _on_the_half_hour(value: time) -> bool:
    return value.minute in (0, 30) and not value.second and not value.microsecond


def rule_validate(
    *,
    rule: BookingRule,
    accounts: Sequence[PlaytomicAccount],
    fallback_clubs: Sequence[Club] = (),
    players: Sequence[AbstractBaseUser] = (),
) -> None:
    """Every check with a message a member can act on; raises one ValidationError listing all."""
    errors: dict[str, str] = {}
    if not rule.name or not rule.name.strip():
        errors["name"] = _("Give the rule a name.")
    elif len(rule.name) > MAX_NAME_LENGTH:
        errors["name"] = _("Keep the name to %(limit)d characters.") % {"limit": MAX_NAME_LENGTH}
    elif "\x00" in rule.name:
        errors["name"] = _("The name cannot contain NUL characters.")
    weekdays = rule.weekdays
    if (
        not isinstance(weekdays, list)
        or not weekdays
        or any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays)
        or len(set(weekdays)) != len(weekdays)
    ):
        errors["weekdays"] = _("Pick at least one weekday (0 = Monday ... 6 = Sunday), each once.")
    if rule.earliest_start and rule.latest_start:
        if rule.latest_start < rule.earliest_start:
            errors["latest_start"] = _("The latest start must not be before the earliest start.")
        for name in ("earliest_start", "latest_start"):
            if not _on_the_half_hour(getattr(rule, name)):
                errors[name] = _(
                    "Starts are on the hour or the half hour (for example 18:00, 21:30)."
                )
    fallback_first, fallback_last = rule.fallback_earliest_start, rule.fallback_latest_start
    if (fallback_first is None) != (fallback_last is None):
        missing = "fallback_latest_start" if fallback_last is None else "fallback_earliest_start"
        errors[missing] = _("Give both ends of the fallback window, or neither.")
    elif fallback_first is not None and fallback_last is not None:
        if fallback_last < fallback_first:
            errors["fallback_latest_start"] = _(
                "The fallback window's latest start must not be before its earliest start."
            )
        for name in ("fallback_earliest_start", "fallback_latest_start"):
            if not _on_the_half_hour(getattr(rule, name)):
                errors[name] = _(
                    "Starts are on the hour or the half hour (for example 18:00, 21:30)."
                )
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
        errors["durations"] = _(
            "List the acceptable durations in minutes, multiples of 30 up to %(limit)d, each once."
        ) % {"limit": MAX_DURATION_MINUTES}
    club_ids = [c.pk for c in fallback_clubs]
    if rule.club_id is not None and rule.club_id in club_ids:
        errors["fallback_clubs"] = _("The rule's own club is already its first choice.")
    elif len(set(club_ids)) != len(club_ids):
        errors["fallback_clubs"] = _("Name each fallback club once.")
    elif len(club_ids) > MAX_FALLBACK_CLUBS:
        errors["fallback_clubs"] = _("At most %(limit)d fallback clubs.") % {
            "limit": MAX_FALLBACK_CLUBS
        }
    if rule.club_id is not None:
        court_clubs = dict(
            Court.objects.filter(club_id__in=[rule.club_id, *club_ids]).values_list("pk", "club_id")
        )
        prefs = rule.court_preference
        if not isinstance(prefs, list) or any(p not in court_clubs for p in prefs):
            errors["court_preference"] = _("Courts must be courts of the rule's clubs.")
        elif any(
            not selectors.court_fits(court, rule.number_of_players)
            for court in Court.objects.filter(pk__in=prefs)
        ):
            errors["court_preference"] = _(
                "List only courts that fit %(players)d players: doubles courts for 3 or 4, "
                "singles courts for 1 or 2."
            ) % {"players": rule.number_of_players}
        elif rule.only_listed_courts and not prefs:
            errors["court_preference"] = _("List at least one court, or allow any court.")
        elif rule.only_listed_courts and {court_clubs[p] for p in prefs} != {
            rule.club_id,
            *club_ids,
        }:
            errors["court_preference"] = _(
                "List at least one court of each of the rule's clubs, or allow any court."
            )
        if (
            rule.release_policy == BookingRule.ReleasePolicy.ROLLING
            and rule.club.booking_ahead_limit_minutes is None
        ):
            errors["release_policy"] = _(
                "This club does not say how far ahead it opens its courts: book at a set "
                "time instead."
            )
    methods = rule.payment_methods
    if (
        not isinstance(methods, list)
        or not methods
        or any(m not in BookingRule.PAYMENT_METHODS for m in methods)
        or len(set(methods)) != len(methods)
    ):
        errors["payment_methods"] = _(
            "Choose payment methods among club, wallet and card, in order."
        )
    if not 1 <= rule.number_of_players <= 4:
        errors["number_of_players"] = _("Between 1 and 4 players.")
    elif len(players) > rule.number_of_players:
        errors["players"] = _("Name at most %(count)d players, the rule's number of players.") % {
            "count": rule.number_of_players
        }
    if len({p.pk for p in players}) != len(players):
        errors["players"] = _("Name each player once.")
    elif rule.group_id is not None and players:
        members = set(
            rule.group.memberships.filter(user_id__in=[p.pk for p in players]).values_list(
                "user_id", flat=True
            )
        )
        if any(p.pk not in members for p in players):
            errors["players"] = _("Players must be members of the rule's group.")
    price = rule.max_price
    # NaN first: comparing a NaN Decimal raises instead of answering.
    if price is not None and (
        not isinstance(price, Decimal)
        or not price.is_finite()
        or not 0 < price < MAX_PRICE
        or price != price.quantize(Decimal("0.01"))
    ):
        errors["max_price"] = _(
            "The maximum price must be positive, below %(limit)s, with at most two decimals "
            "(or left empty)."
        ) % {"limit": MAX_PRICE}
    days_before = rule.release_days_before
    if days_before is not None and not _whole_number_up_to(days_before, MAX_RELEASE_DAYS_BEFORE):
        errors["release_days_before"] = _(
            "Release days before: a whole number from 0 to %(limit)d."
        ) % {"limit": MAX_RELEASE_DAYS_BEFORE}
    if not _whole_number_up_to(rule.snipe_min_notice_minutes, MAX_SNIPE_NOTICE_MINUTES):
        errors["snipe_min_notice_minutes"] = _(
            "The minimum notice is a whole number of minutes from 0 to %(limit)d."
        ) % {"limit": MAX_SNIPE_NOTICE_MINUTES}
    if rule.release_policy == BookingRule.ReleasePolicy.FIXED:
        if rule.release_days_before is None:
            errors["release_days_before"] = _("A fixed release needs the number of days before.")
        if rule.release_local_time is None:
            errors["release_local_time"] = _("A fixed release needs the club-local release time.")
    if not 0.5 <= rule.burst_seconds <= MAX_BURST_SECONDS:
        errors["burst_seconds"] = _("The burst lasts between 0.5 and %(limit)d s.") % {
            "limit": MAX_BURST_SECONDS
        }
    if rule.group_id is None:
        errors["group"] = _("Choose the group the rule books for.")
    if not accounts:
        errors["accounts"] = _("Choose at least one Playtomic account.")
    elif rule.group_id is not None:
        usable = set(
            selectors.rule_account_choices(rule.group, rule.owner).values_list("pk", flat=True)
        )
        if any(a.pk not in usable for a in accounts):
            errors["accounts"] = _(
                "Use the creator's own Playtomic accounts or those lent to the group."
            )
    if errors:
        raise ValidationError(errors)


def rule_save(
    *,
    owner: User,
    rule: BookingRule | None = None,
    accounts: Sequence[PlaytomicAccount],
    fallback_clubs: Sequence[Club] | None = None,
    group: Group | None = None,
    players: Sequence[AbstractBaseUser] | None = None,
    **fields: Any,
) -> BookingRule:
    """Create (rule=None) or update a rule, then bring its schedule in step, in one
    transaction. `owner` is the member saving it: a new rule is theirs ("created by") and
    belongs to `group` (default: their personal group), of which they must be a member; an
    update needs the creator or an admin of the rule's group (`PermissionDenied` otherwise),
    and a rule stays in its group.

    An update locks the rule's row and applies `fields` to what is stored now, not to the
    caller's copy, so concurrent edits serialise instead of deadlocking or overwriting each
    other's fields. `fallback_clubs` (in order) replaces the rule's other clubs and `players`
    (in order) the members who play; None keeps them."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({"non_field_errors": f"Unknown rule fields: {sorted(unknown)}"})
    try:
        with transaction.atomic():
            if rule is None:
                group = group or personal_group_for(user=owner)
                if not is_member(owner, group):
                    raise PermissionDenied(_("You are not in this group."))
                target = BookingRule(owner=owner, group=group)
            else:
                target = BookingRule.objects.select_for_update().get(pk=rule.pk)
                if not selectors.rule_editable_by(target, owner):
                    raise PermissionDenied(
                        _("Only the rule's creator and the group's admins can change it.")
                    )
                if group is not None and group.pk != target.group_id:
                    raise ValidationError({"group": _("A rule stays in the group it was made in.")})
            for name, value in fields.items():
                setattr(target, name, value)
            if isinstance(target.name, str):
                target.name = target.name.strip()
            if fallback_clubs is None:
                fallback_clubs = (
                    [link.club for link in target.fallback_links.select_related("club")]
                    if target.pk
                    else []
                )
            if players is None:
                players = (
                    [link.user for link in target.player_links.select_related("user")]
                    if target.pk
                    else []
                )
            rule_validate(
                rule=target, accounts=accounts, fallback_clubs=fallback_clubs, players=players
            )
            target.save()
            target.accounts.set(accounts)
            rule_set_fallback_clubs(rule=target, clubs=fallback_clubs)
            rule_set_players(rule=target, players=players)
            rule_schedule_sync(rule=target)
    except IntegrityError as exc:
        raise ValidationError({"name": _("The group already has a rule with this name.")}) from exc
    if rule is not None:
        rule.refresh_from_db()
    return target


def rule_set_players(*, rule: BookingRule, players: Sequence[AbstractBaseUser]) -> None:
    """Replace the members the rule names as playing with `players`, in that order
    (validated by the caller)."""
    _ordered_links_replace(rule, rule.player_links, "user_id", [player.pk for player in players])


def rule_groups_for(user: User) -> list[Group]:
    """The groups `user` may make a rule for: their own personal group (made if need be)
    first, then the shared ones."""
    personal = personal_group_for(user=user)
    shared = groups_for(user).exclude(pk=personal.pk).order_by("name", "pk")
    return [personal, *shared]


def rule_set_fallback_clubs(*, rule: BookingRule, clubs: Sequence[Club]) -> None:
    """Replace the rule's other clubs with `clubs`, in that order (validated by the caller)."""
    _ordered_links_replace(rule, rule.fallback_links, "club_id", [club.pk for club in clubs])


def _ordered_links_replace(
    rule: BookingRule, links: Manager[Any], key: str, wanted: list[int]
) -> None:
    """Make the rule's ordered links (rows with `key` and a position, behind its related
    manager `links`) exactly `wanted`, in that order; no write when they already are."""
    if list(links.values_list(key, flat=True)) == wanted:
        return
    links.all().delete()
    links.model._default_manager.bulk_create(
        links.model(rule=rule, position=index, **{key: pk}) for index, pk in enumerate(wanted)
    )


def rule_delete(*, rule: BookingRule, actor: User | None = None) -> None:
    """Delete the rule and its schedule. With `actor` (pages, API) only the rule's creator and
    its group's admins may; the admin site (staff) passes none."""
    if actor is not None and not selectors.rule_editable_by(rule, actor):
        raise PermissionDenied(_("Only the rule's creator and the group's admins can delete it."))
    with transaction.atomic():
        rule_unschedule(rule, reason="rule deleted")
        rule.delete()


def _whole_number_up_to(value: object, limit: int) -> bool:
    """An int (not a bool, which is one to Python) from 0 to `limit`."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit
