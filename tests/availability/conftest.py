"""The monitoring fixtures of tests/clubs, for the availability tests too, and `sent`: what
reached the broker instead of it."""

from typing import Any

import pytest

from playtomic_monitor.celery import app as celery_app
from tests.clubs.conftest import madrid, politeness, reader

__all__ = ["madrid", "politeness", "reader"]


@pytest.fixture
def sent(monkeypatch: Any) -> list[tuple[str, Any, str]]:
    """What reached the broker: (task name, args, queue)."""
    messages: list[tuple[str, Any, str]] = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args, queue: messages.append((name, args, queue))
    )
    return messages
