"""Sandboxes for tests of exact answers, and the ways tests talk to them.

`frozen_sandbox(now=...)` makes a test module's `sandbox` fixture: a fresh sandbox on a
loopback port whose clock stands still at `now` and without simulated players, so every answer
is the same from run to run."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

import pytest
import requests

from playtomic.client import PlaytomicClient
from playtomic.sandbox import SandboxServer
from playtomic.types import PaymentIntent, Slot, Tenant
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD

EMAIL, PASSWORD = SANDBOX_EMAIL, SANDBOX_PASSWORD
ROOT = Path(__file__).resolve().parents[2]


def frozen_sandbox(
    *,
    now: datetime,
    seed: int = 1,
    accounts: Sequence[tuple[str, str]] = ((EMAIL, PASSWORD),),
    scope: Literal["function", "module"] = "function",
) -> Callable[[], Iterator[SandboxServer]]:
    """A `sandbox` fixture at the frozen instant `now`: `sandbox = frozen_sandbox(now=NOW)`."""

    @pytest.fixture(scope=scope)
    def sandbox() -> Iterator[SandboxServer]:
        with SandboxServer(
            seed=seed, accounts=list(accounts), now=now, frozen=True, demand=False
        ) as server:
            yield server

    return sandbox


def logged_in_client(sandbox: SandboxServer, **kwargs: Any) -> PlaytomicClient:
    """A client of the sandbox on the sandbox's clock, retrying without waiting, logged in as
    EMAIL. `kwargs` go to PlaytomicClient."""
    kwargs.setdefault("clock", sandbox.clock.now)
    kwargs.setdefault("backoff_base", 0.001)
    client = PlaytomicClient(sandbox.url, **kwargs)
    client.login(EMAIL, PASSWORD)
    return client


def first_slot(client: PlaytomicClient, slug: str, day: date) -> tuple[Tenant, Slot]:
    """The club with this slug, and the first slot it lists on its local `day`."""
    (tenant,) = client.search_tenants(slug=slug)
    entries = client.availability_for_local_day(tenant.tenant_id, day, tenant.timezone)
    return tenant, entries[0].slots[0]


def hold(client: PlaytomicClient, tenant_id: str, slot: Slot) -> PaymentIntent:
    """A payment intent for `slot`: the hold that starts a booking."""
    return client.create_payment_intent(
        tenant_id=tenant_id,
        resource_id=slot.resource_id,
        start=slot.start,
        duration_minutes=slot.duration_minutes,
    )


def logged_in_session(
    sandbox: SandboxServer, email: str = EMAIL, password: str = PASSWORD
) -> requests.Session:
    """Plain HTTP to the sandbox, with the access token of `email`."""
    session = requests.Session()
    answer = session.post(
        f"{sandbox.url}/v3/auth/login", json={"email": email, "password": password}
    )
    session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return session


def intent_body(
    tenant_id: str, resource_id: str, start: str, *, duration: int = 90, **data: Any
) -> dict[str, Any]:
    """The JSON of a plain-HTTP payment intent for a court at `start` (UTC, no zone); `data`
    adds to or overrides the cart item's fields (`number_of_players`, `payment_plan`, ...)."""
    item = {"tenant_id": tenant_id, "resource_id": resource_id, "start": start}
    return {
        "user_id": "me",
        "cart": {
            "requested_item": {
                "cart_item_type": "CUSTOMER_MATCH",
                "cart_item_data": {**item, "duration": duration, **data},
            }
        },
    }


@contextmanager
def sandbox_command(*args: str, manage_py: bool = False) -> Iterator[tuple[str, IO[str]]]:
    """The sandbox started from the command line on a free port (`python -m
    playtomic.sandbox`, or `manage.py sandbox`): its URL, read from the line it prints first,
    and the rest of what it prints. Stopped when the block ends."""
    command = ["manage.py", "sandbox"] if manage_py else ["-m", "playtomic.sandbox"]
    process = subprocess.Popen(
        [sys.executable, *command, "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        listening = re.match(r"Playtomic sandbox listening on (http://127\.0\.0\.1:\d+) ", first)
        assert listening, first
        yield listening.group(1), process.stdout
    finally:
        process.terminate()
        process.wait(timeout=10)
