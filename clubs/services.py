"""Write paths of the clubs app: importing clubs from Playtomic and keeping each monitoring
config's beat schedule in step with it (here, never in signals)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from accounts.client import account_client, account_interactive_client
from accounts.models import PlaytomicAccount
from clubs.models import Club, Court, MonitoringConfig
from clubs.selectors import (
    club_horizon_days,
    club_sports,
    default_sports_for,
    reader_account_default,
    schedule_first_minute,
    schedule_step_minutes,
)
from playtomic.client import PlaytomicClient
from playtomic.errors import NotFound, PlaytomicError
from playtomic.types import WEEKDAYS, Address, DayHours, OpeningHours, Tenant
from playtomic.types import Court as TenantCourt
from playtomic_monitor.bulk_delete import delete_dependents
from playtomic_monitor.errors import PlaytomicUnavailable as PlaytomicUnavailable  # re-export
from playtomic_monitor.ratelimit import poll_guard

logger = logging.getLogger(__name__)

MAX_DAYS_AHEAD = 30
# What an id or slug from a person may look like before it goes anywhere near a URL.
PLAYTOMIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,199}")
MAX_SEARCH_RADIUS_M = 200_000
# Search coordinates are rounded to this many decimals (about 11 m), so nearby searches share
# a cache entry; nobody searches a radius that finely.
SEARCH_COORDINATE_DECIMALS = 4
# Part of the search cache's keys: bump it when the cached shape (_tenant_json) changes.
SEARCH_CACHE_VERSION = 1


class NoReaderAccount(ValidationError):
    """No Playtomic account is available to read with (Playtomic needs one for every read)."""

    kind = "no_account"

    def __init__(self) -> None:
        super().__init__(
            _(
                "No Playtomic account is available for monitoring: add a Playtomic account for "
                "monitoring (a staff user's account, or one chosen in the club's monitoring "
                "settings)."
            )
        )


# ------------------------------------------------------------------------------ reading


def reader_account(
    *, club: Club | None = None, account: PlaytomicAccount | None = None
) -> PlaytomicAccount:
    """The account reads are made with: the given one, else the club's monitoring account,
    else the default (the oldest working account of a staff user)."""
    if account is not None:
        return account
    if club is not None:
        config = MonitoringConfig.objects.filter(club=club).select_related("account").first()
        if config is not None and config.account is not None:
            return config.account
    default = reader_account_default()
    if default is None:
        raise NoReaderAccount()
    return default


def reader_client(
    *, club: Club | None = None, account: PlaytomicAccount | None = None
) -> PlaytomicClient:
    """A logged-in client for background reads (the daily refresh), behind the shared poll
    rate limiter and breaker."""
    chosen = reader_account(club=club, account=account)
    try:
        return account_client(
            account=chosen,
            observer=poll_guard(),
            read_timeout=settings.PLAYTOMIC_READ_TIMEOUT,
        )
    except PlaytomicError as exc:
        raise PlaytomicUnavailable(exc) from exc


def interactive_client(*, account: PlaytomicAccount | None = None) -> PlaytomicClient:
    """A logged-in client for reads a person waits on (search, import), on the interactive
    budget: it refuses within seconds (`PlaytomicUnavailable`) rather than hold a web
    worker."""
    chosen = reader_account(account=account)
    try:
        return account_interactive_client(account=chosen)
    except PlaytomicError as exc:
        raise PlaytomicUnavailable(exc) from exc


# ------------------------------------------------------------------------------ clubs


def club_search(
    *,
    query: str | None = None,
    coordinate: tuple[float, float] | None = None,
    radius_m: int | None = None,
    sport_id: str | None = None,
    account: PlaytomicAccount | None = None,
) -> list[Tenant]:
    """Search Playtomic clubs by name and/or near a place (active clubs only), on the
    interactive budget. The same search (name in any case and spacing, place to about 11 m,
    radius, sport) is answered from the cache for PLAYTOMIC_SEARCH_CACHE_SECONDS."""
    query = " ".join((query or "").split()) or None
    errors: dict[str, str] = {}
    if query is None and coordinate is None:
        errors["query"] = _("Enter part of a club name, or a place to search near.")
    if query is not None and len(query) < 2:
        errors["query"] = _("Enter at least 2 characters of the club name.")
    if coordinate is not None:
        lat, lon = coordinate
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            errors["coordinate"] = _("Latitude must be within ±90 and longitude within ±180.")
    if radius_m is not None:
        if coordinate is None:
            errors["radius_m"] = _("A radius needs a place to search around.")
        elif not 0 < radius_m <= MAX_SEARCH_RADIUS_M:
            errors["radius_m"] = _("Radius must be between 1 and %(most)s metres.") % {
                "most": MAX_SEARCH_RADIUS_M
            }
    if errors:
        raise ValidationError(errors)
    if coordinate is not None:
        coordinate = (
            round(coordinate[0], SEARCH_COORDINATE_DECIMALS),
            round(coordinate[1], SEARCH_COORDINATE_DECIMALS),
        )
    sport = (sport_id or "").strip().upper() or None
    key = _search_cache_key(query=query, coordinate=coordinate, radius_m=radius_m, sport_id=sport)
    cached = _search_cached(key)
    if cached is not None:
        return cached
    client = interactive_client(account=account)
    try:
        tenants: list[Tenant] = client.search_tenants(
            name=query, coordinate=coordinate, radius_m=radius_m, sport_id=sport
        )
    except PlaytomicError as exc:
        raise PlaytomicUnavailable(exc) from exc
    finally:
        client.close()
    seconds = int(settings.PLAYTOMIC_SEARCH_CACHE_SECONDS)
    if seconds > 0:
        cache.set(key, [_tenant_json(t) for t in tenants], timeout=seconds)
    return tenants


def _search_cache_key(
    *,
    query: str | None,
    coordinate: tuple[float, float] | None,
    radius_m: int | None,
    sport_id: str | None,
) -> str:
    # Playtomic's name filter is free text, matched regardless of case.
    spec = [query.casefold() if query else None, coordinate, radius_m, sport_id]
    digest = hashlib.sha256(json.dumps(spec).encode()).hexdigest()
    return f"clubs:search:v{SEARCH_CACHE_VERSION}:{digest}"


def _search_cached(key: str) -> list[Tenant] | None:
    """The cached hits, or None on a miss (an entry this code cannot read is one)."""
    if int(settings.PLAYTOMIC_SEARCH_CACHE_SECONDS) <= 0:
        return None
    rows = cache.get(key)
    if not isinstance(rows, list):
        return None
    try:
        return [_tenant_from_json(row) for row in rows]
    except (KeyError, TypeError, ValueError):
        logger.warning("Unreadable club search cache entry %s; searching again", key)
        return None


# Tenant fields that are not plain JSON values.
_TENANT_PARTS = {"address", "courts", "opening_hours", "sport_ids", "properties"}


def _tenant_json(tenant: Tenant) -> dict[str, Any]:
    """A search hit as plain JSON data for the cache: never pickled objects, which code that
    changed the classes could not read back."""
    data: dict[str, Any] = {
        f.name: getattr(tenant, f.name)
        for f in dataclasses.fields(tenant)
        if f.name not in _TENANT_PARTS
    }
    data["address"] = dataclasses.asdict(tenant.address)
    data["courts"] = [
        {**dataclasses.asdict(court), "durations": list(court.durations)} for court in tenant.courts
    ]
    data["opening_hours"] = {
        day: [hours.opening.isoformat(), hours.closing.isoformat()]
        for day, hours in tenant.opening_hours.days.items()
    }
    data["sport_ids"] = list(tenant.sport_ids)
    data["properties"] = dict(tenant.properties)
    return data


def _tenant_from_json(data: dict[str, Any]) -> Tenant:
    return Tenant(
        **{name: value for name, value in data.items() if name not in _TENANT_PARTS},
        address=Address(**data["address"]),
        courts=tuple(
            TenantCourt(**{**court, "durations": tuple(court["durations"])})
            for court in data["courts"]
        ),
        opening_hours=OpeningHours(
            {
                day: DayHours(time.fromisoformat(opening), time.fromisoformat(closing))
                for day, (opening, closing) in data["opening_hours"].items()
            }
        ),
        sport_ids=tuple(data["sport_ids"]),
        properties=dict(data["properties"]),
    )


def _fetch_tenant(client: PlaytomicClient, *, tenant_id: str | None, slug: str | None) -> Tenant:
    if tenant_id is not None:
        try:
            tenant: Tenant = client.get_tenant(tenant_id)
        except NotFound as exc:
            raise ValidationError({"tenant_id": _("Playtomic has no club with this id.")}) from exc
        return tenant
    matches = client.search_tenants(slug=slug, active_only=False)
    exact = [t for t in matches if t.slug == slug]
    if not exact:
        raise ValidationError({"slug": _("Playtomic has no club with this slug.")})
    # The search listing may be abridged; the tenant endpoint is the full record.
    full: Tenant = client.get_tenant(exact[0].tenant_id)
    return full


def _opening_hours_json(tenant: Tenant) -> dict[str, dict[str, str]]:
    return {
        day: {
            "opening_time": hours.opening.strftime("%H:%M"),
            "closing_time": hours.closing.strftime("%H:%M"),
        }
        for day, hours in tenant.opening_hours.days.items()
        if day in WEEKDAYS or day == "HOLIDAYS"
    }


@transaction.atomic
def club_store_tenant(*, tenant: Tenant) -> Club:
    """Create or update the club and its courts from a Playtomic tenant. Courts Playtomic no
    longer lists (or lists as inactive) are deactivated, never deleted: their history stays."""
    now = timezone.now()
    address = tenant.address
    club, created = Club.objects.select_for_update().get_or_create(
        playtomic_id=tenant.tenant_id, defaults={"name": tenant.name, "imported_at": now}
    )
    old_zone = club.timezone
    club.slug = tenant.slug or ""
    club.name = tenant.name
    club.street = address.street or ""
    club.postal_code = address.postal_code or ""
    club.city = address.city or ""
    club.country = address.country or ""
    club.country_code = (address.country_code or "")[:2]
    club.latitude = address.latitude
    club.longitude = address.longitude
    club.timezone = tenant.timezone
    club.opening_hours = _opening_hours_json(tenant)
    club.booking_ahead_limit_minutes = tenant.booking_ahead_limit_minutes
    club.cancellation_policy_hours = tenant.cancellation_policy_hours
    club.sport_ids = list(tenant.sport_ids)
    club.currency = (tenant.currency or "")[:3]
    club.allows_onsite_payment = tenant.allows_onsite_payment
    club.playtomic_status = tenant.playtomic_status or ""
    club.metadata_refreshed_at = now
    if club.imported_at is None:
        club.imported_at = now
    club.save()

    existing = {court.playtomic_id: court for court in club.courts.all()}
    for remote in tenant.courts:
        court = existing.pop(remote.resource_id, None) or Court(
            club=club, playtomic_id=remote.resource_id
        )
        court.name = remote.name
        court.sport_id = remote.sport_id
        court.indoor = remote.indoor
        court.size = remote.size or ""
        court.feature = remote.feature or ""
        court.durations = list(remote.durations)
        court.reservation_priority = remote.reservation_priority
        court.is_active = remote.is_active
        court.save()
    if existing:
        Court.objects.filter(pk__in=[c.pk for c in existing.values()]).update(
            is_active=False, updated_at=now
        )
    if not created and old_zone != club.timezone:
        config = MonitoringConfig.objects.filter(club=club).first()
        if config is not None:
            _sync_periodic_task(config)
    return club


def club_import(
    *,
    tenant_id: str | None = None,
    slug: str | None = None,
    account: PlaytomicAccount | None = None,
) -> Club:
    """Import a club (every sport, every court) by tenant id or slug; re-importing updates it
    in place."""
    tenant_id = (tenant_id or "").strip() or None
    slug = (slug or "").strip() or None
    if (tenant_id is None) == (slug is None):
        raise ValidationError({"tenant_id": _("Give either a Playtomic tenant id or a club slug.")})
    if tenant_id is not None and not PLAYTOMIC_ID.fullmatch(tenant_id):
        raise ValidationError(
            {"tenant_id": _("A Playtomic tenant id is letters, digits and dashes (at most 64).")}
        )
    if slug is not None and not SLUG.fullmatch(slug):
        raise ValidationError(
            {"slug": _("A club slug is lower-case letters, digits and dashes (at most 200).")}
        )
    client = interactive_client(account=account)
    try:
        tenant = _fetch_tenant(client, tenant_id=tenant_id, slug=slug)
    except PlaytomicError as exc:
        raise PlaytomicUnavailable(exc) from exc
    finally:
        client.close()
    return club_store_tenant(tenant=tenant)


def club_refresh_metadata(*, club: Club) -> Club:
    """Re-read the club from Playtomic and update it in place (the daily refresh)."""
    client = reader_client(club=club)
    try:
        tenant = _fetch_tenant(client, tenant_id=club.playtomic_id, slug=None)
    except PlaytomicError as exc:
        raise PlaytomicUnavailable(exc) from exc
    finally:
        client.close()
    return club_store_tenant(tenant=tenant)


def club_update(*, club: Club, name: str | None = None) -> Club:
    """Local edits. Only the display name is ours to change; the rest comes from Playtomic."""
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationError({"name": _("The club needs a name.")})
        if len(name) > 200:
            raise ValidationError({"name": _("Keep the name to 200 characters.")})
        club.name = name
        club.save(update_fields=["name", "updated_at"])
    return club


@transaction.atomic
def club_delete(*, club: Club) -> None:
    """Delete the club with its courts and history, and its beat schedule. The history goes
    with set-based DELETEs (`delete_dependents`): a club with a year of changes is gone in
    seconds, where Django's collector took minutes."""
    with transaction.atomic():
        config = MonitoringConfig.objects.filter(club=club).first()
        if config is not None and config.periodic_task_id is not None:
            PeriodicTask.objects.filter(pk=config.periodic_task_id).delete()
        delete_dependents(Club.objects.filter(pk=club.pk))
        club.delete()


