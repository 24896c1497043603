"""The sandbox's clubs and courts, built deterministically from a seed.

The structure of each club (zone, court counts, opening hours, price bands, release policy) is
fixed in `clubs.toml` so tests and benchmarks can rely on it; the seed decides ids, court
features and the simulated demand.
"""

from __future__ import annotations

import random
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
MINUTES_PER_DAY = 24 * 60


def hm(text: str) -> int:
    """ "HH:MM" -> minutes after local midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def format_hm(minutes: int) -> str:
    # A closing time of 24:00 is written "00:00" (midnight), as the real API does.
    minutes %= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_money(amount: Decimal, currency: str) -> str:
    """At most two decimals, trailing zeros dropped: "38.33 EUR", "25 EUR", "67.5 EUR"."""
    quantized = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format(quantized.normalize(), "f")
    return f"{text} {currency}"


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass(frozen=True)
class ReleasePolicy:
    """How a club releases slots to the public.

    rolling: a slot opens `booking_ahead_limit` minutes before it starts.
    fixed: the whole club-local day D opens at `local_time` on D - `days_ahead`.
    """

    kind: str
    days_ahead: int = 0
    local_time: int = 0

    def describe(self) -> dict[str, Any]:
        if self.kind == "fixed":
            return {
                "kind": "fixed",
                "days_ahead": self.days_ahead,
                "local_time": format_hm(self.local_time),
            }
        return {"kind": "rolling"}


@dataclass(frozen=True)
class Court:
    resource_id: str
    name: str
    sport_id: str
    resource_type: str
    resource_size: str
    resource_feature: str | None
    durations: tuple[int, ...]
    # duration -> (off-peak price, peak price) for a slot entirely in one band.
    prices: dict[int, tuple[Decimal, Decimal]]
    priority: int

    @property
    def min_duration(self) -> int:
        return min(self.durations)

    def resource_properties(self) -> dict[str, str]:
        properties = {"resource_type": self.resource_type, "resource_size": self.resource_size}
        if self.resource_feature is not None:
            properties["resource_feature"] = self.resource_feature
        return properties


@dataclass
class Club:
    tenant_id: str
    slug: str
    name: str
    timezone: str
    currency: str
    address: dict[str, Any]
    courts: list[Court]
    # weekday (0 = Monday) -> (opening, closing) in local minutes; closing 1440 = midnight.
    opening: dict[int, tuple[int, int]]
    # weekday -> (start, end) of the peak band in local minutes; the rest of the day is off-peak.
    peak: dict[int, tuple[int, int]]
    booking_ahead_limit: int
    release: ReleasePolicy
    allows_onsite_payment: bool
    playtomic_status: str
    demand: float
    cancelation_hours: int
    language: str
    created_at: datetime
    image_ids: list[str] = field(default_factory=list)
    # booking_settings limits per account (None: no limit), settable with /_sandbox/limits.
    max_active_bookings: int | None = None
    max_bookings_per_day: int | None = None
    # Whether a booking may split its price among the players (`payment_plan: SPLIT`).
    split_payment_allowed: bool = True

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sport_ids(self) -> list[str]:
        return sorted({court.sport_id for court in self.courts})

    def court(self, resource_id: str) -> Court | None:
        return next((c for c in self.courts if c.resource_id == resource_id), None)

    def local_instant(self, day: date, minutes: int) -> datetime:
        """Aware UTC instant of `minutes` after local midnight of `day` (1440 = next midnight)."""
        # Wall-clock arithmetic on the naive time, then attach the zone: DST days keep their hours.
        wall = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
        return wall.replace(tzinfo=self.zone).astimezone(UTC)

    def public_release(self, day: date, start: datetime) -> datetime:
        """When a slot starting at `start` on club-local `day` opens to the public."""
        if self.release.kind == "fixed":
            return self.local_instant(
                day - timedelta(days=self.release.days_ahead), self.release.local_time
            )
        return start - timedelta(minutes=self.booking_ahead_limit)

    def price(self, court: Court, day: date, start_minute: int, duration: int) -> str:
        """Price prorated by minutes across the peak/off-peak band boundary."""
        off_peak, peak_price = court.prices[duration]
        band = self.peak.get(day.weekday())
        peak_minutes = 0
        if band is not None:
            peak_minutes = max(
                0, min(start_minute + duration, band[1]) - max(start_minute, band[0])
            )
        off_minutes = duration - peak_minutes
        amount = (off_peak * off_minutes + peak_price * peak_minutes) / Decimal(duration)
        return format_money(amount, self.currency)

    def to_json(self, *, with_properties: list[str] | None = None) -> dict[str, Any]:
        properties: dict[str, str] = {}
        if with_properties and "ALLOWS_CASH_PAYMENT" in with_properties:
            properties["ALLOWS_CASH_PAYMENT"] = "true" if self.allows_onsite_payment else "false"
        images = [
            f"https://res.cloudinary.com/playtomic/image/upload/v1700000000/pro/tenants/{self.tenant_id}/{image_id}.jpg"
            for image_id in self.image_ids
        ]
        return {
            "tenant_id": self.tenant_id,
            "tenant_uid": self.slug,
            "slug": self.slug,
            "tenant_name": self.name,
            "tenant_type": "ANEMONE",
            "tenant_status": "ACTIVE",
            "playtomic_status": self.playtomic_status,
            "tenant_hostname": "anemone",
            "url": "https://api.syltek.com",
            "default_currency": self.currency,
            "address": {**self.address, "timezone": self.timezone},
            "images": images,
            "image_data": [
                {"image_id": image_id, "url": url, "client_type": "WEB"}
                for image_id, url in zip(self.image_ids, images, strict=True)
            ],
            "properties": properties,
            "resources": [self._resource_json(court) for court in self.courts],
            "booking_type": "PUBLIC",
            "is_playtomic_partner": False,
            "default_cancelation_policy": {"amount": self.cancelation_hours, "unit": "HOURS"},
            "cancelation_policies": [
                {
                    "sport_id": sport,
                    "duration": {"amount": self.cancelation_hours, "unit": "HOURS"},
                    "sport_ids": [sport],
                }
                for sport in self.sport_ids
            ],
            "opening_hours": {
                WEEKDAYS[weekday]: {
                    "opening_time": format_hm(hours[0]),
                    "closing_time": format_hm(hours[1]),
                }
                for weekday, hours in self.opening.items()
            },
            "booking_settings": {
                "booking_ahead_limit": self.booking_ahead_limit,
                "max_consecutive_bookable_time": 360,
                "max_bookable_time_per_day": 600,
                "max_number_of_active_bookings": self.max_active_bookings,
                "max_number_of_bookings_per_day": self.max_bookings_per_day,
            },
            "communications_language": self.language,
            "onboarding_status": "FINISHED",
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%S"),
            "sport_ids": self.sport_ids,
            "vat_rate": 0.21 if self.currency == "EUR" else 0.2,
        }

    def _resource_json(self, court: Court) -> dict[str, Any]:
        return {
            "resource_id": court.resource_id,
            "name": court.name,
            "description": (
                f"{court.sport_id.title()} court, {court.resource_type}, {court.resource_size}"
            ),
            "sport_id": court.sport_id,
            "reservation_priority": court.priority,
            "is_active": True,
            "merchant_resource_id": None,
            "properties": court.resource_properties(),
            "booking_settings": {
                "start_time_policy": "ANY",
                "allowed_duration_increments": list(court.durations),
                "is_bookable_online": True,
                "allows_onsite_payment": self.allows_onsite_payment,
                "shared_resources": [],
            },
        }


def _band(hours: list[str]) -> tuple[int, int]:
    """["08:00", "23:00"] -> (480, 1380) in local minutes; an "00:00" end is midnight, 1440."""
    return hm(hours[0]), hm(hours[1]) or MINUTES_PER_DAY


def _week(spec: dict[str, list[str]]) -> dict[int, tuple[int, int]]:
    """{"MON-THU": ["08:00", "23:00"], ...} -> weekday -> (open, close) as `_band` gives."""
    hours: dict[int, tuple[int, int]] = {}
    short = [day[:3] for day in WEEKDAYS]
    for days, band in spec.items():
        first, _, last = days.partition("-")
        for weekday in range(short.index(first), short.index(last or first) + 1):
            hours[weekday] = _band(band)
    return hours


CLUBS_FILE = Path(__file__).with_name("clubs.toml")
ROLLING = ReleasePolicy("rolling")


@dataclass(frozen=True)
class _CourtSpec:
    """A row of clubs.toml's courts: `count` alike courts."""

    sport: str
    size: str
    count: int
    # duration (str, as TOML keys are) -> (off-peak, peak) price.
    prices: dict[str, list[str]]
    indoor_share: float
    features: list[str]

    @property
    def durations(self) -> tuple[int, ...]:
        return tuple(sorted(int(duration) for duration in self.prices))

    def price_table(self) -> dict[int, tuple[Decimal, Decimal]]:
        return {int(d): (Decimal(off), Decimal(peak)) for d, (off, peak) in self.prices.items()}


