"""Typed results of the Playtomic API and the pure functions that parse raw payloads into them.

The parsers take decoded JSON (dicts and lists) and nothing else, so captured responses can be
fed to them directly. They ignore unknown fields, default optional ones, and raise
`SchemaError` naming the path of a missing or mistyped required field
(`resources[2].resource_id`). All API timestamps are naive UTC strings; they become aware UTC
datetimes here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from playtomic.errors import SchemaError

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
HOLIDAYS = "HOLIDAYS"
DEFAULT_DURATIONS = (60, 90, 120)

# ---------------------------------------------------------------------------------------------
# Field readers. `path` is the location of `obj` itself; the helpers extend it with the key.


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _as_object(value: object, path: str) -> Mapping[str, Any]:
    if isinstance(value, dict):  # what json gives; the abstract check below is much slower
        return value
    if not isinstance(value, Mapping):
        raise SchemaError(path, f"expected an object, got {_type_name(value)}")
    return value


def _as_list(value: object, path: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise SchemaError(path, f"expected a list, got {_type_name(value)}")
    return value


def _req_str(obj: Mapping[str, Any], key: str, path: str) -> str:
    value = obj.get(key)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # User ids are decimal strings, but a number is an unambiguous rendering of one.
        return str(value)
    raise SchemaError(_join(path, key), f"expected a non-empty string, got {_type_name(value)}")


def _opt_str(obj: Mapping[str, Any], key: str, path: str) -> str | None:
    if obj.get(key) in (None, ""):
        return None
    return _req_str(obj, key, path)


def _to_int(value: object, path: str) -> int:
    if isinstance(value, bool):
        raise SchemaError(path, "expected an integer, got bool")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise SchemaError(path, f"expected an integer, got {_type_name(value)}")


def _opt_int(obj: Mapping[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    return None if value is None else _to_int(value, _join(path, key))


def _opt_float(obj: Mapping[str, Any], key: str, path: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise SchemaError(_join(path, key), f"expected a number, got {_type_name(value)}")


def _opt_bool(obj: Mapping[str, Any], key: str, path: str) -> bool | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise SchemaError(_join(path, key), f"expected a boolean, got {_type_name(value)}")


def _opt_object(obj: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    value = obj.get(key)
    return {} if value is None else _as_object(value, _join(path, key))


def _opt_list(obj: Mapping[str, Any], key: str, path: str) -> Sequence[Any]:
    value = obj.get(key)
    return [] if value is None else _as_list(value, _join(path, key))


def parse_utc_datetime(value: object, path: str = "") -> datetime:
    """`"2026-02-19T09:00:00"` (naive, meaning UTC) -> aware UTC datetime. Also accepts
    fractional seconds and an explicit `Z` or offset, converted to UTC."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    raise SchemaError(path, f"expected a timestamp YYYY-MM-DDTHH:MM:SS, got {value!r:.40}")


def _req_datetime(obj: Mapping[str, Any], key: str, path: str) -> datetime:
    return parse_utc_datetime(obj.get(key), _join(path, key))


def _opt_datetime(obj: Mapping[str, Any], key: str, path: str) -> datetime | None:
    value = obj.get(key)
    return None if value in (None, "") else parse_utc_datetime(value, _join(path, key))


