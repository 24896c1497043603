"""Rules as YAML, in the spirit of the seed's booking_config.yaml. Accounts are named by their
label (credentials never travel in the file); courts by name or Playtomic id; the club by
Playtomic tenant id or slug; the group by its name among the owner's groups (left out: the
owner's personal group); who plays by username.

    rules:
      - name: Weekday evenings
        owner: alice
        group: Tuesday padel
        club: sandbox-padel-madrid
        weekdays: [mon, tue, wed, thu, fri]
        earliest_start: "18:00"
        latest_start: "21:30"
        fallback: {clubs: [sandbox-padel-antwerpen], earliest_start: "20:00", latest_start: "22:00"}
        durations: [90, 60]
        courts: ["Padel 3 (Double)"]
        only_listed_courts: false
        surface: prefer_indoor
        max_price: 60
        players: 4
        who_plays: [alice, bob]
        split_payment: true
        payment: [club, wallet, card]
        accounts: [Mine]
        rotate_accounts: false
        release: {policy: fixed, days_before: 14, local_time: "08:30"}
        burst_seconds: 10
        dry_run: false
        snipe: {enabled: true, min_notice_minutes: 120, inside_cancellation_window: false}
        enabled: true
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from booking import selectors
from booking.models import BookingRule
from booking.services.rules import rule_save
from clubs.models import Club, Court
from groups.models import Group
from groups.selectors import groups_for
from groups.services import personal_group_for

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """Every problem in the file, each prefixed with where it is."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: expected a time like 18:00, got {value!r}") from None


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: expected a whole number, got {value!r}")
    return value


def _float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list like [a, b], got {value!r}")
    return value


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a mapping like {{key: value}}, got {value!r}")
    return value


def _reject_nul(value: Any, where: str) -> None:
    """NUL cannot be stored (PostgreSQL refuses it mid-query), so say so before any lookup."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(f"{where}: text must not contain NUL characters")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key, where)
            _reject_nul(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_nul(item, f"{where}[{index}]")


def _optional_time(value: Any, where: str) -> time | None:
    return None if value is None else _time(value, where)


def _court(clubs: list[Club], ref: str) -> Court | None:
    """A court by name or Playtomic id: of the rule's own club first, then of its fallback
    clubs in order."""
    for club in clubs:
        court = club.courts.filter(Q(name=ref) | Q(playtomic_id=ref)).first()
        if court is not None:
            return court
    return None


def _group(owner: Any, name: Any, where: str) -> Group:
    """The owner's group called `name`, or their personal group when there is no name."""
    if name is None:
        return personal_group_for(user=owner)
    group = groups_for(owner).filter(name=str(name), personal_for__isnull=True).first()
    if group is None:
        raise ValueError(f"{where}.group: {owner} is in no group called {name!r}")
    return group


