"""The embedded broker writes each message whole: a worker polling the queue folder never takes
a message file that is still being written (it used to read it empty and die)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from django.conf import settings
from kombu import Connection

from playtomic_monitor import broker


@pytest.fixture
def channel(tmp_path: Path) -> Iterator[Any]:
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }
    with Connection(
        "filesystem://localhost//", transport=broker.Transport, transport_options=options
    ) as connection:
        yield connection.default_channel


def test_a_message_is_read_back_whole(channel: Any) -> None:
    channel._put("poll", {"body": "x" * 10_000, "headers": {"task": "t"}})

    assert channel._get("poll") == {"body": "x" * 10_000, "headers": {"task": "t"}}
    with pytest.raises(Empty):
        channel._get("poll")


def test_a_message_being_written_is_invisible_to_a_reader(channel: Any, monkeypatch: Any) -> None:
    seen: list[str] = []
    replace = os.replace

    def look_first(source: str, target: str) -> None:
        # The message is written but not yet in place: a reader polling now finds nothing.
        try:
            channel._get("poll")
        except Empty:
            seen.append("nothing")
        replace(source, target)

    monkeypatch.setattr(broker.os, "replace", look_first)

    channel._put("poll", {"body": "hello"})

    assert seen == ["nothing"]
    assert channel._get("poll") == {"body": "hello"}


def test_the_embedded_broker_uses_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "VAR_DIR")}
    env.update({"VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "playtomic_monitor.settings"})
    script = (
        "import django; django.setup(); from playtomic_monitor.celery import app; "
        "print(type(app.connection_for_write().transport).__module__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.stdout.strip() == "playtomic_monitor.broker", result.stderr