@dataclass(frozen=True)
class _ClubSpec:
    """A club of clubs.toml; the defaults are the ones its header states."""

    key: str
    slug: str
    name: str
    timezone: str
    currency: str
    language: str
    booking_ahead_limit: int
    demand: float
    opening: dict[str, list[str]]
    # "weekdays" and "weekends" -> (start, end) of the peak band.
    peak: dict[str, list[str]]
    address: dict[str, Any]
    courts: list[_CourtSpec]
    release: ReleasePolicy = ROLLING
    allows_onsite_payment: bool = True
    playtomic_status: str = "ACTIVE"
    cancelation_hours: int = 24
    split_payment_allowed: bool = True


def _club_spec(raw: dict[str, Any]) -> _ClubSpec:
    fields = dict(raw)
    fields["courts"] = [_CourtSpec(**court) for court in raw["courts"]]
    if "release" in raw:
        release = raw["release"]
        fields["release"] = ReleasePolicy(
            release["kind"], release["days_ahead"], hm(release["local_time"])
        )
    return _ClubSpec(**fields)


def _load_club_specs() -> tuple[_ClubSpec, ...]:
    with CLUBS_FILE.open("rb") as file:
        return tuple(_club_spec(raw) for raw in tomllib.load(file)["club"])


CLUB_SPECS = _load_club_specs()


