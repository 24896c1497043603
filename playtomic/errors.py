"""The Playtomic client's error taxonomy: the one place that says what each failure means.

Every failure the client raises is a `PlaytomicError`. Callers store `kind` (a short, stable
machine string) and decide what to do from four class attributes, never from lists of classes
or kinds of their own:

- `retryable`: trying the same request again later can help (the client retries GETs on it).
- `stops_poll`: the rest of a club's poll (its other days) would fail the same way, so stop.
- `trips_breaker`: the failure says the host is unwell; it counts towards opening the
  per-host circuit breaker. Every other answer (401, a JSON 403, 404, 409, 400) proves the
  host alive.
- `outcome_unclear`: a write (POST/PATCH) may have taken effect although we got no readable
  answer, so the caller must read its state (matches, the intent) before sending it again.
  For a GET it means nothing: a read changes nothing.

Messages never contain tokens or passwords: they carry the method, the path (never the query
string) and the server's own `status` / `localized_message`.
"""

from __future__ import annotations


class PlaytomicError(Exception):
    """Base class. `http_status` is the HTTP status (None when no response arrived);
    `status_code` is the server's `status` string such as `INCORRECT_PARAMETERS`."""

    kind: str = "error"
    retryable: bool = False
    stops_poll: bool = False
    trips_breaker: bool = False
    outcome_unclear: bool = False
    # Seconds after which the same request may succeed, when the error knows it (a 429's
    # Retry-After, the rest of an open circuit's pause); None otherwise.
    retry_after: float | None = None

    def __init__(
        self, message: str, *, http_status: int | None = None, status_code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.status_code = status_code

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, http_status={self.http_status!r}, "
            f"status_code={self.status_code!r})"
        )


class BadRequest(PlaytomicError):
    """The server rejected the request as invalid (400, 422 and other unlisted 4xx)."""

    kind = "bad_request"


class WindowTooLarge(BadRequest, ValueError):
    """An availability window longer than the server's 25 h limit, refused before sending."""


class Unauthorized(PlaytomicError):
    """401: bad credentials, an expired or unknown token, a rotated-away refresh token, or
    no token at all. The client has already tried its refresh token by then; a caller that
    holds the password may log in once more, after which the poll stops."""

    kind = "unauthorized"
    stops_poll = True


class Blocked(PlaytomicError):
    """403 with a non-JSON (HTML) body: the CDN/WAF edge refused us. Retrying from the same
    network does not help, so callers should alert a person rather than loop."""

    kind = "blocked"
    retryable = False
    stops_poll = True
    trips_breaker = True


class Forbidden(PlaytomicError):
    """403 with a JSON body: the API itself refused this account the operation."""

    kind = "forbidden"
    stops_poll = True


class NotFound(PlaytomicError):
    kind = "not_found"


class SlotUnavailable(PlaytomicError):
    """409: the slot is taken, held by someone else, not yet released to this account, or
    the hold on it expired."""

    kind = "slot_unavailable"


class RateLimited(PlaytomicError):
    """429. `retry_after` is the server's `Retry-After` in seconds, if it sent one. The request
    was refused unread, so it is never unclear; it trips the breaker because the host asks
    everyone to back off."""

    kind = "rate_limited"
    retryable = True
    trips_breaker = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        http_status: int | None = 429,
        status_code: str | None = None,
    ) -> None:
        super().__init__(message, http_status=http_status, status_code=status_code)
        self.retry_after = retry_after


class _FailedInTransit(PlaytomicError):
    """The exchange broke down on the way: worth trying again, a sign the host is unwell, and
    a write may have taken effect."""

    retryable = True
    trips_breaker = True
    outcome_unclear = True


class ServerError(_FailedInTransit):
    """5xx. A gateway may answer 502/504 after the origin acted, so a write is unclear."""

    kind = "server_error"


class Timeout(_FailedInTransit):
    """No answer within the connect or read timeout. For a POST the server may still have
    acted on the request."""

    kind = "timeout"


class ConnectionFailed(_FailedInTransit):
    """Refused, reset or dropped. The connection may have dropped after the server acted, so
    a write is unclear."""

    kind = "connection"


class SchemaError(PlaytomicError, ValueError):
    """A response (or a payload fed to a parser) lacks a required field, has it with the
    wrong type, or is not JSON at all. `field` is the path, e.g. `resources[2].resource_id`.
    From the client it is always about a 2xx: the server acted but we cannot read what it did,
    so a write is unclear. An unreadable answer (an HTML page, a cut-off body) also says the
    host or its edge is unwell."""

    kind = "schema"
    trips_breaker = True
    outcome_unclear = True

    def __init__(
        self,
        field: str,
        problem: str = "missing or invalid",
        *,
        http_status: int | None = None,
    ) -> None:
        super().__init__(f"{field or '<root>'}: {problem}", http_status=http_status)
        self.field = field
        self.problem = problem


class CircuitOpen(PlaytomicError):
    """Not sent: the caller's guard (`before_request`) holds the host's circuit breaker open,
    or another process holds the one half-open probe."""

    kind = "circuit_open"
    stops_poll = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimitWait(PlaytomicError):
    """Not sent: the caller's guard would have had to wait for a request slot (or for the
    host's `Retry-After` pause) longer than it allows."""

    kind = "rate_limit_wait"
    stops_poll = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


__all__ = [
    "BadRequest",
    "Blocked",
    "CircuitOpen",
    "ConnectionFailed",
    "Forbidden",
    "NotFound",
    "PlaytomicError",
    "RateLimitWait",
    "RateLimited",
    "SchemaError",
    "ServerError",
    "SlotUnavailable",
    "Timeout",
    "Unauthorized",
    "WindowTooLarge",
]