def _rule_fields(raw: dict[str, Any], where: str) -> tuple[Any, Group, dict[str, Any], list[Any]]:
    _reject_nul(raw, where)
    users = get_user_model()
    try:
        owner = users.objects.get(username=raw["owner"])
    except KeyError:
        raise ValueError(f"{where}: 'owner' (a username) is required") from None
    except users.DoesNotExist:
        raise ValueError(f"{where}: no user named {raw['owner']!r}") from None
    group = _group(owner, raw.get("group"), where)
    club_ref = str(raw.get("club", ""))
    club = Club.objects.filter(Q(playtomic_id=club_ref) | Q(slug=club_ref)).first()
    if club is None:
        raise ValueError(f"{where}: unknown club {club_ref!r} (import it first)")
    weekdays = []
    for day in _list(raw.get("weekdays"), f"{where}.weekdays"):
        name = str(day).lower()[:3]
        if name not in DAYS:
            raise ValueError(f"{where}: unknown weekday {day!r} (use mon..sun)")
        weekdays.append(DAYS.index(name))
    fallback = _mapping(raw.get("fallback"), f"{where}.fallback")
    fallback_clubs, unknown = selectors.clubs_by_reference(
        str(ref) for ref in _list(fallback.get("clubs"), f"{where}.fallback.clubs")
    )
    if unknown:
        raise ValueError(f"{where}.fallback.clubs: unknown club {unknown[0]!r} (import it first)")
    courts = []
    for ref in _list(raw.get("courts"), f"{where}.courts"):
        court = _court([club, *fallback_clubs], str(ref))
        if court is None:
            raise ValueError(f"{where}: the rule's clubs have no court {ref!r}")
        courts.append(court.pk)
    accounts = []
    usable = selectors.rule_account_choices(group, owner)
    for label in _list(raw.get("accounts"), f"{where}.accounts"):
        # The owner's own account first, then one lent to the group.
        labelled = usable.filter(label=str(label)).order_by("pk")
        account = labelled.filter(owner=owner).first() or labelled.first()
        if account is None:
            raise ValueError(
                f"{where}: neither {owner} nor {group} has a Playtomic account labelled {label!r}"
            )
        accounts.append(account)
    players = []
    for username in _list(raw.get("who_plays"), f"{where}.who_plays"):
        player = group.memberships.filter(user__username=str(username)).first()
        if player is None:
            raise ValueError(f"{where}.who_plays: {username!r} is not in {group}")
        players.append(player.user)
    release = _mapping(raw.get("release"), f"{where}.release") or {"policy": "rolling"}
    snipe = _mapping(raw.get("snipe"), f"{where}.snipe")
    max_price = raw.get("max_price")
    try:
        price = None if max_price is None else Decimal(str(max_price))
    except InvalidOperation:
        raise ValueError(f"{where}: max_price must be a number") from None
    days_before = release.get("days_before")
    fields: dict[str, Any] = {
        "name": str(raw.get("name") or ""),
        "club": club,
        "weekdays": weekdays,
        "earliest_start": _time(raw.get("earliest_start"), f"{where}.earliest_start"),
        "latest_start": _time(raw.get("latest_start"), f"{where}.latest_start"),
        "fallback_earliest_start": _optional_time(
            fallback.get("earliest_start"), f"{where}.fallback.earliest_start"
        ),
        "fallback_latest_start": _optional_time(
            fallback.get("latest_start"), f"{where}.fallback.latest_start"
        ),
        "fallback_clubs": fallback_clubs,
        "durations": _list(raw.get("durations", [90]), f"{where}.durations"),
        "court_preference": courts,
        "only_listed_courts": bool(raw.get("only_listed_courts", False)),
        "surface": str(raw.get("surface", "any")),
        "max_price": price,
        "number_of_players": _int(raw.get("players", 4), f"{where}.players"),
        "players": players,
        "split_payment": bool(raw.get("split_payment", True)),
        "payment_methods": [
            str(m)
            for m in _list(raw.get("payment", ["club", "wallet", "card"]), f"{where}.payment")
        ],
        "rotate_accounts": bool(raw.get("rotate_accounts", False)),
        "release_policy": str(release.get("policy", "rolling")),
        "release_days_before": (
            None if days_before is None else _int(days_before, f"{where}.release.days_before")
        ),
        "release_local_time": (
            _time(release["local_time"], f"{where}.release.local_time")
            if release.get("local_time")
            else None
        ),
        "burst_seconds": _float(raw.get("burst_seconds", 10), f"{where}.burst_seconds"),
        "dry_run": bool(raw.get("dry_run", False)),
        "snipe_cancellations": bool(snipe.get("enabled", False)),
        "snipe_min_notice_minutes": _int(
            snipe.get("min_notice_minutes", 120), f"{where}.snipe.min_notice_minutes"
        ),
        "snipe_inside_cancellation_window": bool(snipe.get("inside_cancellation_window", False)),
        "enabled": bool(raw.get("enabled", True)),
    }
    if fields["surface"] not in BookingRule.Surface.values:
        raise ValueError(f"{where}.surface: one of {', '.join(BookingRule.Surface.values)}")
    if fields["release_policy"] not in BookingRule.ReleasePolicy.values:
        raise ValueError(f"{where}.release.policy: rolling or fixed")
    return owner, group, fields, accounts


