"""The API as a test calls it."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient


def api_client(user: Any = None) -> APIClient:
    """An API client, signed in as `user` when there is one."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
