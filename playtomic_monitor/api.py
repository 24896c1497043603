"""Project-wide DRF plumbing."""

from __future__ import annotations

import logging
import re
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import DecimalField, Field, Model
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from playtomic_monitor.errors import (
    BACKING_SERVICE_ERRORS,
    BACKING_SERVICE_MESSAGE,
    DEFAULT_RETRY_AFTER_SECONDS,
    ServiceUnavailable,
)

logger = logging.getLogger(__name__)

# Largest primary key (BigAutoField). Ids beyond it cannot exist, and some lookups (`pk__in`,
# foreign keys) hand them to the database driver, which overflows instead of matching nothing.
MAX_DB_ID = 2**63 - 1
# The model an IdField names a row of, or a ModelOutput reads.
M = TypeVar("M", bound=Model)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a Django ValidationError raised by a service becomes a 400 with
    field messages instead of a 500; a `ServiceUnavailable` (Playtomic or our budget of calls
    to it) its 429 or 503; an unreachable cache or broker (Redis) a 503. Both with
    Retry-After."""
    # Imported here: rest_framework.views reads DEFAULT_THROTTLE_CLASSES, defined in this
    # module, when it is first imported, so importing it above fails whenever this module is
    # imported before it (booking.forms reaches MAX_DB_ID while the admin loads).
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    if isinstance(exc, ServiceUnavailable):
        set_rollback()
        return Response(
            {"detail": exc.message, "kind": exc.kind},
            status=exc.status_code,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, BACKING_SERVICE_ERRORS):
        logger.warning("A backing service is unavailable: %s: %s", type(exc).__name__, exc)
        set_rollback()
        return Response(
            {"detail": BACKING_SERVICE_MESSAGE, "kind": "backing_service"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DEFAULT_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DjangoValidationError):
        detail: Any
        if hasattr(exc, "error_dict"):
            detail = {
                field: [str(m) for e in errs for m in e.messages]
                for field, errs in exc.error_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    return response


class IdField(serializers.PrimaryKeyRelatedField[M]):
    """A row's id. One no row can have (not a whole number from 1 to MAX_DB_ID) is refused as
    unknown before it reaches an `IN (...)` or `=` query, which SQLite and psycopg would
    refuse with an overflow instead of matching nothing."""

    def to_internal_value(self, data: Any) -> M:
        text = str(data)
        if not text.isdecimal() or not 1 <= int(text) <= MAX_DB_ID:
            self.fail("does_not_exist", pk_value=text[:20])
        return super().to_internal_value(int(text))  # type: ignore[arg-type]


# An answer made of a model's columns, named in Meta.fields: each the plain field of its column's
# type, null where the column may be, with none of the model's input rules (lengths, choices,
# defaults, read-only), so the schema says what an answer holds. (No docstring: it would become
# the schema's description of every subclass.)
class ModelOutput(serializers.ModelSerializer[M]):
    def build_standard_field(
        self, field_name: str, model_field: Field[Any, Any]
    ) -> tuple[type[serializers.Field[Any, Any, Any, Any]], dict[str, Any]]:
        mapping = self.serializer_field_mapping
        field_class = next(mapping[c] for c in type(model_field).__mro__ if c in mapping)
        kwargs: dict[str, Any] = {"allow_null": True} if model_field.null else {}
        if isinstance(model_field, DecimalField):
            kwargs["max_digits"] = model_field.max_digits
            kwargs["decimal_places"] = model_field.decimal_places
        return field_class, kwargs


# A club's wall-clock time: hours and minutes, seconds optional, never an offset.
LOCAL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
_LOCAL_TIME = re.compile(LOCAL_TIME_PATTERN)


@extend_schema_field({"type": "string", "pattern": LOCAL_TIME_PATTERN, "example": "18:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in a club's own time zone, "18:00" or "18:00:00", with no offset.

    OpenAPI's `format: time` means RFC 3339's full-time, which requires an offset, so the plain
    TimeField's schema promises something this API never sends. Input is held to the same
    pattern: TimeField alone would take "18:00+02:00" and silently drop the offset."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and not _LOCAL_TIME.fullmatch(value):
            self.fail("invalid", format="hh:mm or hh:mm:ss")
        return super().to_internal_value(value)


class _RatesFromSettings(SimpleRateThrottle):
    """DRF copies REST_FRAMEWORK's rates onto the class at import; read them per request, so a
    changed setting (an override in a test) applies."""

    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate for scope {self.scope!r}.")
        rate = rates[self.scope]
        return None if rate is None else str(rate)


class AnonThrottle(_RatesFromSettings, AnonRateThrottle):
    """Anonymous callers, per client address: rate "anon"."""


class UserThrottle(_RatesFromSettings, UserRateThrottle):
    """Signed-in callers, per user: rate "user"."""


class SearchThrottle(_RatesFromSettings, UserRateThrottle):
    """Endpoints that spend Playtomic requests on a caller's behalf (club search), per user:
    rate "playtomic_search". A view's throttle_classes replace the defaults, so keep them:
    `throttle_classes = [AnonThrottle, UserThrottle, SearchThrottle]`."""

    scope = "playtomic_search"


class SignUpThrottle(_RatesFromSettings, AnonRateThrottle):
    """Sign-ups through an invite link (a page, not the API), per client address: rate
    "signup". Every attempt counts, so a leaked link cannot mint users by the thousand."""

    scope = "signup"
