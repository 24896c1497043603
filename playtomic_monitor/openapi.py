"""Helpers for the OpenAPI examples each app keeps in its `api_examples.py`, and the error
answers every API shares (shaped by playtomic_monitor.api.exception_handler)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

# What a schema decorator decorates (a view, a viewset class).
Decorated = TypeVar("Decorated", bound=Callable[..., Any])

# Every refused input, whether a serializer or a service refused it.
FIELD_MESSAGES = OpenApiResponse(
    description='Field messages: {"<field>": ["<message>", ...]}, "non_field_errors" for the '
    "input as a whole"
)


# Calls that wait on Playtomic fail fast instead (playtomic_monitor.errors): {"detail", "kind"}.
PLAYTOMIC_UNAVAILABLE = {
    429: OpenApiResponse(
        description="Too many requests to Playtomic right now (ours or theirs); see Retry-After"
    ),
    503: OpenApiResponse(description="Playtomic (or the cache) is not answering; see Retry-After"),
}


def request_example(name: str, value: Any) -> OpenApiExample:
    """One realistic request body of an operation."""
    return OpenApiExample(name, value=value, request_only=True)


def response_example(
    name: str, value: Any, status_code: int = 200, *, media_type: str | None = None
) -> OpenApiExample:
    """One realistic answer of an operation, shown in /api/docs/ (never with secrets)."""
    return OpenApiExample(
        name,
        value=value,
        response_only=True,
        status_codes=[str(status_code)],
        media_type=media_type,
    )


def not_found(description: str) -> OpenApiResponse:
    """A 404: {"detail": "<message>"}."""
    return OpenApiResponse(description=f'{description}: {{"detail": "<message>"}}')


def model_viewset_schema(
    *,
    request: Any,
    response: Any,
    listed: OpenApiExample,
    one: OpenApiExample,
    created: OpenApiExample,
    updated: OpenApiExample,
    patched: OpenApiExample,
) -> Callable[[Decorated], Decorated]:
    """The schema of a model viewset whose writes take `request` and answer `response`
    (201 on create), with one example answer per action."""
    return extend_schema_view(
        list=extend_schema(examples=[listed]),
        retrieve=extend_schema(examples=[one]),
        create=extend_schema(request=request, responses={201: response}, examples=[created]),
        update=extend_schema(request=request, responses={200: response}, examples=[updated]),
        partial_update=extend_schema(
            request=request, responses={200: response}, examples=[patched]
        ),
    )


def list_create_schema(
    listed: tuple[str, OpenApiExample],
    added: tuple[str, list[OpenApiExample]],
    *,
    response: Any,
    request: Any = None,
) -> Callable[[Decorated], Decorated]:
    """The schema of a view that lists rows and adds one: GET and POST each with their summary
    and examples. POST takes `request` (by default the view's serializer) and answers
    `response` with 201, or field messages."""
    body = {} if request is None else {"request": request}
    return extend_schema_view(
        get=extend_schema(summary=listed[0], examples=[listed[1]]),
        post=extend_schema(
            summary=added[0],
            responses={201: response, 400: FIELD_MESSAGES},
            examples=added[1],
            **body,
        ),
    )
