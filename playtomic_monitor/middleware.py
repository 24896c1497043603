"""Pages answer 503, not 500, when something they depend on cannot answer: an unreachable
cache or broker (Redis), or a `ServiceUnavailable` a view did not handle itself. The API has
its own answer (playtomic_monitor/api.py's exception_handler)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from playtomic_monitor.errors import (
    BACKING_SERVICE_ERRORS,
    BACKING_SERVICE_MESSAGE,
    DEFAULT_RETRY_AFTER_SECONDS,
    ServiceUnavailable,
)

logger = logging.getLogger(__name__)


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ServiceUnavailable):
            message, retry_after = exception.message, exception.retry_after
        elif isinstance(exception, BACKING_SERVICE_ERRORS):
            logger.warning(
                "A backing service is unavailable for %s: %s: %s",
                request.path,
                type(exception).__name__,
                exception,
            )
            message, retry_after = BACKING_SERVICE_MESSAGE, DEFAULT_RETRY_AFTER_SECONDS
        else:
            return None
        # Rendered without the request: its context processors read the session and the user,
        # which may live in the very service that is down.
        body = render_to_string("503.html", {"message": message, "retry_after": retry_after})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(retry_after)
        return response
