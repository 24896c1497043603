"""Fixtures shared by every test folder.

The Playtomic side of a test is always the sandbox over real HTTP on 127.0.0.1; pytest-socket
blocks every other address, so an unmocked call to the internet fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

# The group cast (owner, admin, group, cast) and fast password hashing, for every folder.
pytest_plugins = ["tests.support.group_cast"]

SANDBOX_EMAIL = "player@sandbox.test"
SANDBOX_PASSWORD = "sandbox-password-1"


@pytest.fixture(autouse=True)
def generous_api_throttles(settings: Any) -> None:
    """API throttle counts live in the cache, which on Redis outlives a test: without this a
    suite's worth of requests from 127.0.0.1, or on SQLite from user id 1 in test after test,
    would meet 429s. Tests of the throttles set their own rates."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "1000000/minute"),
    }


@pytest.fixture(autouse=True)
def loopback_channels_allowed(settings: Any) -> None:
    """The tests' webhook receivers and push services listen on 127.0.0.1, an address a
    deployment refuses by default; tests of that refusal turn it back off."""
    settings.NOTIFY_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def sandbox() -> Iterator[Any]:
    """A fresh sandbox (seed 1) on a free loopback port, with one account."""
    from playtomic.sandbox.server import SandboxServer

    with SandboxServer(seed=1, accounts=[(SANDBOX_EMAIL, SANDBOX_PASSWORD)]) as server:
        yield server


@pytest.fixture
def use_sandbox(sandbox: Any, settings: Any) -> Any:
    """Point the Django side at the sandbox."""
    settings.PLAYTOMIC_BASE_URL = sandbox.url
    return sandbox


@pytest.fixture
def staff(db: Any) -> Any:
    return get_user_model().objects.create_user(
        username="staff", password="staff-pass-123", is_staff=True
    )


@pytest.fixture
def member(db: Any) -> Any:
    return get_user_model().objects.create_user(username="member", password="member-pass-123")


@pytest.fixture
def outsider(db: Any) -> Any:
    return get_user_model().objects.create_user(username="outsider", password="outsider-pass-123")