# ------------------------------------------------------------------------------ monitoring


@dataclasses.dataclass(frozen=True, kw_only=True)
class MonitoringSettings:
    """What a monitoring config says, as the admin, the club page and the API hand it to
    monitoring_configure. `sports=None` polls the club's default (default_sports_for)."""

    enabled: bool = True
    frequency_minutes: int = 15
    start_time_local: time = time(8)
    end_time_local: time = time(23)
    days_ahead: int = 7
    sports: list[str] | None = None
    account: PlaytomicAccount | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> MonitoringSettings:
        """The settings among `values` (a form's cleaned_data, a serializer's validated_data,
        a config's fields); what `values` lacks keeps its default."""
        return cls(**{name: value for name, value in values.items() if name in MONITORING_FIELDS})

    @classmethod
    def of(cls, config: MonitoringConfig) -> MonitoringSettings:
        return cls.from_mapping({name: getattr(config, name) for name in MONITORING_FIELDS})

    def fields(self) -> dict[str, Any]:
        # Not dataclasses.asdict: it deep-copies the account row.
        return {name: getattr(self, name) for name in MONITORING_FIELDS}


# The MonitoringConfig fields a person sets (the admin and the page show them in this order).
MONITORING_FIELDS = tuple(field.name for field in dataclasses.fields(MonitoringSettings))


