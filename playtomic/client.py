"""The one HTTP client for the Playtomic consumer API (and the sandbox that mimics it).

Design points, each tied to the research notes (`shared/docs/playtomic-api.md`):
- One `requests.Session` (keep-alive matters at release time), explicit (connect, read)
  timeouts on every request, an honest User-Agent, a Bearer token on every call except
  `/v3/auth/*`.
- Refresh tokens rotate on every use: the new pair is handed to `token_store` before any
  request is sent with it, and refreshes are serialised by a lock so two threads never spend
  the same refresh token.
- Only idempotent GETs are retried. A POST that timed out may have booked a court; the caller
  must check its matches instead of blindly trying again.
- One hook sees every HTTP exchange: `observer.before_request(host)` before each attempt
  (retries, refreshes and logins included, so a shared rate limiter and circuit breaker see
  them all) and `observer.on_outcome(host, error)` once after it. What an error means
  (breaker, poll, unclear write) is a property of its class in `playtomic.errors`.
"""

from __future__ import annotations

import json
import logging
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypedDict, TypeVar, Unpack
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import requests

from playtomic.errors import (
    BadRequest,
    Blocked,
    ConnectionFailed,
    Forbidden,
    NotFound,
    PlaytomicError,
    RateLimited,
    SchemaError,
    ServerError,
    SlotUnavailable,
    Timeout,
    Unauthorized,
    WindowTooLarge,
)
from playtomic.timewindows import (
    MAX_WINDOW,
    as_zone,
    local_date_of,
    local_day_utc_windows,
    to_api_timestamp,
)
from playtomic.types import (
    ClockEstimate,
    CourtAvailability,
    DateProbe,
    Match,
    PaymentIntent,
    Tenant,
    Tokens,
    merge_availability,
    parse_availability,
    parse_match,
    parse_matches,
    parse_payment_intent,
    parse_tenant,
    parse_tenants,
    parse_tokens,
    unwrap_list,
)

CLIENT_VERSION = "0.1.0"
DEFAULT_BASE_URL = "https://api.app.playtomic.io"
DEFAULT_USER_AGENT = f"playtomic-monitor/{CLIENT_VERSION} (+self-hosted availability monitor)"
CUSTOMER_ROLES = ["ROLE_CUSTOMER"]
# Refresh this long before the access token expires, so a request never leaves with a token
# that dies in flight.
REFRESH_MARGIN = timedelta(seconds=60)
# The web-app form of `allowed_payment_method_types` (notes §6.1).
ALLOWED_PAYMENT_METHOD_TYPES = [
    "OFFER",
    "CASH",
    "MERCHANT_WALLET",
    "DIRECT",
    "SWISH",
    "IDEAL",
    "BANCONTACT",
    "PAYTRAIL",
    "CREDIT_CARD",
    "QUICK_PAY",
]
_MAX_TENANT_PAGES = 200
_MESSAGE_LIMIT = 200

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ExchangeObserver(Protocol):
    """Watches every HTTP exchange of one client: the place to rate-limit and to feed a
    circuit breaker, so that no caller has to. `host` is `host[:port]` of the base URL."""

    def before_request(self, host: str) -> None:
        """Called before each attempt is sent. Raise a `PlaytomicError` (`CircuitOpen`,
        `RateLimitWait`) to refuse it; the client then sends nothing and raises that error."""

    def on_outcome(self, host: str, error: PlaytomicError | None) -> None:
        """Called once after each attempt that was sent: `None` for a 2xx that was read and
        parsed, else the error the attempt produced (`error.trips_breaker` says whether it
        counts against the host). Whatever it raises is logged, never raised to the caller: a
        booking that went through must not turn into a failure because the observer's
        storage is down."""


class TenantQuery(TypedDict, total=False):
    """What a tenant search asks for; every key is optional."""

    name: str | None  # part of the club's name
    slug: str | None  # the club's tenant_uid
    coordinate: tuple[float, float] | None  # (lat, lon)
    radius_m: int | None  # around `coordinate`
    sport_id: str | None
    active_only: bool  # default True: inactive clubs are left out


def _listed(tenant: Tenant, query: TenantQuery) -> bool:
    # Inactive clubs come back unless filtered; do not trust the filter to be applied.
    return not query.get("active_only", True) or tenant.playtomic_status in (None, "ACTIVE")


