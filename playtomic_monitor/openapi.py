"""Helpers for the OpenAPI examples each app keeps in its `api_examples.py`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample


def response_example(name: str, value: Any, status_code: int = 200) -> OpenApiExample:
    """One realistic answer of an operation, shown in /api/docs/ (never with secrets)."""
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status_code)])