def monitoring_validate(
    *,
    club: Club,
    monitoring: MonitoringSettings,
    user: AbstractBaseUser | AnonymousUser | None,
) -> MonitoringSettings:
    """The settings as they would be stored (the club's default sports filled in, sport ids
    upper-cased once each); raises a ValidationError with one message per bad field."""
    sports = monitoring.sports
    if sports is None:
        sports = default_sports_for(club=club)
    sports = list(dict.fromkeys(s.strip().upper() for s in sports if s and s.strip()))
    monitoring = dataclasses.replace(monitoring, sports=sports)
    errors: dict[str, str] = {}
    minimum = int(settings.MONITORING_MIN_FREQUENCY_MINUTES)
    if monitoring.frequency_minutes < minimum:
        errors["frequency_minutes"] = _(
            "Poll at most every %(minimum)s minutes (Playtomic's limits)."
        ) % {"minimum": minimum}
    elif monitoring.frequency_minutes > 24 * 60:
        errors["frequency_minutes"] = _("Poll at least once a day (1440 minutes).")
    if monitoring.start_time_local >= monitoring.end_time_local:
        errors["end_time_local"] = _("The window must end after it starts (same day, club time).")
    horizon = min(club_horizon_days(club=club), MAX_DAYS_AHEAD)
    days_ahead = monitoring.days_ahead
    if days_ahead < 0:
        errors["days_ahead"] = _("Days ahead cannot be negative.")
    elif days_ahead > horizon:
        errors["days_ahead"] = _(
            "This club takes bookings %(horizon)s days ahead at most; "
            "choose between 0 and %(horizon)s."
        ) % {"horizon": horizon}
    offered = club_sports(club=club)
    if not sports:
        errors["sports"] = _("Choose at least one sport.")
    else:
        unknown = [s for s in sports if s not in offered]
        if unknown:
            errors["sports"] = _("This club does not offer %(unknown)s; it offers %(offered)s.") % {
                "unknown": ", ".join(unknown),
                "offered": ", ".join(offered) or _("no sport yet (re-import it)"),
            }
    account = monitoring.account
    if account is not None:
        if account.status == PlaytomicAccount.Status.FAILED:
            errors["account"] = _("This Playtomic account cannot log in; fix it first.")
        elif (
            user is not None
            and account.owner_id != getattr(user, "pk", None)
            and not (getattr(user, "is_staff", False) and account.owner.is_staff)
        ):
            # A member's login is theirs to book with; staff may only read with their own
            # accounts or other staff members' (the shared monitoring pool).
            errors["account"] = _(
                "You can only monitor with your own Playtomic account or a staff member's."
            )
    if errors:
        raise ValidationError(errors)
    return monitoring


