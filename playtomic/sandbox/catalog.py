"""The sandbox's clubs and courts, built deterministically from a seed.

The structure of each club (zone, court counts, opening hours, price bands, release policy) is
fixed so tests and benchmarks can rely on it; the seed decides ids, court features and the
simulated demand.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
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


def _prices(table: dict[int, tuple[str, str]]) -> dict[int, tuple[Decimal, Decimal]]:
    return {duration: (Decimal(off), Decimal(peak)) for duration, (off, peak) in table.items()}


def _week(spec: dict[str, tuple[str, str]]) -> dict[int, tuple[int, int]]:
    """{"MON-THU": ("08:00", "23:00"), ...} -> weekday -> (open, close); "00:00" close = 1440."""
    hours: dict[int, tuple[int, int]] = {}
    short = [day[:3] for day in WEEKDAYS]
    for days, (opening, closing) in spec.items():
        first, _, last = days.partition("-")
        start = short.index(first)
        end = short.index(last or first)
        close = hm(closing) or MINUTES_PER_DAY
        for weekday in range(start, end + 1):
            hours[weekday] = (hm(opening), close)
    return hours


@dataclass(frozen=True)
class _CourtSpec:
    sport_id: str
    size: str
    count: int
    durations: tuple[int, ...]
    prices: dict[int, tuple[str, str]]
    indoor_share: float
    features: tuple[str, ...]


@dataclass(frozen=True)
class _ClubSpec:
    key: str
    slug: str
    name: str
    timezone: str
    currency: str
    address: dict[str, Any]
    courts: tuple[_CourtSpec, ...]
    opening: dict[str, tuple[str, str]]
    peak_weekday: tuple[str, str]
    peak_weekend: tuple[str, str]
    booking_ahead_limit: int
    release: ReleasePolicy
    allows_onsite_payment: bool
    playtomic_status: str
    demand: float
    cancelation_hours: int
    language: str
    split_payment_allowed: bool = True


_PADEL_DURATIONS = (60, 90, 120)
_SINGLE_EUR = {60: ("20", "30"), 90: ("35", "45"), 120: ("55", "65")}
_DOUBLE_EUR = {60: ("24", "32"), 90: ("36", "48"), 120: ("48", "64")}
_PADEL_FEATURES = ("crystal", "panoramic", "wall")

ROLLING = ReleasePolicy("rolling")

CLUB_SPECS: tuple[_ClubSpec, ...] = (
    _ClubSpec(
        key="madrid",
        slug="sandbox-padel-madrid",
        name="Sandbox Padel Madrid",
        timezone="Europe/Madrid",
        currency="EUR",
        address={
            "street": "Calle de Alcalá 100",
            "postal_code": "28009",
            "city": "Madrid",
            "sub_administrative_area": "Madrid",
            "administrative_area": "Comunidad de Madrid",
            "country": "España",
            "country_code": "ES",
            "coordinate": {"lat": 40.4218, "lon": -3.678},
        },
        courts=(
            _CourtSpec("PADEL", "single", 2, _PADEL_DURATIONS, _SINGLE_EUR, 1.0, _PADEL_FEATURES),
            _CourtSpec("PADEL", "double", 8, _PADEL_DURATIONS, _DOUBLE_EUR, 0.5, _PADEL_FEATURES),
        ),
        opening={
            "MON-THU": ("08:00", "23:00"),
            "FRI": ("08:00", "00:00"),
            "SAT": ("09:00", "22:00"),
            "SUN": ("09:00", "21:00"),
        },
        # 16:00 Madrid is 15:00 UTC in winter: the band change of the notes' price example.
        peak_weekday=("16:00", "00:00"),
        peak_weekend=("09:00", "14:00"),
        booking_ahead_limit=20160,
        release=ROLLING,
        allows_onsite_payment=True,
        playtomic_status="ACTIVE",
        demand=1.0,
        cancelation_hours=24,
        language="es",
    ),
    _ClubSpec(
        key="london",
        slug="sandbox-racquets-london",
        name="Sandbox Racquets London",
        timezone="Europe/London",
        currency="GBP",
        address={
            "street": "1 Albert Embankment",
            "postal_code": "SE1 7SP",
            "city": "London",
            "sub_administrative_area": "Greater London",
            "administrative_area": "England",
            "country": "United Kingdom",
            "country_code": "GB",
            "coordinate": {"lat": 51.4946, "lon": -0.1216},
        },
        courts=(
            _CourtSpec(
                "PADEL",
                "double",
                4,
                _PADEL_DURATIONS,
                {60: ("48", "52"), 90: ("72", "78"), 120: ("96", "104")},
                0.5,
                _PADEL_FEATURES,
            ),
            _CourtSpec(
                "TENNIS",
                "double",
                3,
                (60, 120),
                {60: ("20", "28"), 120: ("40", "56")},
                0.0,
                ("synthetic_grass",),
            ),
        ),
        # Thursday 08:00-21:00 is UTC in winter: the notes' orphan-gap examples reproduce literally.
        opening={
            "MON-WED": ("07:00", "22:00"),
            "THU": ("08:00", "21:00"),
            "FRI": ("07:00", "21:00"),
            "SAT": ("08:00", "20:00"),
            "SUN": ("08:00", "18:00"),
        },
        peak_weekday=("17:00", "22:00"),
        peak_weekend=("08:00", "13:00"),
        booking_ahead_limit=10080,
        release=ROLLING,
        allows_onsite_payment=False,
        playtomic_status="ACTIVE",
        demand=0.8,
        cancelation_hours=24,
        language="en",
        split_payment_allowed=False,
    ),
    _ClubSpec(
        key="cdmx",
        slug="sandbox-padel-pickleball-cdmx",
        name="Sandbox Padel & Pickleball CDMX",
        timezone="America/Mexico_City",
        currency="MXN",
        address={
            "street": "Avenida Paseo de la Reforma 222",
            "postal_code": "06600",
            "city": "Ciudad de México",
            "sub_administrative_area": "Cuauhtémoc",
            "administrative_area": "CDMX",
            "country": "México",
            "country_code": "MX",
            "coordinate": {"lat": 19.4326, "lon": -99.1332},
        },
        courts=(
            _CourtSpec(
                "PADEL",
                "double",
                4,
                _PADEL_DURATIONS,
                {60: ("350", "450"), 90: ("450", "600"), 120: ("600", "800")},
                0.25,
                _PADEL_FEATURES,
            ),
            _CourtSpec(
                "PICKLEBALL",
                "double",
                3,
                (60, 90),
                {60: ("200", "260"), 90: ("300", "390")},
                0.0,
                (),
            ),
        ),
        opening={"MON-SAT": ("07:00", "23:00"), "SUN": ("08:00", "20:00")},
        peak_weekday=("18:00", "23:00"),
        peak_weekend=("08:00", "13:00"),
        booking_ahead_limit=10080,
        release=ROLLING,
        allows_onsite_payment=True,
        playtomic_status="ACTIVE",
        demand=0.7,
        cancelation_hours=12,
        language="es",
    ),
    _ClubSpec(
        key="sydney",
        slug="sandbox-padel-sydney",
        name="Sandbox Padel Sydney",
        timezone="Australia/Sydney",
        currency="AUD",
        address={
            "street": "1 Macquarie Street",
            "postal_code": "2000",
            "city": "Sydney",
            "sub_administrative_area": "Sydney",
            "administrative_area": "NSW",
            "country": "Australia",
            "country_code": "AU",
            "coordinate": {"lat": -33.8688, "lon": 151.2093},
        },
        courts=(
            _CourtSpec(
                "PADEL",
                "double",
                5,
                _PADEL_DURATIONS,
                {60: ("60", "80"), 90: ("90", "120"), 120: ("110", "150")},
                0.4,
                _PADEL_FEATURES,
            ),
        ),
        # 06:00 Sydney is 19:00/20:00 UTC the previous day: each local day spans two UTC dates.
        opening={"MON-FRI": ("06:00", "22:00"), "SAT-SUN": ("07:00", "21:00")},
        peak_weekday=("17:00", "22:00"),
        peak_weekend=("07:00", "12:00"),
        booking_ahead_limit=20160,
        release=ROLLING,
        allows_onsite_payment=True,
        playtomic_status="ACTIVE",
        demand=0.9,
        cancelation_hours=24,
        language="en",
    ),
    _ClubSpec(
        key="antwerp",
        slug="sandbox-padel-antwerpen",
        name="Sandbox Padel Antwerpen",
        timezone="Europe/Brussels",
        currency="EUR",
        address={
            "street": "Grote Markt 1",
            "postal_code": "2000",
            "city": "Antwerpen",
            "sub_administrative_area": "Antwerpen",
            "administrative_area": "Vlaanderen",
            "country": "België",
            "country_code": "BE",
            "coordinate": {"lat": 51.2194, "lon": 4.4025},
        },
        courts=(
            _CourtSpec(
                "PADEL",
                "double",
                6,
                _PADEL_DURATIONS,
                {60: ("32", "44"), 90: ("48", "66"), 120: ("64", "88")},
                0.7,
                _PADEL_FEATURES,
            ),
        ),
        opening={
            "MON-FRI": ("08:00", "23:00"),
            "SAT": ("08:00", "00:00"),
            "SUN": ("09:00", "22:00"),
        },
        peak_weekday=("17:00", "23:00"),
        peak_weekend=("09:00", "14:00"),
        # Whole days open 14 days ahead at 08:30 local (the reported Antwerp rule); the API still
        # reports a 14-day booking_ahead_limit.
        booking_ahead_limit=20160,
        release=ReleasePolicy("fixed", days_ahead=14, local_time=hm("08:30")),
        allows_onsite_payment=True,
        playtomic_status="ACTIVE",
        demand=1.1,
        cancelation_hours=24,
        language="nl",
    ),
    _ClubSpec(
        key="valencia",
        slug="sandbox-padel-valencia",
        name="Sandbox Padel Valencia (closed)",
        timezone="Europe/Madrid",
        currency="EUR",
        address={
            "street": "Carrer de Colón 1",
            "postal_code": "46004",
            "city": "València",
            "sub_administrative_area": "València",
            "administrative_area": "Comunitat Valenciana",
            "country": "España",
            "country_code": "ES",
            "coordinate": {"lat": 39.4699, "lon": -0.3763},
        },
        courts=(
            _CourtSpec("PADEL", "double", 2, _PADEL_DURATIONS, _DOUBLE_EUR, 1.0, _PADEL_FEATURES),
        ),
        opening={"MON-SUN": ("09:00", "21:00")},
        peak_weekday=("17:00", "21:00"),
        peak_weekend=("09:00", "14:00"),
        booking_ahead_limit=30240,
        release=ROLLING,
        allows_onsite_payment=True,
        playtomic_status="INACTIVE",
        demand=0.0,
        cancelation_hours=24,
        language="es",
    ),
)


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
                label = court_spec.sport_id.title()
                size = "Single" if court_spec.size == "single" else "Double"
                courts.append(
                    Court(
                        resource_id=new_uuid(rng),
                        name=f"{label} {number} ({size})",
                        sport_id=court_spec.sport_id,
                        resource_type="indoor" if indoor else "outdoor",
                        resource_size=court_spec.size,
                        resource_feature=feature,
                        durations=court_spec.durations,
                        prices=_prices(court_spec.prices),
                        priority=number - 1,
                    )
                )
        weekday_peak = (hm(spec.peak_weekday[0]), hm(spec.peak_weekday[1]) or MINUTES_PER_DAY)
        weekend_peak = (hm(spec.peak_weekend[0]), hm(spec.peak_weekend[1]) or MINUTES_PER_DAY)
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
