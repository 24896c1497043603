"""Errors that mean "not now": something the site depends on cannot answer, so the caller gets a
fast, clear refusal with a time to try again (a 429 or 503 with Retry-After from the API, a
message or the 503 page on pages), never a long wait or a 500."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from playtomic.errors import CircuitOpen, PlaytomicError, RateLimited, RateLimitWait

# When nothing better is known, try again after this many seconds.
DEFAULT_RETRY_AFTER_SECONDS = 5
BACKING_SERVICE_MESSAGE = "A backing service is unavailable; try again shortly."


def _whole_seconds(seconds: float | None) -> int:
    return max(1, math.ceil(DEFAULT_RETRY_AFTER_SECONDS if seconds is None else seconds))


class ServiceUnavailable(Exception):
    """A service we depend on cannot answer now. `status_code` is the API's answer (429 when a
    budget is spent, 503 when the service is down), `retry_after` whole seconds (at least 1),
    `kind` a short machine string."""

    status_code: int = 503
    kind: str = "unavailable"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        retry_after: float | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if kind is not None:
            self.kind = kind
        self.retry_after = _whole_seconds(retry_after)


class PlaytomicUnavailable(ServiceUnavailable):
    """Playtomic, or our own budget of requests to it, could not answer a call a person waits
    on (club search and import, an account's test login). Carries the client error's `kind`;
    a spent budget (ours or Playtomic's 429) is a 429, anything else a 503."""

    def __init__(self, error: PlaytomicError) -> None:
        busy = isinstance(error, RateLimitWait | RateLimited)
        seconds = _whole_seconds(error.retry_after)
        figures = {"seconds": seconds, "kind": error.kind, "message": error.message}
        if isinstance(error, RateLimitWait):
            message = _("Too many requests to Playtomic right now; try again in %(seconds)s s.")
        elif isinstance(error, RateLimited):
            message = _("Playtomic asked us to slow down; try again in %(seconds)s s.")
        elif isinstance(error, CircuitOpen):
            message = _(
                "Playtomic has been failing, so calls to it are paused; try again in %(seconds)s s."
            )
        else:
            message = _("Playtomic did not answer as expected (%(kind)s): %(message)s")
        message %= figures
        super().__init__(
            message, status_code=429 if busy else 503, retry_after=seconds, kind=error.kind
        )


def _backing_service_errors() -> tuple[type[Exception], ...]:
    """What the cache (Redis) and the Celery broker raise when they are unreachable. Imported
    defensively: neither client library is needed on the embedded defaults."""
    errors: list[type[Exception]] = []
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    try:
        from kombu.exceptions import OperationalError
    except ImportError:
        pass
    else:
        errors.append(OperationalError)
    return tuple(errors)


BACKING_SERVICE_ERRORS = _backing_service_errors()
