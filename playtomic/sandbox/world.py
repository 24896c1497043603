"""The sandbox world: clubs, simulated demand, accounts, tokens, holds, matches and rivals.

All state lives behind one lock. Operations raise `ApiError` with the wire contract's status
and error code; the WSGI app renders it. Time always comes from the sandbox clock: an operation
inside `World.acting_at(t)` happens at t (the instant its request was received), otherwise at the
clock's reading.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import hashlib
import itertools
import json
import random
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, TypedDict, Unpack

from playtomic.sandbox.catalog import Club, Court, build_clubs, format_money
from playtomic.sandbox.clock import SandboxClock
from playtomic.sandbox.demand import SimBooking, simulate_court_day

ACCESS_TOKEN_TTL = timedelta(hours=1)
REFRESH_TOKEN_TTL = timedelta(days=60)
HOLD_TTL = timedelta(minutes=5)
MAX_WINDOW = timedelta(hours=25)
MAX_PAGE_SIZE = 50
_CACHE_LIMIT = 50_000
# Without a request to run it, a rival runs this long (real seconds) after its instant, so a
# request received just before that instant, still on its way to the lock, acts first. Its
# booking is dated at its own instant either way, and a request received after it runs it first.
RIVAL_LAG_SECONDS = 0.05


class ApiError(Exception):
    """`refusal` says why a booking was refused (request log only; never on the wire)."""

    def __init__(self, status: int, code: str, message: str, *, refusal: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.refusal = refusal


def naive(instant: datetime | float) -> str:
    """Naive UTC timestamp as the API writes it: YYYY-MM-DDTHH:MM:SS."""
    if isinstance(instant, float | int):
        instant = datetime.fromtimestamp(instant, UTC)
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def parse_naive(text: str) -> datetime:
    """Parse an API timestamp; naive input is UTC, an explicit offset is honoured."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class AccountOptions(TypedDict, total=False):
    booking_ahead_limit: int | None  # minutes; None: the club's own limit
    wallet_balance: Decimal | int | str | None  # None: no Playtomic wallet
    saved_card: bool  # default True


class RivalDelays(TypedDict, total=False):
    """When rivals without a `delay_ms` of their own try after the release (ms, uniform)."""

    delay_ms_min: float  # default 50
    delay_ms_max: float  # default 500


class BookingLimits(TypedDict, total=False):
    """A club's per-account booking limits (`booking_settings`; None: no limit)."""

    max_active_bookings: int | None
    max_bookings_per_day: int | None


@dataclass
class Account:
    email: str
    password: str
    user_id: str
    booking_ahead_limit: int | None = None
    wallet_balance: Decimal | None = None
    saved_card_id: str | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "user_id": self.user_id,
            "booking_ahead_limit": self.booking_ahead_limit,
            "wallet_balance": None if self.wallet_balance is None else str(self.wallet_balance),
            "saved_card": self.saved_card_id is not None,
        }


@dataclass
class Occupancy:
    """A real (non-simulated) use of court time: an account's hold or match, or a rival's."""

    resource_id: str
    start: float
    end: float
    active_from: float
    active_until: float | None

    def active_at(self, t: float) -> bool:
        return self.active_from <= t and (self.active_until is None or t < self.active_until)

    def overlaps(self, start: float, end: float) -> bool:
        return self.start < end and start < self.end


@dataclass
class Registration:
    """A player registered on a match: the booker (who pays now) or another player."""

    user_id: str
    name: str
    pay_now: bool

    def to_json(self, price: str) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "contact_id": None,
            "price": price,
            "custom_price": None,
            "pay_now": self.pay_now,
            "product_extras_info": None,
            "applied_benefits_info": None,
        }


@dataclass(kw_only=True)
class CourtTime:
    """What a payment intent holds and a match books: a court at a time, for a price, for
    the registered players (the price split `split_parts` ways)."""

    club: Club
    court: Court
    start: datetime
    duration: int
    price: str
    created_at: float
    registrations: list[Registration] = field(default_factory=list)
    split_parts: int = 1

    @property
    def share(self) -> str:
        """What one paying player pays: the whole price, or their part of a split one."""
        amount, currency = self.price.split()
        return format_money(Decimal(amount) / Decimal(max(1, self.split_parts)), currency)


