"""A running `make demo` as other processes see it: its sandbox's base URL in VAR_DIR/demo.env
(settings use it, so a command from a second shell talks to the demo's sandbox) and its history
replay's progress (a banner on every page)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from playtomic_monitor.demo_run import (
    DEMO_ENV,
    demo_env_read,
    demo_env_write,
    demo_files_remove,
    history_progress_read,
    history_progress_write,
)

ROOT = Path(__file__).resolve().parents[2]
REAL_PLAYTOMIC = "https://api.app.playtomic.io"


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def _second_shell(var_dir: Path, code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """A fresh Django process on `var_dir`, as a `manage.py` command from a second shell."""
    env = {k: v for k, v in os.environ.items() if k not in ("PLAYTOMIC_BASE_URL", "VAR_DIR")}
    env.update(
        {"VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "playtomic_monitor.settings", **extra}
    )
    script = f"import django; django.setup(); from django.conf import settings; {code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_second_process_talks_to_the_running_demos_sandbox(tmp_path: Path, sandbox: Any) -> None:
    demo_env_write(tmp_path, base_url=sandbox.url)  # this test process is "the demo"
    code = (
        "from playtomic.client import PlaytomicClient; "
        "client = PlaytomicClient(settings.PLAYTOMIC_BASE_URL); "
        "client.login('player@sandbox.test', 'sandbox-password-1'); "
        "print(settings.PLAYTOMIC_BASE_URL)"
    )

    result = _second_shell(tmp_path, code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == sandbox.url
    assert [r["status"] for r in sandbox.requests(path="/v3/auth/login")] == [200]


def test_a_demo_file_left_by_a_killed_demo_is_ignored(tmp_path: Path) -> None:
    demo_env_write(tmp_path, base_url="http://127.0.0.1:9", pid=_dead_pid())

    result = _second_shell(tmp_path, "print(settings.PLAYTOMIC_BASE_URL)")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == REAL_PLAYTOMIC
    assert demo_env_read(tmp_path) == {}


def test_a_base_url_the_process_was_started_with_wins_over_the_demo(tmp_path: Path) -> None:
    demo_env_write(tmp_path, base_url="http://127.0.0.1:9")

    result = _second_shell(
        tmp_path,
        "print(settings.PLAYTOMIC_BASE_URL)",
        PLAYTOMIC_BASE_URL="http://127.0.0.1:7",
    )

    assert result.stdout.strip() == "http://127.0.0.1:7", result.stderr


def test_without_a_demo_it_talks_to_playtomic(tmp_path: Path) -> None:
    result = _second_shell(tmp_path, "print(settings.PLAYTOMIC_BASE_URL)")

    assert result.stdout.strip() == REAL_PLAYTOMIC, result.stderr
    assert not (tmp_path / DEMO_ENV).exists()


def test_progress_is_read_while_the_replay_runs_and_not_once_it_is_done(tmp_path: Path) -> None:
    assert history_progress_read(tmp_path) is None
    history_progress_write(tmp_path, done=51, total=127, days=21)
    progress = history_progress_read(tmp_path)
    assert progress is not None and (progress.percent, progress.days) == (40, 21)

    history_progress_write(tmp_path, done=127, total=127, days=21)
    assert history_progress_read(tmp_path) is None
    history_progress_write(tmp_path, done=5, total=127, days=21, pid=_dead_pid())
    assert history_progress_read(tmp_path) is None

    history_progress_write(tmp_path, done=5, total=127, days=21)
    demo_env_write(tmp_path, base_url="http://127.0.0.1:9")
    demo_files_remove(tmp_path)
    assert history_progress_read(tmp_path) is None
    assert demo_env_read(tmp_path) == {}


@pytest.mark.django_db
def test_pages_show_the_replays_progress_until_it_is_done(
    client: Any, settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    assert "of history" not in client.get("/accounts/login/").content.decode()

    history_progress_write(tmp_path, done=51, total=127, days=21)
    page = client.get("/accounts/login/")

    assert page.status_code == 200
    assert "Filling in 21 days of history: 40%" in page.content.decode()
    history_progress_write(tmp_path, done=127, total=127, days=21)
    assert "of history" not in client.get("/accounts/login/").content.decode()