# Playtomic ids are UUIDs or short numbers; anything longer is not an id.
MAX_ID_LENGTH = 64


def _segment(value: str) -> str:
    """An id as one URL path segment: percent-encoded, so "../matches" can never reach
    another endpoint with the account's token; refused before sending when it cannot be an
    id at all."""
    if not value or len(value) > MAX_ID_LENGTH or value in (".", ".."):
        raise BadRequest(f"not a Playtomic id: {value[:20]!r}")
    return quote(value, safe="")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PlaytomicClient:
    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        tokens: Tokens | None = None,
        token_store: Callable[[Tokens], None] | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        observer: ExchangeObserver | None = None,
        max_retries: int = 2,
        backoff_base: float = 0.5,
        retry_after_cap: float = 60.0,
        session: requests.Session | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        self._tokens = tokens
        self._token_store = token_store
        self._timeout = (connect_timeout, read_timeout)
        self._observer = observer
        # Per thread: the `Date` of the last answer this thread received (see
        # `last_server_date`).
        self._answers = threading.local()
        # The older, one-sided hook: called before each attempt, never told the outcome.
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._retry_after_cap = retry_after_cap
        self._session = session or requests.Session()
        self._session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        self._clock = clock or _utcnow
        self._sleep = sleep
        self._token_lock = threading.RLock()

    def __repr__(self) -> str:
        return f"PlaytomicClient({self.base_url!r}, logged_in={self._tokens is not None})"

    @property
    def tokens(self) -> Tokens | None:
        return self._tokens

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> PlaytomicClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------------------- auth

    def login(self, email: str, password: str) -> Tokens:
        body = {"email": email, "password": password, "requested_user_roles": CUSTOMER_ROLES}
        tokens = self._request(
            "POST", "/v3/auth/login", json_body=body, auth=False, parse=self._parse_tokens
        )
        return self._adopt(tokens)

    def refresh(self, refresh_token: str | None = None) -> Tokens:
        """Exchange a refresh token (by default the current one) for a new pair. The old
        refresh token is dead from then on, so the new pair is stored before it is used."""
        with self._token_lock:
            current = self._tokens
            token = refresh_token or (current.refresh_token if current else None)
            if not token:
                raise Unauthorized("no refresh token: log in again")
            body = {"refresh_token": token, "requested_user_roles": CUSTOMER_ROLES}
            tokens = self._request(
                "POST", "/v3/auth/token", json_body=body, auth=False, parse=self._parse_tokens
            )
            if tokens.user_id is None and current is not None:
                tokens = replace(tokens, user_id=current.user_id)
            return self._adopt(tokens)

    def _parse_tokens(self, payload: Any) -> Tokens:
        return parse_tokens(payload, now=self._clock())

    def _adopt(self, tokens: Tokens) -> Tokens:
        # Kept in memory first so that if the store fails the caller can still read
        # `client.tokens` and persist them (the previous refresh token is already spent);
        # the error propagates, so no request is made with an unpersisted pair.
        self._tokens = tokens
        if self._token_store is not None:
            self._token_store(tokens)
        return tokens

    def _access_token(self) -> str:
        with self._token_lock:
            tokens = self._tokens
            if tokens is None:
                raise Unauthorized("not logged in: call login() or pass tokens")
            if tokens.access_expires_at - self._clock() <= REFRESH_MARGIN:
                if tokens.refresh_token:
                    tokens = self.refresh()
                elif tokens.access_expires_at <= self._clock():
                    raise Unauthorized("access token expired and no refresh token")
            return tokens.access_token

    def _refresh_after_401(self, rejected_token: str) -> bool:
        """Make a fresh access token available after a 401; False if there is no way to."""
        with self._token_lock:
            tokens = self._tokens
            if tokens is None:
                return False
            if tokens.access_token != rejected_token:
                # Another thread refreshed while our request was in flight.
                return True
            if not tokens.refresh_token:
                return False
            self.refresh()
            return True

    # ---------------------------------------------------------------------------- tenants

    def search_tenants(
        self, *, page: int = 0, size: int = 40, **query: Unpack[TenantQuery]
    ) -> list[Tenant]:
        batch = self._tenant_page(query, page=page, size=size)
        return [t for t in batch if _listed(t, query)]

    def iter_tenants(self, *, size: int = 40, **query: Unpack[TenantQuery]) -> Iterator[Tenant]:
        """Every matching tenant, page by page. The server may cap `size` silently, so a page
        shorter than requested does not end the iteration; only an empty page, or one shorter
        than the largest page seen (the server's apparent cap), does."""
        seen: set[str] = set()
        largest_page = 0
        for page in range(_MAX_TENANT_PAGES):
            batch = self._tenant_page(query, page=page, size=size)
            fresh = [t for t in batch if t.tenant_id not in seen]
            if not fresh:
                # Empty page, or a server that ignores `page` and repeats itself.
                return
            for tenant in fresh:
                seen.add(tenant.tenant_id)
                if _listed(tenant, query):
                    yield tenant
            if len(batch) < largest_page:
                return
            largest_page = max(largest_page, len(batch))

    def _tenant_page(self, query: TenantQuery, *, page: int, size: int) -> list[Tenant]:
        params: dict[str, Any] = {"page": page, "size": size}
        if name := query.get("name"):
            params["tenant_name"] = name
        if slug := query.get("slug"):
            params["tenant_uid"] = slug
        if (coordinate := query.get("coordinate")) is not None:
            params["coordinate"] = f"{coordinate[0]},{coordinate[1]}"
        if (radius_m := query.get("radius_m")) is not None:
            params["radius"] = radius_m
        if sport_id := query.get("sport_id"):
            params["sport_id"] = sport_id
        if query.get("active_only", True):
            params["playtomic_status"] = "ACTIVE"
        return self._request("GET", "/v1/tenants", params=params, parse=parse_tenants)

    def get_tenant(self, tenant_id: str) -> Tenant:
        return self._request("GET", f"/v1/tenants/{_segment(tenant_id)}", parse=_parse_one_tenant)

    # ---------------------------------------------------------------------------- availability

    def get_availability(
        self,
        tenant_id: str,
        *,
        start_min: datetime,
        start_max: datetime,
        sport_id: str = "PADEL",
    ) -> list[CourtAvailability]:
        """Free slots whose UTC start lies in [start_min, start_max] (inclusive). Raises
        `WindowTooLarge` before sending for a window over 25 h (the server would 400)."""
        low = to_api_timestamp(start_min, "start_min")
        high = to_api_timestamp(start_max, "start_max")
        if start_max < start_min:
            raise ValueError("start_max is before start_min")
        if start_max - start_min > MAX_WINDOW:
            raise WindowTooLarge(
                "availability window longer than 25 hours", status_code="INCORRECT_PARAMETERS"
            )
        params = {"tenant_id": tenant_id, "sport_id": sport_id, "start_min": low, "start_max": high}
        return self._request("GET", "/v1/availability", params=params, parse=parse_availability)

    def availability_for_local_day(
        self,
        tenant_id: str,
        local_date: date,
        tz: str | ZoneInfo,
        sport_id: str = "PADEL",
    ) -> list[CourtAvailability]:
        """Free slots starting on the club-local `local_date`, whatever its length (23/24/25 h).
        Entries stay keyed by UTC `start_date` as the API returns them, so a day that crosses
        UTC midnight yields two entries per court."""
        zone = as_zone(tz)
        entries: list[CourtAvailability] = []
        for start_min, start_max in local_day_utc_windows(local_date, zone):
            entries.extend(
                self.get_availability(
                    tenant_id, start_min=start_min, start_max=start_max, sport_id=sport_id
                )
            )
        on_day = [
            CourtAvailability(
                entry.resource_id,
                entry.start_date,
                tuple(s for s in entry.slots if local_date_of(s.start, zone) == local_date),
            )
            for entry in entries
        ]
        return merge_availability(on_day)

    # ---------------------------------------------------------------------------- booking

    def create_payment_intent(
        self,
        *,
        tenant_id: str,
        resource_id: str,
        start: datetime,
        duration_minutes: int,
        number_of_players: int = 4,
        user_id: str | None = None,
        players: Sequence[str] = (),
        split_payment: bool = True,
    ) -> PaymentIntent:
        """Creates the intent, which holds the court for a few minutes. Never retried: a
        timeout may still have created it. A 409 raises `SlotUnavailable`.

        The match registers the booker (who pays now) and `players` (other Playtomic user ids,
        who pay nothing now), for `number_of_players` in all. `split_payment` asks for the
        price to be split among the players (`payment_plan: SPLIT`); a club that does not
        allow it answers with one part (`PaymentIntent.split_payment_parts`)."""
        start_utc = to_api_timestamp(start, "start")
        owner = user_id or (self._tokens.user_id if self._tokens else None) or "me"
        registrations = [{"user_id": owner, "pay_now": True}]
        registrations += [
            {"user_id": player, "pay_now": False} for player in players if player != owner
        ]
        body = {
            "allowed_payment_method_types": ALLOWED_PAYMENT_METHOD_TYPES,
            "user_id": owner,
            "cart": {
                "requested_item": {
                    "cart_item_type": "CUSTOMER_MATCH",
                    "cart_item_voucher_id": None,
                    "cart_item_data": {
                        "supports_split_payment": True,
                        "payment_plan": "SPLIT" if split_payment else "SINGLE_PAYER",
                        "number_of_players": number_of_players,
                        "tenant_id": tenant_id,
                        "resource_id": resource_id,
                        "start": start_utc,
                        "duration": duration_minutes,
                        "match_registrations": registrations,
                    },
                }
            },
        }
        return self._request(
            "POST", "/v1/payment_intents", json_body=body, parse=parse_payment_intent
        )

    def select_payment_method(self, intent_id: str, payment_method_id: str) -> PaymentIntent:
        body = {
            "selected_payment_method_id": payment_method_id,
            "selected_payment_method_data": None,
        }
        return self._request(
            "PATCH",
            f"/v1/payment_intents/{_segment(intent_id)}",
            json_body=body,
            parse=parse_payment_intent,
        )

    def confirm_payment_intent(self, intent_id: str) -> PaymentIntent:
        return self._request(
            "POST",
            f"/v1/payment_intents/{_segment(intent_id)}/confirmation",
            json_body={},
            parse=parse_payment_intent,
        )

    def get_payment_intent(self, intent_id: str) -> PaymentIntent:
        return self._request(
            "GET", f"/v1/payment_intents/{_segment(intent_id)}", parse=parse_payment_intent
        )

    def list_matches(
        self,
        *,
        owner_id: str = "me",
        from_start: datetime | None = None,
        size: int = 50,
        page: int = 0,
    ) -> list[Match]:
        params: dict[str, Any] = {
            "owner_id": owner_id,
            "sort": "start_date,ASC",
            "size": size,
            "page": page,
        }
        if from_start is not None:
            params["from_start_date"] = to_api_timestamp(from_start, "from_start")
        return self._request("GET", "/v1/matches", params=params, parse=parse_matches)

    def get_match(self, match_id: str) -> Match:
        return self._request("GET", f"/v1/matches/{_segment(match_id)}", parse=parse_match)

    def cancel_match(self, match_id: str) -> Match:
        body = {"cancellation_reason_code": "CANCELED_BY_OWNER"}
        match = self._request(
            "POST",
            f"/v1/matches/{_segment(match_id)}/cancellation",
            json_body=body,
            parse=_parse_match_if_any,
        )
        # The cancellation body is documented by one source only; if it is not a match,
        # read the match back rather than guess.
        return match if match is not None else self.get_match(match_id)

    # ---------------------------------------------------------------------------- clock

    def probe_clock(
        self,
        max_seconds: float = 1.5,
        *,
        path: str = "/v1/matches",
        min_interval: float = 0.02,
    ) -> ClockEstimate:
        """Estimate (server clock - our clock) from the HTTP `Date` header (1 s resolution).

        A response whose `Date` reads D was stamped at a server time in [D, D+1), at a local
        time between our send (t0) and our receive (t1), so the offset lies in
        [D - t1, D + 1 - t0]. Requests are sent back to back (at most one per `min_interval`)
        and the intervals intersected until the `Date` second ticks over: the last sample
        before the tick and the first after it bracket the tick, which pins the offset to
        about ±(RTT + gap)/2 instead of ±0.5 s. Stops early at `max_seconds` (the tick comes
        within one second, so the default leaves room for a slow first request).
        """
        deadline = time.monotonic() + max_seconds
        low, high = float("-inf"), float("inf")
        rtts: list[float] = []
        first_second: float | None = None
        last_start: float | None = None

        while True:
            if last_start is not None:
                pause = min_interval - (time.monotonic() - last_start)
                if pause > 0:
                    self._sleep(pause)
            last_start = time.monotonic()
            probe = self.probe_date(path=path)
            sent, received, server_second = probe.sent, probe.received, probe.server_second
            rtts.append(received - sent)
            sample_low, sample_high = server_second - received, server_second + 1 - sent
            if max(low, sample_low) > min(high, sample_high):
                # Inconsistent with earlier samples (our clock stepped, or edge nodes with
                # different clocks answered): start over from this sample.
                low, high = sample_low, sample_high
                first_second = server_second
            else:
                low, high = max(low, sample_low), min(high, sample_high)
            if first_second is None:
                first_second = server_second
            if server_second != first_second or time.monotonic() >= deadline:
                break
        return ClockEstimate(
            offset_ms=(low + high) / 2 * 1000,
            uncertainty_ms=(high - low) / 2 * 1000,
            rtt_ms=statistics.median(rtts) * 1000,
            samples=len(rtts),
        )

    @property
    def last_server_date(self) -> float | None:
        """The server's `Date` (Unix seconds) on the last answer this thread received, error
        answers included; None if it had none or no answer came. A 409 at release time says
        by it whether the server answered before the release second."""
        value: float | None = getattr(self._answers, "date", None)
        return value

    def probe_date(self, *, path: str = "/v1/matches") -> DateProbe:
        """One cheap authenticated GET, timed on our clock, with the server's `Date`: the
        building block of clock estimates (see `booking.arrival`). `sent` is read just before
        the request is handed to the connection, `received` as soon as the answer is in."""
        params = {"owner_id": "me", "size": 1, "page": 0} if path == "/v1/matches" else None

        def stamp(response: requests.Response) -> tuple[float, float]:
            # Taken on arrival, before the observer is told (it may write to a cache).
            return self._clock().timestamp(), self._date_header(response)

        sent = self._clock().timestamp()
        received, server_second = self._send(
            "GET", path, params=params, json_body=None, auth=True, read=stamp
        )
        return DateProbe(sent=sent, received=received, server_second=server_second)

    @staticmethod
    def _optional_date(response: requests.Response) -> float | None:
        raw = response.headers.get("Date")
        try:
            if raw:
                return parsedate_to_datetime(raw).timestamp()
        except (TypeError, ValueError):
            pass
        return None

    @classmethod
    def _date_header(cls, response: requests.Response) -> float:
        value = cls._optional_date(response)
        if value is None:
            raise SchemaError("Date", "response has no valid HTTP Date header")
        return value

    # ---------------------------------------------------------------------------- transport

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        auth: bool = True,
        parse: Callable[[Any], T],
    ) -> T:
        """Send, then decode the JSON body and `parse` it. Parsing is part of the exchange, so
        the observer hears of a 2xx it could not make sense of as a `SchemaError`."""

        def read(response: requests.Response) -> T:
            return parse(self._decode(method, path, response))

        return self._send(method, path, params=params, json_body=json_body, auth=auth, read=read)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        json_body: Any,
        auth: bool,
        read: Callable[[requests.Response], T],
    ) -> T:
        """Send with the retry policy and return `read` of the 2xx response, or raise. The
        observer hears of every attempt that was sent, exactly once."""
        idempotent = method == "GET"
        attempt = 0
        refreshed = False
        while True:
            headers = {}
            token = self._access_token() if auth else None
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            if self._observer is not None:
                self._observer.before_request(self.host)
            started = time.monotonic()
            self._answers.date = None
            error: PlaytomicError
            try:
                response = self._session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    json=json_body,
                    headers=headers,
                    timeout=self._timeout,
                    allow_redirects=False,
                )
            except requests.Timeout:
                error = Timeout(f"{method} {path}: no response within the timeout")
            except requests.RequestException as exc:
                error = ConnectionFailed(f"{method} {path}: {type(exc).__name__}")
            else:
                self._answers.date = self._optional_date(response)
                logger.debug(
                    "%s %s -> %s in %.0f ms",
                    method,
                    path,
                    response.status_code,
                    (time.monotonic() - started) * 1000,
                )
                if 200 <= response.status_code < 300:
                    return self._read(response, read)
                error = self._error_from_response(method, path, response)
            self._tell_observer(error)
            if isinstance(error, Unauthorized) and token is not None and not refreshed:
                # The request was rejected outright, so repeating it once is safe for any
                # method.
                refreshed = True
                if self._refresh_after_401(token):
                    continue
            delay = self._retry_delay(error, attempt) if idempotent else None
            if delay is None:
                raise error
            logger.info("%s %s failed (%s); retry in %.2f s", method, path, error.kind, delay)
            self._sleep(delay)
            attempt += 1

    def _read(self, response: requests.Response, read: Callable[[requests.Response], T]) -> T:
        error: PlaytomicError | None = None
        try:
            return read(response)
        except PlaytomicError as exc:
            error = exc
            raise
        finally:
            # Anything else raised while reading is a bug on our side: the host answered.
            self._tell_observer(error)

    def _tell_observer(self, error: PlaytomicError | None) -> None:
        if self._observer is None:
            return
        try:
            self._observer.on_outcome(self.host, error)
        except Exception:
            # The exchange's own result (maybe a booking that went through) must reach the
            # caller even when the observer's storage is down.
            logger.exception("The exchange observer failed for %s", self.host)

    def _retry_delay(self, error: PlaytomicError, attempt: int) -> float | None:
        if not error.retryable or attempt >= self._max_retries:
            return None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            if error.retry_after > self._retry_after_cap:
                return None
            return error.retry_after
        # Exponential backoff with "equal jitter": never less than half the step, so retries
        # actually back off, but spread so that workers do not retry in lockstep.
        step = self._backoff_base * float(2**attempt)
        return step / 2 + random.uniform(0, step / 2)

    def _decode(self, method: str, path: str, response: requests.Response) -> Any:
        if not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise SchemaError(
                "<body>",
                f"{method} {path}: {response.status_code} response is not JSON "
                f"({response.headers.get('Content-Type', 'no content type')})",
                http_status=response.status_code,
            ) from None

    def _error_from_response(
        self, method: str, path: str, response: requests.Response
    ) -> PlaytomicError:
        status = response.status_code
        body: Any
        try:
            body = json.loads(response.content) if response.content.strip() else None
            is_json = body is not None
        except ValueError:
            body, is_json = None, False
        code, text = _error_fields(body)
        where = f"{method} {path} -> {status}"
        if not is_json and response.content.strip():
            # HTML pages (the CDN's block page, a web-app SPA) are summarised, not quoted.
            text = f"non-JSON body ({response.headers.get('Content-Type', 'no content type')})"
        message = where
        if code:
            message += f" {code}"
        if text:
            message += f": {text}"
        kwargs: dict[str, Any] = {"http_status": status, "status_code": code}
        if status == 401:
            return Unauthorized(message, **kwargs)
        if status == 403:
            return Forbidden(message, **kwargs) if is_json else Blocked(message, **kwargs)
        if status == 404:
            return NotFound(message, **kwargs)
        if status == 409:
            return SlotUnavailable(message, **kwargs)
        if status == 429:
            retry_after = self._parse_retry_after(response.headers.get("Retry-After"))
            return RateLimited(message, retry_after=retry_after, **kwargs)
        if status >= 500:
            return ServerError(message, **kwargs)
        if 400 <= status < 500:
            return BadRequest(message, **kwargs)
        return PlaytomicError(f"{where}: unexpected status", **kwargs)

    def _parse_retry_after(self, raw: str | None) -> float | None:
        if not raw:
            return None
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        try:
            return max(0.0, (parsedate_to_datetime(raw) - self._clock()).total_seconds())
        except (TypeError, ValueError):
            return None


def _parse_one_tenant(payload: Any) -> Tenant:
    if isinstance(payload, list):
        items = unwrap_list(payload)
        if len(items) != 1:
            raise SchemaError("", f"expected one tenant, got a list of {len(items)}")
        payload = items[0]
    return parse_tenant(payload)


def _parse_match_if_any(payload: Any) -> Match | None:
    if isinstance(payload, Mapping) and "match_id" in payload:
        return parse_match(payload)
    return None


def _error_fields(body: Any) -> tuple[str | None, str | None]:
    """(server status code, human message) from the current `{status, localized_message}`
    shape or the legacy `{error, details}` one."""
    if not isinstance(body, Mapping):
        return None, None
    # Spring's default error body has a numeric `status`; only a string one is a code.
    code = body.get("status") if isinstance(body.get("status"), str) else None
    text: Any = body.get("localized_message") or body.get("message") or body.get("error")
    if text is None and body.get("details") is not None:
        text = json.dumps(body["details"])[:_MESSAGE_LIMIT]
    return code, str(text)[:_MESSAGE_LIMIT] if text is not None else None
