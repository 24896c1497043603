"""Every API endpoint tells a caller without credentials how to authenticate: 401 with a
`WWW-Authenticate` header naming the bearer scheme, never a 403 or a page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

# The OpenAPI schema and its docs page are public on purpose: they hold no data.
PUBLIC = {"/api/schema/", "/api/docs/"}


def _paths(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _paths(pattern.url_patterns, prefix + route)
        else:
            yield prefix + route


def api_paths() -> list[str]:
    """Every route under /api/, its parameters filled with 1 and without format suffixes."""
    paths = set()
    for raw in _paths(get_resolver().url_patterns, "/"):
        if not raw.startswith("/api/") or raw.startswith("/api/auth/") or "format" in raw:
            continue
        # Path converters (<int:pk>) and the routers' regex groups ((?P<pk>[^/.]+)).
        path = re.sub(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)", "1", raw)
        path = path.replace("^", "").replace("$", "").replace("\\.", ".")
        if "(" in path or "[" in path:
            continue
        paths.add(path)
    return sorted(paths - PUBLIC)


def test_the_api_has_endpoints_to_check():
    assert len(api_paths()) > 20


@pytest.mark.parametrize("path", api_paths())
def test_an_anonymous_request_gets_401_with_www_authenticate(path):
    response = APIClient().get(path)

    assert response.status_code == 401, path
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
