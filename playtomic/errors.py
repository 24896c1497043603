"""The Playtomic client's error taxonomy.

Every failure the client raises is a `PlaytomicError`. Callers store `kind` (a short, stable
machine string) and branch on the subclass; `retryable` says whether trying the same request
again later can help. Messages never contain tokens or passwords: they carry the method, the
path (never the query string) and the server's own `status` / `localized_message`.
"""

from __future__ import annotations


class PlaytomicError(Exception):
    """Base class. `http_status` is the HTTP status (None when no response arrived);
    `status_code` is the server's `status` string such as `INCORRECT_PARAMETERS`."""

    kind: str = "error"
    retryable: bool = False

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
    no token at all."""

    kind = "unauthorized"


class Blocked(PlaytomicError):
    """403 with a non-JSON (HTML) body: the CDN/WAF edge refused us. Retrying from the same
    network does not help, so callers should alert a person rather than loop."""

    kind = "blocked"
    retryable = False


class Forbidden(PlaytomicError):
    """403 with a JSON body: the API itself refused this account the operation."""

    kind = "forbidden"


class NotFound(PlaytomicError):
    kind = "not_found"


class SlotUnavailable(PlaytomicError):
    """409: the slot is taken, held by someone else, not yet released to this account, or
    the hold on it expired."""

    kind = "slot_unavailable"


class RateLimited(PlaytomicError):
    """429. `retry_after` is the server's `Retry-After` in seconds, if it sent one."""

    kind = "rate_limited"
    retryable = True

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


class ServerError(PlaytomicError):
    kind = "server_error"
    retryable = True


class Timeout(PlaytomicError):
    """No answer within the connect or read timeout. For a POST the server may still have
    acted on the request."""

    kind = "timeout"
    retryable = True


class ConnectionFailed(PlaytomicError):
    kind = "connection"
    retryable = True


class SchemaError(PlaytomicError, ValueError):
    """A response (or a payload fed to a parser) lacks a required field, has it with the
    wrong type, or is not JSON at all. `field` is the path, e.g. `resources[2].resource_id`."""

    kind = "schema"

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


__all__ = [
    "BadRequest",
    "Blocked",
    "ConnectionFailed",
    "Forbidden",
    "NotFound",
    "PlaytomicError",
    "RateLimited",
    "SchemaError",
    "ServerError",
    "SlotUnavailable",
    "Timeout",
    "Unauthorized",
    "WindowTooLarge",
]
