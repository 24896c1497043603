"""The pages as a test opens them."""

from __future__ import annotations

from typing import Any

from django.test import Client


def web(user: Any = None) -> Client:
    """A browser, logged in as `user` when there is one."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