def _schedule_fields(config: MonitoringConfig) -> dict[str, str]:
    """Crontab fields in the club's zone whose ticks include every due moment of the window,
    from its first poll (start + the club's offset, schedule_first_minute); the task filters
    the rest (monitoring_is_due)."""
    step = schedule_step_minutes(config.frequency_minutes)
    first = schedule_first_minute(config=config)
    anchor = first % 60 % step
    minutes = ",".join(str(m) for m in range(anchor, 60, step))
    hours = f"{first // 60}-{config.end_time_local.hour}"
    return {
        "minute": minutes,
        "hour": hours,
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
    }


def _sync_periodic_task(config: MonitoringConfig) -> PeriodicTask:
    club = config.club
    crontab, _ = CrontabSchedule.objects.get_or_create(
        **_schedule_fields(config), timezone=ZoneInfo(club.timezone)
    )
    fields: dict[str, Any] = {
        "task": settings.MONITORING_POLL_TASK,
        "crontab": crontab,
        "interval": None,
        "args": json.dumps([club.pk]),
        "kwargs": "{}",
        "queue": "poll",
        "enabled": config.enabled,
        # A poll delivered after the next one is due has lost its point.
        "expire_seconds": max(60, config.frequency_minutes * 60 // 2),
        "description": (
            f"Poll {club.name} every {config.frequency_minutes} min, "
            f"{config.start_time_local:%H:%M}-{config.end_time_local:%H:%M} {club.timezone}, "
            f"{config.days_ahead} days ahead. Managed by clubs.services.monitoring_configure."
        ),
    }
    task = PeriodicTask.objects.filter(pk=config.periodic_task_id).first()
    if task is None:
        task = PeriodicTask(name=f"Poll club {club.pk}: {club.name}"[:200], **fields)
    else:
        for name, value in fields.items():
            setattr(task, name, value)
    # save() bumps PeriodicTasks.last_update, which makes beat reload its schedule.
    task.save()
    if config.periodic_task_id != task.pk:
        config.periodic_task = task
        config.save(update_fields=["periodic_task", "updated_at"])
    return task


@transaction.atomic
def monitoring_configure(
    *,
    club: Club,
    monitoring: MonitoringSettings | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
) -> MonitoringConfig:
    """Create or update the club's monitoring config (by default: `MonitoringSettings()`) and
    its beat schedule (a crontab in the club's zone). `enabled=False` keeps the schedule but
    disables it."""
    try:
        ZoneInfo(club.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            {
                "club": _("The club's time zone %(zone)r is unknown; re-import it.")
                % {"zone": club.timezone}
            }
        ) from exc
    monitoring = monitoring_validate(
        club=club, monitoring=monitoring or MonitoringSettings(), user=user
    )
    config = MonitoringConfig.objects.select_for_update().filter(club=club).first()
    if config is None:
        config = MonitoringConfig(club=club)
        if user is not None and user.is_authenticated:
            config.created_by_id = user.pk
    for name, value in monitoring.fields().items():
        setattr(config, name, value)
    config.save()
    config.club = club
    _sync_periodic_task(config)
    return config


@transaction.atomic
def monitoring_delete(*, club: Club) -> None:
    """Stop monitoring the club: delete its config and its beat schedule. History stays."""
    config = MonitoringConfig.objects.filter(club=club).first()
    if config is None:
        return
    task_id = config.periodic_task_id
    config.delete()
    if task_id is not None:
        PeriodicTask.objects.filter(pk=task_id).delete()