def import_rules(text: str) -> list[BookingRule]:
    """Create or update (by group and name) every rule in the file, all or nothing."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(["the file must have a top-level 'rules:' list"])
    problems: list[str] = []
    saved: list[BookingRule] = []
    with transaction.atomic():
        for index, raw in enumerate(data["rules"]):
            where = f"rules[{index}]"
            if not isinstance(raw, dict):
                problems.append(f"{where}: expected a mapping")
                continue
            try:
                owner, group, fields, accounts = _rule_fields(raw, where)
                existing = BookingRule.objects.filter(group=group, name=fields["name"]).first()
                saved.append(
                    rule_save(owner=owner, rule=existing, group=group, accounts=accounts, **fields)
                )
            except (ValueError, TypeError) as exc:
                problems.append(str(exc))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    problems.extend(f"{where}.{field}: {m}" for m in messages)
            except PermissionDenied as exc:
                problems.append(f"{where}: {exc}")
        if problems:
            transaction.set_rollback(True)
            raise ConfigError(problems)
    return saved


def export_rules(rules: list[BookingRule]) -> str:
    out = []
    for rule in rules:
        clubs = selectors.rule_clubs(rule)
        courts = {c.pk: c.name for club in clubs for c in club.courts.all()}
        fallback: dict[str, Any] = {}
        if len(clubs) > 1:
            fallback["clubs"] = [club.slug or club.playtomic_id for club in clubs[1:]]
        if rule.fallback_earliest_start and rule.fallback_latest_start:
            fallback["earliest_start"] = rule.fallback_earliest_start.strftime("%H:%M")
            fallback["latest_start"] = rule.fallback_latest_start.strftime("%H:%M")
        release: dict[str, Any] = {"policy": rule.release_policy}
        if rule.release_policy == BookingRule.ReleasePolicy.FIXED:
            release["days_before"] = rule.release_days_before
            release["local_time"] = (
                rule.release_local_time.isoformat() if rule.release_local_time else None
            )
        out.append(
            {
                "name": rule.name,
                "owner": rule.owner.get_username(),
                **({} if rule.group.is_personal else {"group": rule.group.name}),
                "club": rule.club.slug or rule.club.playtomic_id,
                "weekdays": [DAYS[d] for d in rule.weekdays],
                "earliest_start": rule.earliest_start.strftime("%H:%M"),
                "latest_start": rule.latest_start.strftime("%H:%M"),
                **({"fallback": fallback} if fallback else {}),
                "durations": list(rule.durations),
                "courts": [courts[pk] for pk in rule.court_preference if pk in courts],
                "only_listed_courts": rule.only_listed_courts,
                "surface": rule.surface,
                "max_price": None if rule.max_price is None else float(rule.max_price),
                "players": rule.number_of_players,
                "who_plays": [link.user.get_username() for link in rule.player_links.all()],
                "split_payment": rule.split_payment,
                "payment": list(rule.payment_methods),
                "accounts": [a.label for a in rule.accounts.order_by("pk")],
                "rotate_accounts": rule.rotate_accounts,
                "release": release,
                "burst_seconds": rule.burst_seconds,
                "dry_run": rule.dry_run,
                "snipe": {
                    "enabled": rule.snipe_cancellations,
                    "min_notice_minutes": rule.snipe_min_notice_minutes,
                    "inside_cancellation_window": rule.snipe_inside_cancellation_window,
                },
                "enabled": rule.enabled,
            }
        )
    return yaml.safe_dump({"rules": out}, sort_keys=False, allow_unicode=True)
