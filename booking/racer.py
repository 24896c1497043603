"""The release-time racer: sleep until T on a corrected clock, then fire a bounded burst.

Framework-free on purpose (no ORM inside the burst): the service prepares the candidates and
the client, and persists the timeline afterwards, so no database lock can delay a request
once T has come. POSTs are never repeated blindly: after an unclear outcome (timeout,
connection lost, 5xx) the account's own matches are read before anything else is sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

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

# Spin (instead of sleeping) for the last few milliseconds: the kernel may wake a sleeper a
# fraction of a millisecond late, a busy loop on time.time() does not.
SPIN_SECONDS = 0.003
# A full pass where every candidate answered 409 is followed by this pause before the next
# (the server's clock may be slightly behind ours).
PASS_PAUSE_SECONDS = 0.05
# Confirmation may run past the burst deadline: the court is already held by then.
CONFIRM_GRACE = timedelta(seconds=30)
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


def find_booking(
    client: PlaytomicClient, tenant_id: str, window: tuple[datetime, datetime]
) -> Match | None:
    """A live booking of the client's account at the club starting inside `window`: proof
    that an unclear request went through, or that the rule already holds its court."""
    window_start, window_end = window
    for match in client.list_matches(from_start=window_start, size=50):
        if match.start > window_end:
            break
        if match.is_cancelled:
            continue
        if match.tenant_id not in (None, tenant_id):
            continue
        if window_start <= match.start <= window_end:
            return match
    return None


def wait_until(instant: datetime, *, offset_s: float = 0.0) -> None:
    """Sleep until our clock + `offset_s` reads `instant`: a coarse sleep, then a spin."""
    target = instant.timestamp() - offset_s
    remaining = target - time.time()
    if remaining > SPIN_SECONDS:
        time.sleep(remaining - SPIN_SECONDS)
    while time.time() < target:
        pass


class TokenBucket:
    """The burst's own politeness budget: `capacity` back-to-back requests, then `rate`/s."""

    def __init__(self, rate: float, capacity: float = 3) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = time.monotonic()

    def take(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            time.sleep((1 - self.tokens) / self.rate)
            self.stamp = time.monotonic()
            self.tokens = 1
        self.tokens -= 1


@dataclass
class Race:
    client: PlaytomicClient
    tenant_id: str
    candidates: Sequence[Candidate]
    release_at: datetime
    deadline: datetime
    payment_methods: Sequence[str]
    number_of_players: int
    timeline: Timeline
    # The rule's window that day (UTC): a booking found there settles an unclear outcome.
    window: tuple[datetime, datetime]
    # Email and password for one fresh login after a 401 in the burst; the client's token
    # store persists what the login returns.
    credentials: tuple[str, str] = field(repr=False)
    max_price: Decimal | None = None
    dry_run: bool = False
    offset_s: float = 0.0
    rate_per_second: float = 10.0
    _sent: int = 0
    _first_sent_at: datetime | None = None
    _matches_unreadable: bool = False

    def now(self) -> datetime:
        return datetime.fromtimestamp(time.time() + self.offset_s, UTC)

    def run(self) -> RaceResult:
        bucket = TokenBucket(self.rate_per_second)
        active = list(self.candidates)
        unclear = False
        relogged = False
        passes = 0
        last_error = ""
        while active and self.now() < self.deadline:
            passes += 1
            for candidate in list(active):
                if self.now() >= self.deadline:
                    break
                if unclear:
                    # A POST may have landed: look before sending another one.
                    found = self._check_matches()
                    if found is not None:
                        return self._result_from_match(found)
                    unclear = False
                bucket.take()
                try:
                    intent = self._create(candidate)
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
                    if self.now() + timedelta(seconds=pause) >= self.deadline:
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
            if active and self.now() < self.deadline:
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

    def _check_matches(self) -> Match | None:
        try:
            found = find_booking(self.client, self.tenant_id, self.window)
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
        self._sent += 1
        sent = self.timeline.add(
            f"{kind}_sent", candidate.describe() if candidate else "", n=self._sent
        )
        if self._first_sent_at is None:
            self._first_sent_at = sent.at
        started = time.monotonic()
        try:
            value = call()
        except PlaytomicError as exc:
            self.timeline.add(
                f"{kind}_error",
                str(exc),
                error=exc.kind,
                http_status=exc.http_status,
                took_ms=round((time.monotonic() - started) * 1000, 1),
            )
            raise
        self.timeline.add(f"{kind}_ok", "", took_ms=round((time.monotonic() - started) * 1000, 1))
        return value

    def _create(self, candidate: Candidate) -> PaymentIntent:
        intent: PaymentIntent = self._send(
            "intent",
            candidate,
            lambda: self.client.create_payment_intent(
                tenant_id=self.tenant_id,
                resource_id=candidate.resource_id,
                start=candidate.start,
                duration_minutes=candidate.duration,
                number_of_players=self.number_of_players,
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
                if self.now() >= grace_end:
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
                if self.now() >= grace_end:
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
