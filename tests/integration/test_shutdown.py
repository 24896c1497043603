"""Every process exits within 10 s of SIGTERM or Ctrl-C, pool children included: `make run`'s
whole tree signalled as a group (as a service manager stops it), honcho alone, a booking worker
whose race sleeps toward a release far ahead, beat, the sandbox, and gunicorn as the Dockerfile
runs it.

Real processes on the test database and the configured broker; on Redis they get a database
of their own, so that workers of other test runs cannot take their messages (the filesystem
broker is private already: it lives in the test's folder)."""

# Fixtures imported from tests/booking are requested by name, which ruff reads as a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from booking.models import BookingAttempt
from booking.services.reconcile import attempts_reconcile

# The booking fixtures (a quiet sandbox, the Madrid club, the member's account, rules).
from tests.booking.conftest import (  # noqa: F401
    account,
    club,
    make_rule,
    sandbox,
)
from tests.support.processes import (
    ROOT,
    VENV_BIN,
    command_line,
    command_pid,
    descendants,
    kill_survivors,
    start_procfile_process,
    subprocess_env,
    wait_for,
    wait_for_text,
    wait_until_gone,
    with_venv_path,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# How long each stop took: shown with --log-cli-level=INFO.
logger = logging.getLogger(__name__)

STOP_WITHIN = 10.0
# A Redis database no other test uses (the suite's own processes use the URL's).
PRIVATE_REDIS_DB = 11
# Beat arms a race 60 s before its release instant, so one 40 s ahead is armed at once and its
# worker then sleeps toward it for half a minute.
RELEASE_IN = 40
WORKERS_READY = (re.compile(r"poll@\S+ ready\."), re.compile(r"booking@\S+ ready\."))


@pytest.fixture
def started() -> Iterator[set[int]]:
    """The pids a test starts; whichever still runs at the end is killed."""
    pids: set[int] = set()
    yield pids
    kill_survivors(pids)


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = subprocess_env(tmp_path, extra)
    if settings.REDIS_URL:
        redis = urlsplit(settings.REDIS_URL)
        env["REDIS_URL"] = redis._replace(path=f"/{PRIVATE_REDIS_DB}").geturl()
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def answers_http(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
    except urllib.error.HTTPError:
        return True  # 503 while no heartbeat has run yet: still an answer
    except OSError:
        return False
    return True


def logs(tmp_path: Path) -> str:
    return "\n".join(
        f"--- {path.name} ---\n{path.read_text(errors='replace')[-4000:]}"
        for path in sorted(tmp_path.glob("*.log"))
    )


def celery_workers(pids: set[int]) -> set[int]:
    """Worker main processes and their pool children (not the shells that started them)."""
    return {pid for pid in pids if re.search(r"bin/celery .* worker ", command_line(pid))}


def race_is_sleeping(attempt: BookingAttempt) -> bool:
    """The worker claimed the attempt, logged in and now waits for the release instant."""
    return attempt.events.filter(kind="logged_in").exists()


def assert_the_race_never_fired(attempt: BookingAttempt, sandbox: Any) -> None:
    attempt.refresh_from_db()
    assert attempt.state == BookingAttempt.State.ARMED
    assert not [e for e in sandbox.requests(path="/v1/payment_intents") if e["method"] == "POST"]


def spawn(
    argv: list[str], env: dict[str, str], log_path: Path, started: set[int]
) -> subprocess.Popen[bytes]:
    """`argv` in a session of its own (as from a terminal or a service manager), its output in
    `log_path`; `started` remembers it, so the test cleans it up whatever happens."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    started.add(proc.pid)
    return proc


def start_system(
    argv: list[str], env: dict[str, str], log_path: Path, port: int, started: set[int]
) -> subprocess.Popen[bytes]:
    """`make run` or its honcho, in a session of its own as from a terminal or a service
    manager; returns once web answers, both workers are ready and beat runs."""
    proc = spawn(argv, with_venv_path(env), log_path, started)

    def up() -> bool:
        started.update(descendants(proc.pid))
        text = log_path.read_text(errors="replace")
        if proc.poll() is not None:
            pytest.fail(f"the system exited while starting\n{text}")
        return (
            all(ready.search(text) for ready in WORKERS_READY)
            and "beat: Starting" in text
            and answers_http(port)
        )

    try:
        wait_for(up, timeout=120)
    except AssertionError:
        pytest.fail("the system did not come up\n" + log_path.read_text(errors="replace"))
    return proc


def assert_everything_stops(
    proc: subprocess.Popen[bytes], tree: set[int], send: Any, log: Path
) -> float:
    """Send the signal, then every process of the tree must exit within STOP_WITHIN."""
    # Two worker main processes, each with its pool: the snapshot must hold the children.
    assert len(celery_workers(tree)) > 2, {pid: command_line(pid) for pid in tree}
    send()
    try:
        elapsed = wait_until_gone(tree | {proc.pid}, timeout=STOP_WITHIN)
    except AssertionError as exc:
        pytest.fail(f"{exc}\n{log.read_text(errors='replace')[-6000:]}")
    proc.wait(timeout=5)
    return elapsed


def test_make_run_stops_within_10s_of_sigterm_to_its_process_group_mid_race(
    tmp_path, make_rule, use_sandbox, started
):
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    rule, target, _ = make_rule(seconds=RELEASE_IN)
    attempt = rule.attempts.get(target_date=target)
    port = free_port()
    log = tmp_path / "make-run.log"
    # `-o migrate`: the test database is migrated already; the rest is the real recipe.
    proc = start_system(
        [make, "--no-print-directory", "-o", "migrate", "run"],
        child_env(tmp_path, WEB_PORT=str(port)),
        log,
        port,
        started,
    )
    try:
        wait_for(lambda: race_is_sleeping(attempt), timeout=60)
    except AssertionError:
        pytest.fail("the race was not armed\n" + log.read_text(errors="replace"))
    tree = descendants(proc.pid)
    started.update(tree)

    elapsed = assert_everything_stops(proc, tree, lambda: os.killpg(proc.pid, signal.SIGTERM), log)
    logger.info("make run and %s processes below it stopped in %.1fs", len(tree), elapsed)

    assert_the_race_never_fired(attempt, use_sandbox)


def test_honcho_stops_everything_within_10s_of_ctrl_c(tmp_path, use_sandbox, started):
    port = free_port()
    log = tmp_path / "honcho.log"
    proc = start_system(
        [str(VENV_BIN / "honcho"), "start", "-f", "Procfile"],
        child_env(tmp_path, WEB_PORT=str(port)),
        log,
        port,
        started,
    )
    tree = descendants(proc.pid)
    started.update(tree)

    elapsed = assert_everything_stops(proc, tree, lambda: os.kill(proc.pid, signal.SIGINT), log)
    logger.info("honcho and %s processes below it stopped in %.1fs", len(tree), elapsed)


@pytest.mark.parametrize("to", ["main process", "process group"])
def test_a_booking_worker_sleeping_toward_a_release_stops_within_10s_of_sigterm(
    to, tmp_path, make_rule, use_sandbox, started
):
    """SIGTERM to the main process is what `docker stop` sends; to the whole group, what honcho
    and systemd send. The worker cancels the race after its soft-shutdown grace; the attempt
    stays in flight and the reconciler settles it like any dead worker's."""
    rule, target, _ = make_rule(seconds=RELEASE_IN)
    attempt = rule.attempts.get(target_date=target)
    env = child_env(tmp_path)
    worker = start_procfile_process("booking", env, log_path=tmp_path / "booking.log")
    beat = start_procfile_process("beat", env, log_path=tmp_path / "beat.log")
    started.update({worker.pid, beat.pid})
    try:
        wait_for(lambda: race_is_sleeping(attempt), timeout=90)
    except AssertionError:
        pytest.fail("the race was not armed\n" + logs(tmp_path))
    main = command_pid(worker)
    tree = descendants(worker.pid) | {worker.pid}
    started.update(tree)
    assert descendants(main), "no pool children"

    if to == "main process":
        os.kill(main, signal.SIGTERM)
    else:
        os.killpg(worker.pid, signal.SIGTERM)
    try:
        elapsed = wait_until_gone(tree, timeout=STOP_WITHIN)
    except AssertionError as exc:
        pytest.fail(f"{exc}\n{logs(tmp_path)}")
    worker.wait(timeout=5)
    logger.info("the booking worker (%s processes) stopped in %.1fs", len(tree), elapsed)
    # A task was running: SIGTERM was the cold shutdown, with its grace for running tasks.
    assert "Initiating Soft Shutdown" in (tmp_path / "booking.log").read_text(errors="replace")
    assert_the_race_never_fired(attempt, use_sandbox)
    attempts_reconcile(now=attempt.deadline_at + timedelta(seconds=1), grace=timedelta(0))
    attempt.refresh_from_db()
    assert attempt.state == BookingAttempt.State.MISSED, attempt.reason

    # Beat alone, as honcho or systemd signals it.
    beat_tree = descendants(beat.pid) | {beat.pid}
    os.killpg(beat.pid, signal.SIGTERM)
    elapsed = wait_until_gone(beat_tree, timeout=STOP_WITHIN)
    beat.wait(timeout=5)
    logger.info("beat stopped in %.1fs", elapsed)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize(
    "argv",
    [[sys.executable, "-m", "playtomic.sandbox"], [sys.executable, "manage.py", "sandbox"]],
    ids=["python -m playtomic.sandbox", "manage.py sandbox"],
)
def test_the_sandbox_stops_within_10s(argv, sig, tmp_path, started):
    log = tmp_path / "sandbox.log"
    proc = spawn([*argv, "--port", str(free_port())], subprocess_env(tmp_path), log, started)
    wait_for_text(log, "Playtomic sandbox listening on", timeout=60)

    os.kill(proc.pid, sig)

    elapsed = wait_until_gone({proc.pid}, timeout=STOP_WITHIN)
    proc.wait(timeout=5)
    logger.info("the sandbox stopped in %.1fs", elapsed)


def test_gunicorn_as_the_dockerfile_runs_it_stops_within_10s_of_sigterm(tmp_path, started):
    cmd = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")
    )
    argv = json.loads(cmd.removeprefix("CMD "))
    port = free_port()
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    proc = spawn(argv, with_venv_path(subprocess_env(tmp_path)), log, started)
    wait_for(lambda: answers_http(port), timeout=60)
    tree = descendants(proc.pid) | {proc.pid}
    started.update(tree)
    assert len(tree) > 1, "no gunicorn workers"

    os.kill(proc.pid, signal.SIGTERM)  # docker stop signals the container's first process

    elapsed = wait_until_gone(tree, timeout=STOP_WITHIN)
    proc.wait(timeout=5)
    logger.info("gunicorn (%s processes) stopped in %.1fs", len(tree), elapsed)
