"""Monitoring fixtures: a private in-memory cache per test (the poll lock, the rate limiter
and the breaker live in the cache), politeness tuned for a fast suite, a staff user's
Playtomic account to read with, and the sandbox's Madrid club imported over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from accounts.models import PlaytomicAccount
from accounts.services import account_create
from clubs.models import Club
from clubs.services import club_import
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD

MADRID = "sandbox-padel-madrid"
LONDON = "sandbox-racquets-london"


@pytest.fixture(autouse=True)
def politeness(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }
    settings.PLAYTOMIC_RATE_PER_SECOND = 0
    settings.PLAYTOMIC_INTERACTIVE_RATE_PER_SECOND = 0
    settings.PLAYTOMIC_READ_TIMEOUT = 1.0
    settings.PLAYTOMIC_INTERACTIVE_READ_TIMEOUT = 1.0
    settings.PLAYTOMIC_BREAKER_THRESHOLD = 3
    settings.PLAYTOMIC_BREAKER_RESET_SECONDS = 60
    # No consumer of availability events in monitoring tests (the outbox tests wire one).
    settings.AVAILABILITY_EVENT_CONSUMERS = {}


@pytest.fixture
def reader(staff: Any, use_sandbox: Any) -> PlaytomicAccount:
    return account_create(owner=staff, email=SANDBOX_EMAIL, password=SANDBOX_PASSWORD)


def tenant_id(sandbox: Any, slug: str) -> str:
    return str(sandbox.world.club_by_slug(slug).tenant_id)


@pytest.fixture
def madrid(reader: PlaytomicAccount, use_sandbox: Any) -> Club:
    return club_import(tenant_id=tenant_id(use_sandbox, MADRID))