def _parse_date(value: object, path: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise SchemaError(path, f"expected a date YYYY-MM-DD, got {value!r:.40}")


def _parse_time(value: object, path: str) -> time:
    if isinstance(value, str):
        parsed = _time_from_text(value)
        if parsed is not None:
            return parsed
    raise SchemaError(path, f"expected a time HH:MM[:SS], got {value!r:.40}")


# Availability answers repeat a few dozen start times and prices hundreds of times each:
# parsing each distinct text once keeps a poll's parse cheap.
@lru_cache(maxsize=4096)
def _time_from_text(value: str) -> time | None:
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Money


_MONEY_RE = re.compile(
    r"^\s*(?:(?P<amount>-?\d+(?:\.\d+)?)\s*(?P<cur>[A-Za-z]{3})"
    r"|(?P<cur2>[A-Za-z]{3})\s*(?P<amount2>-?\d+(?:\.\d+)?))\s*$"
)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@lru_cache(maxsize=4096)
def _money_from_text(value: str) -> Money | None:
    """`"38.33 EUR"` -> Money, or None if it is not money (Money is immutable: shared)."""
    match = _MONEY_RE.match(value)
    if not match:
        return None
    amount = match.group("amount") or match.group("amount2")
    currency = match.group("cur") or match.group("cur2")
    return Money(Decimal(amount), currency.upper())


def parse_money(value: object, path: str = "") -> Money:
    """`"38.33 EUR"` -> Money(Decimal("38.33"), "EUR"). Also accepts `{"amount", "currency"}`."""
    if isinstance(value, str):
        money = _money_from_text(value)
        if money is not None:
            return money
        raise SchemaError(path, f"expected money like '38.33 EUR', got {value!r:.40}")
    if isinstance(value, Mapping):
        raw_amount = value.get("amount")
        currency = value.get("currency")
        if not isinstance(currency, str) or len(currency.strip()) != 3:
            raise SchemaError(_join(path, "currency"), "expected a 3-letter currency code")
        if isinstance(raw_amount, bool) or not isinstance(raw_amount, int | float | str):
            raise SchemaError(_join(path, "amount"), f"expected a number, got {raw_amount!r:.40}")
        try:
            amount_value = Decimal(str(raw_amount))
        except InvalidOperation:
            raise SchemaError(_join(path, "amount"), "expected a number") from None
        if not amount_value.is_finite():
            raise SchemaError(_join(path, "amount"), "expected a finite number")
        return Money(amount_value, currency.strip().upper())
    raise SchemaError(path, f"expected money, got {_type_name(value)}")


def _opt_money(obj: Mapping[str, Any], key: str, path: str) -> Money | None:
    value = obj.get(key)
    return None if value in (None, "") else parse_money(value, _join(path, key))


# ---------------------------------------------------------------------------------------------
# Tenants


@dataclass(frozen=True, slots=True)
class Address:
    street: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    country_code: str | None
    latitude: float | None
    longitude: float | None
    timezone: str | None


@dataclass(frozen=True, slots=True)
class DayHours:
    """Club-local opening and closing time of one day. A closing time at or before the opening
    time (typically `00:00`) means the club closes on the next calendar day."""

    opening: time
    closing: time


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Opening hours keyed `MONDAY`..`SUNDAY` and optionally `HOLIDAYS`."""

    days: Mapping[str, DayHours] = field(default_factory=dict)

    def for_weekday(self, weekday: int) -> DayHours | None:
        """`weekday` as `date.weekday()`: 0 = Monday."""
        return self.days.get(WEEKDAYS[weekday])

    def interval_on(
        self, local_date: date, tz: str | ZoneInfo, *, holiday: bool = False
    ) -> tuple[datetime, datetime] | None:
        """The open interval of the club-local `local_date` as aware datetimes in `tz`, or None
        if the club has no hours that day. `holiday=True` uses the `HOLIDAYS` entry when
        there is one."""
        hours = self.days.get(HOLIDAYS) if holiday else None
        hours = hours or self.days.get(WEEKDAYS[local_date.weekday()])
        if hours is None:
            return None
        zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        opens = datetime.combine(local_date, hours.opening, tzinfo=zone)
        close_date = local_date if hours.closing > hours.opening else local_date + timedelta(1)
        closes = datetime.combine(close_date, hours.closing, tzinfo=zone)
        return opens, closes


@dataclass(frozen=True, slots=True)
class Court:
    resource_id: str
    name: str
    sport_id: str
    is_active: bool
    indoor: bool | None
    size: str | None
    feature: str | None
    durations: tuple[int, ...]
    reservation_priority: int
    allows_onsite_payment: bool | None = None


@dataclass(frozen=True, slots=True)
class Tenant:
    tenant_id: str
    slug: str | None
    name: str
    playtomic_status: str | None
    address: Address
    timezone: str
    courts: tuple[Court, ...]
    opening_hours: OpeningHours
    booking_ahead_limit_minutes: int | None
    cancellation_policy_hours: int | None
    sport_ids: tuple[str, ...]
    currency: str | None
    allows_onsite_payment: bool
    properties: Mapping[str, str] = field(default_factory=dict)
    # booking_settings limits per account (null in every capture: no limit).
    max_active_bookings: int | None = None
    max_bookings_per_day: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _parse_address(obj: Mapping[str, Any], path: str) -> Address:
    coordinate = _opt_object(obj, "coordinate", path)
    coord_path = _join(path, "coordinate")
    return Address(
        street=_opt_str(obj, "street", path),
        postal_code=_opt_str(obj, "postal_code", path),
        city=_opt_str(obj, "city", path),
        country=_opt_str(obj, "country", path),
        country_code=_opt_str(obj, "country_code", path),
        latitude=_opt_float(coordinate, "lat", coord_path),
        longitude=_opt_float(coordinate, "lon", coord_path),
        timezone=_opt_str(obj, "timezone", path),
    )


def _parse_opening_hours(obj: Mapping[str, Any], path: str) -> OpeningHours:
    days: dict[str, DayHours] = {}
    for key, raw in obj.items():
        day = str(key).upper()
        if (day not in WEEKDAYS and day != HOLIDAYS) or raw is None:
            continue
        day_path = _join(path, str(key))
        entry = _as_object(raw, day_path)
        days[day] = DayHours(
            opening=_parse_time(entry.get("opening_time"), _join(day_path, "opening_time")),
            closing=_parse_time(entry.get("closing_time"), _join(day_path, "closing_time")),
        )
    return OpeningHours(days)


_SIZES = ("single", "double")


def parse_court(obj: object, path: str = "") -> Court:
    data = _as_object(obj, path)
    props = _opt_object(data, "properties", path)
    props_path = _join(path, "properties")
    settings = _opt_object(data, "booking_settings", path)
    settings_path = _join(path, "booking_settings")
    resource_type = (_opt_str(props, "resource_type", props_path) or "").lower()
    size = (_opt_str(props, "resource_size", props_path) or "").lower()
    raw_durations = settings.get("allowed_duration_increments")
    if raw_durations:
        durations_path = _join(settings_path, "allowed_duration_increments")
        durations = tuple(
            sorted(
                {
                    _to_int(item, f"{durations_path}[{i}]")
                    for i, item in enumerate(_as_list(raw_durations, durations_path))
                }
            )
        )
    else:
        durations = DEFAULT_DURATIONS
    is_active = _opt_bool(data, "is_active", path)
    return Court(
        resource_id=_req_str(data, "resource_id", path),
        name=_req_str(data, "name", path),
        sport_id=_req_str(data, "sport_id", path),
        is_active=True if is_active is None else is_active,
        indoor={"indoor": True, "outdoor": False}.get(resource_type),
        size=size if size in _SIZES else None,
        feature=_opt_str(props, "resource_feature", props_path),
        durations=durations,
        reservation_priority=_opt_int(data, "reservation_priority", path) or 0,
        allows_onsite_payment=_opt_bool(settings, "allows_onsite_payment", settings_path),
    )


_POLICY_UNIT_HOURS = {"HOURS": 1, "DAYS": 24}


def _cancellation_hours(policy: Mapping[str, Any], path: str) -> int | None:
    amount = _opt_int(policy, "amount", path)
    unit = (_opt_str(policy, "unit", path) or "HOURS").upper()
    if amount is None:
        return None
    if unit in _POLICY_UNIT_HOURS:
        return amount * _POLICY_UNIT_HOURS[unit]
    if unit == "MINUTES":
        # Round up: reporting a shorter deadline than the club's would invite late cancels.
        return math.ceil(amount / 60)
    return None


def _properties(obj: Mapping[str, Any], path: str) -> dict[str, str]:
    raw = _opt_object(obj, "properties", path)
    return {str(k): v if isinstance(v, str) else str(v) for k, v in raw.items() if v is not None}


def parse_tenant(obj: object, path: str = "") -> Tenant:
    data = _as_object(obj, path)
    address_data = _opt_object(data, "address", path)
    address = _parse_address(address_data, _join(path, "address"))
    # The zone lives in address.timezone in every capture; a top-level field is tolerated.
    timezone = address.timezone or _opt_str(data, "timezone", path)
    tz_path = _join(path, "address.timezone")
    if timezone is None:
        raise SchemaError(tz_path, "missing club time zone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SchemaError(tz_path, f"unknown IANA time zone {timezone!r:.40}") from None

    resources_path = _join(path, "resources")
    courts = tuple(
        parse_court(item, f"{resources_path}[{i}]")
        for i, item in enumerate(_opt_list(data, "resources", path))
    )
    settings = _opt_object(data, "booking_settings", path)
    policy_key = (
        "default_cancelation_policy"
        if "default_cancelation_policy" in data
        else "default_cancellation_policy"
    )
    policy = _opt_object(data, policy_key, path)
    properties = _properties(data, path)

    sport_ids = tuple(s for s in _opt_list(data, "sport_ids", path) if isinstance(s, str)) or tuple(
        dict.fromkeys(c.sport_id for c in courts)
    )

    # On-site payment: the club property wins when present (the web app asks for it with
    # with_properties=ALLOWS_CASH_PAYMENT); otherwise any active court that allows it.
    cash_property = properties.get("ALLOWS_CASH_PAYMENT")
    top_level = _opt_bool(data, "allows_onsite_payment", path)
    if cash_property is not None:
        allows_onsite = cash_property.strip().lower() == "true"
    elif top_level is not None:
        allows_onsite = top_level
    else:
        allows_onsite = any(c.allows_onsite_payment for c in courts if c.is_active)

    return Tenant(
        tenant_id=_req_str(data, "tenant_id", path),
        slug=_opt_str(data, "slug", path) or _opt_str(data, "tenant_uid", path),
        name=_req_str(data, "tenant_name", path),
        playtomic_status=_opt_str(data, "playtomic_status", path),
        address=address if address.timezone else replace(address, timezone=timezone),
        timezone=timezone,
        courts=courts,
        opening_hours=_parse_opening_hours(
            _opt_object(data, "opening_hours", path), _join(path, "opening_hours")
        ),
        booking_ahead_limit_minutes=_opt_int(
            settings, "booking_ahead_limit", _join(path, "booking_settings")
        ),
        cancellation_policy_hours=_cancellation_hours(policy, _join(path, policy_key)),
        sport_ids=sport_ids,
        currency=_opt_str(data, "default_currency", path),
        allows_onsite_payment=allows_onsite,
        properties=properties,
        max_active_bookings=_opt_int(
            settings, "max_number_of_active_bookings", _join(path, "booking_settings")
        ),
        max_bookings_per_day=_opt_int(
            settings, "max_number_of_bookings_per_day", _join(path, "booking_settings")
        ),
    )


def unwrap_list(payload: object, path: str = "") -> Sequence[Any]:
    """A bare JSON array, or the defensive `{"content": [...]}` page envelope."""
    if isinstance(payload, Mapping) and "content" in payload:
        return _as_list(payload["content"], _join(path, "content"))
    return _as_list(payload, path)


def parse_tenants(payload: object) -> list[Tenant]:
    return [parse_tenant(item, f"[{i}]") for i, item in enumerate(unwrap_list(payload))]


# ---------------------------------------------------------------------------------------------
# Availability


@dataclass(frozen=True, slots=True)
class Slot:
    resource_id: str
    start: datetime
    duration_minutes: int
    price: Money

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True, slots=True)
class CourtAvailability:
    """One response entry: the free slots of one court whose UTC start falls on `start_date`
    (a UTC date, not the club-local one)."""

    resource_id: str
    start_date: date
    slots: tuple[Slot, ...]


def parse_court_availability(obj: object, path: str = "") -> CourtAvailability:
    data = _as_object(obj, path)
    resource_id = _req_str(data, "resource_id", path)
    start_date = _parse_date(data.get("start_date"), _join(path, "start_date"))
    slots_path = _join(path, "slots")
    slots = []
    starts: dict[time, datetime] = {}  # a few dozen start times, each slot's shared
    for i, raw in enumerate(_opt_list(data, "slots", path)):
        # A poll parses hundreds of slots: the usual shape is read directly, and anything
        # else takes the checked path below, which says where the answer went wrong.
        start_text, duration, price_text = (
            (raw.get("start_time"), raw.get("duration"), raw.get("price"))
            if isinstance(raw, dict)
            else (None, None, None)
        )
        start_time = _time_from_text(start_text) if isinstance(start_text, str) else None
        money = _money_from_text(price_text) if isinstance(price_text, str) else None
        if start_time is None or type(duration) is not int or money is None:
            slot_path = f"{slots_path}[{i}]"
            slot = _as_object(raw, slot_path)
            start_time = _parse_time(slot.get("start_time"), _join(slot_path, "start_time"))
            duration = _to_int(slot.get("duration"), _join(slot_path, "duration"))
            money = parse_money(slot.get("price"), _join(slot_path, "price"))
        start = starts.get(start_time)
        if start is None:
            start = starts[start_time] = datetime.combine(start_date, start_time, tzinfo=UTC)
        slots.append(Slot(resource_id, start, duration, money))
    return CourtAvailability(resource_id=resource_id, start_date=start_date, slots=tuple(slots))


def parse_availability(payload: object) -> list[CourtAvailability]:
    return [parse_court_availability(item, f"[{i}]") for i, item in enumerate(unwrap_list(payload))]


def merge_availability(entries: Iterable[CourtAvailability]) -> list[CourtAvailability]:
    """Merge entries of the same (resource, UTC date), dropping duplicate slots (overlapping
    windows return the same slot twice) and entries left without slots."""
    merged: dict[tuple[str, date], dict[tuple[datetime, int], Slot]] = {}
    for entry in entries:
        bucket = merged.setdefault((entry.resource_id, entry.start_date), {})
        for slot in entry.slots:
            bucket.setdefault((slot.start, slot.duration_minutes), slot)
    return [
        CourtAvailability(resource_id, start_date, tuple(bucket[k] for k in sorted(bucket)))
        for (resource_id, start_date), bucket in sorted(merged.items())
        if bucket
    ]


# ---------------------------------------------------------------------------------------------
# Auth


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    access_expires_at: datetime
    refresh_token: str | None
    refresh_expires_at: datetime | None
    user_id: str | None

    def __repr__(self) -> str:
        # Tokens are bearer credentials: never let them reach a log line or a traceback.
        return (
            f"Tokens(access_token='***', access_expires_at={self.access_expires_at.isoformat()}, "
            f"refresh_token={'***' if self.refresh_token else None!r}, "
            f"refresh_expires_at="
            f"{self.refresh_expires_at.isoformat() if self.refresh_expires_at else None}, "
            f"user_id={self.user_id!r})"
        )

    __str__ = __repr__


ACCESS_TOKEN_DEFAULT_LIFETIME = timedelta(hours=1)


def parse_tokens(obj: object, *, now: datetime) -> Tokens:
    """Login/refresh response -> Tokens. Without `access_token_expiration` the documented
    `expires_in` (seconds) is used, and failing that the usual one-hour lifetime."""
    data = _as_object(obj, "")
    access_expires = _opt_datetime(data, "access_token_expiration", "")
    if access_expires is None:
        expires_in = _opt_int(data, "expires_in", "")
        lifetime = (
            timedelta(seconds=expires_in)
            if expires_in is not None
            else ACCESS_TOKEN_DEFAULT_LIFETIME
        )
        access_expires = now.astimezone(UTC) + lifetime
    return Tokens(
        access_token=_req_str(data, "access_token", ""),
        access_expires_at=access_expires,
        refresh_token=_opt_str(data, "refresh_token", ""),
        refresh_expires_at=_opt_datetime(data, "refresh_token_expiration", ""),
        user_id=_opt_str(data, "user_id", ""),
    )


# ---------------------------------------------------------------------------------------------
# Payment intents and matches


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    payment_method_id: str
    name: str
    method_type: str
    balance: Money | None


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    payment_intent_id: str
    status: str
    price: Money | None
    available_payment_methods: tuple[PaymentMethod, ...]
    selected_payment_method_id: str | None
    match_id: str | None
    tenant_id: str | None = None
    resource_id: str | None = None
    start: datetime | None = None
    duration_minutes: int | None = None
    # Who the match registers (Playtomic user ids, the booker first), for how many players,
    # and how many parts the price is split into (1: the booker pays it all).
    registered_user_ids: tuple[str, ...] = ()
    number_of_players: int | None = None
    split_payment_parts: int | None = None

    def method(self, method_type: str) -> PaymentMethod | None:
        """The first offered method of `method_type` (e.g. `CASH`, `MERCHANT_WALLET`)."""
        for method in self.available_payment_methods:
            if method.method_type == method_type:
                return method
        return None


def parse_payment_method(obj: object, path: str = "") -> PaymentMethod:
    data = _as_object(obj, path)
    method_id = _req_str(data, "payment_method_id", path)
    extra = data.get("data")
    balance = (
        _opt_money(extra, "balance", _join(path, "data")) if isinstance(extra, Mapping) else None
    )
    return PaymentMethod(
        payment_method_id=method_id,
        name=_opt_str(data, "name", path) or "",
        method_type=_opt_str(data, "method_type", path) or method_id.split("-", 1)[0],
        balance=balance,
    )


def parse_payment_intent(obj: object, path: str = "") -> PaymentIntent:
    data = _as_object(obj, path)
    cart = _opt_object(data, "cart", path)
    cart_path = _join(path, "cart")
    # Responses carry `cart.item`; the request form uses `cart.requested_item`.
    item_key = "item" if cart.get("item") is not None else "requested_item"
    item = _opt_object(cart, item_key, cart_path)
    item_path = _join(cart_path, item_key)
    item_data = _opt_object(item, "cart_item_data", item_path)
    item_data_path = _join(item_path, "cart_item_data")
    methods_path = _join(path, "available_payment_methods")
    return PaymentIntent(
        payment_intent_id=_req_str(data, "payment_intent_id", path),
        status=_req_str(data, "status", path),
        price=_opt_money(data, "price", path),
        available_payment_methods=tuple(
            parse_payment_method(item, f"{methods_path}[{i}]")
            for i, item in enumerate(_opt_list(data, "available_payment_methods", path))
        ),
        selected_payment_method_id=_opt_str(data, "selected_payment_method_id", path),
        match_id=_opt_str(item_data, "match_id", item_data_path)
        or _opt_str(item, "cart_item_id", item_path),
        tenant_id=_opt_str(item_data, "tenant_id", item_data_path)
        or _opt_str(item, "cart_item_tenant_id", item_path),
        resource_id=_opt_str(item_data, "resource_id", item_data_path),
        start=_opt_datetime(item_data, "start", item_data_path),
        duration_minutes=_opt_int(item_data, "duration", item_data_path),
        registered_user_ids=_registered_user_ids(
            _opt_list(item_data, "match_registrations", item_data_path),
            _join(item_data_path, "match_registrations"),
        ),
        number_of_players=_opt_int(item_data, "number_of_players", item_data_path),
        split_payment_parts=_opt_int(item_data, "split_payment_parts", item_data_path),
    )


def _registered_user_ids(items: Sequence[Any], path: str) -> tuple[str, ...]:
    ids = []
    for index, item in enumerate(items):
        user_id = _opt_str(_as_object(item, f"{path}[{index}]"), "user_id", f"{path}[{index}]")
        if user_id:
            ids.append(user_id)
    return tuple(ids)


@dataclass(frozen=True, slots=True)
class MatchPlayer:
    """A player registered on a match (`teams[].players[]`)."""

    user_id: str
    name: str | None
    team_id: str | None


@dataclass(frozen=True, slots=True)
class Match:
    match_id: str
    owner_id: str | None
    status: str
    start: datetime
    end: datetime | None
    tenant_id: str | None
    resource_id: str | None
    price: Money | None
    sport_id: str | None
    tenant_name: str | None = None
    players: tuple[MatchPlayer, ...] = ()
    number_of_players: int | None = None

    @property
    def is_cancelled(self) -> bool:
        # Both spellings seen (CANCELED, CANCELLED, CANCELED_BY_OWNER ...).
        return self.status.upper().startswith("CANCEL")


def parse_match(obj: object, path: str = "") -> Match:
    data = _as_object(obj, path)
    tenant = _opt_object(data, "tenant", path)
    tenant_path = _join(path, "tenant")
    location = _opt_object(data, "location_info", path)
    location_path = _join(path, "location_info")
    return Match(
        match_id=_req_str(data, "match_id", path),
        owner_id=_opt_str(data, "owner_id", path),
        status=_req_str(data, "status", path),
        start=_req_datetime(data, "start_date", path),
        end=_opt_datetime(data, "end_date", path),
        tenant_id=_opt_str(tenant, "tenant_id", tenant_path)
        or _opt_str(location, "id", location_path),
        resource_id=_opt_str(data, "resource_id", path),
        price=_opt_money(data, "price", path),
        sport_id=_opt_str(data, "sport_id", path),
        tenant_name=_opt_str(tenant, "tenant_name", tenant_path)
        or _opt_str(location, "name", location_path),
        players=_match_players(_opt_list(data, "teams", path), _join(path, "teams")),
        number_of_players=_opt_int(data, "number_of_players", path),
    )


def _match_players(teams: Sequence[Any], path: str) -> tuple[MatchPlayer, ...]:
    players = []
    for index, team in enumerate(teams):
        team_path = f"{path}[{index}]"
        team_data = _as_object(team, team_path)
        team_id = _opt_str(team_data, "team_id", team_path)
        players_path = _join(team_path, "players")
        for number, player in enumerate(_opt_list(team_data, "players", team_path)):
            player_path = f"{players_path}[{number}]"
            player_data = _as_object(player, player_path)
            players.append(
                MatchPlayer(
                    user_id=_req_str(player_data, "user_id", player_path),
                    name=_opt_str(player_data, "name", player_path),
                    team_id=team_id,
                )
            )
    return tuple(players)


def parse_matches(payload: object) -> list[Match]:
    return [parse_match(item, f"[{i}]") for i, item in enumerate(unwrap_list(payload))]


# ---------------------------------------------------------------------------------------------
# Clock


@dataclass(frozen=True, slots=True)
class ClockEstimate:
    """Server clock minus our clock. The true offset lies within
    `offset_ms ± uncertainty_ms`."""

    offset_ms: float
    uncertainty_ms: float
    rtt_ms: float
    samples: int


@dataclass(frozen=True, slots=True)
class DateProbe:
    """One timed request: our clock (Unix seconds) just before sending and on the answer's
    arrival, and the server's `Date` header (Unix seconds, whole: the server's clock read
    somewhere in [server_second, server_second + 1) while it answered)."""

    sent: float
    received: float
    server_second: float

    @property
    def rtt(self) -> float:
        return self.received - self.sent