@dataclass(kw_only=True)
class Match(CourtTime):
    match_id: str
    owner_id: str
    owner_email: str | None
    occupancy: Occupancy
    status: str = "PENDING"
    number_of_players: int = 4

    def to_json(self) -> dict[str, Any]:
        # Two teams, filled in registration order (the booker first).
        per_team = max(1, self.number_of_players // 2)
        teams = [
            {
                "team_id": str(number),
                "players": [
                    {"user_id": r.user_id, "name": r.name}
                    for r in self.registrations[number * per_team : (number + 1) * per_team]
                ],
            }
            for number in range(2)
        ]
        nothing = f"0 {self.price.split()[-1]}"
        return {
            "match_id": self.match_id,
            "owner_id": self.owner_id,
            "status": self.status,
            "start_date": naive(self.start),
            "end_date": naive(self.start + timedelta(minutes=self.duration)),
            "tenant": {"tenant_id": self.club.tenant_id, "tenant_name": self.club.name},
            "resource_id": self.court.resource_id,
            "sport_id": self.court.sport_id,
            "price": self.price,
            "resource_properties": self.court.resource_properties(),
            "created_at": naive(self.created_at),
            "number_of_players": self.number_of_players,
            "min_players_per_team": per_team,
            "max_players_per_team": per_team,
            "teams": teams,
            "registration_info": {
                "number_of_players": self.number_of_players,
                "split_payment_parts": self.split_parts,
                "registrations": [
                    r.to_json(self.share if r.pay_now or self.split_parts > 1 else nothing)
                    for r in self.registrations
                ],
            },
        }


@dataclass(kw_only=True)
class PaymentIntent(CourtTime):
    payment_intent_id: str
    account: Account
    last_modified: float
    hold: Occupancy
    methods: list[dict[str, Any]]
    match_id: str
    reservation_id: str
    number_of_players: int
    status: str = "REQUIRES_PAYMENT_METHOD"
    selected_payment_method_id: str | None = None
    payment_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        local = self.start.astimezone(self.club.zone)
        hour = local.strftime("%I").lstrip("0")
        description = f"Match - {local.month}/{local.day}/{local:%y}, {hour}:{local:%M %p}"
        commission = format_money(Decimal(0), self.club.currency)
        nothing = format_money(Decimal(0), self.club.currency)
        registrations = [
            r.to_json(self.share if r.pay_now or self.split_parts > 1 else nothing)
            for r in self.registrations
        ]
        return {
            "payment_intent_id": self.payment_intent_id,
            "payment_intent_reference": None,
            "payment_intent_provider": None,
            "user_id": self.account.user_id,
            "price": self.price,
            "commission": commission,
            "refund_commission": None,
            "full_refund_duration": {"amount": self.club.cancelation_hours, "unit": "HOURS"},
            "status": self.status,
            "available_payment_methods": self.methods,
            "selected_payment_method_id": self.selected_payment_method_id,
            "selected_payment_method_data": None,
            "next_payment_action": None,
            "next_payment_action_data": None,
            "cart": {
                "item": {
                    "cart_item_id": self.match_id,
                    "cart_item_type": "CUSTOMER_MATCH",
                    "cart_item_tenant_id": self.club.tenant_id,
                    "description": description,
                    "price": self.price,
                    "cart_item_data": {
                        "match_id": self.match_id,
                        "reservation_id": self.reservation_id,
                        "temporal_lock_id": None,
                        "match_registrations": registrations,
                        "sport_id": self.court.sport_id,
                        "start": naive(self.start),
                        "zone_id": self.club.timezone,
                        "duration": self.duration,
                        "resource_id": self.court.resource_id,
                        "resource_properties": self.court.resource_properties(),
                        "client": "WEB_DESKTOP",
                        "split_payment_parts": self.split_parts,
                        "supports_split_payment": True,
                        "number_of_players": self.number_of_players,
                        "product_type": "CUSTOMER_MATCH",
                        "split_payment_allowed": self.club.split_payment_allowed,
                        "supported_payment_plans": (
                            ["SPLIT", "SINGLE_PAYER"]
                            if self.club.split_payment_allowed
                            else ["SINGLE_PAYER"]
                        ),
                    },
                    "cart_item_voucher_id": None,
                    "supported_merchant_payment_method_ids": None,
                },
                "voucher_id": None,
                "price": self.price,
            },
            "fail_reason": None,
            "payment_id": self.payment_id,
            "created_at": naive(self.created_at),
            "last_modified": naive(self.last_modified),
            "payment_source": "WEB_DESKTOP",
            "keep_payment_commission_inside_grace_period": None,
            "keep_payment_commission_outside_grace_period": None,
            "subscription_id": None,
            "commission_saved_up": None,
            "stripe_public_key": "pk_test_sandbox",
            "payment_provider_account_id": "Stripe_SANDBOX",
        }


@dataclass
class RivalAttempt:
    rival_id: str
    club: Club
    court: Court
    start: datetime
    duration: int
    due: float
    delay_ms: float = 0.0
    status: str = "PENDING"
    match_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rival_id": self.rival_id,
            "tenant_id": self.club.tenant_id,
            "resource_id": self.court.resource_id,
            "start": naive(self.start),
            "duration": self.duration,
            "delay_ms": self.delay_ms,
            "due_at": datetime.fromtimestamp(self.due, UTC).isoformat(timespec="microseconds"),
            "status": self.status,
            "match_id": self.match_id,
        }


@dataclass(frozen=True)
class _Candidate:
    start: float
    end: float
    start_at: datetime
    duration: int
    price: str

    # Candidates are cached per court-day and listed on every availability read: format once.
    @cached_property
    def start_date(self) -> str:
        return self.start_at.strftime("%Y-%m-%d")

    @cached_property
    def start_time(self) -> str:
        return self.start_at.strftime("%H:%M:%S")


@dataclass
class _Tokens:
    access: dict[str, tuple[str, float]] = field(default_factory=dict)
    refresh: dict[str, tuple[str, float]] = field(default_factory=dict)