def build_clubs(seed: int) -> list[Club]:
    clubs: list[Club] = []
    for spec in CLUB_SPECS:
        rng = random.Random(f"club:{seed}:{spec.key}")
        courts: list[Court] = []
        number = 0
        for court_spec in spec.courts:
            for _ in range(court_spec.count):
                number += 1
                indoor = rng.random() < court_spec.indoor_share
                feature = rng.choice(court_spec.features) if court_spec.features else None
                label = court_spec.sport.title()
                size = "Single" if court_spec.size == "single" else "Double"
                courts.append(
                    Court(
                        resource_id=new_uuid(rng),
                        name=f"{label} {number} ({size})",
                        sport_id=court_spec.sport,
                        resource_type="indoor" if indoor else "outdoor",
                        resource_size=court_spec.size,
                        resource_feature=feature,
                        durations=court_spec.durations,
                        prices=court_spec.price_table(),
                        priority=number - 1,
                    )
                )
        weekday_peak, weekend_peak = _band(spec.peak["weekdays"]), _band(spec.peak["weekends"])
        clubs.append(
            Club(
                tenant_id=new_uuid(rng),
                slug=spec.slug,
                name=spec.name,
                timezone=spec.timezone,
                currency=spec.currency,
                address=dict(spec.address),
                courts=courts,
                opening=_week(spec.opening),
                peak={
                    weekday: weekday_peak if weekday < 5 else weekend_peak for weekday in range(7)
                },
                booking_ahead_limit=spec.booking_ahead_limit,
                release=spec.release,
                allows_onsite_payment=spec.allows_onsite_payment,
                playtomic_status=spec.playtomic_status,
                demand=spec.demand,
                cancelation_hours=spec.cancelation_hours,
                language=spec.language,
                split_payment_allowed=spec.split_payment_allowed,
                created_at=datetime(2024, 1, 1, tzinfo=UTC)
                + timedelta(seconds=rng.randrange(40_000_000)),
                image_ids=[str(1_700_000_000_000 + rng.randrange(10**9))],
            )
        )
    return clubs
