"""Real Celery worker and beat processes for integration tests and benchmarks.

They run as subprocesses against the test database (the SQLite test file, or the PostgreSQL
test database) and the configured broker (Redis, or a filesystem broker in a private folder).
Procfile processes can also be run exactly as honcho runs them, and process trees watched by pid.
"""

from __future__ import annotations

import contextlib
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
# The venv's bin folder, which `make run` puts first on PATH for the Procfile's commands.
VENV_BIN = Path(sys.executable).parent


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
    env["NOTIFY_ALLOW_PRIVATE_ADDRESSES"] = "1" if settings.NOTIFY_ALLOW_PRIVATE_ADDRESSES else "0"
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


def wait_for_text(path: Path, text: str, *, timeout: float = 60.0) -> None:
    wait_for(lambda: path.exists() and text in path.read_text(errors="replace"), timeout=timeout)


def with_venv_path(env: dict[str, str]) -> dict[str, str]:
    """`env` with the venv's bin folder first on PATH, as `make run` runs honcho."""
    return {**env, "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"}


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        key, sep, command = line.partition(":")
        if sep and key == name:
            return command.strip()
    raise KeyError(f"no {name!r} process in the Procfile")


def start_procfile_process(
    name: str, env: dict[str, str], *, log_path: Path
) -> subprocess.Popen[bytes]:
    """One Procfile process run as honcho runs it: `sh -c COMMAND` in a session of its own
    (the returned process is that shell; the command is its child)."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            ["/bin/sh", "-c", procfile_command(name)],
            cwd=ROOT,
            env=with_venv_path(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses; the fields after the last ")" do not.
    return stat.rsplit(")", 1)[1].split()


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def children(pid: int) -> set[int]:
    return set(_children_by_parent().get(pid, []))


def descendants(pid: int) -> set[int]:
    """Every process below `pid` now (a snapshot: orphans are re-parented once their parent
    dies, so take it while the tree is whole)."""
    by_parent = _children_by_parent()
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        for child in by_parent.get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def command_pid(shell: subprocess.Popen[bytes]) -> int:
    """The process running a `start_procfile_process` command: the shell's child, or the shell
    itself where `sh -c` execs the command."""
    if command_line(shell.pid).startswith("/bin/sh "):
        (pid,) = children(shell.pid)
        return pid
    return shell.pid


def is_running(pid: int) -> bool:
    """False once the process has exited, even if nobody has reaped it yet."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def wait_until_gone(pids: set[int], *, timeout: float) -> float:
    """Seconds until every pid has exited; AssertionError naming the survivors otherwise."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if not any(is_running(pid) for pid in pids):
            return time.monotonic() - start
        time.sleep(0.05)
    survivors = {pid: command_line(pid) for pid in pids if is_running(pid)}
    raise AssertionError(f"still running {timeout:.0f}s after the signal: {survivors}")


def kill_survivors(pids: set[int]) -> None:
    """SIGKILL whichever of these processes (all started by the test) or of their descendants
    still run."""
    tree = set(pids)
    for pid in pids:
        if is_running(pid):
            tree |= descendants(pid)
    for pid in tree:
        if is_running(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