class World:
    """Everything the sandbox knows. Thread-safe; every public method takes the lock."""

    def __init__(
        self,
        *,
        seed: int = 1,
        clock: SandboxClock | None = None,
        accounts: Iterable[tuple[str, str]] = (),
        demand: bool = True,
    ) -> None:
        self.seed = seed
        self.clock = clock or SandboxClock()
        self.demand = demand
        self._initial_accounts = list(accounts)
        self._lock = threading.RLock()
        self._acting = threading.local()
        self._build()

    def _build(self) -> None:
        self._rng = random.Random(f"world:{self.seed}")
        self.clubs: list[Club] = build_clubs(self.seed)
        self._clubs_by_id = {club.tenant_id: club for club in self.clubs}
        self._court_club = {court.resource_id: club for club in self.clubs for court in club.courts}
        self.accounts: dict[str, Account] = {}
        self._tokens = _Tokens()
        self._occupancies: dict[str, list[Occupancy]] = {}
        self.intents: dict[str, PaymentIntent] = {}
        self.matches: dict[str, Match] = {}
        self.rivals: list[RivalAttempt] = []
        self._release_overrides: dict[tuple[str, date], datetime] = {}
        self._candidates_cache: dict[tuple[str, date], list[_Candidate]] = {}
        self._sim_cache: dict[tuple[str, date, float | None], list[SimBooking]] = {}
        for email, password in self._initial_accounts:
            self.add_account(email, password)

    # ----- time -----

    @contextlib.contextmanager
    def acting_at(self, timestamp: float) -> Iterator[None]:
        """Operations of this thread inside the block happen at `timestamp` (sandbox clock),
        however long they wait for the lock: a request acts at the instant it was received."""
        previous = getattr(self._acting, "timestamp", None)
        self._acting.timestamp = timestamp
        try:
            yield
        finally:
            self._acting.timestamp = previous

    def _now(self) -> float:
        acting: float | None = getattr(self._acting, "timestamp", None)
        return self.clock.timestamp() if acting is None else acting

    # ----- ids -----

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    # ----- lookups -----

    def club(self, tenant_id: str) -> Club:
        club = self._clubs_by_id.get(tenant_id)
        if club is None:
            raise ApiError(404, "NOT_FOUND", "Tenant not found")
        return club

    def club_by_slug(self, slug: str) -> Club:
        return next(club for club in self.clubs if club.slug == slug)

    def add_club_copies(self, count: int) -> list[Club]:
        """Serve `count` more clubs: copies of the active built-in clubs in turn, each with
        its own tenant and resource ids, slug (`<slug>-copy-<n>`) and name, so a benchmark
        can poll a fleet. Their simulated bookings differ from the originals' (they follow
        from the ids). `reset()` forgets them."""
        with self._lock:
            models = [c for c in build_clubs(self.seed) if c.playtomic_status == "ACTIVE"]
            added = []
            for n in range(1, count + 1):
                model = models[(n - 1) % len(models)]
                club = replace(
                    model,
                    tenant_id=self._uuid(),
                    slug=f"{model.slug}-copy-{n}",
                    name=f"{model.name} (copy {n})",
                    courts=[replace(court, resource_id=self._uuid()) for court in model.courts],
                )
                self.clubs.append(club)
                self._clubs_by_id[club.tenant_id] = club
                for court in club.courts:
                    self._court_club[court.resource_id] = club
                added.append(club)
            return added

    # ----- accounts and tokens -----

    def add_account(self, email: str, password: str, **options: Unpack[AccountOptions]) -> Account:
        key = email.lower()
        digest = hashlib.sha256(f"{self.seed}:{key}".encode()).hexdigest()
        user_id = str(1_000_000 + int(digest[:12], 16) % 9_000_000)
        saved_card = options.get("saved_card", True)
        card_id = f"STRIPE_{uuid.UUID(digest[:32], version=4)}" if saved_card else None
        wallet_balance = options.get("wallet_balance")
        account = Account(
            email=email,
            password=password,
            user_id=user_id,
            booking_ahead_limit=options.get("booking_ahead_limit"),
            wallet_balance=None if wallet_balance is None else Decimal(str(wallet_balance)),
            saved_card_id=card_id,
        )
        with self._lock:
            self.accounts[key] = account
        return account

    def _issue_tokens(self, account: Account, now: float) -> dict[str, Any]:
        access_exp = now + ACCESS_TOKEN_TTL.total_seconds()
        refresh_exp = now + REFRESH_TOKEN_TTL.total_seconds()
        access = self._jwt(account, access_exp, "access")
        refresh = self._jwt(account, refresh_exp, "refresh")
        self._tokens.access[access] = (account.email.lower(), access_exp)
        self._tokens.refresh[refresh] = (account.email.lower(), refresh_exp)
        return {
            "access_token": access,
            "access_token_expiration": naive(access_exp),
            "refresh_token": refresh,
            "refresh_token_expiration": naive(refresh_exp),
            "user_id": account.user_id,
        }

    @staticmethod
    def _jwt(account: Account, expires: float, kind: str) -> str:
        # JWT-shaped but opaque: the sandbox looks tokens up, it never verifies signatures.
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {
            "sub": account.user_id,
            "exp": int(expires),
            "typ": kind,
            "jti": secrets.token_hex(8),
        }
        payload = _b64(json.dumps(claims).encode())
        return f"{header}.{payload}.{_b64(secrets.token_bytes(32))}"

    def login(self, email: str, password: str) -> dict[str, Any]:
        with self._lock:
            now = self._begin()
            account = self.accounts.get(email.lower())
            if account is None or not secrets.compare_digest(account.password, password):
                raise ApiError(401, "UNAUTHORIZED", "Invalid email or password")
            return self._issue_tokens(account, now)

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        with self._lock:
            now = self._begin()
            # Rotation: a refresh token is single-use; the old one dies here whatever happens next.
            entry = self._tokens.refresh.pop(refresh_token, None)
            if entry is None or entry[1] <= now or entry[0] not in self.accounts:
                raise ApiError(401, "USER_NOT_FOUND", "Invalid code.")
            return self._issue_tokens(self.accounts[entry[0]], now)

    def authenticate(self, access_token: str) -> Account:
        with self._lock:
            now = self._begin()
            entry = self._tokens.access.get(access_token)
            if entry is None or entry[1] <= now or entry[0] not in self.accounts:
                raise ApiError(
                    401, "UNAUTHORIZED", "Full authentication is required to access this resource"
                )
            return self.accounts[entry[0]]

    def account_for_token(self, access_token: str) -> Account | None:
        """The token's account, expired or not (for the request log)."""
        with self._lock:
            entry = self._tokens.access.get(access_token)
            return None if entry is None else self.accounts.get(entry[0])

    def expire_tokens(self, *, refresh_tokens: bool = False) -> None:
        """Expire every access token (and optionally every refresh token) now."""
        with self._lock:
            now = self.clock.timestamp()
            self._tokens.access = {
                token: (email, now) for token, (email, _) in self._tokens.access.items()
            }
            if refresh_tokens:
                self._tokens.refresh.clear()

    # ----- releases and rivals -----

    def set_release(self, tenant_id: str, local_date: date, release_at: datetime) -> None:
        """Override when one club-local date opens (for everyone, whatever the policy)."""
        with self._lock:
            self.club(tenant_id)
            self._release_overrides[(tenant_id, local_date)] = release_at.astimezone(UTC)

    def set_limits(
        self,
        tenant_id: str,
        *,
        max_active_bookings: int | None = None,
        max_bookings_per_day: int | None = None,
    ) -> None:
        """The club's per-account booking limits (`booking_settings`; None: no limit)."""
        for value in (max_active_bookings, max_bookings_per_day):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError("a booking limit is a whole number or null")
            if value is not None and value < 0:
                raise ValueError("a booking limit is zero or more")
        with self._lock:
            club = self.club(tenant_id)
            club.max_active_bookings = max_active_bookings
            club.max_bookings_per_day = max_bookings_per_day

    def _limit_refusal(self, account: Account, club: Club, day: date, now: float) -> str | None:
        """Why the account may not book one more court at the club, or None."""
        mine = [
            m
            for m in self.matches.values()
            if m.owner_id == account.user_id and m.club is club and m.status != "CANCELED"
        ]
        active = sum(1 for m in mine if m.start.timestamp() > now)
        if club.max_active_bookings is not None and active >= club.max_active_bookings:
            return f"The maximum of {club.max_active_bookings} active bookings has been reached"
        that_day = sum(1 for m in mine if m.start.astimezone(club.zone).date() == day)
        if club.max_bookings_per_day is not None and that_day >= club.max_bookings_per_day:
            return f"The maximum of {club.max_bookings_per_day} bookings per day has been reached"
        return None

    def release_instant(
        self, club: Club, day: date, start: datetime, account: Account | None = None
    ) -> datetime:
        """When a slot opens to `account` (None: the public)."""
        override = self._release_overrides.get((club.tenant_id, day))
        if override is not None:
            return override
        public = club.public_release(day, start)
        if account is not None and account.booking_ahead_limit is not None:
            # A per-account window (members) shifts the release by the difference in limits.
            return public - timedelta(
                minutes=account.booking_ahead_limit - club.booking_ahead_limit
            )
        return public

    def add_rivals(
        self,
        slots: Sequence[dict[str, Any]],
        *,
        delay_ms_min: float = 50,
        delay_ms_max: float = 500,
    ) -> list[RivalAttempt]:
        """Rivals try to book each slot at its public release instant + a delay: the slot's own
        `delay_ms` if it has one, else uniform in [delay_ms_min, delay_ms_max]."""
        with self._lock:
            attempts: list[RivalAttempt] = []
            for slot in slots:
                club = self.club(str(slot["tenant_id"]))
                court = club.court(str(slot["resource_id"]))
                if court is None:
                    raise ApiError(404, "NOT_FOUND", "Resource not found")
                start = (
                    slot["start"]
                    if isinstance(slot["start"], datetime)
                    else parse_naive(str(slot["start"]))
                )
                day = start.astimezone(club.zone).date()
                delay_ms = (
                    float(slot["delay_ms"])
                    if slot.get("delay_ms") is not None
                    else self._rng.uniform(delay_ms_min, delay_ms_max)
                )
                if not 0 <= delay_ms < float("inf"):
                    raise ValueError("a rival's delay_ms is zero or a positive number")
                due = self.release_instant(club, day, start).timestamp() + delay_ms / 1000
                attempt = RivalAttempt(
                    self._uuid(),
                    club,
                    court,
                    start.astimezone(UTC),
                    int(slot["duration"]),
                    due,
                    delay_ms=delay_ms,
                )
                self.rivals.append(attempt)
                attempts.append(attempt)
            return attempts

    def next_rival_due(self) -> datetime | None:
        with self._lock:
            pending = [r.due for r in self.rivals if r.status == "PENDING"]
            return datetime.fromtimestamp(min(pending), UTC) if pending else None

    def tick(self) -> None:
        """Let the rival attempts due by RIVAL_LAG_SECONDS ago happen (a timer's call)."""
        with self._lock:
            self._run_due(self._settled())

    def _settled(self) -> float:
        """Sandbox time RIVAL_LAG_SECONDS of real time ago (now on a frozen clock)."""
        return self.clock.timestamp_at(time.time() - RIVAL_LAG_SECONDS)

    def _begin(self) -> float:
        now = self._now()
        self._run_due(now)
        return now

    def _run_due(self, until: float) -> None:
        pending = sorted(
            (r for r in self.rivals if r.status == "PENDING" and r.due <= until),
            key=lambda r: r.due,
        )
        for attempt in pending:
            self._run_rival(attempt)

    def _run_rival(self, attempt: RivalAttempt) -> None:
        day = attempt.start.astimezone(attempt.club.zone).date()
        if not self._offered(
            None,
            attempt.club,
            attempt.court,
            day,
            attempt.start.timestamp(),
            attempt.duration,
            attempt.due,
        ):
            attempt.status = "LOST"
            return
        candidate = self._candidate(
            attempt.club, attempt.court, day, attempt.start.timestamp(), attempt.duration
        )
        assert candidate is not None
        occupancy = self._occupy(attempt.court, candidate, attempt.due, None)
        match = Match(
            match_id=self._uuid(),
            owner_id="rival",
            owner_email=None,
            club=attempt.club,
            court=attempt.court,
            start=attempt.start,
            duration=attempt.duration,
            price=candidate.price,
            created_at=attempt.due,
            occupancy=occupancy,
        )
        self.matches[match.match_id] = match
        attempt.status = "BOOKED"
        attempt.match_id = match.match_id

    # ----- availability -----

    def _candidates(self, club: Club, court: Court, day: date) -> list[_Candidate]:
        key = (court.resource_id, day)
        cached = self._candidates_cache.get(key)
        if cached is not None:
            return cached
        if len(self._candidates_cache) > _CACHE_LIMIT:
            self._candidates_cache.clear()
        result: list[_Candidate] = []
        hours = club.opening.get(day.weekday())
        if hours is not None:
            opening, closing = hours
            for minute in range(opening, closing, 30):
                start = club.local_instant(day, minute)
                for duration in sorted(court.durations):
                    if minute + duration > closing:
                        continue
                    end = club.local_instant(day, minute + duration)
                    price = club.price(court, day, minute, duration)
                    result.append(
                        _Candidate(start.timestamp(), end.timestamp(), start, duration, price)
                    )
        self._candidates_cache[key] = result
        return result

    def _candidate(
        self, club: Club, court: Court, day: date, start: float, duration: int
    ) -> _Candidate | None:
        return next(
            (
                c
                for c in self._candidates(club, court, day)
                if c.start == start and c.duration == duration
            ),
            None,
        )

    def _simulated(self, club: Club, court: Court, day: date) -> list[SimBooking]:
        if not self.demand:
            return []
        override = self._release_overrides.get((club.tenant_id, day))
        key = (court.resource_id, day, None if override is None else override.timestamp())
        cached = self._sim_cache.get(key)
        if cached is None:
            if len(self._sim_cache) > _CACHE_LIMIT:
                self._sim_cache.clear()
            cached = simulate_court_day(
                seed=self.seed,
                club=club,
                court=court,
                day=day,
                release_of=lambda start: self.release_instant(club, day, start),
            )
            self._sim_cache[key] = cached
        return cached

    def simulated_bookings(
        self, tenant_id: str, resource_id: str, local_date: date
    ) -> list[SimBooking]:
        """Other players' bookings of one court-day (including later-cancelled ones)."""
        with self._lock:
            club = self.club(tenant_id)
            court = club.court(resource_id)
            if court is None:
                raise ApiError(404, "NOT_FOUND", "Resource not found")
            return list(self._simulated(club, court, local_date))

    def _busy(self, club: Club, court: Court, day: date, t: float) -> list[tuple[float, float]]:
        """Intervals of this court-day that are taken or held at time t, sorted."""
        real = self._occupancies.get(court.resource_id, [])
        # Not `active_at(t)`: requests act at their receive instant, so one received earlier
        # can reach the lock after a later one (or a rival) took the court. Counting that later
        # use as busy refuses the slot rather than handing it out twice.
        busy = [(o.start, o.end) for o in real if o.active_until is None or t < o.active_until]
        for booking in self._simulated(club, court, day):
            if not booking.active_at(t):
                continue
            # A simulated player finds the court taken by a real booking or hold at their
            # booked_at instant and books nothing.
            pre_empted = any(
                o.overlaps(booking.start, booking.end) and o.active_at(booking.booked_at)
                for o in real
            )
            if not pre_empted:
                busy.append((booking.start, booking.end))
        busy.sort()
        return busy

    def _free_candidates(
        self, account: Account | None, club: Club, court: Court, day: date, t: float
    ) -> list[_Candidate]:
        """Slots listed to `account` at time t: free, released, in the future, no orphan gap."""
        candidates = self._candidates(club, court, day)
        if not candidates:
            return []
        hours = club.opening[day.weekday()]
        opening = club.local_instant(day, hours[0]).timestamp()
        closing = club.local_instant(day, hours[1]).timestamp()
        busy = self._busy(club, court, day, t)
        starts = [b[0] for b in busy]
        ends = sorted(b[1] for b in busy)
        # The latest end among the busy intervals up to each one (busy is sorted by start): a
        # slot overlaps one iff the last interval starting before the slot ends reaches past
        # the slot's start. One bisection per slot instead of a scan of the day.
        reach = list(itertools.accumulate((b[1] for b in busy), max))
        min_gap = court.min_duration * 60
        fixed_release: float | None = None
        if club.release.kind == "fixed" or (club.tenant_id, day) in self._release_overrides:
            fixed_release = self.release_instant(
                club, day, candidates[0].start_at, account
            ).timestamp()
        limit_minutes = club.booking_ahead_limit
        if account is not None and account.booking_ahead_limit is not None:
            limit_minutes = account.booking_ahead_limit
        if fixed_release is not None and fixed_release > t:
            return []
        result: list[_Candidate] = []
        for candidate in candidates:
            if candidate.start <= t:
                continue
            if fixed_release is None and candidate.start - limit_minutes * 60 > t:
                continue
            later = bisect.bisect_left(starts, candidate.end)
            if later and reach[later - 1] > candidate.start:
                continue
            # The orphan-gap rule (notes §4.5): no unbookable sliver before or after the slot.
            index = bisect.bisect_right(ends, candidate.start)
            before = max(opening, ends[index - 1]) if index else opening
            after = min(closing, starts[later]) if later < len(starts) else closing
            gap_before = candidate.start - before
            gap_after = after - candidate.end
            if 0 < gap_before < min_gap or 0 < gap_after < min_gap:
                continue
            result.append(candidate)
        return result

    def _offered(
        self,
        account: Account | None,
        club: Club,
        court: Court,
        day: date,
        start: float,
        duration: int,
        t: float,
    ) -> bool:
        return any(
            c.start == start and c.duration == duration
            for c in self._free_candidates(account, club, court, day, t)
        )

    def availability(
        self,
        account: Account,
        *,
        tenant_ids: Sequence[str],
        sport_id: str | None,
        start_min: datetime,
        start_max: datetime,
        local: bool,
    ) -> list[dict[str, Any]]:
        """Free slots per (resource, UTC date). Bounds are naive; club-local if `local`."""
        if start_max - start_min > MAX_WINDOW:
            raise ApiError(400, "INCORRECT_PARAMETERS", "Not allowed to request more than 25h")
        with self._lock:
            now = self._begin()
            entries: list[dict[str, Any]] = []
            for tenant_id in tenant_ids:
                club = self._clubs_by_id.get(tenant_id)
                if club is None or club.playtomic_status != "ACTIVE":
                    continue
                zone = club.zone if local else UTC
                low = start_min.replace(tzinfo=zone).astimezone(UTC)
                high = start_max.replace(tzinfo=zone).astimezone(UTC)
                first_day = low.astimezone(club.zone).date()
                last_day = high.astimezone(club.zone).date()
                days = [
                    first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)
                ]
                for court in club.courts:
                    if sport_id and court.sport_id != sport_id:
                        continue
                    by_date: dict[str, list[dict[str, Any]]] = {}
                    for day in days:
                        for candidate in self._free_candidates(account, club, court, day, now):
                            if not low <= candidate.start_at <= high:
                                continue
                            slots = by_date.setdefault(candidate.start_date, [])
                            slots.append(
                                {
                                    "start_time": candidate.start_time,
                                    "duration": candidate.duration,
                                    "price": candidate.price,
                                }
                            )
                    for start_date, slots in sorted(by_date.items()):
                        entries.append(
                            {
                                "resource_id": court.resource_id,
                                "start_date": start_date,
                                "slots": slots,
                            }
                        )
            return entries

    # ----- booking -----

    def _occupy(
        self, court: Court, candidate: _Candidate, active_from: float, active_until: float | None
    ) -> Occupancy:
        occupancy = Occupancy(
            court.resource_id, candidate.start, candidate.end, active_from, active_until
        )
        self._occupancies.setdefault(court.resource_id, []).append(occupancy)
        return occupancy

    def _payment_methods(self, account: Account, club: Club) -> list[dict[str, Any]]:
        methods: list[dict[str, Any]] = []
        if club.allows_onsite_payment:
            # Project reading (uncertain, notes §11.3): id and type CASH, name "Pay at the club".
            methods.append(
                {
                    "payment_method_id": "CASH",
                    "name": "Pay at the club",
                    "method_type": "CASH",
                    "data": None,
                }
            )
        if account.wallet_balance is not None:
            wallet_id = uuid.uuid5(uuid.NAMESPACE_URL, f"wallet:{account.user_id}:{club.tenant_id}")
            methods.append(
                {
                    "payment_method_id": f"MERCHANT_WALLET-{wallet_id}",
                    "name": "Club wallet",
                    "method_type": "MERCHANT_WALLET",
                    "data": {"balance": format_money(account.wallet_balance, club.currency)},
                }
            )
        if account.saved_card_id is not None:
            methods.append(
                {
                    "payment_method_id": f"CREDIT_CARD-{account.saved_card_id}",
                    "name": "Pay with card **** **** **** 4242",
                    "method_type": "CREDIT_CARD",
                    "data": {
                        "card_id": account.saved_card_id,
                        "masked_card_number": "**** **** **** 4242",
                        "type": "VISA",
                        "provider": "STRIPE",
                        "validated": True,
                        "exp_month": 12,
                        "exp_year": 2034,
                        "expired": False,
                    },
                }
            )
        return methods

    def create_payment_intent(self, account: Account, body: dict[str, Any]) -> PaymentIntent:
        try:
            data = body["cart"]["requested_item"]["cart_item_data"]
            tenant_id = str(data["tenant_id"])
            resource_id = str(data["resource_id"])
            start = parse_naive(str(data["start"]))
            duration = int(data["duration"])
            players = int(data.get("number_of_players") or 4)
            others = [
                str(item["user_id"])
                for item in data.get("match_registrations") or []
                if str(item["user_id"]) not in ("me", account.user_id)
            ]
            split = str(data.get("payment_plan") or "SINGLE_PAYER").upper() == "SPLIT"
        except (KeyError, TypeError, ValueError) as exc:
            raise ApiError(
                400, "INCORRECT_PARAMETERS", f"Invalid payment intent request: {exc}"
            ) from exc
        # Project reading: a match has 1 to 4 places, and the booker takes one of them.
        if not 1 <= players <= 4 or len(set(others)) != len(others) or len(others) >= players:
            raise ApiError(
                400,
                "INCORRECT_PARAMETERS",
                "number_of_players must be 1 to 4, with at most that many distinct registrations",
            )
        with self._lock:
            now = self._begin()
            club = self.club(tenant_id)
            court = club.court(resource_id)
            if court is None:
                raise ApiError(404, "NOT_FOUND", "Resource not found")
            day = start.astimezone(club.zone).date()
            candidate = self._candidate(club, court, day, start.timestamp(), duration)
            if candidate is None or club.playtomic_status != "ACTIVE":
                raise ApiError(
                    409, "SLOT_NOT_AVAILABLE", "The selected slot is not valid", refusal="invalid"
                )
            # Project reading (notes §11.2): taken, held and not-yet-released: the same 409 on
            # the wire; the request log tells them apart.
            if not self._offered(account, club, court, day, candidate.start, duration, now):
                raise ApiError(
                    409,
                    "SLOT_NOT_AVAILABLE",
                    "The selected slot is not available",
                    refusal=self._refusal(account, club, day, candidate, now),
                )
            limit = self._limit_refusal(account, club, day, now)
            if limit is not None:
                # Project reading: the status code of a per-user limit is not documented.
                raise ApiError(422, "BOOKING_LIMIT_REACHED", limit, refusal="limit")
            hold = self._occupy(court, candidate, now, now + HOLD_TTL.total_seconds())
            intent = PaymentIntent(
                payment_intent_id=self._uuid(),
                account=account,
                club=club,
                court=court,
                start=candidate.start_at,
                duration=duration,
                price=candidate.price,
                created_at=now,
                last_modified=now,
                hold=hold,
                methods=self._payment_methods(account, club),
                match_id=self._uuid(),
                reservation_id=self._uuid(),
                number_of_players=players,
                registrations=[
                    Registration(account.user_id, self._player_name(account.user_id), True),
                    *(
                        Registration(user_id, self._player_name(user_id), False)
                        for user_id in others
                    ),
                ],
                split_parts=players if split and club.split_payment_allowed else 1,
            )
            self.intents[intent.payment_intent_id] = intent
            return intent

    def _player_name(self, user_id: str) -> str:
        """A player's name: the part of their sandbox account's email before the @."""
        for account in self.accounts.values():
            if account.user_id == user_id:
                return account.email.split("@", 1)[0]
        return f"Player {user_id}"

    def _refusal(
        self, account: Account, club: Club, day: date, candidate: _Candidate, now: float
    ) -> str:
        """Why a valid slot is not offered at `now`: early, past or taken (held, booked, or an
        orphan gap)."""
        if candidate.start <= now:
            return "past"
        if self.release_instant(club, day, candidate.start_at, account).timestamp() > now:
            return "early"
        return "taken"

    def payment_intent(self, account: Account, intent_id: str) -> PaymentIntent:
        with self._lock:
            self._begin()
            intent = self.intents.get(intent_id)
            if intent is None or intent.account is not account:
                raise ApiError(404, "NOT_FOUND", "Payment intent not found")
            return intent

    def select_payment_method(
        self, account: Account, intent_id: str, method_id: str | None
    ) -> PaymentIntent:
        with self._lock:
            now = self._begin()
            intent = self.payment_intent(account, intent_id)
            if intent.status not in ("REQUIRES_PAYMENT_METHOD", "PENDING"):
                raise ApiError(
                    422, "PAYMENT_INTENT_STATUS_INVALID", "Payment intent cannot be modified"
                )
            if method_id not in {m["payment_method_id"] for m in intent.methods}:
                raise ApiError(400, "INCORRECT_PARAMETERS", "Unknown payment method")
            intent.selected_payment_method_id = method_id
            intent.status = "PENDING"
            intent.last_modified = now
            return intent

    def confirm_payment_intent(self, account: Account, intent_id: str) -> PaymentIntent:
        with self._lock:
            now = self._begin()
            intent = self.payment_intent(account, intent_id)
            if intent.status != "PENDING":
                raise ApiError(
                    422, "PAYMENT_INTENT_STATUS_INVALID", "Payment intent status is not valid"
                )
            if intent.hold.active_until is not None and intent.hold.active_until <= now:
                raise ApiError(409, "SLOT_NOT_AVAILABLE", "The hold on this slot has expired")
            method = next(
                m
                for m in intent.methods
                if m["payment_method_id"] == intent.selected_payment_method_id
            )
            if method["method_type"] == "MERCHANT_WALLET":
                # A split price: the booker pays their part now, the others theirs later.
                amount = Decimal(intent.share.split()[0])
                if account.wallet_balance is None or account.wallet_balance < amount:
                    raise ApiError(
                        422, "INSUFFICIENT_BALANCE", "Not enough balance in the club wallet"
                    )
                account.wallet_balance -= amount
            intent.hold.active_until = None
            intent.status = "SUCCEEDED"
            intent.payment_id = self._uuid()
            intent.last_modified = now
            match = Match(
                match_id=intent.match_id,
                owner_id=account.user_id,
                owner_email=account.email,
                club=intent.club,
                court=intent.court,
                start=intent.start,
                duration=intent.duration,
                price=intent.price,
                created_at=now,
                occupancy=intent.hold,
                registrations=list(intent.registrations),
                number_of_players=intent.number_of_players,
                split_parts=intent.split_parts,
            )
            self.matches[match.match_id] = match
            return intent

    def list_matches(
        self,
        account: Account,
        *,
        owner_id: str = "me",
        from_start_date: datetime | None = None,
        descending: bool = False,
        size: int = 20,
        page: int = 0,
    ) -> list[Match]:
        with self._lock:
            self._begin()
            if owner_id not in ("me", account.user_id):
                return []
            found = [
                m
                for m in self.matches.values()
                if m.owner_id == account.user_id
                and (from_start_date is None or m.start >= from_start_date)
            ]
            found.sort(key=lambda m: (m.start, m.match_id), reverse=descending)
            size = max(1, min(size, MAX_PAGE_SIZE))
            return found[page * size : (page + 1) * size]

    def match(self, match_id: str) -> Match:
        with self._lock:
            self._begin()
            found = self.matches.get(match_id)
            if found is None:
                raise ApiError(404, "NOT_FOUND", "Match not found")
            return found

    def cancel_match(self, account: Account, match_id: str) -> Match:
        with self._lock:
            now = self._begin()
            found = self.match(match_id)
            if found.owner_id != account.user_id:
                raise ApiError(403, "FORBIDDEN", "Only the owner can cancel this match")
            if found.status != "PENDING" or found.start.timestamp() <= now:
                raise ApiError(422, "MATCH_STATUS_INVALID", "This match cannot be canceled")
            found.status = "CANCELED"
            # The freed court time reappears in availability from now on.
            found.occupancy.active_until = now
            return found

    # ----- summary and reset -----

    def state(self) -> dict[str, Any]:
        with self._lock:
            self._run_due(self._settled())
            return {
                "seed": self.seed,
                "demand": self.demand,
                "clock": self.clock.describe(),
                "clubs": [
                    {
                        "tenant_id": club.tenant_id,
                        "slug": club.slug,
                        "tenant_name": club.name,
                        "timezone": club.timezone,
                        "playtomic_status": club.playtomic_status,
                        "sport_ids": club.sport_ids,
                        "courts": len(club.courts),
                        "booking_ahead_limit": club.booking_ahead_limit,
                        "max_number_of_active_bookings": club.max_active_bookings,
                        "max_number_of_bookings_per_day": club.max_bookings_per_day,
                        "release": club.release.describe(),
                        "allows_onsite_payment": club.allows_onsite_payment,
                        "split_payment_allowed": club.split_payment_allowed,
                    }
                    for club in self.clubs
                ],
                "release_overrides": [
                    {"tenant_id": tenant_id, "local_date": day.isoformat(), "release_at": naive(at)}
                    for (tenant_id, day), at in sorted(self._release_overrides.items())
                ],
                "accounts": [account.describe() for account in self.accounts.values()],
                "bookings": [
                    {**m.to_json(), "owner_email": m.owner_email} for m in self.matches.values()
                ],
                "holds": [
                    {
                        "payment_intent_id": i.payment_intent_id,
                        "email": i.account.email,
                        "resource_id": i.court.resource_id,
                        "start": naive(i.start),
                        "duration": i.duration,
                        "status": i.status,
                    }
                    for i in self.intents.values()
                    if i.status != "SUCCEEDED"
                ],
                "rivals": [r.to_json() for r in self.rivals],
            }

    def reset(self) -> None:
        """Back to the world built from the seed, with the initial accounts."""
        with self._lock:
            self._build()
