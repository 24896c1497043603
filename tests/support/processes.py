"""Real Celery worker and beat processes for integration tests and benchmarks.

They run as subprocesses against the test database (the SQLite test file, or the PostgreSQL
test database) and the configured broker (Redis, or a filesystem broker in a private folder).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

from playtomic_monitor.crypto import get_fernet

ROOT = Path(__file__).resolve().parents[2]


def subprocess_env(var_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment that points a child process at the database the test is using."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "playtomic_monitor.settings"
    env["VAR_DIR"] = str(var_dir)
    env["PYTHONUNBUFFERED"] = "1"
    db = connection.settings_dict
    if settings.DATABASE_IS_SQLITE:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        host = db.get("HOST") or "127.0.0.1"
        env["DATABASE_URL"] = f"postgresql://{auth}{host}:{db.get('PORT') or 5432}/{db['NAME']}"
    if not settings.REDIS_URL:
        env.pop("REDIS_URL", None)
    env["PLAYTOMIC_BASE_URL"] = settings.PLAYTOMIC_BASE_URL
    # Children have their own VAR_DIR, so hand them the parent's encryption keys explicitly or
    # they would generate a key file of their own and fail to read the test's secrets.
    get_fernet()  # makes the embedded key file if no secret has been written yet
    env["FIELD_ENCRYPTION_KEYS"] = ",".join(
        settings.FIELD_ENCRYPTION_KEYS
        or Path(settings.FIELD_ENCRYPTION_KEY_FILE).read_text().split()
    )
    env.update(extra or {})
    return env


def _spawn(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log = log_path.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "playtomic_monitor", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_worker(
    queues: list[str],
    env: dict[str, str],
    *,
    log_path: Path,
    pool: str = "solo",
    concurrency: int = 1,
    name: str = "testworker",
) -> subprocess.Popen[bytes]:
    return _spawn(
        [
            "worker",
            "-Q",
            ",".join(queues),
            "-P",
            pool,
            "-c",
            str(concurrency),
            "-n",
            f"{name}@%h",
            "--prefetch-multiplier=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        env,
        log_path,
    )


def start_beat(env: dict[str, str], *, log_path: Path, var_dir: Path) -> subprocess.Popen[bytes]:
    return _spawn(
        [
            "beat",
            "--loglevel=INFO",
            f"--pidfile={var_dir / 'beat.pid'}",
            f"--schedule={var_dir / 'beat-schedule'}",
            "--max-interval=1",
        ],
        env,
        log_path,
    )


def stop(proc: subprocess.Popen[bytes], *, kill: bool = False, timeout: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    sig = signal.SIGKILL if kill else signal.SIGTERM
    os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


def wait_for(
    condition: Callable[[], object], *, timeout: float = 60.0, interval: float = 0.25
) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout:.0f}s")
