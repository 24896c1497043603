"""The release-time racer: aim the first booking request at its arrival just after T on
Playtomic's clock, then fire a bounded burst.

Framework-free on purpose (no ORM inside the burst): the service prepares the candidates, the
client and the opening (`plan_opening`, from `booking.arrival`'s estimate), and persists the
timeline afterwards, so no database lock can delay a request once T has come. POSTs are never
repeated blindly: after an unclear outcome (timeout, connection lost, 5xx) the account's own
matches are read before anything else is sent.

Early or taken? Playtomic answers a request that arrives before T with the same 409 as one
for a court already taken. A 409 is read as "possibly early" when its `Date` is before T's
second (T on a whole second), or when it came back before an answer to a request arriving at
T + uncertainty could have (`Opening.early_until`). That candidate is then asked again at
once (at most MAX_EARLY_RETRIES times) and our picture of the server's clock shifted later;
any other 409 means taken.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from booking.arrival import ArrivalEstimate, sleep_until
from booking.selectors import Candidate
from playtomic.client import PlaytomicClient
from playtomic.errors import (
    Blocked,
    Forbidden,
    PlaytomicError,
    RateLimited,
    SlotUnavailable,
    Unauthorized,
)
from playtomic.types import Match, PaymentIntent

# A full pass where every candidate answered 409 is followed by this pause before the next.
PASS_PAUSE_SECONDS = 0.05
# Confirmation may run past the burst deadline: the court is already held by then.
CONFIRM_GRACE = timedelta(seconds=30)
# A candidate refused as possibly early is asked again at once, at most this many times.
MAX_EARLY_RETRIES = 2
# When the arrival is known less precisely than this, one request cannot be both safe (never
# before T) and fast: the opening staggers two requests for different candidates. Both may
# hold a court (only one is confirmed), so it is kept for real uncertainty.
STAGGER_ABOVE_SECONDS = 0.015
# The staggered requests leave within this of each other, so the opening fits in the first
# 50 ms (with an early retry: at most 3 requests); a wider uncertainty is only aimed safe.
STAGGER_WINDOW_SECONDS = 0.04
METHOD_TYPES = {
    "club": ("CASH",),
    "wallet": ("MERCHANT_WALLET", "WALLET"),
    "card": ("CREDIT_CARD",),
}


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class Timeline:
    """Events kept in memory during the race and written by the service afterwards."""

    def __init__(self, release_at: datetime, now: Callable[[], datetime]) -> None:
        self.release_at = release_at
        self.now = now
        self.entries: list[TimelineEntry] = []

    def add(self, kind: str, message: str = "", **data: Any) -> TimelineEntry:
        entry = TimelineEntry(self.now(), kind, message[:300], data)
        self.entries.append(entry)
        return entry

    def take(self) -> list[TimelineEntry]:
        taken, self.entries = self.entries, []
        return taken


@dataclass
class RaceResult:
    outcome: str  # booked | rehearsed | failed | unknown
    reason: str
    candidate: Candidate | None = None
    intent: PaymentIntent | None = None
    payment_method: str = ""
    match_id: str = ""
    requests_sent: int = 0
    first_sent_at: datetime | None = None


@dataclass(frozen=True)
class Opening:
    """How the burst begins, on our clock (Unix seconds): when the opening requests leave
    (one per candidate, in order) and until when a 409 may be for an early arrival."""

    release_ts: float  # T on the server's clock
    shots: tuple[float, ...]
    early_until: float | None
    reason: str
    # Server clock minus ours (estimated): the burst's deadline is on the server's clock.
    offset: float = 0.0
    # The lower bound of X_min (server clock at arrival minus ours at sending), if estimated.
    fastest: float | None = None

    @property
    def whole_second(self) -> bool:
        return self.release_ts == math.floor(self.release_ts)

    def describe(self) -> dict[str, Any]:
        return {
            "offset_ms": round(self.offset * 1000, 2),
            "shots_ms": [round((at - self.release_ts) * 1000, 2) for at in self.shots],
            "early_until_ms": (
                None
                if self.early_until is None
                else round((self.early_until - self.release_ts) * 1000, 2)
            ),
        }


def plan_opening(
    estimate: ArrivalEstimate | None, release_at: datetime, *, margin: float, candidates: int
) -> Opening:
    """Aim the first request so that even a fast one arrives at T + margin + uncertainty on
    the server's clock. When the uncertainty is too large for one request to be both safe and
    fast, a second candidate is sent later (a bounded stagger) and the first aims at
    T + margin for a typical arrival: if it lands early, its retry and the second request are
    already on their way."""
    release_ts = release_at.timestamp()
    if estimate is None:
        return Opening(release_ts, (release_ts,), None, "no clock estimate: fired at T, our clock")
    safe = estimate.send_at(release_ts, margin)
    early_until = release_ts - estimate.arrival + estimate.rtt + estimate.uncertainty
    if not STAGGER_ABOVE_SECONDS < estimate.uncertainty <= STAGGER_WINDOW_SECONDS or candidates < 2:
        return Opening(
            release_ts,
            (safe,),
            early_until,
            f"arrive at T + {(margin + estimate.uncertainty) * 1000:.1f} ms",
            estimate.offset,
            estimate.low,
        )
    fast = safe - estimate.uncertainty
    return Opening(
        release_ts,
        (fast, safe),
        early_until,
        f"staggered: uncertainty {estimate.uncertainty * 1000:.1f} ms; first candidate aimed at "
        f"T + {margin * 1000:.1f} ms, the second {estimate.uncertainty * 1000:.1f} ms later",
        estimate.offset,
        estimate.low,
    )


def find_booking(
    client: PlaytomicClient,
    tenant_ids: Sequence[str],
    windows: Sequence[tuple[datetime, datetime]],
) -> Match | None:
    """A live booking of the client's account at one of the clubs starting inside one of the
    windows: proof that an unclear request went through, or that the rule already holds its
    court (at any of its clubs, in its main or fallback window)."""
    if not windows:
        return None
    first = min(start for start, _ in windows)
    last = max(end for _, end in windows)
    for match in client.list_matches(from_start=first, size=50):
        if match.start > last:
            break
        if match.is_cancelled:
            continue
        if match.tenant_id is not None and match.tenant_id not in tenant_ids:
            continue
        if any(start <= match.start <= end for start, end in windows):
            return match
    return None


class TokenBucket:
    """The burst's own politeness budget: `capacity` back-to-back requests, then `rate`/s.
    Thread-safe: the staggered opening takes from it in two threads."""

    def __init__(self, rate: float, capacity: float = 3) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens < 1:
                time.sleep((1 - self.tokens) / self.rate)
                self.stamp = time.monotonic()
                self.tokens = 1
            self.tokens -= 1


@dataclass
class _Shot:
    """What one opening request came back with."""

    candidate: Candidate
    intent: PaymentIntent | None = None
    error: PlaytomicError | None = None


@dataclass
class Race:
    client: PlaytomicClient
    candidates: Sequence[Candidate]
    deadline: datetime  # T + burst, on the server's clock
    payment_methods: Sequence[str]
    number_of_players: int
    timeline: Timeline
    opening: Opening
    # The clubs and the windows (UTC) of the rule that day: a booking found there settles an
    # unclear outcome.
    tenant_ids: Sequence[str]
    windows: Sequence[tuple[datetime, datetime]]
    # Email and password for one fresh login after a 401 in the burst; the client's token
    # store persists what the login returns.
    credentials: tuple[str, str] = field(repr=False)
    max_price: Decimal | None = None
    dry_run: bool = False
    rate_per_second: float = 10.0
    # Other players registered on the match (Playtomic user ids), and whether to ask for the
    # price to be split among the players.
    players: Sequence[str] = ()
    split_payment: bool = True
    _sent: int = 0
    _first_sent_at: datetime | None = None
    _matches_unreadable: bool = False
    _early_until: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _bucket: TokenBucket | None = None

    def run(self) -> RaceResult:
        self._bucket = TokenBucket(self.rate_per_second)
        self._early_until = self.opening.early_until
        self.timeline.add("aim", self.opening.reason, **self.opening.describe())
        active = list(self.candidates)
        unclear = False
        if len(self.opening.shots) > 1 and len(active) > 1:
            opened = self._staggered_opening(active)
            if isinstance(opened, RaceResult):
                return opened
            unclear = opened
        else:
            sleep_until(self.opening.shots[0])
            self.timeline.add("fire")
        relogged = False
        passes = 0
        last_error = ""
        while active and self._now() < self.deadline:
            passes += 1
            for candidate in list(active):
                if self._now() >= self.deadline:
                    break
                if unclear:
                    # A POST may have landed: look before sending another one.
                    found = self._check_matches()
                    if found is not None:
                        return self._result_from_match(found)
                    unclear = False
                try:
                    intent = self._hold(candidate)
                except SlotUnavailable:
                    continue
                except Unauthorized as exc:
                    last_error = f"{exc.kind}: {exc}"
                    if relogged:
                        return self._done("failed", f"login rejected during the burst ({exc.kind})")
                    relogged = True
                    self.client.login(*self.credentials)
                    self.timeline.add("relogin", "logged in again after a 401")
                    continue
                except RateLimited as exc:
                    last_error = f"{exc.kind}: {exc}"
                    pause = min(exc.retry_after or 1.0, 5.0)
                    if self._now() + timedelta(seconds=pause) >= self.deadline:
                        break
                    time.sleep(pause)
                    continue
                except (Blocked, Forbidden) as exc:
                    return self._done("failed", f"refused by Playtomic ({exc.kind}): {exc}")
                except PlaytomicError as exc:
                    last_error = f"{exc.kind}: {exc}"
                    if exc.outcome_unclear:
                        # The POST may have landed: the matches are read before the next one.
                        unclear = True
                        continue
                    # 400/404/422 for this slot: it will not get better by asking again.
                    active.remove(candidate)
                    continue
                result = self._complete(candidate, intent)
                if result is not None:
                    return result
                active.remove(candidate)
            if active and self._now() < self.deadline:
                time.sleep(PASS_PAUSE_SECONDS)
        if unclear:
            found = self._check_matches()
            if found is not None:
                return self._result_from_match(found)
            if found is None and self._matches_unreadable:
                return self._done("unknown", f"outcome unclear ({last_error}); matches unreadable")
        if not self.candidates:
            return self._done("failed", "no candidate slots")
        if not active:
            return self._done("failed", f"every candidate was refused ({last_error})")
        reason = f"no candidate could be held within the burst ({passes} passes"
        reason += f", last error {last_error})" if last_error else ", every answer 409)"
        return self._done("failed", reason)

    def _now(self) -> datetime:
        """The server's clock as estimated: the deadline is T + burst on it."""
        return datetime.fromtimestamp(time.time() + self.opening.offset, UTC)

    def _staggered_opening(self, active: list[Candidate]) -> RaceResult | bool:
        """The first candidates sent at the opening's staggered instants, in parallel (each on
        its own warm connection). Holding more than one court is possible here and accepted:
        only the best held one is confirmed, the others are left for Playtomic to drop (intents
        cannot be cancelled). Returns the verdict, or whether an outcome was unclear; the
        candidates tried are taken out of `active` unless they should be asked again."""
        shots = [_Shot(candidate) for candidate in active[: len(self.opening.shots)]]

        def fire(shot: _Shot, at: float) -> _Shot:
            sleep_until(at)
            self.timeline.add("fire", shot.candidate.describe())
            try:
                shot.intent = self._hold(shot.candidate)
            except PlaytomicError as exc:
                shot.error = exc
            return shot

        with ThreadPoolExecutor(max_workers=len(shots)) as pool:
            for shot in pool.map(fire, shots, self.opening.shots):
                if shot.error is not None and not isinstance(shot.error, SlotUnavailable):
                    if isinstance(shot.error, Blocked | Forbidden):
                        return self._done(
                            "failed", f"refused by Playtomic ({shot.error.kind}): {shot.error}"
                        )
                    continue  # asked again by the loop (after a matches check if unclear)
                active.remove(shot.candidate)
        held = [shot for shot in shots if shot.intent is not None]
        for extra in held[1:]:
            self.timeline.add(
                "extra_hold",
                f"{extra.candidate.describe()} also held; left for Playtomic to drop",
            )
        for shot in held:
            assert shot.intent is not None
            result = self._complete(shot.candidate, shot.intent)
            if result is not None:
                return result
        return any(shot.error is not None and shot.error.outcome_unclear for shot in shots)

    def _hold(self, candidate: Candidate) -> PaymentIntent:
        """Create the intent. A 409 that may be for an early arrival is asked again at once
        (bounded, within the politeness budget); any other 409 is raised as taken."""
        assert self._bucket is not None
        retries = 0
        while True:
            self._bucket.take()
            sent = time.time()
            try:
                return self._create(candidate)
            except SlotUnavailable:
                received = time.time()
                why = self._possibly_early(received, self.client.last_server_date)
                if not why or retries >= MAX_EARLY_RETRIES or self._now() >= self.deadline:
                    raise
                retries += 1
                shift = self._shift_after_early(sent)
                self.timeline.add(
                    "early_retry",
                    f"{candidate.describe()}: 409 possibly early ({why}); asked again",
                    retry=retries,
                    shift_ms=round(shift * 1000, 2),
                )

    def _possibly_early(self, received: float, server_date: float | None) -> str:
        release_ts = self.opening.release_ts
        if self.opening.whole_second and server_date is not None and server_date < release_ts:
            return "answered before T's second"
        early_until = self._early_until
        if early_until is not None and received < early_until:
            return "answered within the early window"
        return ""

    def _shift_after_early(self, sent: float) -> float:
        """A request sent at `sent` was refused as early, so it arrived before T: the server's
        clock is behind our estimate by at least (its earliest estimated arrival - T). Shift the
        early window by that much; returns the shift (seconds, 0 without an estimate)."""
        fastest = self.opening.fastest
        with self._lock:
            if fastest is None or self._early_until is None:
                return 0.0
            shift = max(0.0, sent + fastest - self.opening.release_ts)
            self._early_until += shift
            return shift

    def _check_matches(self) -> Match | None:
        try:
            found = find_booking(self.client, self.tenant_ids, self.windows)
        except PlaytomicError as exc:
            self._matches_unreadable = True
            self.timeline.add("matches_unreadable", f"{exc.kind}")
            return None
        self._matches_unreadable = False
        self.timeline.add("matches_checked", "found a booking" if found else "no booking")
        return found

    def _result_from_match(self, match: Match) -> RaceResult:
        result = self._done("booked", "booking found in the account's matches")
        result.match_id = match.match_id
        return result

    def _send(self, kind: str, candidate: Candidate | None, call: Callable[[], Any]) -> Any:
        with self._lock:
            self._sent += 1
            n = self._sent
        sent = self.timeline.add(f"{kind}_sent", candidate.describe() if candidate else "", n=n)
        with self._lock:
            if self._first_sent_at is None or sent.at < self._first_sent_at:
                self._first_sent_at = sent.at
        started = time.monotonic()
        try:
            value = call()
        except PlaytomicError as exc:
            data: dict[str, Any] = {
                "error": exc.kind,
                "http_status": exc.http_status,
                "took_ms": round((time.monotonic() - started) * 1000, 1),
            }
            server_date = self.client.last_server_date
            if server_date is not None:
                data["date"] = int(server_date)
            self.timeline.add(f"{kind}_error", str(exc), **data)
            raise
        self.timeline.add(f"{kind}_ok", "", took_ms=round((time.monotonic() - started) * 1000, 1))
        return value

    def _create(self, candidate: Candidate) -> PaymentIntent:
        intent: PaymentIntent = self._send(
            "intent",
            candidate,
            lambda: self.client.create_payment_intent(
                tenant_id=candidate.tenant_id,
                resource_id=candidate.resource_id,
                start=candidate.start,
                duration_minutes=candidate.duration,
                number_of_players=self.number_of_players,
                players=self.players,
                split_payment=self.split_payment,
            ),
        )
        return intent

    def _pick_method(self, intent: PaymentIntent) -> tuple[str, str] | None:
        for preference in self.payment_methods:
            for method in intent.available_payment_methods:
                if method.method_type not in METHOD_TYPES.get(preference, ()):
                    continue
                if (
                    preference == "wallet"
                    and method.balance is not None
                    and intent.price is not None
                    and method.balance.amount < intent.price.amount
                ):
                    continue
                return preference, method.payment_method_id
        return None

    def _complete(self, candidate: Candidate, intent: PaymentIntent) -> RaceResult | None:
        """Held: choose the payment method and confirm. None means "try the next candidate"."""
        price = intent.price
        if self.max_price is not None and price is not None and price.amount > self.max_price:
            # Intents cannot be cancelled: this court stays held until Playtomic drops the
            # hold, so trying another candidate would hold two courts for one rule and date.
            self.timeline.add("over_price", f"{price} > {self.max_price}")
            return self._done(
                "failed",
                f"price above the rule's cap ({price} > {self.max_price}); not confirmed",
                candidate,
                intent,
            )
        picked = self._pick_method(intent)
        if picked is None:
            offered = ", ".join(m.method_type for m in intent.available_payment_methods)
            return self._done(
                "failed",
                f"none of the rule's payment methods is offered (club offers: {offered})",
                candidate,
                intent,
            )
        preference, method_id = picked
        intent_id = intent.payment_intent_id
        grace_end = self.deadline + CONFIRM_GRACE
        for _ in range(3):
            try:
                intent = self._send(
                    "select_method",
                    None,
                    lambda: self.client.select_payment_method(intent_id, method_id),
                )
                break
            except PlaytomicError as exc:
                if not exc.outcome_unclear:
                    return self._done(
                        "failed", f"selecting the payment method failed: {exc}", candidate, intent
                    )
                # PATCH sets a value: repeating it is harmless.
                if self._now() >= grace_end:
                    return self._done("unknown", "payment method not confirmed", candidate, intent)
        else:
            return self._done(
                "failed", "selecting the payment method kept failing", candidate, intent
            )
        if self.dry_run:
            return self._done(
                "rehearsed",
                "dry run: held and payment method chosen, not confirmed",
                candidate,
                intent,
                preference,
            )
        return self._confirm(candidate, intent, preference, grace_end)

    def _confirm(
        self, candidate: Candidate, intent: PaymentIntent, preference: str, grace_end: datetime
    ) -> RaceResult | None:
        intent_id = intent.payment_intent_id
        for _ in range(4):
            try:
                confirmed: PaymentIntent = self._send(
                    "confirm", None, lambda: self.client.confirm_payment_intent(intent_id)
                )
            except SlotUnavailable:
                self.timeline.add("hold_lost", "the hold expired before confirmation")
                return None
            except PlaytomicError as exc:
                # Did it go through? Read the intent (a GET) and the matches before retrying;
                # the server refuses a second confirmation, so retrying cannot book twice.
                status = self._intent_status(intent_id)
                if status in ("SUCCEEDED", "PROCESSING"):
                    return self._done("booked", "confirmed", candidate, intent, preference)
                found = self._check_matches()
                if found is not None:
                    return self._result_from_match(found)
                if not exc.outcome_unclear and status != "PENDING":
                    return self._done(
                        "failed", f"confirmation refused: {exc}", candidate, intent, preference
                    )
                if self._now() >= grace_end:
                    return self._done(
                        "unknown",
                        f"confirmation unclear ({exc.kind})",
                        candidate,
                        intent,
                        preference,
                    )
                continue
            if confirmed.status in ("SUCCEEDED", "PROCESSING"):
                result = self._done("booked", "confirmed", candidate, confirmed, preference)
                return result
            return self._done(
                "failed",
                f"confirmation answered {confirmed.status} (for example 3-D Secure): finish it "
                "in the Playtomic app",
                candidate,
                confirmed,
                preference,
            )
        return self._done("unknown", "confirmation unclear after retries", candidate, intent)

    def _intent_status(self, intent_id: str) -> str | None:
        try:
            return self.client.get_payment_intent(intent_id).status
        except PlaytomicError:
            return None

    def _done(
        self,
        outcome: str,
        reason: str,
        candidate: Candidate | None = None,
        intent: PaymentIntent | None = None,
        payment_method: str = "",
    ) -> RaceResult:
        self.timeline.add(outcome, reason)
        return RaceResult(
            outcome=outcome,
            reason=reason,
            candidate=candidate,
            intent=intent,
            payment_method=payment_method,
            match_id=(intent.match_id or "") if intent and outcome == "booked" else "",
            requests_sent=self._sent,
            first_sent_at=self._first_sent_at,
        )
